package remotewrite

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Protocol label values of the request metrics.
const (
	protocolV1      = "1.0"
	protocolV2      = "2.0"
	protocolUnknown = "unknown" // refused before the Content-Type was understood
)

// metrics are the receiver's own write-path metrics.
type metrics struct {
	requests   *prometheus.CounterVec // code, protocol
	duration   *prometheus.HistogramVec
	appended   *prometheus.CounterVec // type
	rejected   *prometheus.CounterVec // reason
	normalised *prometheus.CounterVec // fix
	inflight   prometheus.Gauge
}

// newMetrics registers the metrics on reg (nil: not registered, for tests and
// embedders that do not want them).
func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		requests: f.NewCounterVec(prometheus.CounterOpts{
			Name: "nexclipper_receiver_write_requests_total",
			Help: "Remote write requests answered, by HTTP status code and remote write protocol version.",
		}, []string{"code", "protocol"}),
		duration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:                        "nexclipper_receiver_write_request_duration_seconds",
			Help:                        "Time to answer a remote write request, from the first byte of the handler to the status.",
			Buckets:                     []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
			NativeHistogramBucketFactor: 1.1,
		}, []string{"protocol"}),
		appended: f.NewCounterVec(prometheus.CounterOpts{
			Name: "nexclipper_receiver_samples_appended_total",
			Help: "Float samples, native histogram samples and exemplars committed to storage from remote write.",
		}, []string{"type"}),
		rejected: f.NewCounterVec(prometheus.CounterOpts{
			Name: "nexclipper_receiver_samples_rejected_total",
			Help: "Float samples, histogram samples and exemplars of remote write requests rejected with a 400, by reason.",
		}, []string{"reason"}),
		normalised: f.NewCounterVec(prometheus.CounterOpts{
			Name: "nexclipper_receiver_series_normalised_total",
			Help: "Series accepted after a lossless fix of a sender's spec violation: unsorted labels sorted, empty-valued labels dropped.",
		}, []string{"fix"}),
		inflight: f.NewGauge(prometheus.GaugeOpts{
			Name: "nexclipper_receiver_write_inflight_requests",
			Help: "Remote write requests being decoded or appended now; beyond the limit, requests are answered 429.",
		}),
	}
	// Export every series from the start, so rate() and alerts see the zero.
	for _, t := range []string{"float", "histogram", "exemplar"} {
		m.appended.WithLabelValues(t)
	}
	for _, r := range allReasons {
		m.rejected.WithLabelValues(string(r))
	}
	m.normalised.WithLabelValues("sorted_labels")
	m.normalised.WithLabelValues("dropped_empty_labels")
	return m
}

// observe counts what a committed request stored, rejected and normalised.
func (m *metrics) observe(r *request) {
	m.appended.WithLabelValues("float").Add(float64(r.stats.Samples))
	m.appended.WithLabelValues("histogram").Add(float64(r.stats.Histograms))
	m.appended.WithLabelValues("exemplar").Add(float64(r.stats.Exemplars))
	for rs, n := range r.rejected.counts {
		m.rejected.WithLabelValues(string(rs)).Add(float64(n))
	}
	m.normalised.WithLabelValues("sorted_labels").Add(float64(r.sorted))
	m.normalised.WithLabelValues("dropped_empty_labels").Add(float64(r.emptied))
}
