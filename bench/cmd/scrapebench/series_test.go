package main

import (
	"strings"
	"testing"
	"time"
)

func TestCountSeries(t *testing.T) {
	f := func(body string, want seriesCount) {
		t.Helper()
		if got := countSeries([]byte(body)); got != want {
			t.Fatalf("countSeries(%q) = %+v, want %+v", body, got, want)
		}
	}
	f("", seriesCount{})
	f("# HELP x y\n# TYPE x gauge\n\n", seriesCount{})
	f(`# HELP node_load1 1m load average.
# TYPE node_load1 gauge
node_load1 0.5
node_cpu_seconds_total{cpu="0",mode="idle"} 1
container_memory_working_set_bytes{id="/a"} 3
go_goroutines 8
nexclipper_scrape_collector_success{collector="cpu"} 1
nodes_total 2
`, seriesCount{Total: 6, Node: 2, Container: 1, Self: 3})
	f("node_load1 1\r\nnode_load5 2", seriesCount{Total: 2, Node: 2})
}

func TestParseRSS(t *testing.T) {
	f := func(status string, want rssSample, wantErr string) {
		t.Helper()
		got, err := parseRSS([]byte(status), "/proc/7/status")
		if wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), wantErr) || !strings.Contains(err.Error(), "/proc/7/status") {
				t.Fatalf("parseRSS(%q) error = %v, want it to name the file and contain %q", status, err, wantErr)
			}
			return
		}
		if err != nil || got != want {
			t.Fatalf("parseRSS(%q) = %+v, %v; want %+v", status, got, err, want)
		}
	}
	const k = 1024
	// As on Linux >= 4.5: VmRSS = RssAnon + RssFile + RssShmem.
	f("Name:\tx\nVmHWM:\t   30 kB\nVmRSS:\t   20116 kB\nRssAnon:\t    4680 kB\nRssFile:\t   15436 kB\nRssShmem:\t       0 kB\n",
		rssSample{Total: 20116 * k, Anon: 4680 * k, File: 15436 * k, Split: true}, "")
	// Order does not matter; only the first line of a kind counts.
	f("RssFile:\t2 kB\nRssAnon:\t1 kB\nVmRSS:\t3 kB\nVmRSS:\t99 kB\n",
		rssSample{Total: 3 * k, Anon: 1 * k, File: 2 * k, Split: true}, "")
	// Kernels before 4.5 have no RssAnon/RssFile: VmRSS only, no split.
	f("Name:\tx\nVmRSS:\t   20116 kB\nVmData:\t 1 kB\n",
		rssSample{Total: 20116 * k, Anon: -1, File: -1}, "")
	// Half a split is no split.
	f("VmRSS:\t3 kB\nRssAnon:\t1 kB\n", rssSample{Total: 3 * k, Anon: -1, File: -1}, "")
	f("Name:\tkthreadd\nState:\tS\n", rssSample{}, "no VmRSS line")
	f("RssAnon:\t1 kB\nRssFile:\t2 kB\n", rssSample{}, "no VmRSS line")
	f("VmRSS:\t12 MB\n", rssSample{}, `unexpected VmRSS line "VmRSS:\t12 MB"`)
	f("VmRSS:\tx kB\n", rssSample{}, "unexpected VmRSS line")
	f("VmRSS:\t3 kB\nRssAnon:\t-1 kB\nRssFile:\t2 kB\n", rssSample{}, "unexpected RssAnon line")
	f("VmRSS:\t3 kB\nRssAnon:\t1 kB\nRssFile:\t2\n", rssSample{}, "unexpected RssFile line")
}

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	f := func(ds []time.Duration, p float64, want time.Duration) {
		t.Helper()
		if got := percentile(ds, p); got != want {
			t.Fatalf("percentile(%v, %v) = %v, want %v", ds, p, got, want)
		}
	}
	f(nil, 0.5, 0)
	f(ms(7), 0.5, 7*time.Millisecond)
	f(ms(4, 1, 3, 2), 0.5, 2500*time.Microsecond) // mean of the middle two
	f(ms(5, 1, 3), 0.5, 3*time.Millisecond)
	f(ms(5, 1, 3), 1, 5*time.Millisecond)
	f(ms(10, 20), 0.95, 19500*time.Microsecond)
}
