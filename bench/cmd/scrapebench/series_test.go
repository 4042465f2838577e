package main

import (
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

func TestParseVmRSS(t *testing.T) {
	f := func(status string, want int64, wantErr bool) {
		t.Helper()
		got, err := parseVmRSS([]byte(status), "status")
		if (err != nil) != wantErr || got != want {
			t.Fatalf("parseVmRSS(%q) = %d, %v; want %d, error %v", status, got, err, want, wantErr)
		}
	}
	f("Name:\tx\nVmHWM:\t   30 kB\nVmRSS:\t   20116 kB\nRssAnon:\t1 kB\n", 20116*1024, false)
	f("Name:\tkthreadd\nState:\tS\n", 0, true)
	f("VmRSS:\t12 MB\n", 0, true)
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
