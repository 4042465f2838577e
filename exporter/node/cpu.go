package node

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/procfs"
)

type cpuCollector struct {
	fs      procfs.FS
	seconds *prometheus.Desc
}

func newCPUCollector(opts *Options) (*cpuCollector, error) {
	fs, err := procfs.NewFS(opts.ProcPath)
	if err != nil {
		return nil, err
	}
	return &cpuCollector{
		fs:      fs,
		seconds: desc("cpu", "seconds_total", "Seconds the CPUs spent in each mode.", "cpu", "mode"),
	}, nil
}

// Update emits node_cpu_seconds_total for the eight modes node_exporter
// reports. Guest time is already counted in user and nice, so it is left out.
func (c *cpuCollector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	stat, err := c.fs.Stat()
	if err != nil {
		return noData(fmt.Errorf("read stat: %w", err))
	}
	ids := make([]int64, 0, len(stat.CPU))
	for id := range stat.CPU {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		s := stat.CPU[id]
		cpu := strconv.FormatInt(id, 10)
		for _, m := range []struct {
			mode  string
			value float64
		}{
			{"user", s.User}, {"nice", s.Nice}, {"system", s.System}, {"idle", s.Idle},
			{"iowait", s.Iowait}, {"irq", s.IRQ}, {"softirq", s.SoftIRQ}, {"steal", s.Steal},
		} {
			ch <- prometheus.MustNewConstMetric(c.seconds, prometheus.CounterValue, m.value, cpu, m.mode)
		}
	}
	return nil
}
