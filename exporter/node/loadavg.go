package node

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/procfs"
)

type loadavgCollector struct {
	fs                   procfs.FS
	load1, load5, load15 *prometheus.Desc
}

func newLoadavgCollector(opts *Options) (*loadavgCollector, error) {
	fs, err := procfs.NewFS(opts.ProcPath)
	if err != nil {
		return nil, err
	}
	return &loadavgCollector{
		fs:     fs,
		load1:  desc("", "load1", "1m load average."),
		load5:  desc("", "load5", "5m load average."),
		load15: desc("", "load15", "15m load average."),
	}, nil
}

func (c *loadavgCollector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	load, err := c.fs.LoadAvg()
	if err != nil {
		return noData(fmt.Errorf("read loadavg: %w", err))
	}
	ch <- prometheus.MustNewConstMetric(c.load1, prometheus.GaugeValue, load.Load1)
	ch <- prometheus.MustNewConstMetric(c.load5, prometheus.GaugeValue, load.Load5)
	ch <- prometheus.MustNewConstMetric(c.load15, prometheus.GaugeValue, load.Load15)
	return nil
}
