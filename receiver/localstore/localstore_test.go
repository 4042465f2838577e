package localstore

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

func TestOpenNeedsPath(t *testing.T) {
	if _, err := Open(Options{}, slog.New(slog.DiscardHandler), nil); err == nil {
		t.Fatal("Open with an empty path succeeded")
	}
}

// A committed sample is in the WAL: closing without a block cut and opening
// again (the replay after a crash) finds it.
func TestCommittedSamplesReplayFromWAL(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Path: dir, Retention: 24 * time.Hour, OutOfOrderWindow: 10 * time.Minute}
	db, err := Open(opts, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	series := labels.FromStrings("__name__", "replay_test", "n", "1")
	app := db.Appender(context.Background())
	if _, err := app.Append(0, series, now, 42); err != nil {
		t.Fatal(err)
	}
	if err := app.Commit(); err != nil {
		t.Fatal(err)
	}
	// Out-of-order inside the window is accepted, beyond it rejected.
	app = db.Appender(context.Background())
	if _, err := app.Append(0, series, now-5*time.Minute.Milliseconds(), 41); err != nil {
		t.Fatalf("sample 5m out of order with a 10m window: %v", err)
	}
	_, err = app.Append(0, series, now-20*time.Minute.Milliseconds(), 40)
	if !errors.Is(err, storage.ErrTooOldSample) {
		t.Fatalf("sample 20m out of order: err %v, want ErrTooOldSample", err)
	}
	if err := app.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(opts, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err := db.Querier(now-time.Hour.Milliseconds(), now+1)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	set := q.Select(context.Background(), false, nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", "replay_test"))
	var values []float64
	for set.Next() {
		it := set.At().Iterator(nil)
		for it.Next() != 0 {
			_, v := it.At()
			values = append(values, v)
		}
	}
	if len(values) != 2 || values[0] != 41 || values[1] != 42 {
		t.Fatalf("after reopen: %v, want [41 42]", values)
	}
}

func TestMaxBlockDuration(t *testing.T) {
	f := func(retention, want time.Duration) {
		t.Helper()
		if got := maxBlockDuration(retention); got != want {
			t.Errorf("maxBlockDuration(%s) = %s, want %s", retention, got, want)
		}
	}
	f(15*24*time.Hour, 36*time.Hour)
	f(24*time.Hour, 2*time.Hour+24*time.Minute)
	f(time.Hour, 2*time.Hour)
	f(0, 31*24*time.Hour)
	f(3650*24*time.Hour, 31*24*time.Hour)
}
