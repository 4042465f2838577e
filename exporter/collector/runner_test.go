package collector

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

var testDesc = prometheus.NewDesc("test_value", "A test value.", []string{"from"}, nil)

// funcCollector adapts a function to Collector.
type funcCollector func(ctx context.Context, ch chan<- prometheus.Metric) error

func (f funcCollector) Update(ctx context.Context, ch chan<- prometheus.Metric) error {
	return f(ctx, ch)
}

func emit(name string, v float64) funcCollector {
	return func(_ context.Context, ch chan<- prometheus.Metric) error {
		ch <- prometheus.MustNewConstMetric(testDesc, prometheus.GaugeValue, v, name)
		return nil
	}
}

// blocking never returns until release is closed, like a read of a hung NFS
// file; it ignores ctx on purpose.
func blocking(release <-chan struct{}) funcCollector {
	return func(_ context.Context, ch chan<- prometheus.Metric) error {
		<-release
		ch <- prometheus.MustNewConstMetric(testDesc, prometheus.GaugeValue, 99, "late")
		return nil
	}
}

func newTestRunner(t *testing.T, cs map[string]Collector) (*Runner, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	r := NewRunner(RunnerOptions{
		Namespace: "nexclipper",
		Timeout:   100 * time.Millisecond,
		Logger:    slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, cs)
	return r, &logs
}

func TestRunnerReportsSuccessPerCollector(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	r, logs := newTestRunner(t, map[string]Collector{
		"good":   emit("good", 1),
		"nodata": funcCollector(func(context.Context, chan<- prometheus.Metric) error { return ErrNoData }),
		"failing": funcCollector(func(_ context.Context, ch chan<- prometheus.Metric) error {
			ch <- prometheus.MustNewConstMetric(testDesc, prometheus.GaugeValue, 2, "failing")
			return errors.New("parse /proc/broken: bad field")
		}),
		"hung":      blocking(release),
		"panicking": funcCollector(func(context.Context, chan<- prometheus.Metric) error { panic("boom") }),
	})
	want := `
# HELP nexclipper_scrape_collector_success Whether a collector's last update succeeded (1) or failed or timed out (0).
# TYPE nexclipper_scrape_collector_success gauge
nexclipper_scrape_collector_success{collector="failing"} 0
nexclipper_scrape_collector_success{collector="good"} 1
nexclipper_scrape_collector_success{collector="hung"} 0
nexclipper_scrape_collector_success{collector="nodata"} 1
nexclipper_scrape_collector_success{collector="panicking"} 0
# HELP test_value A test value.
# TYPE test_value gauge
test_value{from="failing"} 2
test_value{from="good"} 1
`
	if err := testutil.CollectAndCompare(r, strings.NewReader(want), "nexclipper_scrape_collector_success", "test_value"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"timed out after 100ms", "parse /proc/broken: bad field", "panic: boom", "collector returned no data"} {
		if !strings.Contains(logs.String(), s) {
			t.Errorf("log lacks %q:\n%s", s, logs)
		}
	}
	if n := strings.Count(logs.String(), "collector=failing"); n != 1 {
		t.Errorf("failing collector logged %d times in one scrape, want 1", n)
	}
}

// A collector still hung from the previous scrape is skipped, not started
// again: the second scrape must not wait for the timeout a second time and
// must not pile up goroutines.
func TestRunnerSkipsCollectorStillRunning(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	hung := funcCollector(func(ctx context.Context, ch chan<- prometheus.Metric) error {
		calls.Add(1)
		return blocking(release)(ctx, ch)
	})
	r, logs := newTestRunner(t, map[string]Collector{"hung": hung, "good": emit("good", 1)})
	for i := 0; i < 3; i++ {
		if got := testutil.CollectAndCount(r, "test_value"); got != 1 {
			t.Fatalf("scrape %d: %d test_value series, want 1 (the good collector)", i, got)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("hung collector started %d times, want 1", n)
	}
	if !strings.Contains(logs.String(), "an earlier update is still running") {
		t.Errorf("log does not say the collector was skipped:\n%s", logs)
	}
	close(release)
	// Once it returns, the collector runs again and its late metric from the
	// first scrape is never forwarded.
	deadline := time.Now().Add(5 * time.Second)
	for r.running["hung"].Load() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := testutil.CollectAndCount(r, "test_value"); got != 2 {
		t.Fatalf("after release: %d test_value series, want 2", got)
	}
}

func TestTableValidate(t *testing.T) {
	newC := func() (Collector, error) { return emit("x", 1), nil }
	if err := (Table{{Name: "a", New: newC}, {Name: "a", New: newC}}).Validate(); err == nil {
		t.Error("duplicate names accepted")
	}
	if err := (Table{{Name: "", New: newC}}).Validate(); err == nil {
		t.Error("empty name accepted")
	}
	tab := Table{{Name: "b", New: newC}, {Name: "a", New: newC}}
	if err := tab.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(tab.Names(), ","); got != "a,b" {
		t.Errorf("Names() = %s", got)
	}
	built, err := tab.Build(map[string]bool{"b": true})
	if err != nil || len(built) != 1 || built["b"] == nil {
		t.Errorf("Build = %v, %v", built, err)
	}
}
