package node

import (
	"context"
	"fmt"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/procfs"
)

type netdevCollector struct {
	fs    procfs.FS
	opts  *Options
	descs []netdevDesc
}

type netdevDesc struct {
	desc  *prometheus.Desc
	value func(l procfs.NetDevLine) uint64
}

func newNetdevCollector(opts *Options) (*netdevCollector, error) {
	fs, err := procfs.NewFS(opts.ProcPath)
	if err != nil {
		return nil, err
	}
	d := func(name string, value func(l procfs.NetDevLine) uint64) netdevDesc {
		return netdevDesc{desc: desc("network", name, "Network device statistic "+name+".", "device"), value: value}
	}
	return &netdevCollector{fs: fs, opts: opts, descs: []netdevDesc{
		d("receive_bytes_total", func(l procfs.NetDevLine) uint64 { return l.RxBytes }),
		d("receive_packets_total", func(l procfs.NetDevLine) uint64 { return l.RxPackets }),
		d("receive_errs_total", func(l procfs.NetDevLine) uint64 { return l.RxErrors }),
		d("receive_drop_total", func(l procfs.NetDevLine) uint64 { return l.RxDropped }),
		d("transmit_bytes_total", func(l procfs.NetDevLine) uint64 { return l.TxBytes }),
		d("transmit_packets_total", func(l procfs.NetDevLine) uint64 { return l.TxPackets }),
		d("transmit_errs_total", func(l procfs.NetDevLine) uint64 { return l.TxErrors }),
		d("transmit_drop_total", func(l procfs.NetDevLine) uint64 { return l.TxDropped }),
	}}, nil
}

// Update reads /proc/net/dev of the exporter's network namespace: run it with
// hostNetwork to see the node's interfaces.
func (c *netdevCollector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	devs, err := c.readNetDev()
	if err != nil {
		return noData(fmt.Errorf("read net/dev: %w", err))
	}
	names := make([]string, 0, len(devs))
	for name := range devs {
		if filter(c.opts.NetDeviceInclude, c.opts.NetDeviceExclude, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		for _, d := range c.descs {
			ch <- prometheus.MustNewConstMetric(d.desc, prometheus.CounterValue, float64(d.value(devs[name])), name)
		}
	}
	return nil
}

// readNetDev guards procfs's parser, which indexes past the end of a
// truncated line instead of returning an error (procfs v0.23).
func (c *netdevCollector) readNetDev() (devs procfs.NetDev, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("parse net/dev: malformed line: %v", p)
		}
	}()
	return c.fs.NetDev()
}
