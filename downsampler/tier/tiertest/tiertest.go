// Package tiertest writes realistic raw TSDB blocks, for the tier tests and the
// tier benchmark: a node + container mix of counters (with container restarts
// resetting them), noisy gauges and constant gauges, scraped at a fixed interval
// with a fixed offset. Values have the precision their sources have (CPU seconds
// in 1/100 s ticks, bytes in pages or sectors, load to 2 decimals, container CPU
// in nanoseconds), which is what makes real data compress as it does. Values are
// a deterministic function of the seed.
package tiertest

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

// Options say what to write.
type Options struct {
	// Dir is the TSDB directory that receives the blocks.
	Dir string
	// Start and End bound the data; blocks are cut every BlockLength from Start.
	Start, End time.Time
	// Interval between samples (default 15s); Offset shifts every sample off the
	// interval grid (default 7s), as real scrapes are.
	Interval, Offset time.Duration
	// BlockLength of the raw blocks written (default 24h).
	BlockLength time.Duration
	// Hosts, each with NodeSeriesPerHost node series and Containers containers of
	// ContainerSeries series.
	Hosts, Containers int
	Seed              uint64
}

// Per-host and per-container series counts of the mix.
const (
	NodeSeriesPerHost = 14
	ContainerSeries   = 3
)

// SeriesCount is how many series opts writes.
func (o Options) SeriesCount() int {
	return o.Hosts * (NodeSeriesPerHost + o.Containers*ContainerSeries)
}

// kind is how a series' value moves.
type kind int

const (
	counter kind = iota // increases at a noisy rate; resets when restarts is set
	gauge               // mean-reverting noisy walk
	constant
)

type series struct {
	lset     labels.Labels
	kind     kind
	rate     float64 // counter: per second; gauge: level
	noise    float64 // relative
	restarts bool    // counter resets about every five days
	quantum  float64 // values are multiples of it, as the kernel reports them
	v        float64
	rng      *rand.Rand
}

func (s *series) next(interval float64) float64 {
	switch s.kind {
	case counter:
		if s.restarts && s.rng.Float64() < interval/(5*86400) {
			s.v = 0
		}
		s.v += s.rate * interval * (1 + s.noise*(s.rng.Float64()*2-1))
	case gauge:
		s.v += (s.rate-s.v)*0.05 + s.rate*s.noise*s.rng.NormFloat64()
		s.v = math.Max(s.v, 0)
	}
	return math.Round(s.v/s.quantum) * s.quantum
}

func buildSeries(o Options) []*series {
	var out []*series
	add := func(k kind, rate, noise float64, restarts bool, quantum float64, lbls ...string) {
		rng := rand.New(rand.NewPCG(o.Seed, uint64(len(out))))
		s := &series{lset: labels.FromStrings(lbls...), kind: k, rate: rate, noise: noise, restarts: restarts, quantum: quantum, rng: rng}
		if k != counter {
			s.v = rate
		}
		out = append(out, s)
	}
	for h := range o.Hosts {
		inst := fmt.Sprintf("node-%03d:9910", h)
		for cpu := range 2 {
			for i, mode := range []string{"user", "system", "idle", "iowait"} {
				add(counter, []float64{0.3, 0.1, 0.55, 0.05}[i], 0.5, false, 0.01, // USER_HZ ticks
					"__name__", "node_cpu_seconds_total", "cpu", fmt.Sprint(cpu), "instance", inst, "job", "node", "mode", mode)
			}
		}
		add(constant, 8<<30, 0, false, 4096, "__name__", "node_memory_MemTotal_bytes", "instance", inst, "job", "node")
		add(gauge, 3<<30, 0.02, false, 4096, "__name__", "node_memory_MemAvailable_bytes", "instance", inst, "job", "node")
		add(gauge, 1.2, 0.2, false, 0.01, "__name__", "node_load1", "instance", inst, "job", "node")
		add(counter, 2e5, 0.8, false, 1, "__name__", "node_network_receive_bytes_total", "device", "eth0", "instance", inst, "job", "node")
		add(counter, 5e4, 0.9, false, 512, "__name__", "node_disk_read_bytes_total", "device", "sda", "instance", inst, "job", "node")
		add(gauge, 40<<30, 0.001, false, 4096, "__name__", "node_filesystem_avail_bytes", "device", "/dev/sda1", "instance", inst, "job", "node", "mountpoint", "/")
		for c := range o.Containers {
			id := fmt.Sprintf("%064x", h*1000+c+1)
			pod := fmt.Sprintf("app-%d-%d", h, c)
			lbls := func(name string) []string {
				return []string{"__name__", name, "container_id", id, "instance", inst, "job", "node", "pod", pod, "namespace", "default"}
			}
			add(counter, 0.05+0.01*float64(c), 0.7, true, 1e-9, lbls("container_cpu_usage_seconds_total")...)
			add(gauge, float64((100+10*c)<<20), 0.03, false, 4096, lbls("container_memory_working_set_bytes")...)
			add(counter, 0.2, 1, true, 1, lbls("container_cpu_cfs_throttled_periods_total")...)
		}
	}
	return out
}

// WriteBlocks writes the raw blocks and returns how many samples it wrote.
func WriteBlocks(ctx context.Context, o Options) (int64, error) {
	if o.Interval == 0 {
		o.Interval = 15 * time.Second
	}
	if o.Offset == 0 {
		o.Offset = 7 * time.Second
	}
	if o.BlockLength == 0 {
		o.BlockLength = 24 * time.Hour
	}
	all := buildSeries(o)
	step := o.Interval.Milliseconds()
	blockLen := o.BlockLength.Milliseconds()
	var n int64
	for bs := o.Start.UnixMilli(); bs < o.End.UnixMilli(); bs += blockLen {
		be := min(bs+blockLen, o.End.UnixMilli())
		w, err := tsdb.NewBlockWriter(slog.New(slog.DiscardHandler), o.Dir, blockLen)
		if err != nil {
			return n, err
		}
		app := w.Appender(ctx)
		refs := make([]storage.SeriesRef, len(all))
		for t := bs + o.Offset.Milliseconds(); t < be; t += step {
			for i, s := range all {
				ref, err := app.Append(refs[i], s.lset, t, s.next(o.Interval.Seconds()))
				if err != nil {
					return n, fmt.Errorf("append %s: %w", s.lset, err)
				}
				refs[i] = ref
				n++
			}
		}
		if err := app.Commit(); err != nil {
			return n, err
		}
		if _, err := w.Flush(ctx); err != nil {
			return n, fmt.Errorf("flush block at %s: %w", time.UnixMilli(bs).UTC(), err)
		}
		if err := w.Close(); err != nil {
			return n, err
		}
	}
	return n, nil
}
