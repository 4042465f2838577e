package query

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// httpMetrics count and time requests per endpoint, like Prometheus's
// prometheus_http_requests_total, under our own prefix so they never collide
// with a Prometheus library metric registered on the same registry.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nexclipper_receiver_query_api_requests_total",
			Help: "Requests to the Prometheus query API, by endpoint and HTTP status code.",
		}, []string{"handler", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "nexclipper_receiver_query_api_request_duration_seconds",
			Help: "Latency of the Prometheus query API, by endpoint.",
			// Prometheus's buckets for its HTTP API: queries run up to the
			// 2m default timeout.
			Buckets:                         []float64{.1, .2, .4, 1, 3, 8, 20, 60, 120},
			NativeHistogramBucketFactor:     1.1,
			NativeHistogramMaxBucketNumber:  100,
			NativeHistogramMinResetDuration: time.Hour,
		}, []string{"handler"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.duration} {
			if err := reg.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// instrument is a route.Router instrumentation hook; handlerName is the route
// as registered by Prometheus ("/query", "/label/:name/values"), so the label
// has one value per endpoint, never one per label name.
func (m *httpMetrics) instrument(handlerName string, h http.HandlerFunc) http.HandlerFunc {
	name := prometheus.Labels{"handler": apiPrefix + handlerName}
	return promhttp.InstrumentHandlerCounter(m.requests.MustCurryWith(name),
		promhttp.InstrumentHandlerDuration(m.duration.MustCurryWith(name), h))
}
