package node

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/procfs"
)

// meminfoField is one /proc/meminfo line we export, named as node_exporter
// names it: node_memory_<Field>_bytes.
type meminfoField struct {
	name  string
	value func(procfs.Meminfo) *uint64
}

// meminfoFields are the fields that the node-mixin, "Node Exporter Full" and
// our own dashboards read; the other fifty are left out on purpose.
var meminfoFields = []meminfoField{
	{"MemTotal", func(m procfs.Meminfo) *uint64 { return m.MemTotalBytes }},
	{"MemFree", func(m procfs.Meminfo) *uint64 { return m.MemFreeBytes }},
	{"MemAvailable", func(m procfs.Meminfo) *uint64 { return m.MemAvailableBytes }},
	{"Buffers", func(m procfs.Meminfo) *uint64 { return m.BuffersBytes }},
	{"Cached", func(m procfs.Meminfo) *uint64 { return m.CachedBytes }},
	{"SwapCached", func(m procfs.Meminfo) *uint64 { return m.SwapCachedBytes }},
	{"SwapTotal", func(m procfs.Meminfo) *uint64 { return m.SwapTotalBytes }},
	{"SwapFree", func(m procfs.Meminfo) *uint64 { return m.SwapFreeBytes }},
	{"Shmem", func(m procfs.Meminfo) *uint64 { return m.ShmemBytes }},
	{"Slab", func(m procfs.Meminfo) *uint64 { return m.SlabBytes }},
	{"SReclaimable", func(m procfs.Meminfo) *uint64 { return m.SReclaimableBytes }},
	{"Dirty", func(m procfs.Meminfo) *uint64 { return m.DirtyBytes }},
	{"Writeback", func(m procfs.Meminfo) *uint64 { return m.WritebackBytes }},
	{"AnonPages", func(m procfs.Meminfo) *uint64 { return m.AnonPagesBytes }},
	{"Mapped", func(m procfs.Meminfo) *uint64 { return m.MappedBytes }},
	{"Committed_AS", func(m procfs.Meminfo) *uint64 { return m.CommittedASBytes }},
	{"CommitLimit", func(m procfs.Meminfo) *uint64 { return m.CommitLimitBytes }},
}

type meminfoCollector struct {
	fs    procfs.FS
	descs []*prometheus.Desc
}

func newMeminfoCollector(opts *Options) (*meminfoCollector, error) {
	fs, err := procfs.NewFS(opts.ProcPath)
	if err != nil {
		return nil, err
	}
	c := &meminfoCollector{fs: fs}
	for _, f := range meminfoFields {
		c.descs = append(c.descs, desc("memory", f.name+"_bytes", "Memory information field "+f.name+"_bytes."))
	}
	return c, nil
}

// Update emits the fields present in this kernel's meminfo; a field an old
// kernel lacks (MemAvailable before 3.14) is skipped, not zeroed.
func (c *meminfoCollector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	mem, err := c.fs.Meminfo()
	if err != nil {
		return noData(fmt.Errorf("read meminfo: %w", err))
	}
	for i, f := range meminfoFields {
		if v := f.value(mem); v != nil {
			ch <- prometheus.MustNewConstMetric(c.descs[i], prometheus.GaugeValue, float64(*v))
		}
	}
	return nil
}
