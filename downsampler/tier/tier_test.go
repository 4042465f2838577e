package tier

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/nexclipper/nexclipper/downsampler"
	"github.com/nexclipper/nexclipper/downsampler/tier/tiertest"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

// dataEnd is the end of the test data: a fixed, day-aligned time, so window
// arithmetic is the same on every run.
var dataEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// testStorage is a TSDB of tiertest data with its tiers.
type testStorage struct {
	dir    string
	db     *tsdb.DB
	store  *Store
	runner *Runner
	opts   Options
}

// newTestStorage writes days of raw data ending at dataEnd into a new TSDB and
// opens its tiers with a clock standing at dataEnd.
func newTestStorage(t testing.TB, days int, opts Options) *testStorage {
	t.Helper()
	dir := t.TempDir()
	_, err := tiertest.WriteBlocks(context.Background(), tiertest.Options{
		Dir: dir, Start: dataEnd.Add(-time.Duration(days) * 24 * time.Hour), End: dataEnd,
		Hosts: 1, Containers: 2, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return dataEnd }
	}
	ts := &testStorage{dir: dir, opts: opts}
	ts.open(t)
	return ts
}

func (ts *testStorage) open(t testing.TB) {
	t.Helper()
	store, err := OpenStore(StoreOptions{Path: ts.dir, Writer: true})
	if err != nil {
		t.Fatal(err)
	}
	ts.store = store
	ts.runner = NewRunner(ts.opts, store, func() []tsdb.BlockReader {
		var out []tsdb.BlockReader
		for _, b := range ts.db.Blocks() {
			out = append(out, b)
		}
		return out
	}, nil)
	dbOpts := tsdb.DefaultOptions()
	dbOpts.RetentionDuration = 0
	dbOpts.BlocksToDelete = ts.runner.RawBlocksToDelete
	db, err := tsdb.Open(ts.dir, nil, nil, dbOpts, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts.db = db
	t.Cleanup(func() { ts.close(t) })
}

func (ts *testStorage) close(t testing.TB) {
	t.Helper()
	if ts.db != nil {
		if err := ts.db.Close(); err != nil {
			t.Error(err)
		}
		ts.db = nil
	}
	if ts.store != nil {
		if err := ts.store.Close(); err != nil {
			t.Error(err)
		}
		ts.store = nil
	}
}

func (ts *testStorage) queryable() *Queryable {
	return NewQueryable(ts.db, func() int64 {
		if bs := ts.db.Blocks(); len(bs) > 0 {
			return bs[0].Meta().MinTime
		}
		return math.MaxInt64
	}, ts.store, nil)
}

func newEngine() *promql.Engine {
	return promql.NewEngine(promql.EngineOpts{MaxSamples: 50_000_000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute})
}

func rangeQuery(t *testing.T, q storage.Queryable, ctx context.Context, expr string, start, end time.Time, step time.Duration) (promql.Matrix, []string) {
	t.Helper()
	qry, err := newEngine().NewRangeQuery(ctx, q, nil, expr, start, end, step)
	if err != nil {
		t.Fatal(err)
	}
	defer qry.Close()
	res := qry.Exec(ctx)
	if res.Err != nil {
		t.Fatalf("%s: %v", expr, res.Err)
	}
	pooled, err := res.Matrix()
	if err != nil {
		t.Fatal(err)
	}
	// Close returns the points to the engine's pool: copy them out first.
	m := make(promql.Matrix, len(pooled))
	for i, s := range pooled {
		m[i] = promql.Series{Metric: s.Metric, Floats: slices.Clone(s.Floats)}
	}
	warnings, infos := res.Warnings.AsStrings(expr, 0, 0)
	return m, append(warnings, infos...)
}

// The schedule builds exactly the eligible windows, and a second pass finds
// nothing to do.
func TestRunnerBuildsEligibleWindows(t *testing.T) {
	ts := newTestStorage(t, 30, Options{RawWindow: DefaultRawWindow, FiveMinWindow: DefaultFiveMinWindow})
	stats, err := ts.runner.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Days end at dataEnd-29d ... dataEnd; those ending at or before dataEnd-40h are
	// the first 28.
	if got := stats.Tiers[r5m].Windows; got != 28 {
		t.Errorf("5m windows built: %d, want 28", got)
	}
	start := dataEnd.Add(-30 * 24 * time.Hour).UnixMilli()
	want1h := 0
	for ws := start - mod(start, Window1h); ws < start+28*day; ws += Window1h {
		if ws+Window1h <= dataEnd.UnixMilli()-10*day {
			want1h++
		}
	}
	if got := stats.Tiers[r1h].Windows; got != want1h || want1h == 0 {
		t.Errorf("1h windows built: %d, want %d (> 0)", got, want1h)
	}
	for _, res := range Resolutions {
		for _, b := range ts.store.Blocks(res) {
			m, err := downsampler.ReadMeta(b.Dir())
			if err != nil {
				t.Fatal(err)
			}
			length := map[int64]int64{r5m: Window5m, r1h: Window1h}[res]
			if m.Thanos.Downsample.Resolution != res || m.MaxTime-m.MinTime != length || mod(m.MinTime, length) != 0 {
				t.Errorf("%s block %s: resolution %d, range [%d, %d): not an aligned window", ResolutionName(res), m.ULID, m.Thanos.Downsample.Resolution, m.MinTime, m.MaxTime)
			}
		}
	}
	again, err := ts.runner.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := again.Tiers[r5m].Windows + again.Tiers[r1h].Windows; n != 0 {
		t.Errorf("second pass built %d windows, want 0", n)
	}
}

// relErr is |a-b| relative to the larger magnitude; 0 when both are 0.
func relErr(a, b float64) float64 {
	d := math.Abs(a - b)
	if d == 0 {
		return 0
	}
	return d / math.Max(math.Abs(a), math.Abs(b))
}

// compareMatrices returns the largest and the 99th percentile relative error
// between points at the same time of series with the same labels, failing the
// test when series or timestamps differ.
func compareMatrices(t *testing.T, what string, raw, tiered promql.Matrix) (maxErr, p99 float64) {
	t.Helper()
	if len(raw) != len(tiered) || len(raw) == 0 {
		t.Fatalf("%s: %d series on raw, %d on tiers (want equal, > 0)", what, len(raw), len(tiered))
	}
	var errs []float64
	for i := range raw {
		if !labels.Equal(raw[i].Metric, tiered[i].Metric) {
			t.Fatalf("%s: series %d is %s on raw, %s on tiers", what, i, raw[i].Metric, tiered[i].Metric)
		}
		rp, tp := raw[i].Floats, tiered[i].Floats
		if len(rp) != len(tp) {
			t.Fatalf("%s %s: %d points on raw, %d on tiers", what, raw[i].Metric, len(rp), len(tp))
		}
		for j := range rp {
			if rp[j].T != tp[j].T {
				t.Fatalf("%s %s: point %d at %d on raw, %d on tiers", what, raw[i].Metric, j, rp[j].T, tp[j].T)
			}
			errs = append(errs, relErr(rp[j].F, tp[j].F))
		}
	}
	slices.Sort(errs)
	return errs[len(errs)-1], errs[len(errs)*99/100]
}

var _ = fmt.Sprint

// Queries keep answering while a pass builds windows two at a time and the
// store takes in the new blocks (run under -race by make test).
func TestQueriesDuringConcurrentPass(t *testing.T) {
	ts := newTestStorage(t, 8, Options{RawWindow: DefaultRawWindow, FiveMinWindow: DefaultFiveMinWindow, Concurrency: 2})
	q := ts.queryable()
	done := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(errs)
		for {
			select {
			case <-done:
				return
			default:
			}
			qry, err := newEngine().NewRangeQuery(context.Background(), q, nil, `max_over_time(node_load1[1h])`, dataEnd.Add(-7*24*time.Hour), dataEnd, time.Hour)
			if err != nil {
				errs <- err
				return
			}
			res := qry.Exec(context.Background())
			qry.Close()
			if res.Err != nil {
				errs <- res.Err
				return
			}
		}
	}()
	stats, err := ts.runner.RunOnce(context.Background())
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	if qerr := <-errs; qerr != nil {
		t.Fatalf("query during the pass: %v", qerr)
	}
	if stats.Tiers[r5m].Windows != 6 {
		t.Errorf("5m windows: %d, want 6", stats.Tiers[r5m].Windows)
	}
}
