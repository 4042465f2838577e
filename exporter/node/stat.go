package node

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/procfs"
)

type statCollector struct {
	fs              procfs.FS
	bootTime        *prometheus.Desc
	contextSwitches *prometheus.Desc
	forks           *prometheus.Desc
	procsRunning    *prometheus.Desc
	procsBlocked    *prometheus.Desc
}

func newStatCollector(opts *Options) (*statCollector, error) {
	fs, err := procfs.NewFS(opts.ProcPath)
	if err != nil {
		return nil, err
	}
	return &statCollector{
		fs:              fs,
		bootTime:        desc("", "boot_time_seconds", "Node boot time, in unixtime."),
		contextSwitches: desc("", "context_switches_total", "Total number of context switches."),
		forks:           desc("", "forks_total", "Total number of forks."),
		procsRunning:    desc("", "procs_running", "Number of processes in runnable state."),
		procsBlocked:    desc("", "procs_blocked", "Number of processes blocked waiting for I/O to complete."),
	}, nil
}

func (c *statCollector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	stat, err := c.fs.Stat()
	if err != nil {
		return noData(fmt.Errorf("read stat: %w", err))
	}
	ch <- prometheus.MustNewConstMetric(c.bootTime, prometheus.GaugeValue, float64(stat.BootTime))
	ch <- prometheus.MustNewConstMetric(c.contextSwitches, prometheus.CounterValue, float64(stat.ContextSwitches))
	ch <- prometheus.MustNewConstMetric(c.forks, prometheus.CounterValue, float64(stat.ProcessCreated))
	ch <- prometheus.MustNewConstMetric(c.procsRunning, prometheus.GaugeValue, float64(stat.ProcessesRunning))
	ch <- prometheus.MustNewConstMetric(c.procsBlocked, prometheus.GaugeValue, float64(stat.ProcessesBlocked))
	return nil
}
