package e2e

import (
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// dashboardQueries are the kinds of PromQL a dashboard or alert runs:
// rates, sums by label, quantiles and other functions over time, joins.
var dashboardQueries = []string{
	`rate(node_cpu_seconds_total{job="exporter"}[10s])`,
	`sum by (mode) (rate(node_cpu_seconds_total{job="exporter"}[10s]))`,
	`avg without (cpu) (irate(node_cpu_seconds_total{job="exporter"}[10s]))`,
	`1 - avg by (instance) (rate(node_cpu_seconds_total{job="exporter",mode="idle"}[10s]))`,
	`node_memory_MemAvailable_bytes{job="exporter"} / node_memory_MemTotal_bytes{job="exporter"}`,
	`quantile_over_time(0.9, node_load1{job="exporter"}[30s])`,
	`max_over_time(node_procs_running{job="exporter"}[30s])`,
	`avg_over_time(node_memory_MemFree_bytes{job="exporter"}[20s])`,
	`stddev_over_time(node_load1{job="exporter"}[30s])`,
	`increase(node_context_switches_total{job="exporter"}[20s])`,
	`deriv(node_memory_MemFree_bytes{job="exporter"}[30s])`,
	`predict_linear(node_filesystem_free_bytes{job="exporter"}[30s], 3600)`,
	`delta(node_memory_Cached_bytes{job="exporter"}[20s])`,
	`resets(node_cpu_seconds_total{job="exporter"}[30s])`,
	`changes(node_boot_time_seconds{job="exporter"}[30s])`,
	`count_over_time(up{job="exporter"}[30s])`,
	`node_filesystem_avail_bytes{job="exporter"} / on (device, mountpoint) node_filesystem_size_bytes{job="exporter"}`,
	`rate(node_disk_read_bytes_total{job="exporter"}[10s]) * on (device) group_left node_disk_io_now{job="exporter"}`,
	`node_uname_info{job="exporter"} * on (instance) group_left up{job="exporter"}`,
	`sum by (collector) (avg_over_time(nexclipper_scrape_collector_duration_seconds{job="exporter"}[20s]))`,
	`count by (mode) (node_cpu_seconds_total{job="exporter"})`,
	`topk(3, rate(node_network_receive_bytes_total{job="exporter"}[10s]))`,
	`label_replace(up{job="exporter"}, "host", "$1", "instance", "(.*):.*")`,
	`time() - node_boot_time_seconds{job="exporter"}`,
	`max by (quantile) (go_gc_duration_seconds{job="exporter"})`,
	`quantile by (mode) (0.5, rate(node_cpu_seconds_total{job="exporter"}[10s]))`,
	`absent(no_such_metric{job="exporter"})`,
	`scrape_samples_scraped{job="exporter"} - scrape_samples_post_metric_relabeling{job="exporter"}`,
}

// series is one result series of a range query.
type series struct {
	Metric map[string]string `json:"metric"`
	Values [][2]any          `json:"values"`
}

func rangeQuery(t *testing.T, addr, q string, start, end time.Time, step time.Duration) map[string]series {
	t.Helper()
	form := url.Values{
		"query": {q},
		"start": {strconv.FormatInt(start.Unix(), 10)},
		"end":   {strconv.FormatInt(end.Unix(), 10)},
		"step":  {step.String()},
	}
	var result []series
	queryAPI(t, addr, "query_range", form, "matrix", &result)
	out := map[string]series{}
	for _, s := range result {
		out[labelKey(s.Metric)] = s
	}
	return out
}

func labelKey(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		keys = append(keys, k+"="+strconv.Quote(v))
	}
	sort.Strings(keys)
	return "{" + strings.Join(keys, ",") + "}"
}

// sameValue compares two sample values as the API renders them, within
// 1e-9 relative; NaN equals NaN and infinities must match exactly.
func sameValue(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil || math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return false
	}
	return math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y))
}

// compareQueries runs dashboardQueries as range queries on Prometheus and on
// the receiver over the same 40 s window, once the receiver has everything
// of it, and requires the same series with the same values.
func compareQueries(t *testing.T, prom, receiver *process) {
	t.Helper()
	eventually(t, 2*time.Minute, "45 s of remote-written data in the receiver", func() bool {
		got := instantQuery(t, receiver.addr, `count_over_time(up{job="exporter"}[1m])`)
		if len(got) != 1 {
			return false
		}
		n, _ := strconv.ParseFloat(sampleValue(got[0]), 64)
		return n >= 45
	})
	end := time.Now().Add(-5 * time.Second).Truncate(time.Second)
	eventually(t, 30*time.Second, "the receiver to hold samples past the window's end", func() bool {
		got := instantQuery(t, receiver.addr, `timestamp(up{job="exporter"})`)
		if len(got) != 1 {
			return false
		}
		ts, _ := strconv.ParseFloat(sampleValue(got[0]), 64)
		return ts >= float64(end.Unix()+2)
	})
	start := end.Add(-40 * time.Second)
	compared := 0
	for _, q := range dashboardQueries {
		want := rangeQuery(t, prom.addr, q, start, end, 2*time.Second)
		got := rangeQuery(t, receiver.addr, q, start, end, 2*time.Second)
		if len(want) == 0 {
			t.Errorf("%s: Prometheus returned no series; the comparison would prove nothing", q)
			continue
		}
		if d := diffSeries(want, got); d != "" {
			t.Errorf("%s: receiver differs from Prometheus:\n%s", q, d)
			continue
		}
		compared++
	}
	if compared < 20 {
		t.Errorf("only %d queries compared equal, want at least 20", compared)
	}
}

func diffSeries(want, got map[string]series) string {
	var b strings.Builder
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			fmt.Fprintf(&b, "  missing series %s\n", k)
			continue
		}
		if len(w.Values) != len(g.Values) {
			fmt.Fprintf(&b, "  %s: %d points, want %d\n", k, len(g.Values), len(w.Values))
			continue
		}
		for i := range w.Values {
			wt, gt := fmt.Sprint(w.Values[i][0]), fmt.Sprint(g.Values[i][0])
			wv, gv := fmt.Sprint(w.Values[i][1]), fmt.Sprint(g.Values[i][1])
			if wt != gt || !sameValue(wv, gv) {
				fmt.Fprintf(&b, "  %s at %s: %s, want %s at %s\n", k, gt, gv, wv, wt)
				break
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			fmt.Fprintf(&b, "  extra series %s\n", k)
		}
	}
	return b.String()
}
