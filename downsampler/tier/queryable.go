package tier

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nexclipper/nexclipper/downsampler"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"
)

// Queryable serves queries from the raw TSDB and the downsampled tiers; see the
// package contract for how it picks a tier.
type Queryable struct {
	raw        storage.Queryable
	rawMinTime func() int64
	store      *Store
	selects    *prometheus.CounterVec
}

// NewQueryable combines raw (the TSDB) with the tiers of store. rawMinTime returns
// the oldest time raw still holds (math.MaxInt64 when it holds nothing).
func NewQueryable(raw storage.Queryable, rawMinTime func() int64, store *Store, reg prometheus.Registerer) *Queryable {
	q := &Queryable{
		raw: raw, rawMinTime: rawMinTime, store: store,
		selects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nexclipper_query_tier_selects_total",
			Help: "Series selections served, by tier (a selection that spans tiers counts once per tier).",
		}, []string{"resolution"}),
	}
	for _, r := range allResolutions {
		q.selects.WithLabelValues(ResolutionName(r))
	}
	if reg != nil {
		reg.MustRegister(q.selects)
	}
	return q
}

// Querier implements storage.Queryable.
func (q *Queryable) Querier(mint, maxt int64) (storage.Querier, error) {
	return &querier{q: q, mint: mint, maxt: maxt}, nil
}

type resolutionKey struct{}

type resolutionValue struct {
	res    int64
	strict bool
}

// WithMaxResolution returns ctx carrying a query's max_source_resolution: Auto, or
// an explicit resolution in milliseconds (then never exceeded, even where only a
// coarser tier holds the data).
func WithMaxResolution(ctx context.Context, res int64) context.Context {
	return context.WithValue(ctx, resolutionKey{}, resolutionValue{res: res, strict: res != Auto})
}

func maxResolution(ctx context.Context) resolutionValue {
	if v, ok := ctx.Value(resolutionKey{}).(resolutionValue); ok {
		return v
	}
	return resolutionValue{res: Auto}
}

type reportKey struct{}

// Report collects the tiers that served a request's selections.
type Report struct {
	mtx    sync.Mutex
	served map[int64]bool
}

// WithReport returns ctx with a new Report attached.
func WithReport(ctx context.Context) (context.Context, *Report) {
	r := &Report{served: map[int64]bool{}}
	return context.WithValue(ctx, reportKey{}, r), r
}

func (r *Report) add(res int64) {
	if r == nil {
		return
	}
	r.mtx.Lock()
	defer r.mtx.Unlock()
	r.served[res] = true
}

// Tiers lists the tiers that served, finest first ("raw,5m"); "" when none did.
func (r *Report) Tiers() string {
	r.mtx.Lock()
	defer r.mtx.Unlock()
	var names []string
	for _, res := range allResolutions {
		if r.served[res] {
			names = append(names, ResolutionName(res))
		}
	}
	return strings.Join(names, ",")
}

// querier plans each Select over the tiers and opens the queriers it needs.
type querier struct {
	q          *Queryable
	mint, maxt int64

	mtx    sync.Mutex
	opened []storage.Querier
	labels storage.Querier // built on first use
}

func (qr *querier) open(res, mint, maxt int64) (storage.Querier, error) {
	var (
		q   storage.Querier
		err error
	)
	if res == downsampler.ResLevel0 {
		q, err = qr.q.raw.Querier(mint, maxt)
	} else {
		q, err = newTierQuerier(qr.q.store.Blocks(res), res, mint, maxt)
	}
	if err != nil {
		return nil, err
	}
	qr.mtx.Lock()
	qr.opened = append(qr.opened, q)
	qr.mtx.Unlock()
	return q, nil
}

func (qr *querier) holds() map[int64][]Interval {
	h := map[int64][]Interval{}
	if rawMin := qr.q.rawMinTime(); rawMin != math.MaxInt64 {
		h[downsampler.ResLevel0] = []Interval{{rawMin, math.MaxInt64}}
	}
	for _, res := range Resolutions {
		h[res] = qr.q.store.Intervals(res)
	}
	return h
}

// Select implements storage.Querier.
func (qr *querier) Select(ctx context.Context, _ bool, hints *storage.SelectHints, ms ...*labels.Matcher) storage.SeriesSet {
	h := storage.SelectHints{Start: qr.mint, End: qr.maxt}
	if hints != nil {
		h = *hints
	}
	want := maxResolution(ctx)
	pref := preferredResolution(want.res, h.Step, h.Range)
	holds := qr.holds()
	segs := plan(h.Start, h.End, preferenceOrder(pref, want.strict), holds)
	if len(segs) == 0 {
		return storage.EmptySeriesSet()
	}
	report, _ := ctx.Value(reportKey{}).(*Report)
	var (
		sets  []storage.SeriesSet
		annos annotations.Annotations
	)
	for _, s := range segs {
		q, err := qr.open(s.res, s.mint, s.maxt)
		if err != nil {
			return storage.ErrSeriesSet(err)
		}
		sh := h
		sh.Start, sh.End = s.mint, s.maxt
		sets = append(sets, q.Select(ctx, true, &sh, ms...))
		report.add(s.res)
		qr.q.selects.WithLabelValues(ResolutionName(s.res)).Inc()
		switch {
		case s.res > pref:
			annos.Add(fmt.Errorf("raw samples from %s to %s are past retention; served from the %s tier (%s per window)",
				fmtTime(s.mint), fmtTime(s.maxt), ResolutionName(s.res), modeFor(h.Func)))
		case s.res != downsampler.ResLevel0:
			annos.Add(fmt.Errorf("%w: %s to %s served from the %s downsampled tier (%s per window)", annotations.PromQLInfo,
				fmtTime(s.mint), fmtTime(s.maxt), ResolutionName(s.res), modeFor(h.Func)))
		}
	}
	if want.strict {
		annos.Merge(gapWarnings(h.Start, h.End, segs, pref, holds))
	}
	var set storage.SeriesSet
	if len(sets) == 1 {
		set = sets[0]
	} else {
		set = storage.NewMergeSeriesSet(sets, 0, storage.ChainedSeriesMerge)
	}
	if len(annos) == 0 {
		return set
	}
	return &annotatedSet{SeriesSet: set, annos: annos}
}

// gapWarnings names the parts of [mint, maxt] that an explicit max_source_resolution
// left empty although a coarser tier holds them.
func gapWarnings(mint, maxt int64, segs []segment, pref int64, holds map[int64][]Interval) annotations.Annotations {
	var annos annotations.Annotations
	coarser := plan(mint, maxt, preferenceOrder(downsampler.ResLevel2, false), holds)
	for _, c := range coarser {
		if c.res <= pref {
			continue
		}
		covered := slices.ContainsFunc(segs, func(s segment) bool { return s.mint <= c.mint && c.maxt <= s.maxt })
		if !covered {
			annos.Add(fmt.Errorf("no data at max_source_resolution=%s from %s to %s (past its retention); the %s tier holds it: use max_source_resolution=auto or %s",
				ResolutionName(pref), fmtTime(c.mint), fmtTime(c.maxt), ResolutionName(c.res), ResolutionName(c.res)))
		}
	}
	return annos
}

func fmtTime(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339) }

// labelQuerier merges every tier over the querier's whole range.
func (qr *querier) labelQuerier() (storage.Querier, error) {
	qr.mtx.Lock()
	q := qr.labels
	qr.mtx.Unlock()
	if q != nil {
		return q, nil
	}
	var qs []storage.Querier
	for _, res := range allResolutions {
		q, err := qr.open(res, qr.mint, qr.maxt)
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	q = storage.NewMergeQuerier(qs, nil, storage.ChainedSeriesMerge)
	qr.mtx.Lock()
	qr.labels = q
	qr.mtx.Unlock()
	return q, nil
}

// LabelValues implements storage.LabelQuerier.
func (qr *querier) LabelValues(ctx context.Context, name string, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	q, err := qr.labelQuerier()
	if err != nil {
		return nil, nil, err
	}
	return q.LabelValues(ctx, name, hints, ms...)
}

// LabelNames implements storage.LabelQuerier.
func (qr *querier) LabelNames(ctx context.Context, hints *storage.LabelHints, ms ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	q, err := qr.labelQuerier()
	if err != nil {
		return nil, nil, err
	}
	return q.LabelNames(ctx, hints, ms...)
}

// Close closes every querier opened.
func (qr *querier) Close() error {
	qr.mtx.Lock()
	defer qr.mtx.Unlock()
	var errs []error
	for _, q := range qr.opened {
		errs = append(errs, q.Close())
	}
	qr.opened = nil
	return errors.Join(errs...)
}

// annotatedSet adds annotations to a series set.
type annotatedSet struct {
	storage.SeriesSet
	annos annotations.Annotations
}

func (s *annotatedSet) Warnings() annotations.Annotations {
	return s.annos.Merge(s.SeriesSet.Warnings())
}
