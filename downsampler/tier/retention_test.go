package tier

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/tsdb"
)

// reopen closes the TSDB and tiers and opens them again: the TSDB applies its
// BlocksToDelete policy when it opens.
func (ts *testStorage) reopen(t *testing.T) {
	t.Helper()
	ts.close(t)
	ts.open(t)
}

// rawMin is the day the oldest raw block starts in (blocks start at their first
// sample, 7s into the day).
func rawMin(db *tsdb.DB) time.Time {
	return time.UnixMilli(db.Blocks()[0].Meta().MinTime).UTC().Truncate(24 * time.Hour)
}

// Raw data past --retention.raw goes only once 5m holds it; queries over that
// time then answer from 5m, saying so.
func TestRawRetentionWaitsForTierAndQueriesFallBack(t *testing.T) {
	ts := newTestStorage(t, 30, Options{RawWindow: DefaultRawWindow, FiveMinWindow: DefaultFiveMinWindow, RetentionRaw: 15 * 24 * time.Hour})
	first := dataEnd.Add(-30 * 24 * time.Hour)

	ts.reopen(t)
	if got := rawMin(ts.db); !got.Equal(first) {
		t.Fatalf("before downsampling, raw starts at %s, want %s: nothing may go before 5m holds it", got, first)
	}
	if _, err := ts.runner.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts.reopen(t)
	if got, want := rawMin(ts.db), dataEnd.Add(-15*24*time.Hour); !got.Equal(want) {
		t.Fatalf("after downsampling, raw starts at %s, want %s", got, want)
	}

	// Step 5m asks for raw; the first five days are only in 5m now.
	start, end := dataEnd.Add(-20*24*time.Hour), dataEnd.Add(-10*24*time.Hour)
	expr := `max_over_time(node_load1[5m])`
	ctx, report := WithReport(context.Background())
	m, annos := rangeQuery(t, ts.queryable(), ctx, expr, start, end, 5*time.Minute)
	if len(m) != 1 || len(m[0].Floats) != int(end.Sub(start)/(5*time.Minute))+1 {
		t.Fatalf("auto: got %d series (want 1) with %d points (want one per step)", len(m), pointsOf(m))
	}
	if report.Tiers() != "raw,5m" {
		t.Errorf("auto: served by %q, want raw,5m", report.Tiers())
	}
	if !containsAll(annos, "past retention", "5m tier") {
		t.Errorf("auto: annotations %q do not say the old part came from the 5m tier", annos)
	}

	// Asked for raw explicitly: the old part stays empty, with a warning saying
	// where the data is.
	ctx, _ = WithReport(WithMaxResolution(context.Background(), raw))
	m, annos = rangeQuery(t, ts.queryable(), ctx, expr, start, end, 5*time.Minute)
	if len(m) != 1 || time.UnixMilli(m[0].Floats[0].T).Before(dataEnd.Add(-15*24*time.Hour)) {
		t.Fatalf("strict raw: got %d series starting at %v, want 1 starting at raw's retention edge", len(m), m)
	}
	if !containsAll(annos, "max_source_resolution=raw", "the 5m tier holds it") {
		t.Errorf("strict raw: annotations %q do not point to the 5m tier", annos)
	}
}

func pointsOf(m promql.Matrix) int {
	n := 0
	for _, s := range m {
		n += len(s.Floats)
	}
	return n
}

func containsAll(annos []string, subs ...string) bool {
	for _, a := range annos {
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(a, s)
		}
		if ok {
			return true
		}
	}
	return false
}

// 5m blocks past --retention.5m go only once 1h holds them; 1h blocks past
// --retention.1h go outright.
func TestTierRetention(t *testing.T) {
	ts := newTestStorage(t, 30, Options{
		RawWindow: DefaultRawWindow, FiveMinWindow: DefaultFiveMinWindow,
		RetentionFiveMin: 12 * 24 * time.Hour,
	})
	if _, err := ts.runner.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	oneHour := ts.store.Intervals(r1h)
	cutoff := dataEnd.UnixMilli() - 12*day
	for _, b := range ts.store.Blocks(r5m) {
		m := b.Meta()
		if m.MaxTime <= cutoff && covers(oneHour, m.MinTime, m.MaxTime) {
			t.Errorf("5m block [%s, %s) is past retention and held by 1h, but kept", fmtTime(m.MinTime), fmtTime(m.MaxTime))
		}
	}
	kept := 0
	for _, b := range ts.store.Blocks(r5m) {
		if b.Meta().MaxTime <= cutoff {
			kept++ // past retention, but 1h does not hold it yet
		}
	}
	t.Logf("5m blocks past retention kept because 1h lacks them: %d", kept)
	if len(ts.store.Blocks(r5m)) == 28 {
		t.Error("no 5m block was deleted")
	}

	ts.runner.opts.RetentionOneHour = 15 * 24 * time.Hour
	if _, err := ts.runner.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, b := range ts.store.Blocks(r1h) {
		if b.Meta().MaxTime <= dataEnd.UnixMilli()-15*day {
			t.Errorf("1h block ending %s kept past retention", fmtTime(b.Meta().MaxTime))
		}
	}
}

// The HTTP middleware validates max_source_resolution and names the tiers.
func TestMiddleware(t *testing.T) {
	var gotRes resolutionValue
	h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotRes = maxResolution(r.Context())
		r.Context().Value(reportKey{}).(*Report).add(r5m)
		r.Context().Value(reportKey{}).(*Report).add(raw)
		_, _ = w.Write([]byte("{}"))
	}))
	f := func(query string, wantCode int, wantRes resolutionValue) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/query?"+query, nil))
		if rec.Code != wantCode {
			t.Fatalf("%s: status %d, want %d (%s)", query, rec.Code, wantCode, rec.Body)
		}
		if wantCode != http.StatusOK {
			if !strings.Contains(rec.Body.String(), `"errorType":"bad_data"`) || !strings.Contains(rec.Body.String(), "max_source_resolution") {
				t.Errorf("%s: body %s does not explain the bad parameter", query, rec.Body)
			}
			return
		}
		if gotRes != wantRes {
			t.Errorf("%s: resolution %+v, want %+v", query, gotRes, wantRes)
		}
		if got := rec.Header().Get(TiersHeader); got != "raw,5m" {
			t.Errorf("%s: %s %q, want raw,5m", query, TiersHeader, got)
		}
	}
	f("query=up", http.StatusOK, resolutionValue{res: Auto})
	f("query=up&max_source_resolution=auto", http.StatusOK, resolutionValue{res: Auto})
	f("query=up&max_source_resolution=raw", http.StatusOK, resolutionValue{res: raw, strict: true})
	f("query=up&max_source_resolution=5m", http.StatusOK, resolutionValue{res: r5m, strict: true})
	f("query=up&max_source_resolution=1h", http.StatusOK, resolutionValue{res: r1h, strict: true})
	f("query=up&max_source_resolution="+url.QueryEscape("fortnight"), http.StatusBadRequest, resolutionValue{})
	f("query=up&max_source_resolution=-5m", http.StatusBadRequest, resolutionValue{})
}
