package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RunnerOptions configure a Runner.
type RunnerOptions struct {
	// Namespace prefixes the scrape metrics: <ns>_scrape_collector_success.
	Namespace string
	// Timeout bounds each collector's Update within one scrape.
	Timeout time.Duration
	Logger  *slog.Logger
}

// Runner is a prometheus.Collector that runs every enabled collector in
// parallel on each scrape, each bounded by Timeout, and reports
// <ns>_scrape_collector_success and <ns>_scrape_collector_duration_seconds.
type Runner struct {
	opts         RunnerOptions
	names        []string
	collectors   map[string]Collector
	running      map[string]*atomic.Bool
	durationDesc *prometheus.Desc
	successDesc  *prometheus.Desc
}

// NewRunner returns a Runner over the given collectors.
func NewRunner(opts RunnerOptions, collectors map[string]Collector) *Runner {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Runner{
		opts:       opts,
		collectors: collectors,
		running:    map[string]*atomic.Bool{},
		durationDesc: prometheus.NewDesc(
			prometheus.BuildFQName(opts.Namespace, "scrape", "collector_duration_seconds"),
			"Duration of a collector's last update.", []string{"collector"}, nil),
		successDesc: prometheus.NewDesc(
			prometheus.BuildFQName(opts.Namespace, "scrape", "collector_success"),
			"Whether a collector's last update succeeded (1) or failed or timed out (0).", []string{"collector"}, nil),
	}
	for name := range collectors {
		r.names = append(r.names, name)
		r.running[name] = &atomic.Bool{}
	}
	sort.Strings(r.names)
	return r
}

// Describe sends nothing: the Runner is an unchecked collector because the
// set of metrics depends on the host.
func (r *Runner) Describe(chan<- *prometheus.Desc) {}

// Collect runs all collectors concurrently and forwards their metrics.
func (r *Runner) Collect(ch chan<- prometheus.Metric) {
	var wg sync.WaitGroup
	for _, name := range r.names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.collectOne(name, ch)
		}()
	}
	wg.Wait()
}

func (r *Runner) collectOne(name string, ch chan<- prometheus.Metric) {
	begin := time.Now()
	err := r.update(name, ch)
	duration := time.Since(begin)
	success := 1.0
	switch {
	case err == nil:
	case errors.Is(err, ErrNoData):
		r.opts.Logger.Debug("collector returned no data", "collector", name, "duration_seconds", duration.Seconds(), "err", err)
	default:
		success = 0
		r.opts.Logger.Error("collector failed", "collector", name, "duration_seconds", duration.Seconds(), "err", err)
	}
	ch <- prometheus.MustNewConstMetric(r.durationDesc, prometheus.GaugeValue, duration.Seconds(), name)
	ch <- prometheus.MustNewConstMetric(r.successDesc, prometheus.GaugeValue, success, name)
}

// update runs one collector's Update in its own goroutine and waits at most
// Timeout for it. Metrics are buffered and forwarded only when Update returned
// in time, so a scrape never mixes a late collector's partial output.
func (r *Runner) update(name string, out chan<- prometheus.Metric) error {
	running := r.running[name]
	if !running.CompareAndSwap(false, true) {
		return fmt.Errorf("skipped: an earlier update is still running (timeout %s)", r.opts.Timeout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.opts.Timeout)
	defer cancel()

	metrics := make(chan prometheus.Metric)
	result := make(chan error, 1)
	collected := make(chan []prometheus.Metric, 1)
	go func() {
		var buf []prometheus.Metric
		for m := range metrics {
			buf = append(buf, m)
		}
		collected <- buf
	}()
	go func() {
		defer running.Store(false)
		defer close(metrics)
		defer func() {
			if p := recover(); p != nil {
				result <- fmt.Errorf("panic: %v", p)
			}
		}()
		result <- r.collectors[name].Update(ctx, metrics)
	}()

	select {
	case <-ctx.Done():
		return fmt.Errorf("timed out after %s", r.opts.Timeout)
	case buf := <-collected:
		for _, m := range buf {
			out <- m
		}
		return <-result
	}
}
