package kube

import (
	"errors"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Gatherer serves the kube collectors' series next to a registry's.
//
// The kube collectors run under their own collector.Runner (runner), with
// its per-collector timeout and nexclipper_scrape_collector_success, but the
// Runner is not registered in a prometheus.Registry: at 100,000 series the
// registry's re-validation (label names, UTF-8, a hash per series for
// duplicates) and re-sort of every series cost a third of a scrape. The
// series of a batch are consistent by construction: fixed label names per
// family, values made valid UTF-8 by the transforms, sorted and free of
// duplicates by flush. TestGathererMatchesRegistry checks that this path and
// a pedantic registry produce the same exposition.
//
// Everything else the runner sends (its success and duration series) and
// everything rest gathers goes through prometheus.Gatherers as usual.
type Gatherer struct {
	runner prometheus.Collector
	rest   prometheus.Gatherer
}

// NewGatherer returns a Gatherer over runner (a collector.Runner over kube
// collectors) and rest (the registry of everything else).
func NewGatherer(runner prometheus.Collector, rest prometheus.Gatherer) *Gatherer {
	return &Gatherer{runner: runner, rest: rest}
}

// chunk is how many dto.Metric one allocation holds.
const chunk = 4096

// Gather implements prometheus.Gatherer.
func (g *Gatherer) Gather() ([]*dto.MetricFamily, error) {
	ch := make(chan prometheus.Metric, 1024)
	go func() {
		g.runner.Collect(ch)
		close(ch)
	}()
	var (
		kube   []*dto.MetricFamily
		byFam  = map[*family]*dto.MetricFamily{}
		others metricSlice
		pool   []dto.Metric
		errs   []error
	)
	for m := range ch {
		e, ok := m.(*entry)
		if !ok {
			others = append(others, m)
			continue
		}
		// The Runner forwards each collector's series in order, but two
		// collectors' series may interleave; a family has one collector.
		mf := byFam[e.f]
		if mf == nil {
			mf = &dto.MetricFamily{Name: &e.f.name, Help: &e.f.help, Type: metricType(e.f.typ)}
			byFam[e.f] = mf
			kube = append(kube, mf)
		}
		if len(pool) == 0 {
			pool = make([]dto.Metric, chunk)
		}
		pb := &pool[0]
		pool = pool[1:]
		if err := e.Write(pb); err != nil {
			errs = append(errs, err)
			continue
		}
		mf.Metric = append(mf.Metric, pb)
	}
	restMFs, err := prometheus.Gatherers{g.rest, others}.Gather()
	if err != nil {
		errs = append(errs, err)
	}
	all := append(restMFs, kube...)
	slices.SortFunc(all, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
	return all, errors.Join(errs...)
}

func metricType(t prometheus.ValueType) *dto.MetricType {
	mt := dto.MetricType_GAUGE
	if t == prometheus.CounterValue {
		mt = dto.MetricType_COUNTER
	}
	return &mt
}

// metricSlice gathers a few metrics through a throwaway registry, which
// validates and merges them like any other collector's.
type metricSlice []prometheus.Metric

func (s metricSlice) Gather() ([]*dto.MetricFamily, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(s); err != nil {
		return nil, err
	}
	return reg.Gather()
}

func (s metricSlice) Describe(chan<- *prometheus.Desc) {}

func (s metricSlice) Collect(ch chan<- prometheus.Metric) {
	for _, m := range s {
		ch <- m
	}
}
