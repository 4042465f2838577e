package kube

import (
	"context"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// batch collects the metrics of one Update by family and sends each family
// sorted by label values, the order in which the registry wants them, so
// its sort only has to confirm it. Labels are the objects' shared pairs (see
// family.go); a series costs a slice of pointers and its value holder, taken
// from chunks, instead of the dozen allocations and half kilobyte of
// prometheus.MustNewConstMetric, which matters at 100,000 series a scrape.
type batch struct {
	order    []*family
	byFamily map[*family][]entry
	arena    []*dto.LabelPair // backing store of the entries' labels
	// sizes are the family sizes of the collector's previous batch, to
	// allocate each family's slice once.
	sizes map[*family]int
}

// arenaChunk is how many label pointers one arena allocation holds.
const arenaChunk = 8192

// newBatch returns an empty batch; sizes (may be nil) are the family sizes
// of the collector's previous batch.
func newBatch(sizes map[*family]int) *batch {
	return &batch{byFamily: map[*family][]entry{}, sizes: sizes}
}

// send adds one series; labels follow the family's declared label names.
func (b *batch) send(f *family, v float64, labels ...*dto.LabelPair) {
	n := len(labels)
	if cap(b.arena)-len(b.arena) < n {
		b.arena = make([]*dto.LabelPair, 0, max(arenaChunk, n))
	}
	start := len(b.arena)
	for _, p := range f.perm {
		b.arena = append(b.arena, labels[p])
	}
	es, seen := b.byFamily[f]
	if !seen {
		b.order = append(b.order, f)
		// 1/8 more than last time: objects come and go between scrapes.
		es = make([]entry, 0, b.sizes[f]+b.sizes[f]/8+1)
	}
	b.byFamily[f] = append(es, entry{f: f, labels: b.arena[start : start+n : start+n], v: v})
}

// familySizes returns the number of series per family, for the next batch.
func (b *batch) familySizes() map[*family]int {
	out := make(map[*family]int, len(b.byFamily))
	for f, es := range b.byFamily {
		out[f] = len(es)
	}
	return out
}

// flush sends every family's metrics sorted; it stops early when ctx is done.
func (b *batch) flush(ctx context.Context, ch chan<- prometheus.Metric) error {
	for _, f := range b.order {
		es := dedupe(b.byFamily[f])
		setValues(f, es)
		for i := range es {
			if i%ctxCheckEvery == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			ch <- &es[i]
		}
	}
	return nil
}

// dedupe sorts es and drops a series whose labels equal its predecessor's
// (an owner listed twice), which a registry would reject.
func dedupe(es []entry) []entry {
	slices.SortFunc(es, compareEntries)
	return slices.CompactFunc(es, func(a, b entry) bool { return compareEntries(a, b) == 0 })
}

// compareEntries orders by label values in label-name order. Neighbours
// often share a pair (one namespace, one pod's series), which compares
// equal without reading the strings.
func compareEntries(a, b entry) int {
	for i, p := range a.labels {
		if q := b.labels[i]; p != q {
			if c := strings.Compare(*p.Value, *q.Value); c != 0 {
				return c
			}
		}
	}
	return 0
}

// setValues gives each sorted entry its value holder, from one allocation
// per family.
func setValues(f *family, es []entry) {
	if f.typ == prometheus.CounterValue {
		counters := make([]dto.Counter, len(es))
		for i := range es {
			counters[i].Value = &es[i].v
			es[i].counter = &counters[i]
		}
		return
	}
	gauges := make([]dto.Gauge, len(es))
	for i := range es {
		gauges[i].Value = &es[i].v
		es[i].gauge = &gauges[i]
	}
}

// entry is one series: a prometheus.Metric whose labels are in label-name
// order. flush sets gauge or counter once the family is sorted.
type entry struct {
	f       *family
	labels  []*dto.LabelPair
	v       float64
	gauge   *dto.Gauge
	counter *dto.Counter
}

func (e *entry) Desc() *prometheus.Desc { return e.f.desc }

func (e *entry) Write(out *dto.Metric) error {
	out.Label, out.Gauge, out.Counter = e.labels, e.gauge, e.counter
	return nil
}
