package tier

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/nexclipper/nexclipper/downsampler"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/tsdb"
)

// Defaults of the schedule, as Thanos's compactor (downsample.go: 40h and 10d).
const (
	DefaultRawWindow     = 40 * time.Hour
	DefaultFiveMinWindow = 10 * 24 * time.Hour
)

// Options configure a Runner.
type Options struct {
	// RawWindow is how old a day of raw data must be before it is downsampled to 5m.
	RawWindow time.Duration
	// FiveMinWindow is how old ten days of 5m data must be before they become 1h.
	FiveMinWindow time.Duration
	// Retention per tier; 0 keeps the tier forever. Raw and 5m data is deleted only
	// once the next tier holds it.
	RetentionRaw, RetentionFiveMin, RetentionOneHour time.Duration
	// Concurrency bounds the windows downsampled at once (default 1).
	Concurrency int
	// Now is the clock (time.Now when nil); tests move it.
	Now func() time.Time
	// RawPersistedBefore, when set, returns the time before which all raw data is
	// in blocks (the TSDB head's min time); windows reaching past it wait.
	RawPersistedBefore func() int64
	// Progress, when set, is called after each window with the tier and counts.
	Progress func(res int64, done, total int)
	Logger   *slog.Logger
}

// RawBlocks returns the persisted raw blocks, e.g. (*tsdb.DB).Blocks.
type RawBlocks func() []tsdb.BlockReader

// Runner downsamples and applies retention over one Store. Its passes must not
// overlap: call RunOnce from one goroutine, or Run.
type Runner struct {
	opts    Options
	store   *Store
	raw     RawBlocks
	metrics *metrics
}

// NewRunner returns a runner over store whose raw data comes from raw.
func NewRunner(opts Options, store *Store, raw RawBlocks, reg prometheus.Registerer) *Runner {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Concurrency < 1 {
		opts.Concurrency = 1
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Runner{opts: opts, store: store, raw: raw, metrics: newMetrics(store, reg)}
}

// TierStats sum up one tier's part of a pass.
type TierStats struct {
	Windows, Failed int
	Series, Samples uint64
	Deleted         int
}

// PassStats sum up a pass, by resolution.
type PassStats struct {
	Tiers    map[int64]*TierStats
	Duration time.Duration
}

// window is one block to build: [mint, mint+length) from sources.
type window struct {
	res     int64
	mint    int64
	length  int64
	sources []tsdb.BlockReader
}

// RunOnce builds every eligible window (5m, then 1h) and applies retention.
// A failed window is logged, counted and retried by the next pass; the error
// returned joins every failure.
func (r *Runner) RunOnce(ctx context.Context) (PassStats, error) {
	start := time.Now()
	stats := PassStats{Tiers: map[int64]*TierStats{}}
	for _, res := range allResolutions {
		stats.Tiers[res] = &TierStats{}
	}
	now := r.opts.Now().UnixMilli()

	raw := r.raw()
	cutoff5m := now - r.opts.RawWindow.Milliseconds()
	if r.opts.RawPersistedBefore != nil {
		cutoff5m = min(cutoff5m, r.opts.RawPersistedBefore())
	}
	w5 := plan5m(raw, r.haveWindows(downsampler.ResLevel1), cutoff5m)
	failed5, err5 := r.build(ctx, w5, stats.Tiers[downsampler.ResLevel1])
	w1 := plan1h(r.store.Blocks(downsampler.ResLevel1), r.haveWindows(downsampler.ResLevel2), now-r.opts.FiveMinWindow.Milliseconds(), failed5)
	_, err1 := r.build(ctx, w1, stats.Tiers[downsampler.ResLevel2])
	errRet := r.applyRetention(now, stats.Tiers)

	stats.Duration = time.Since(start)
	err := errors.Join(err5, err1, errRet)
	if err == nil {
		r.metrics.lastSuccess.SetToCurrentTime()
	}
	return stats, err
}

// Run calls RunOnce every interval until ctx ends.
func (r *Runner) Run(ctx context.Context, interval time.Duration) {
	for {
		stats, err := r.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			r.opts.Logger.Error("downsampling pass failed; it is retried next pass", "err", err)
		} else if n := stats.Tiers[downsampler.ResLevel1].Windows + stats.Tiers[downsampler.ResLevel2].Windows; n > 0 {
			r.opts.Logger.Info("downsampling pass done", "windows", n, "duration", stats.Duration)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// haveWindows is the set of window starts a tier already holds.
func (r *Runner) haveWindows(res int64) map[int64]bool {
	have := map[int64]bool{}
	for _, b := range r.store.Blocks(res) {
		have[b.Meta().MinTime] = true
	}
	return have
}

// plan5m lists the days of raw data that end before cutoff and are not yet
// downsampled.
func plan5m(raw []tsdb.BlockReader, have map[int64]bool, cutoff int64) []window {
	return planWindows(raw, have, cutoff, downsampler.ResLevel1, Window5m, nil)
}

// plan1h lists the ten-day windows of 5m data older than cutoff that have no 1h
// block yet and none of whose days failed to downsample to 5m in this pass.
func plan1h(fiveMin []*tsdb.Block, have map[int64]bool, cutoff int64, failed map[int64]bool) []window {
	srcs := make([]tsdb.BlockReader, 0, len(fiveMin))
	for _, b := range fiveMin {
		srcs = append(srcs, b)
	}
	return planWindows(srcs, have, cutoff, downsampler.ResLevel2, Window1h, failed)
}

// planWindows groups sources into aligned windows of length that end at or before
// cutoff, skipping windows in have and windows containing a failed finer window.
func planWindows(srcs []tsdb.BlockReader, have map[int64]bool, cutoff, res, length int64, failed map[int64]bool) []window {
	byStart := map[int64]*window{}
	for _, b := range srcs {
		m := b.Meta()
		for ws := m.MinTime - mod(m.MinTime, length); ws < m.MaxTime; ws += length {
			if ws+length > cutoff || have[ws] {
				continue
			}
			w := byStart[ws]
			if w == nil {
				w = &window{res: res, mint: ws, length: length}
				byStart[ws] = w
			}
			w.sources = append(w.sources, b)
		}
	}
	for f := range failed {
		delete(byStart, f-mod(f, length))
	}
	out := make([]window, 0, len(byStart))
	for _, w := range byStart {
		out = append(out, *w)
	}
	slices.SortFunc(out, func(a, b window) int { return cmp.Compare(a.mint, b.mint) })
	return out
}

// build downsamples windows, Concurrency at a time, and returns the starts of those
// that failed.
func (r *Runner) build(ctx context.Context, windows []window, st *TierStats) (map[int64]bool, error) {
	var (
		mtx    sync.Mutex
		wg     sync.WaitGroup
		errs   []error
		failed = map[int64]bool{}
		done   int
		sem    = make(chan struct{}, r.opts.Concurrency)
	)
	for _, w := range windows {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			meta, err := r.buildWindow(ctx, w)
			mtx.Lock()
			defer mtx.Unlock()
			done++
			if err != nil {
				failed[w.mint] = true
				st.Failed++
				errs = append(errs, err)
			} else {
				st.Windows++
				st.Series += meta.Stats.NumSeries
				st.Samples += meta.Stats.NumSamples
			}
			if r.opts.Progress != nil {
				r.opts.Progress(w.res, done, len(windows))
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	return failed, errors.Join(errs...)
}

func (r *Runner) buildWindow(ctx context.Context, w window) (*downsampler.Meta, error) {
	name := ResolutionName(w.res)
	start := time.Now()
	srcRes := downsampler.ResLevel0
	if w.res == downsampler.ResLevel2 {
		srcRes = downsampler.ResLevel1
	}
	meta, err := downsampler.DownsampleWindow(ctx, r.opts.Logger, downsampler.WindowOptions{
		Blocks:           w.sources,
		SourceResolution: srcRes,
		Resolution:       w.res,
		MinTime:          w.mint,
		MaxTime:          w.mint + w.length,
		OutDir:           r.store.Dir(w.res),
	})
	if err == nil {
		err = r.store.add(w.res, filepath.Join(r.store.Dir(w.res), meta.ULID.String()))
	}
	if err != nil {
		r.metrics.windows.WithLabelValues(name, "error").Inc()
		return nil, fmt.Errorf("downsample %s window %s: %w", name, fmtTime(w.mint), err)
	}
	r.metrics.windows.WithLabelValues(name, "ok").Inc()
	r.metrics.duration.WithLabelValues(name).Observe(time.Since(start).Seconds())
	r.opts.Logger.Debug("downsampled window", "resolution", name, "start", fmtTime(w.mint),
		"series", meta.Stats.NumSeries, "samples", meta.Stats.NumSamples, "duration", time.Since(start))
	return meta, nil
}

// mod is the non-negative remainder, so windows before 1970 align too.
func mod(a, b int64) int64 { return ((a % b) + b) % b }
