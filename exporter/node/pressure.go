package node

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/nexclipper/nexclipper/exporter/collector"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/procfs"
)

type pressureCollector struct {
	procfs procfs.FS
	// waiting is the "some" line, stalled the "full" line, per resource.
	waiting, stalled map[string]*prometheus.Desc
}

var pressureResources = []string{"cpu", "io", "memory"}

func newPressureCollector(opts *Options) (*pressureCollector, error) {
	pfs, err := procfs.NewFS(opts.ProcPath)
	if err != nil {
		return nil, err
	}
	c := &pressureCollector{procfs: pfs, waiting: map[string]*prometheus.Desc{}, stalled: map[string]*prometheus.Desc{}}
	for _, r := range pressureResources {
		c.waiting[r] = desc("pressure", r+"_waiting_seconds_total", "Total time in seconds that processes have waited for "+r+".")
		c.stalled[r] = desc("pressure", r+"_stalled_seconds_total", "Total time in seconds no process could make progress due to "+r+" congestion.")
	}
	return c, nil
}

// Update reads /proc/pressure/{cpu,io,memory}. Kernels without PSI (before
// 4.20, or booted with psi=0) have no such files: ErrNoData. The "full" line
// of cpu exists only since 5.13 and is emitted when present.
func (c *pressureCollector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	var errs []error
	missing := 0
	for _, r := range pressureResources {
		stats, err := c.procfs.PSIStatsForResource(r)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				missing++
				continue
			}
			errs = append(errs, fmt.Errorf("read pressure %s: %w", r, err))
			continue
		}
		if stats.Some != nil {
			ch <- prometheus.MustNewConstMetric(c.waiting[r], prometheus.CounterValue, float64(stats.Some.Total)/1e6)
		}
		if stats.Full != nil {
			ch <- prometheus.MustNewConstMetric(c.stalled[r], prometheus.CounterValue, float64(stats.Full.Total)/1e6)
		}
	}
	if missing == len(pressureResources) {
		return fmt.Errorf("%w: no /proc/pressure files", collector.ErrNoData)
	}
	return errors.Join(errs...)
}
