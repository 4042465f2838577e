package tier

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the Runner's own series.
type metrics struct {
	windows     *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	deleted     *prometheus.CounterVec
	lastSuccess prometheus.Gauge
}

func newMetrics(store *Store, reg prometheus.Registerer) *metrics {
	m := &metrics{
		windows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nexclipper_downsample_windows_total",
			Help: "Windows downsampled into a tier block, by tier and result.",
		}, []string{"resolution", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "nexclipper_downsample_window_duration_seconds",
			Help:    "Time to downsample one window into a tier block.",
			Buckets: prometheus.ExponentialBuckets(0.1, 3, 8),
		}, []string{"resolution"}),
		deleted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nexclipper_tier_deleted_blocks_total",
			Help: "Blocks deleted by per-tier retention, by tier.",
		}, []string{"resolution"}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "nexclipper_downsample_last_success_timestamp_seconds",
			Help: "When the last downsampling pass finished without error.",
		}),
	}
	for _, r := range allResolutions {
		m.deleted.WithLabelValues(ResolutionName(r))
	}
	for _, r := range Resolutions {
		for _, result := range []string{"ok", "error"} {
			m.windows.WithLabelValues(ResolutionName(r), result)
		}
	}
	if reg != nil {
		reg.MustRegister(m.windows, m.duration, m.deleted, m.lastSuccess, &storeCollector{store})
	}
	return m
}

// storeCollector reports each tier's blocks, bytes and oldest time at scrape time.
type storeCollector struct{ store *Store }

var (
	tierBlocksDesc = prometheus.NewDesc("nexclipper_tier_blocks", "Blocks in a downsampled tier.", []string{"resolution"}, nil)
	tierBytesDesc  = prometheus.NewDesc("nexclipper_tier_bytes", "Bytes on disk of a downsampled tier's blocks.", []string{"resolution"}, nil)
	tierOldestDesc = prometheus.NewDesc("nexclipper_tier_oldest_timestamp_seconds", "Start of the oldest window a downsampled tier holds.", []string{"resolution"}, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- tierBlocksDesc
	ch <- tierBytesDesc
	ch <- tierOldestDesc
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	for _, res := range Resolutions {
		name := ResolutionName(res)
		blocks := c.store.Blocks(res)
		ch <- prometheus.MustNewConstMetric(tierBlocksDesc, prometheus.GaugeValue, float64(len(blocks)), name)
		var size int64
		for _, b := range blocks {
			size += b.Size()
		}
		ch <- prometheus.MustNewConstMetric(tierBytesDesc, prometheus.GaugeValue, float64(size), name)
		if len(blocks) > 0 {
			ch <- prometheus.MustNewConstMetric(tierOldestDesc, prometheus.GaugeValue, float64(blocks[0].Meta().MinTime)/1000, name)
		}
	}
}
