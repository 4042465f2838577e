package downsampler

import (
	"math"

	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

// ApplyCounterResetsIterator turns an ordered sequence of counter-aggregate chunk
// iterators (or raw counter chunks) into one monotonically increasing series, for
// rate()/increase() (Thanos downsample.go, ApplyCounterResetsSeriesIterator).
//
// Each counter-aggregate chunk starts with its first raw sample and ends with its
// true last raw value at the timestamp of the sample before it. A sample with a later
// timestamp is emitted with the reset-adjusted running total; a sample with the same
// timestamp as the previous one only records the true last raw value, which is then
// compared with the next chunk's first raw value to detect a reset between chunks.
// Samples that go back in time and NaNs are dropped. The output hides resets, so
// resets() over it is always 0.
//
// It offers Next/At/AtT/Err but no Seek; package tier wraps it into a full
// chunkenc.Iterator whose Seek walks with Next, never skipping a reset.
type ApplyCounterResetsIterator struct {
	chks   []chunkenc.Iterator
	i      int     // current chunk
	total  int     // samples emitted
	lastT  int64   // timestamp of the last sample
	lastV  float64 // last raw value
	totalV float64 // reset-adjusted total
}

// NewApplyCounterResetsIterator returns an iterator over chks in order.
func NewApplyCounterResetsIterator(chks ...chunkenc.Iterator) *ApplyCounterResetsIterator {
	return &ApplyCounterResetsIterator{chks: chks, lastT: math.MinInt64}
}

// Next advances to the next output sample. Only float samples are supported.
func (it *ApplyCounterResetsIterator) Next() chunkenc.ValueType {
	for {
		if it.i >= len(it.chks) {
			return chunkenc.ValNone
		}
		typ := it.chks[it.i].Next()
		if typ == chunkenc.ValNone {
			it.i++
			continue
		}
		if typ != chunkenc.ValFloat {
			continue // native histograms are raw-only
		}
		t, v := it.chks[it.i].At()
		if math.IsNaN(v) {
			continue
		}
		if it.total == 0 {
			it.total++
			it.lastT, it.lastV, it.totalV = t, v, v
			return chunkenc.ValFloat
		}
		if t > it.lastT {
			if v >= it.lastV {
				it.totalV += v - it.lastV
			} else {
				it.totalV += v
			}
			it.lastT, it.lastV = t, v
			it.total++
			return chunkenc.ValFloat
		}
		if t == it.lastT {
			it.lastV = v
		}
	}
}

// At returns the current timestamp and reset-adjusted value.
func (it *ApplyCounterResetsIterator) At() (int64, float64) { return it.lastT, it.totalV }

// AtT returns the current timestamp.
func (it *ApplyCounterResetsIterator) AtT() int64 { return it.lastT }

// Err returns the error of the underlying chunk iterator, if any.
func (it *ApplyCounterResetsIterator) Err() error {
	if it.i >= len(it.chks) {
		return nil
	}
	return it.chks[it.i].Err()
}
