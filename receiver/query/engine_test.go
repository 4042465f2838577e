package query

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/storage"
)

// TestBuiltinScripts runs Prometheus's PromQL acceptance scripts
// (promql/promqltest/testdata/*.test) on the engine the receiver serves, with
// the options NewEngine sets (its doc comment says which scripts need which).
//
// The storage is Prometheus's own builtin-test TSDB: teststorage.New with
// start-timestamp storage on. start_timestamps.test asserts rate() results that
// depend on stored start timestamps, which plain teststorage.New (like the
// receiver's localstore today) drops; every other script also passes on plain
// teststorage.New.
func TestBuiltinScripts(t *testing.T) {
	engine := NewEngine(Options{}, nil, nil)
	t.Cleanup(func() { _ = engine.Close() })
	promqltest.RunBuiltinTestsWithStorage(t, engine, func(tb testing.TB) storage.Storage {
		return promqltest.NewBuiltinTestStorage(tb)
	})
}

func TestOptionsDefaults(t *testing.T) {
	got := Options{MaxConcurrent: -1}.withDefaults()
	want := Options{Timeout: 2 * time.Minute, MaxSamples: 50_000_000, LookbackDelta: 5 * time.Minute, MaxConcurrent: 20}
	if got != want {
		t.Errorf("withDefaults() = %+v, want %+v", got, want)
	}
	set := Options{Timeout: time.Second, MaxSamples: 1, LookbackDelta: time.Minute, MaxConcurrent: 2, Version: "v"}
	if got := set.withDefaults(); got != set {
		t.Errorf("withDefaults() changed set fields: %+v", got)
	}
}

func TestQueryGate(t *testing.T) {
	g := newQueryGate(1, time.Hour)
	if g.GetMaxConcurrent() != 1 {
		t.Fatalf("GetMaxConcurrent() = %d, want 1", g.GetMaxConcurrent())
	}
	if _, err := g.Insert(context.Background(), "first"); err != nil {
		t.Fatalf("Insert into a free gate: %v", err)
	}

	// The second query waits for the slot until its deadline: a timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := g.Insert(ctx, "second")
	if !errors.As(err, new(promql.ErrQueryTimeout)) {
		t.Errorf("Insert past deadline: %v (%T), want promql.ErrQueryTimeout", err, err)
	}

	// A client that goes away while waiting: canceled.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = g.Insert(ctx, "third")
	if !errors.As(err, new(promql.ErrQueryCanceled)) {
		t.Errorf("Insert with canceled context: %v (%T), want promql.ErrQueryCanceled", err, err)
	}

	// A context without deadline (the engine's parse step) still waits at
	// most maxWait.
	g.maxWait = 20 * time.Millisecond
	_, err = g.Insert(context.Background(), "fourth")
	if !errors.As(err, new(promql.ErrQueryTimeout)) {
		t.Errorf("Insert past maxWait: %v (%T), want promql.ErrQueryTimeout", err, err)
	}

	g.Delete(0)
	if _, err := g.Insert(context.Background(), "fifth"); err != nil {
		t.Errorf("Insert after Delete: %v", err)
	}
}
