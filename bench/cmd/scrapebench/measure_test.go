package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const exposition = `# HELP node_load1 1m load average.
# TYPE node_load1 gauge
node_load1 0.5
container_cpu_usage_seconds_total{id="/a"} 3
go_goroutines 8
`

// newExporter serves a fixed exposition, gzip-compressed when asked, and
// counts the plain scrapes it answered.
func newExporter(t *testing.T, status int, plain *atomic.Int64) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != acceptText {
			http.Error(w, "bad Accept "+r.Header.Get("Accept"), http.StatusNotAcceptable)
			return
		}
		if r.Header.Get("Accept-Encoding") == "gzip" {
			// Not real gzip, only marked as such: the harness must count the
			// bytes on the wire, never decode them.
			w.Header().Set("Content-Encoding", "gzip")
			w.WriteHeader(status)
			io.WriteString(w, "tiny")
			return
		}
		w.WriteHeader(status)
		if plain != nil {
			plain.Add(1)
		}
		io.WriteString(w, exposition)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestMeasure(t *testing.T) {
	var na, nb atomic.Int64
	a, b := newExporter(t, http.StatusOK, &na), newExporter(t, http.StatusOK, &nb)
	cfg := config{
		Targets: []target{
			{Name: "ours", URL: a.URL + "/metrics", PID: os.Getpid(), Binary: os.Args[0]},
			{Name: "anchor", URL: b.URL + "/metrics", PID: os.Getpid()},
		},
		Warmup: 2, Scrapes: 5, Timeout: 5 * time.Second,
	}
	results, err := measure(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if na.Load() != 7 || nb.Load() != 7 {
		t.Fatalf("plain scrapes = %d, %d; want 7 each", na.Load(), nb.Load())
	}
	for _, r := range results {
		if len(r.Durations) != 5 || r.RSS.Total <= 0 || r.TextBytes != len(exposition) ||
			r.GzipBytes != len("tiny") || !r.GzipEncoded {
			t.Fatalf("%s: unexpected result %+v", r.Target.Name, r)
		}
		// The test binary runs on Linux >= 4.5, which reports the split.
		if !r.RSS.Split || r.RSS.Anon <= 0 || r.RSS.File <= 0 || r.RSS.Anon+r.RSS.File > r.RSS.Total {
			t.Fatalf("%s: unexpected RSS %+v", r.Target.Name, r.RSS)
		}
		if want := (seriesCount{Total: 3, Node: 1, Container: 1, Self: 1}); r.Series != want {
			t.Fatalf("%s: series %+v, want %+v", r.Target.Name, r.Series, want)
		}
	}
	if results[0].BinaryBytes <= 0 || results[1].BinaryBytes != -1 {
		t.Fatalf("binary sizes %d, %d", results[0].BinaryBytes, results[1].BinaryBytes)
	}

	md := renderMarkdown(reportHeader{Command: "x", Warmup: 2, Scrapes: 5}, results)
	for _, want := range []string{"| ours |", "| anchor |", "RSS after 7 scrapes (anon + file)", "1 / 1 / 1",
		"Ratios ours (ours) / anchor (anchor): RSS 1.00×, anonymous RSS "} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	// Both targets are this process, read one after the other: the heap may
	// move a little in between, so the anonymous ratio is near, not at, 1.
	if !regexp.MustCompile(`anonymous RSS (0\.9\d|1\.\d\d)×, scrape p50 `).MatchString(md) {
		t.Errorf("report lacks an anonymous RSS ratio near 1:\n%s", md)
	}
}

func TestRenderRSS(t *testing.T) {
	const mib = 1 << 20
	results := []result{
		{Target: target{Name: "ours"}, BinaryBytes: -1,
			RSS: rssSample{Total: 15_700_000, Anon: 4_800_000, File: 10_800_000, Split: true}},
		{Target: target{Name: "anchor"}, BinaryBytes: -1,
			RSS: rssSample{Total: 20 * mib, Anon: 8 * mib, File: 12 * mib, Split: true}},
	}
	check := func(want ...string) {
		t.Helper()
		md := renderMarkdown(reportHeader{Command: "x", Warmup: 1, Scrapes: 2}, results)
		for _, w := range want {
			if !strings.Contains(md, w) {
				t.Errorf("report lacks %q:\n%s", w, md)
			}
		}
	}
	check("| RSS after 3 scrapes (anon + file) |", "| ours | — | 15.7 MB (4.8 + 10.8) |",
		"| anchor | — | 21.0 MB (8.4 + 12.6) |", "RSS 0.75×, anonymous RSS 0.57×, scrape p50 n/a.",
		"file-backed RSS tracks binary size and anonymous RSS is the memory the exporter's work costs")

	// A kernel before 4.5: VmRSS only, the split and its ratio are n/a.
	results[1].RSS = rssSample{Total: 20 * mib, Anon: -1, File: -1}
	check("| ours | — | 15.7 MB (4.8 + 10.8) |", "| anchor | — | 21.0 MB (n/a) |",
		"RSS 0.75×, anonymous RSS n/a, scrape p50 n/a.")
}

func TestMeasureErrorNamesTarget(t *testing.T) {
	ok, bad := newExporter(t, http.StatusOK, nil), newExporter(t, http.StatusInternalServerError, nil)
	cfg := config{
		Targets: []target{
			{Name: "good", URL: ok.URL + "/metrics", PID: os.Getpid()},
			{Name: "broken", URL: bad.URL + "/metrics", PID: os.Getpid()},
		},
		Warmup: 1, Scrapes: 1, Timeout: 5 * time.Second,
	}
	_, err := measure(cfg, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "target broken") || !strings.Contains(err.Error(), "500") {
		t.Fatalf("error = %v, want it to name target broken and status 500", err)
	}

	cfg.Targets[1] = target{Name: "gone", URL: ok.URL, PID: 1 << 30}
	_, err = measure(cfg, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "target gone") {
		t.Fatalf("error = %v, want it to name target gone", err)
	}
}
