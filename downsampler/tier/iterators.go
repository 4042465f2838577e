package tier

import (
	"errors"
	"math"

	"github.com/nexclipper/nexclipper/downsampler"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

// floatIterator adapts a float-only iterator to chunkenc.Iterator. Seek walks with
// Next, never skipping a sample: the counter iterator must see every sample to
// account for resets, and the others are cheap to walk.
type floatIterator struct {
	next    func() bool // advances; false at the end or on error
	t       int64
	v       float64
	started bool
	done    bool
	err     func() error
}

func (it *floatIterator) Next() chunkenc.ValueType {
	if it.done {
		return chunkenc.ValNone
	}
	it.started = true
	if !it.next() {
		it.done = true
		return chunkenc.ValNone
	}
	return chunkenc.ValFloat
}

// Seek advances to the first sample at or after t; it never moves backwards.
func (it *floatIterator) Seek(t int64) chunkenc.ValueType {
	if it.done {
		return chunkenc.ValNone
	}
	if it.started && it.t >= t {
		return chunkenc.ValFloat
	}
	for {
		if it.Next() == chunkenc.ValNone {
			return chunkenc.ValNone
		}
		if it.t >= t {
			return chunkenc.ValFloat
		}
	}
}

func (it *floatIterator) At() (int64, float64) { return it.t, it.v }
func (it *floatIterator) AtHistogram(*histogram.Histogram) (int64, *histogram.Histogram) {
	panic("tier: downsampled series hold no histograms")
}

func (it *floatIterator) AtFloatHistogram(*histogram.FloatHistogram) (int64, *histogram.FloatHistogram) {
	panic("tier: downsampled series hold no histograms")
}
func (it *floatIterator) AtT() int64  { return it.t }
func (it *floatIterator) AtST() int64 { return 0 }
func (it *floatIterator) Err() error  { return it.err() }

// clipped keeps the samples in [mint, maxt].
func clipped(it *floatIterator, mint, maxt int64) *floatIterator {
	next := it.next
	it.next = func() bool {
		for next() {
			if it.t > maxt {
				return false
			}
			if it.t >= mint {
				return true
			}
		}
		return false
	}
	return it
}

// concatIterator reads one aggregate from a series' chunks in order.
func concatIterator(its []chunkenc.Iterator) *floatIterator {
	it := &floatIterator{}
	i := 0
	it.next = func() bool {
		for i < len(its) {
			switch its[i].Next() {
			case chunkenc.ValNone:
				if its[i].Err() != nil {
					return false
				}
				i++
			case chunkenc.ValFloat:
				it.t, it.v = its[i].At()
				return true
			}
		}
		return false
	}
	it.err = func() error {
		if i < len(its) {
			return its[i].Err()
		}
		return nil
	}
	return it
}

// counterIterator is downsampler.ApplyCounterResetsIterator as a chunkenc.Iterator:
// the reset-adjusted counter across all the series' chunks, for rate and friends.
func counterIterator(its []chunkenc.Iterator) *floatIterator {
	c := downsampler.NewApplyCounterResetsIterator(its...)
	it := &floatIterator{err: c.Err}
	it.next = func() bool {
		if c.Next() == chunkenc.ValNone {
			return false
		}
		it.t, it.v = c.At()
		return true
	}
	return it
}

// errNotAligned says a chunk's sum and count aggregates disagree; the block is corrupt.
var errNotAligned = errors.New("sum and count aggregates are not aligned")

// averageIterator yields sum/count per window (Thanos's averageChunkIterator).
func averageIterator(sum, count *floatIterator) *floatIterator {
	it := &floatIterator{}
	var err error
	it.next = func() bool {
		sok, cok := sum.next(), count.next()
		if sok != cok || (sok && sum.t != count.t) {
			err = errNotAligned
			return false
		}
		if !sok {
			return false
		}
		it.t = sum.t
		it.v = sum.v / count.v
		if count.v == 0 {
			it.v = math.NaN()
		}
		return true
	}
	it.err = func() error { return errors.Join(err, sum.err(), count.err()) }
	return it
}
