package tier

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nexclipper/nexclipper/downsampler"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/util/annotations"
)

// readMode is which aggregate a downsampled series is read as.
type readMode int

const (
	readAverage readMode = iota // sum/count
	readCount
	readSum
	readMin
	readMax
	readCounter
)

func (m readMode) String() string {
	return [...]string{"sum/count", "count", "sum", "min", "max", "counter"}[m]
}

// modeFor picks the aggregate for the function around a selector, as Thanos's
// aggrsFromFunc (pkg/query/querier.go): the function name, or the aggregation
// operator when a selector sits directly in one (min(x), max(x)).
func modeFor(fn string) readMode {
	switch {
	case fn == "min" || strings.HasPrefix(fn, "min_"):
		return readMin
	case fn == "max" || strings.HasPrefix(fn, "max_"):
		return readMax
	case fn == "count" || strings.HasPrefix(fn, "count_"):
		return readCount
	case strings.HasPrefix(fn, "sum_"):
		return readSum
	case fn == "rate" || fn == "increase" || fn == "irate" || fn == "resets":
		return readCounter
	}
	// sum(x) included: the sum of the window averages, like the sum of raw values.
	return readAverage
}

// tierQuerier reads one tier over [mint, maxt].
type tierQuerier struct {
	storage.ChunkQuerier // label names/values, merged over the tier's blocks
	res                  int64
	mint, maxt           int64
}

// newTierQuerier opens the blocks of one tier that overlap [mint, maxt].
func newTierQuerier(blocks []*tsdb.Block, res, mint, maxt int64) (*tierQuerier, error) {
	var qs []storage.ChunkQuerier
	for _, b := range blocks {
		m := b.Meta()
		if m.MaxTime <= mint || m.MinTime > maxt {
			continue
		}
		q, err := tsdb.NewBlockChunkQuerier(b, mint, maxt)
		if err != nil {
			for _, q := range qs {
				_ = q.Close()
			}
			return nil, fmt.Errorf("query %s block %s: %w", ResolutionName(res), m.ULID, err)
		}
		qs = append(qs, q)
	}
	return &tierQuerier{
		ChunkQuerier: storage.NewMergeChunkQuerier(qs, nil, storage.NewConcatenatingChunkSeriesMerger()),
		res:          res, mint: mint, maxt: maxt,
	}, nil
}

// Select returns the series matching ms with samples in [hints.Start, hints.End],
// read as the aggregate that hints.Func calls for.
func (q *tierQuerier) Select(ctx context.Context, sorted bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	mint, maxt := q.mint, q.maxt
	fn := ""
	if hints != nil {
		mint, maxt, fn = hints.Start, hints.End, hints.Func
	}
	// Aggregate chunks cannot be cut; the series iterators clip to [mint, maxt].
	chunkHints := &storage.SelectHints{Start: mint, End: maxt, DisableTrimming: true}
	set := q.ChunkQuerier.Select(ctx, true, chunkHints, ms...)
	return &aggrSeriesSet{set: set, mode: modeFor(fn), mint: mint, maxt: maxt}
}

// aggrSeriesSet turns chunk series of aggregate chunks into float series.
type aggrSeriesSet struct {
	set        storage.ChunkSeriesSet
	mode       readMode
	mint, maxt int64
}

func (s *aggrSeriesSet) Next() bool { return s.set.Next() }
func (s *aggrSeriesSet) At() storage.Series {
	return &aggrSeries{ChunkSeries: s.set.At(), mode: s.mode, mint: s.mint, maxt: s.maxt}
}
func (s *aggrSeriesSet) Err() error                        { return s.set.Err() }
func (s *aggrSeriesSet) Warnings() annotations.Annotations { return s.set.Warnings() }

type aggrSeries struct {
	storage.ChunkSeries
	mode       readMode
	mint, maxt int64
}

func (s *aggrSeries) Iterator(chunkenc.Iterator) chunkenc.Iterator {
	var metas []chunks.Meta
	cit := s.ChunkSeries.Iterator(nil)
	for cit.Next() {
		metas = append(metas, cit.At())
	}
	if err := cit.Err(); err != nil {
		return errIterator{fmt.Errorf("series %s: read chunks: %w", s.Labels(), err)}
	}
	slices.SortFunc(metas, func(a, b chunks.Meta) int { return cmp.Compare(a.MinTime, b.MinTime) })
	it, err := s.iterator(metas)
	if err != nil {
		return errIterator{fmt.Errorf("series %s: %w", s.Labels(), err)}
	}
	return clipped(it, s.mint, s.maxt)
}

// iterator builds the float iterator for s.mode over the sorted chunks.
func (s *aggrSeries) iterator(metas []chunks.Meta) (*floatIterator, error) {
	get := func(at downsampler.AggrType) ([]chunkenc.Iterator, error) {
		its := make([]chunkenc.Iterator, 0, len(metas))
		for _, m := range metas {
			ac, ok := m.Chunk.(*downsampler.AggrChunk)
			if !ok {
				if m.Chunk != nil && m.Chunk.NumSamples() == 0 {
					continue // Thanos issue 5272: empty XOR chunks in downsampled blocks
				}
				return nil, downsampler.ErrNotAggrChunk
			}
			c, err := ac.Get(at)
			if errors.Is(err, downsampler.ErrAggrNotExist) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("%s aggregate: %w", at, err)
			}
			its = append(its, c.Iterator(nil))
		}
		return its, nil
	}
	one := func(at downsampler.AggrType, wrap func([]chunkenc.Iterator) *floatIterator) (*floatIterator, error) {
		its, err := get(at)
		if err != nil {
			return nil, err
		}
		return wrap(its), nil
	}
	switch s.mode {
	case readCount:
		return one(downsampler.AggrCount, concatIterator)
	case readSum:
		return one(downsampler.AggrSum, concatIterator)
	case readMin:
		return one(downsampler.AggrMin, concatIterator)
	case readMax:
		return one(downsampler.AggrMax, concatIterator)
	case readCounter:
		return one(downsampler.AggrCounter, counterIterator)
	}
	sum, err := one(downsampler.AggrSum, concatIterator)
	if err != nil {
		return nil, err
	}
	count, err := one(downsampler.AggrCount, concatIterator)
	if err != nil {
		return nil, err
	}
	return averageIterator(sum, count), nil
}

// errIterator is an empty iterator that reports err.
type errIterator struct{ err error }

func (e errIterator) Next() chunkenc.ValueType      { return chunkenc.ValNone }
func (e errIterator) Seek(int64) chunkenc.ValueType { return chunkenc.ValNone }
func (e errIterator) At() (int64, float64)          { return 0, 0 }
func (e errIterator) AtHistogram(*histogram.Histogram) (int64, *histogram.Histogram) {
	return 0, nil
}
func (e errIterator) AtFloatHistogram(*histogram.FloatHistogram) (int64, *histogram.FloatHistogram) {
	return 0, nil
}
func (e errIterator) AtT() int64  { return 0 }
func (e errIterator) AtST() int64 { return 0 }
func (e errIterator) Err() error  { return e.err }
