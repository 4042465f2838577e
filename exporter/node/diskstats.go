package node

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/procfs/blockdevice"
)

// diskSectorSize is the unit of the sector fields in /proc/diskstats: always
// 512 bytes, whatever the device's real sector size.
const diskSectorSize = 512

type diskstatsCollector struct {
	fs    blockdevice.FS
	opts  *Options
	descs []diskstatsDesc
}

type diskstatsDesc struct {
	desc      *prometheus.Desc
	valueType prometheus.ValueType
	value     func(s blockdevice.IOStats) float64
}

func newDiskstatsCollector(opts *Options) (*diskstatsCollector, error) {
	fs, err := blockdevice.NewFS(opts.ProcPath, opts.SysPath)
	if err != nil {
		return nil, err
	}
	d := func(name, help string, vt prometheus.ValueType, value func(s blockdevice.IOStats) float64) diskstatsDesc {
		return diskstatsDesc{desc: desc("disk", name, help, "device"), valueType: vt, value: value}
	}
	counter, gauge := prometheus.CounterValue, prometheus.GaugeValue
	return &diskstatsCollector{fs: fs, opts: opts, descs: []diskstatsDesc{
		d("reads_completed_total", "The total number of reads completed successfully.", counter, func(s blockdevice.IOStats) float64 { return float64(s.ReadIOs) }),
		d("read_bytes_total", "The total number of bytes read successfully.", counter, func(s blockdevice.IOStats) float64 { return float64(s.ReadSectors) * diskSectorSize }),
		d("read_time_seconds_total", "The total number of seconds spent by all reads.", counter, func(s blockdevice.IOStats) float64 { return float64(s.ReadTicks) / 1000 }),
		d("writes_completed_total", "The total number of writes completed successfully.", counter, func(s blockdevice.IOStats) float64 { return float64(s.WriteIOs) }),
		d("written_bytes_total", "The total number of bytes written successfully.", counter, func(s blockdevice.IOStats) float64 { return float64(s.WriteSectors) * diskSectorSize }),
		d("write_time_seconds_total", "This is the total number of seconds spent by all writes.", counter, func(s blockdevice.IOStats) float64 { return float64(s.WriteTicks) / 1000 }),
		d("io_now", "The number of I/Os currently in progress.", gauge, func(s blockdevice.IOStats) float64 { return float64(s.IOsInProgress) }),
		d("io_time_seconds_total", "Total seconds spent doing I/Os.", counter, func(s blockdevice.IOStats) float64 { return float64(s.IOsTotalTicks) / 1000 }),
		d("io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", counter, func(s blockdevice.IOStats) float64 { return float64(s.WeightedIOTicks) / 1000 }),
	}}, nil
}

func (c *diskstatsCollector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	// procfs returns the devices before a malformed line along with the
	// error (and drops truncated lines silently): send what was read.
	stats, err := c.fs.ProcDiskstats()
	if err != nil && len(stats) == 0 {
		return noData(fmt.Errorf("read diskstats: %w", err))
	}
	for _, s := range stats {
		if !filter(c.opts.DiskDeviceInclude, c.opts.DiskDeviceExclude, s.DeviceName) {
			continue
		}
		for _, d := range c.descs {
			ch <- prometheus.MustNewConstMetric(d.desc, d.valueType, d.value(s.IOStats), s.DeviceName)
		}
	}
	if err != nil {
		return fmt.Errorf("parse diskstats: %w", err)
	}
	return nil
}
