package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeReceiver decodes every request like a receiver and checks that each
// series' samples arrive in timestamp order across all requests.
type fakeReceiver struct {
	t        *testing.T
	protocol string
	fail     func(n int) int // status for the n-th request (from 1); 0: 204

	mu       sync.Mutex
	requests int
	samples  int
	last     map[string]int64
}

func (f *fakeReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	wantType := (&v1Encoder{}).contentType()
	if f.protocol == protoV2 {
		wantType = (&v2Encoder{}).contentType()
	}
	if r.Header.Get("Content-Type") != wantType || r.Header.Get("Content-Encoding") != "snappy" {
		f.t.Errorf("headers %v", r.Header)
	}
	got := decodeBody(f.t, f.protocol, body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if code := f.fail(f.requests); code != 0 {
		http.Error(w, "no thanks", code)
		return
	}
	for _, d := range got {
		if prev, ok := f.last[d.labels]; ok && d.ts <= prev {
			f.t.Errorf("%s: sample at %d after %d", d.labels, d.ts, prev)
		}
		f.last[d.labels] = d.ts
	}
	f.samples += len(got)
	w.Header().Set("X-Prometheus-Remote-Write-Samples-Written", strconv.Itoa(len(got)))
	w.WriteHeader(http.StatusNoContent)
}

func startFake(t *testing.T, protocol string, fail func(int) int) (*fakeReceiver, string) {
	f := &fakeReceiver{t: t, protocol: protocol, fail: fail, last: map[string]int64{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL + "/api/v1/write"
}

func testConfig(url, protocol string) config {
	return config{
		URL: url, Protocol: protocol, Series: 1500, SamplesPerRequest: 250, Senders: 3,
		TotalSamples: 1500 * 6, Interval: 15 * time.Second, Start: "auto", Seed: 1, Timeout: 10 * time.Second,
	}
}

func TestSendAllAccepted(t *testing.T) {
	for _, tc := range []struct {
		proto       string
		pregenerate bool
	}{{protoV1, false}, {protoV2, false}, {protoV1, true}, {protoV2, true}} {
		t.Run(fmt.Sprintf("%s/pregenerate=%v", tc.proto, tc.pregenerate), func(t *testing.T) {
			proto := tc.proto
			fake, url := startFake(t, proto, func(int) int { return 0 })
			cfg := testConfig(url, proto)
			cfg.Pregenerate = tc.pregenerate
			now := time.Now()
			start, err := cfg.startTime(now)
			if err != nil {
				t.Fatal(err)
			}
			res, err := send(context.Background(), cfg, start)
			if err != nil {
				t.Fatal(err)
			}
			if res.SamplesSent != 9000 || res.SamplesAccepted != 9000 || res.FailedRequests != 0 || fake.samples != 9000 {
				t.Fatalf("sent %d, accepted %d, failed %d requests; receiver got %d; want 9000, 9000, 0, 9000",
					res.SamplesSent, res.SamplesAccepted, res.FailedRequests, fake.samples)
			}
			if len(fake.last) != cfg.Series || res.Rounds != 6 {
				t.Fatalf("receiver saw %d series in %d rounds, want %d in 6", len(fake.last), res.Rounds, cfg.Series)
			}
			if res.WrittenHeader != 9000 || res.WithoutHeader != 0 || res.Requests != fake.requests {
				t.Fatalf("written header %d (%d answers without), %d requests sent, %d received", res.WrittenHeader, res.WithoutHeader, res.Requests, fake.requests)
			}
			if tc.pregenerate != (res.Prep.Requests == res.Requests) {
				t.Fatalf("pregenerate %v: %d requests prepared, %d sent", tc.pregenerate, res.Prep.Requests, res.Requests)
			}
			// Nothing in the future: the last round lies one interval before now.
			if want := now.Add(-cfg.Interval).UnixMilli(); res.LastTS != want || res.FirstTS != now.Add(-6*cfg.Interval).UnixMilli() {
				t.Fatalf("timestamps %d..%d, want %d..%d", res.FirstTS, res.LastTS, now.Add(-6*cfg.Interval).UnixMilli(), want)
			}
		})
	}
}

func TestSendCountsFailures(t *testing.T) {
	fake, url := startFake(t, protoV1, func(n int) int {
		switch n % 5 {
		case 1:
			return http.StatusTooManyRequests
		case 3:
			return http.StatusInternalServerError
		}
		return 0
	})
	cfg := testConfig(url, protoV1)
	cfg.Senders = 1 // requests numbered in sending order
	cfg.Summary = filepath.Join(t.TempDir(), "summary")
	var out strings.Builder
	err := run(context.Background(), cfg, time.Now(), &out)
	if !errors.Is(err, errFailed) {
		t.Fatalf("run() = %v, want %v", err, errFailed)
	}
	if !strings.Contains(out.String(), "429 Too Many Requests: 8 requests, 2000 samples") {
		t.Errorf("summary does not list the 429s:\n%s", out.String())
	}
	kv, err := os.ReadFile(cfg.Summary)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for line := range strings.Lines(string(kv)) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
		got[k] = v
	}
	// 36 requests of 250: numbers 1, 6, ... 36 get 429, 3, 8, ... 33 get 500.
	want := map[string]string{
		"requests": "36", "failed_requests": "15", "failures": "429:8,500:7",
		"samples_sent": "9000", "samples_accepted": strconv.Itoa(fake.samples), "rounds": "6",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s=%s, want %s", k, got[k], v)
		}
	}
	if fake.samples != 21*250 {
		t.Errorf("receiver stored %d samples, want %d", fake.samples, 21*250)
	}
}

func TestSendGivesUpWithoutReceiver(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	cfg := testConfig(url, protoV1)
	res, err := send(context.Background(), cfg, 1_800_000_000_000)
	if err != nil {
		t.Fatal(err)
	}
	if !res.GaveUp || res.Codes[0] != cfg.Senders*maxConsecutiveTransportErrors || res.SamplesAccepted != 0 {
		t.Fatalf("gave up %v after %d unanswered requests, accepted %d", res.GaveUp, res.Codes[0], res.SamplesAccepted)
	}
}

func TestSendDuration(t *testing.T) {
	_, url := startFake(t, protoV2, func(int) int { return 0 })
	cfg := testConfig(url, protoV2)
	cfg.TotalSamples, cfg.Duration = 0, 300*time.Millisecond
	start := time.Now().Add(-time.Minute).UnixMilli() // 4 rounds until the present
	res, err := send(context.Background(), cfg, start)
	if err != nil {
		t.Fatal(err)
	}
	if !res.ReachedNow || res.LastTS > time.Now().UnixMilli() || res.Rounds != 5 {
		t.Fatalf("reached now %v, last sample %d, %d rounds: want the run to stop at the present after 5 rounds",
			res.ReachedNow, res.LastTS, res.Rounds)
	}
}

func TestRoundGate(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g := newRoundGate(ctx, 2, 2)
	for r := range 3 {
		if !g.begin(ctx, 0, r) {
			t.Fatalf("sender 0 could not begin round %d", r)
		}
	}
	began := make(chan bool)
	go func() { began <- g.begin(ctx, 0, 3) }()
	select {
	case <-began:
		t.Fatal("sender 0 began round 3 while sender 1 had not begun round 1")
	case <-time.After(50 * time.Millisecond):
	}
	g.begin(ctx, 1, 1)
	if !<-began {
		t.Fatal("sender 0 still blocked after sender 1 began round 1")
	}
	go func() { began <- g.begin(ctx, 0, 10) }()
	g.finish(1) // a finished sender holds nobody back
	if !<-began {
		t.Fatal("sender 0 blocked by a finished sender")
	}
	g2 := newRoundGate(ctx, 2, 0)
	go func() { began <- g2.begin(ctx, 0, 1) }()
	cancel()
	if <-began {
		t.Fatal("begin returned true after the context ended")
	}
}

func TestStartTime(t *testing.T) {
	now := time.Date(2026, 11, 25, 13, 37, 12, 0, time.UTC)
	f := func(start string, align time.Duration, total int64, want string, wantErr bool) {
		t.Helper()
		cfg := config{Start: start, Align: align, TotalSamples: total, Series: 100, Interval: 30 * time.Second}
		got, err := cfg.startTime(now)
		if wantErr {
			if err == nil {
				t.Fatalf("--start %q: no error", start)
			}
			return
		}
		if err != nil {
			t.Fatalf("--start %q: %v", start, err)
		}
		if s := time.UnixMilli(got).UTC().Format(time.RFC3339); s != want {
			t.Fatalf("--start %q --align %s: %s, want %s", start, align, s, want)
		}
	}
	f("auto", 0, 100*120, "2026-11-25T12:37:12Z", false) // 120 rounds of 30 s
	f("auto", 2*time.Hour, 100*120, "2026-11-25T12:00:00Z", false)
	f("auto", 0, 0, "2026-11-24T13:37:12Z", false) // --duration: a day back
	f("", 0, 0, "2026-11-24T13:37:12Z", false)
	f("-3h", 2*time.Hour, 0, "2026-11-25T10:00:00Z", false)
	f("2026-11-25T08:00:00Z", 0, 0, "2026-11-25T08:00:00Z", false)
	f("1795586400000", 0, 0, "2026-11-25T06:00:00Z", false)
	f("yesterday", 0, 0, "", true)
	f("-3 hours", 0, 0, "", true)
}

func TestParseFlags(t *testing.T) {
	f := func(wantErr string, args ...string) {
		t.Helper()
		_, err := parseFlags(args)
		if wantErr == "" {
			if err != nil {
				t.Fatalf("parseFlags(%q): %v", args, err)
			}
			return
		}
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("parseFlags(%q) = %v, want an error about %q", args, err, wantErr)
		}
	}
	u := "--url=http://127.0.0.1:9090/api/v1/write"
	f("", u)
	f("", u, "--protocol=2.0", "--total-samples=1000000", "--start=-3h", "--align=2h")
	f("--url", "--protocol=2.0")
	f("--url", "--url=127.0.0.1:9090")
	f("--protocol", u, "--protocol=2")
	f("--senders", u, "--senders=0")
	f("--senders", u, "--series=3", "--senders=4")
	f("--samples-per-request", u, "--samples-per-request=0")
	f("--duration", u, "--duration=0s")
	f("--interval", u, "--interval=0s")
	f("--start", u, "--start=soon")
	f("--pregenerate", u, "--pregenerate")
	f("", u, "--pregenerate", "--total-samples=1000")
	f("unexpected", u, "extra")
}
