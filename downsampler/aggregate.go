package downsampler

import (
	"math"

	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
)

// Sample is one float sample: a timestamp in milliseconds and a value.
type Sample struct {
	T int64
	V float64
}

// windowEnd returns the last millisecond of the resolution window that t falls into.
// Windows are [k*r, (k+1)*r); blocks are [mint, maxt) so the stamp is one before the
// next window (Thanos downsample.go, currentWindow).
func windowEnd(t, r int64) int64 {
	return t - (t % r) + r - 1
}

// rangeFullness is the fraction of [mint, maxt] covered by count samples at step,
// bounded to [0, 1] (Thanos downsample.go).
func rangeFullness(mint, maxt, step int64, count int) float64 {
	f := float64(count) / (float64(maxt-mint) / float64(step))
	if f > 1 {
		return 1
	}
	return f
}

// targetChunkCount is how many output chunks a series gets: enough that each holds
// at most about 140 windows (Thanos downsample.go). Chunk boundaries do not change any
// aggregate value except where a window is split at a boundary, which Thanos does too.
func targetChunkCount(mint, maxt, inRes, outRes int64, count int) int {
	maxSamples := float64((maxt - mint) / outRes)
	expSamples := int(maxSamples*rangeFullness(mint, maxt, inRes, count)) + 1
	x := 1
	for ; expSamples/x > 140; x++ {
	}
	return x
}

// aggregator collects the aggregates of one window, and the counter state across
// windows.
//
// Counter semantics (Thanos downsample.go, aggregator.add): the first value ever seen
// starts the counter; afterwards a value lower than the previous one is a counter
// reset, and the whole new value is added (the counter restarted from zero);
// otherwise the delta to the previous value is added. The counter aggregate of a
// window is this running, reset-adjusted total at the window's last sample. It is
// never reset between windows, so the difference of two windows' counters is the
// increase between their last samples, exactly as rate() over raw sees it.
type aggregator struct {
	total   int     // samples seen since the beginning
	count   int     // samples in the current window
	sum     float64 // sum of the current window
	min     float64 // min of the current window
	max     float64 // max of the current window
	counter float64 // reset-adjusted counter since the beginning
	last    float64 // last value added
}

func (a *aggregator) reset() {
	a.count = 0
	a.sum = 0
	a.min = math.MaxFloat64
	a.max = -math.MaxFloat64
}

func (a *aggregator) add(v float64) {
	switch {
	case a.total == 0:
		a.counter = v
	case v < a.last:
		a.counter += v
	default:
		a.counter += v - a.last
	}
	a.last = v
	a.sum += v
	a.count++
	a.total++
	if v < a.min {
		a.min = v
	}
	if v > a.max {
		a.max = v
	}
}

// aggrChunkBuilder appends to the five aggregate XOR chunks of one output chunk.
type aggrChunkBuilder struct {
	mint, maxt int64
	chunks     [NumAggrTypes]chunkenc.Chunk
	apps       [NumAggrTypes]chunkenc.Appender
}

func newAggrChunkBuilder() *aggrChunkBuilder {
	b := &aggrChunkBuilder{mint: math.MaxInt64, maxt: math.MinInt64}
	for i := range b.chunks {
		b.initAggr(AggrType(i))
	}
	return b
}

func (b *aggrChunkBuilder) initAggr(at AggrType) {
	// Always XOR (never XOR2): Thanos's Prometheus reads only XOR inside AggrChunks.
	b.chunks[at] = chunkenc.NewXORChunk()
	b.apps[at], _ = b.chunks[at].Appender() // a new XOR chunk never fails
}

func (b *aggrChunkBuilder) observe(t int64) {
	b.mint = min(b.mint, t)
	b.maxt = max(b.maxt, t)
}

func (b *aggrChunkBuilder) add(t int64, a *aggregator) {
	b.observe(t)
	b.apps[AggrCount].Append(0, t, float64(a.count))
	b.apps[AggrSum].Append(0, t, a.sum)
	b.apps[AggrMin].Append(0, t, a.min)
	b.apps[AggrMax].Append(0, t, a.max)
	b.apps[AggrCounter].Append(0, t, a.counter)
}

// encode returns the chunk. MinTime/MaxTime span the window stamps only (Thanos
// downsample.go, aggrChunkBuilder.add): the first raw counter sample may lie before
// MinTime, inside the first window.
func (b *aggrChunkBuilder) encode() chunks.Meta {
	ac := EncodeAggrChunk(b.chunks)
	return chunks.Meta{MinTime: b.mint, MaxTime: b.maxt, Chunk: &ac}
}

// downsampleRaw aggregates the raw samples of one series (time-ordered, stale markers
// possibly included) into AggrChunks at resolution (Thanos downsample.go, DownsampleRaw).
func downsampleRaw(data []Sample, resolution int64) []chunks.Meta {
	if len(data) == 0 {
		return nil
	}
	mint, maxt := data[0].T, data[len(data)-1].T
	// Thanos assumes a raw scrape interval of 1m for sizing chunks.
	numChunks := targetChunkCount(mint, maxt, 60*1000, resolution, len(data))
	return downsampleRawLoop(data, resolution, numChunks)
}

func downsampleRawLoop(data []Sample, resolution int64, numChunks int) []chunks.Meta {
	batchSize := len(data)/numChunks + 1
	chks := make([]chunks.Meta, 0, numChunks)
	for len(data) > 0 {
		j := min(batchSize, len(data))
		// Extend the batch to the end of its last window so windows are never split.
		curW := windowEnd(data[j-1].T, resolution)
		for ; j < len(data) && data[j].T <= curW; j++ {
		}
		// NaNs are dropped here, stale markers and any other NaN alike (Thanos
		// downsampleRawLoop): a NaN would poison sum/min/max of its whole window, and
		// staleness is re-derived by the query engine from the tier's resolution.
		batch := make([]Sample, 0, j)
		for _, s := range data[:j] {
			if !math.IsNaN(s.V) {
				batch = append(batch, s)
			}
		}
		data = data[j:]
		if len(batch) == 0 {
			continue
		}
		ab := newAggrChunkBuilder()
		// The counter aggregate starts with the chunk's first raw sample and ends with
		// its true last raw value, stamped with the last window's timestamp (a
		// duplicate timestamp). ApplyCounterResetsIterator compares the last raw value
		// of one chunk with the first raw value of the next to detect a reset between
		// chunks, which the running totals alone cannot show.
		ab.apps[AggrCounter].Append(0, batch[0].T, batch[0].V)
		lastT := downsampleBatch(batch, resolution, ab.add)
		ab.apps[AggrCounter].Append(0, lastT, batch[len(batch)-1].V)
		chks = append(chks, ab.encode())
	}
	return chks
}

// downsampleBatch aggregates data per window and calls add at the end of each window
// with the window's stamp. The last window is stamped with the batch's last sample, so
// a following batch never overlaps (Thanos downsample.go, downsampleBatch). Stale
// markers are skipped. It returns the stamp of the last window.
func downsampleBatch(data []Sample, resolution int64, add func(int64, *aggregator)) int64 {
	var (
		aggr  aggregator
		nextT = int64(-1)
		lastT = data[len(data)-1].T
	)
	for _, s := range data {
		if value.IsStaleNaN(s.V) {
			continue
		}
		if s.T > nextT {
			if nextT != -1 {
				add(nextT, &aggr)
			}
			aggr.reset()
			nextT = min(windowEnd(s.T, resolution), lastT)
		}
		aggr.add(s.V)
	}
	add(nextT, &aggr)
	return nextT
}

// expandChunkIterator appends the samples of it to buf, skipping stale markers and
// samples that go back in time; equal timestamps are kept, they mark the true last
// counter value (Thanos downsample.go, expandChunkIterator). Unlike Thanos, which
// starts at timestamp 0, negative timestamps are kept.
func expandChunkIterator(it chunkenc.Iterator, buf *[]Sample) error {
	lastT := int64(math.MinInt64)
	for it.Next() != chunkenc.ValNone {
		t, v := it.At()
		if value.IsStaleNaN(v) {
			continue
		}
		if t >= lastT {
			*buf = append(*buf, Sample{t, v})
			lastT = t
		}
	}
	return it.Err()
}

// downsampleAggr downsamples the AggrChunks of one series (a 5m series) to a coarser
// resolution, grouping whole input chunks into output chunks (Thanos downsample.go,
// downsampleAggr and downsampleAggrLoop): a chunk's first and last raw counter values
// must survive every level, so chunks are never split.
func downsampleAggr(chks []*AggrChunk, mint, maxt, inRes, outRes int64) ([]chunks.Meta, error) {
	var numSamples int
	for _, c := range chks {
		numSamples += c.NumSamples()
	}
	numChunks := targetChunkCount(mint, maxt, inRes, outRes, numSamples)
	// Thanos uses len/numChunks and would not terminate at 0; at least one per batch.
	batchSize := max(len(chks)/numChunks, 1)
	res := make([]chunks.Meta, 0, numChunks)
	var buf []Sample
	for len(chks) > 0 {
		j := min(batchSize, len(chks))
		chk, err := downsampleAggrBatch(chks[:j], &buf, outRes)
		if err != nil {
			return nil, err
		}
		res = append(res, chk)
		chks = chks[j:]
	}
	return res, nil
}

// downsampleAggrBatch re-aggregates a group of AggrChunks into one (Thanos
// downsample.go, downsampleAggrBatch): count is the sum of counts, sum the sum of sums,
// min the min of mins, max the max of maxes; the counter is rebuilt from the input
// counters read through ApplyCounterResetsIterator, keeping the first and true last
// raw values as downsampleRawLoop does.
func downsampleAggrBatch(chks []*AggrChunk, buf *[]Sample, resolution int64) (chunks.Meta, error) {
	ab := &aggrChunkBuilder{mint: math.MaxInt64, maxt: math.MinInt64}
	var reuseIt chunkenc.Iterator

	do := func(at AggrType, f func(a *aggregator) float64) error {
		*buf = (*buf)[:0]
		for _, chk := range chks {
			c, err := chk.Get(at)
			if err == ErrAggrNotExist {
				continue
			} else if err != nil {
				return err
			}
			reuseIt = c.Iterator(reuseIt)
			if err := expandChunkIterator(reuseIt, buf); err != nil {
				return err
			}
		}
		if len(*buf) == 0 {
			return nil
		}
		ab.initAggr(at)
		downsampleBatch(*buf, resolution, func(t int64, a *aggregator) {
			ab.observe(t)
			ab.apps[at].Append(0, t, f(a))
		})
		return nil
	}
	for _, g := range []struct {
		at AggrType
		f  func(a *aggregator) float64
	}{
		{AggrCount, func(a *aggregator) float64 { return a.sum }}, // counts add up
		{AggrSum, func(a *aggregator) float64 { return a.sum }},
		{AggrMin, func(a *aggregator) float64 { return a.min }},
		{AggrMax, func(a *aggregator) float64 { return a.max }},
	} {
		if err := do(g.at, g.f); err != nil {
			return chunks.Meta{}, err
		}
	}

	its := make([]chunkenc.Iterator, 0, len(chks))
	for _, chk := range chks {
		c, err := chk.Get(AggrCounter)
		if err == ErrAggrNotExist {
			continue
		} else if err != nil {
			return chunks.Meta{}, err
		}
		its = append(its, c.Iterator(nil))
	}
	*buf = (*buf)[:0]
	it := NewApplyCounterResetsIterator(its...)
	for it.Next() != chunkenc.ValNone {
		t, v := it.At()
		*buf = append(*buf, Sample{t, v})
	}
	if err := it.Err(); err != nil {
		return chunks.Meta{}, err
	}
	if len(*buf) > 0 {
		ab.initAggr(AggrCounter)
		ab.apps[AggrCounter].Append(0, (*buf)[0].T, (*buf)[0].V)
		lastT := downsampleBatch(*buf, resolution, func(t int64, a *aggregator) {
			ab.observe(t)
			ab.apps[AggrCounter].Append(0, t, a.counter)
		})
		ab.apps[AggrCounter].Append(0, lastT, it.lastV)
	}
	return ab.encode(), nil
}
