package node

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type timeCollector struct {
	now        func() time.Time
	seconds    *prometheus.Desc
	zoneOffset *prometheus.Desc
}

func newTimeCollector(opts *Options) (*timeCollector, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &timeCollector{
		now:        now,
		seconds:    desc("time", "seconds", "System time in seconds since epoch (1970)."),
		zoneOffset: desc("time", "zone_offset_seconds", "System time zone offset in seconds.", "time_zone"),
	}, nil
}

func (c *timeCollector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	now := c.now()
	ch <- prometheus.MustNewConstMetric(c.seconds, prometheus.GaugeValue, float64(now.UnixNano())/1e9)
	zone, offset := now.Zone()
	ch <- prometheus.MustNewConstMetric(c.zoneOffset, prometheus.GaugeValue, float64(offset), zone)
	return nil
}
