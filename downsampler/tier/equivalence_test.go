package tier

import (
	"context"
	"strings"
	"testing"
	"time"
)

// equivalenceQueries are dashboard-style queries, each over a range equal to the
// step (Grafana's $__interval). Windows align with the steps, so max, min, sum
// and avg over a tier equal raw up to float rounding. rate/increase over a tier
// lose the increase inside the range's first window and extrapolate it instead
// (the counter aggregate holds each window's last value, as in Thanos), so their
// error shrinks with the number of windows in the range: see docs/downsampling.md.
var equivalenceQueries = []struct {
	expr    string
	counter bool
}{
	{`max_over_time(node_load1[$r])`, false},
	{`min_over_time(node_memory_MemAvailable_bytes[$r])`, false},
	{`max by (instance) (max_over_time(container_memory_working_set_bytes[$r]))`, false},
	{`node_memory_MemTotal_bytes`, false},
	{`sum_over_time(node_load1[$r])`, false},
	{`avg_over_time(container_memory_working_set_bytes[$r])`, false},
	{`rate(node_cpu_seconds_total[$r])`, true},
	{`sum by (instance) (rate(container_cpu_usage_seconds_total[$r]))`, true},
	{`increase(node_network_receive_bytes_total[$r])`, true},
}

// tolerance is the largest and the 99th percentile relative error allowed.
type tolerance struct{ max, p99 float64 }

// Thirty days of data, queried at steps 5m, 1h and 1d on raw only and on the
// tiers: the step picks raw, 5m and 1h, and the answers agree within tolerance.
func TestTieredQueriesMatchRaw(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 30 days of data")
	}
	ts := newTestStorage(t, 30, Options{RawWindow: DefaultRawWindow, FiveMinWindow: DefaultFiveMinWindow})
	if _, err := ts.runner.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	tiered := ts.queryable()
	start := dataEnd.Add(-29 * 24 * time.Hour)
	exact := tolerance{1e-12, 1e-12}
	for _, step := range []struct {
		step    time.Duration
		r       string
		tiers   string
		counter tolerance
	}{
		{5 * time.Minute, "5m", "raw", exact},
		// [1h] on 5m: 12 windows; the first one's increase is extrapolated.
		{time.Hour, "1h", "raw,5m", tolerance{0.05, 0.03}},
		// [1d] on 1h: 24 windows of 240 samples each.
		{24 * time.Hour, "1d", "raw,5m,1h", tolerance{0.01, 0.01}},
	} {
		for _, q := range equivalenceQueries {
			expr := strings.ReplaceAll(q.expr, "$r", step.r)
			rawM, _ := rangeQuery(t, ts.db, context.Background(), expr, start, dataEnd, step.step)
			ctx, report := WithReport(context.Background())
			tierM, _ := rangeQuery(t, tiered, ctx, expr, start, dataEnd, step.step)
			maxErr, p99 := compareMatrices(t, expr, rawM, tierM)
			tiers := report.Tiers()
			if strings.Contains(expr, "[") || step.tiers == "raw" {
				if tiers != step.tiers {
					t.Errorf("step %s %s: served by %q, want %q", step.step, expr, tiers, step.tiers)
				}
			}
			t.Logf("step %-4s %-70s tiers %-10s max err %.2g p99 %.2g", step.r, expr, tiers, maxErr, p99)
			tol := exact
			if q.counter {
				tol = step.counter
			}
			if maxErr > tol.max || p99 > tol.p99 {
				t.Errorf("step %s %s: relative error max %.3g, p99 %.3g; allowed %.3g, %.3g", step.step, expr, maxErr, p99, tol.max, tol.p99)
			}
		}
	}
}
