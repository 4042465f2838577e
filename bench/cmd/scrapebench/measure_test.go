package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
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
		if len(r.Durations) != 5 || r.RSSBytes <= 0 || r.TextBytes != len(exposition) ||
			r.GzipBytes != len("tiny") || !r.GzipEncoded {
			t.Fatalf("%s: unexpected result %+v", r.Target.Name, r)
		}
		if want := (seriesCount{Total: 3, Node: 1, Container: 1, Self: 1}); r.Series != want {
			t.Fatalf("%s: series %+v, want %+v", r.Target.Name, r.Series, want)
		}
	}
	if results[0].BinaryBytes <= 0 || results[1].BinaryBytes != -1 {
		t.Fatalf("binary sizes %d, %d", results[0].BinaryBytes, results[1].BinaryBytes)
	}

	md := renderMarkdown(reportHeader{Command: "x", Warmup: 2, Scrapes: 5}, results)
	for _, want := range []string{"| ours |", "| anchor |", "RSS after 7 scrapes", "1 / 1 / 1", "Ratios ours (ours) / anchor (anchor): RSS 1.00×"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
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
