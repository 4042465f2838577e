package downsampler

import (
	"context"
	"errors"
	"fmt"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/tsdb/index"
)

// SeriesSamples is one series and the samples of one aggregate, in chunk order.
type SeriesSamples struct {
	Labels  labels.Labels
	Samples []Sample
}

// ReadAggr opens the downsampled block in blockDir and returns, for every series
// matching all matchers (every series when none are given), the samples of aggregate
// aggr exactly as encoded: for AggrCounter this includes each chunk's first raw
// sample and its duplicate-timestamp last raw value (read it through
// ApplyCounterResetsIterator, or CounterSamples, for rate). Chunks without the
// aggregate contribute nothing. Meant for tests and tools, not for queries.
func ReadAggr(blockDir string, aggr AggrType, matchers ...*labels.Matcher) (_ []SeriesSamples, err error) {
	b, err := tsdb.OpenBlock(nil, blockDir, NewPool(), nil)
	if err != nil {
		return nil, fmt.Errorf("open block %s: %w", blockDir, err)
	}
	defer func() { err = errors.Join(err, b.Close()) }()
	ir, err := b.Index()
	if err != nil {
		return nil, fmt.Errorf("open index reader: %w", err)
	}
	defer func() { err = errors.Join(err, ir.Close()) }()
	cr, err := b.Chunks()
	if err != nil {
		return nil, fmt.Errorf("open chunk reader: %w", err)
	}
	defer func() { err = errors.Join(err, cr.Close()) }()

	ctx := context.Background()
	var p index.Postings
	if len(matchers) == 0 {
		k, v := index.AllPostingsKey()
		p, err = ir.Postings(ctx, k, v)
	} else {
		p, err = tsdb.PostingsForMatchers(ctx, ir, matchers...)
	}
	if err != nil {
		return nil, fmt.Errorf("postings: %w", err)
	}

	var (
		res     []SeriesSamples
		builder labels.ScratchBuilder
		chks    []chunks.Meta
		it      chunkenc.Iterator
	)
	for p.Next() {
		if err := ir.Series(p.At(), &builder, &chks); err != nil {
			return nil, fmt.Errorf("read series %d: %w", p.At(), err)
		}
		s := SeriesSamples{Labels: builder.Labels()}
		for _, cm := range chks {
			c, _, err := cr.ChunkOrIterable(cm)
			if err != nil {
				return nil, fmt.Errorf("series %s: read chunk: %w", s.Labels, err)
			}
			ac, ok := c.(*AggrChunk)
			if !ok {
				return nil, fmt.Errorf("series %s: %w (encoding %s)", s.Labels, ErrNotAggrChunk, c.Encoding())
			}
			sub, err := ac.Get(aggr)
			if errors.Is(err, ErrAggrNotExist) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("series %s: %s: %w", s.Labels, aggr, err)
			}
			it = sub.Iterator(it)
			for it.Next() == chunkenc.ValFloat {
				t, v := it.At()
				s.Samples = append(s.Samples, Sample{t, v})
			}
			if err := it.Err(); err != nil {
				return nil, fmt.Errorf("series %s: %s: %w", s.Labels, aggr, err)
			}
		}
		res = append(res, s)
	}
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("iterate postings: %w", err)
	}
	return res, nil
}

// CounterSamples returns the monotonic series that rate()/increase() see over the
// counter aggregate samples of one series (as returned by ReadAggr).
func CounterSamples(counter []Sample) []Sample {
	c := chunkenc.NewXORChunk()
	app, _ := c.Appender() // a new XOR chunk never fails
	for _, s := range counter {
		app.Append(0, s.T, s.V) // XOR allows the duplicate last-value timestamps
	}
	it := NewApplyCounterResetsIterator(c.Iterator(nil))
	var out []Sample
	for it.Next() == chunkenc.ValFloat {
		t, v := it.At()
		out = append(out, Sample{t, v})
	}
	return out
}
