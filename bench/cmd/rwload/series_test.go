package main

import (
	"github.com/prometheus/common/model"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
)

func TestBuildSeriesShapes(t *testing.T) {
	const n = 20_000
	all := buildSeries(n, 1)
	if len(all) != n {
		t.Fatalf("buildSeries(%d) made %d series", n, len(all))
	}
	// Every family's series carry the labels its exporter gives them.
	f := func(prefix string, want ...string) {
		t.Helper()
		found := 0
		for _, s := range all {
			if !strings.HasPrefix(s.labels.Get(model.MetricNameLabel), prefix) {
				continue
			}
			found++
			for _, name := range want {
				if s.labels.Get(name) == "" {
					t.Fatalf("%s has no %q label", s.labels, name)
				}
			}
		}
		if found == 0 {
			t.Fatalf("no %s* series among %d", prefix, n)
		}
	}
	f("node_cpu_seconds_total", "cpu", "mode", "instance", "job")
	f("node_network_", "device", "instance", "job")
	f("node_disk_", "device", "instance", "job")
	f("node_filesystem_", "device", "fstype", "mountpoint", "instance", "job")
	f("node_load1", "instance", "job")
	f("container_", "container_id", "pod_uid", "namespace", "pod", "container", "instance", "job")
	f("container_network_", "interface")

	seen := map[string]bool{}
	hosts := map[string]bool{}
	node, ctr := 0, 0
	for _, s := range all {
		key := s.labels.String()
		if seen[key] {
			t.Fatalf("series %s generated twice", key)
		}
		seen[key] = true
		hosts[strings.Split(s.labels.Get("instance"), ":")[0]] = true
		if !labelsSorted(s.labels) {
			t.Fatalf("labels of %s are not sorted by name", key)
		}
		if len(s.rw1) != s.labels.Len() {
			t.Fatalf("%s: %d remote-write 1.0 labels for %d labels", key, len(s.rw1), s.labels.Len())
		}
		switch name := s.labels.Get(model.MetricNameLabel); {
		case strings.HasPrefix(name, "node_"):
			node++
		case strings.HasPrefix(name, "container_"):
			ctr++
		default:
			t.Fatalf("unexpected metric %s", name)
		}
	}
	// Roughly node_exporter's ~130-200 and 25 containers × 32 per host.
	if perHost := n / len(hosts); perHost < 400 || perHost > 2500 {
		t.Errorf("%d series over %d hosts = %d per host, want a few hundred to a couple of thousand", n, len(hosts), perHost)
	}
	if node == 0 || ctr < node {
		t.Errorf("node %d, container %d series: want both, container series the majority as on a Kubernetes node", node, ctr)
	}
}

func labelsSorted(ls labels.Labels) bool {
	prev := ""
	ok := true
	ls.Range(func(l labels.Label) {
		if l.Name <= prev && prev != "" {
			ok = false
		}
		prev = l.Name
	})
	return ok
}

func TestBuildSeriesDeterministic(t *testing.T) {
	const n, rounds = 3000, 50
	values := func(seed uint64) (string, [][]float64) {
		all := buildSeries(n, seed)
		var names strings.Builder
		vals := make([][]float64, len(all))
		for i, s := range all {
			names.WriteString(s.labels.String())
			for r := range rounds {
				vals[i] = append(vals[i], s.next(int64(r)*15_000, 15))
			}
		}
		return names.String(), vals
	}
	l1, v1 := values(7)
	l2, v2 := values(7)
	if l1 != l2 {
		t.Fatal("same seed, different label sets")
	}
	for i := range v1 {
		for r := range v1[i] {
			if v1[i][r] != v2[i][r] {
				t.Fatalf("same seed, series %d round %d: %v then %v", i, r, v1[i][r], v2[i][r])
			}
		}
	}
	l3, v3 := values(8)
	if l3 == l1 {
		t.Error("seeds 7 and 8 made the same label sets")
	}
	same := 0
	for i := range v1 {
		if v1[i][rounds-1] == v3[i][rounds-1] {
			same++
		}
	}
	// Constants (sizes, limits) and the clock may coincide; most must not.
	if same > n/3 {
		t.Errorf("seeds 7 and 8 agree on %d of %d final values", same, n)
	}
}

func TestSeriesValues(t *testing.T) {
	all := buildSeries(5000, 1)
	const rounds = 40
	moved := map[valueKind]int{}
	count := map[valueKind]int{}
	for _, s := range all {
		count[s.fam.kind]++
		first := s.next(0, 15)
		prev := first
		for r := 1; r < rounds; r++ {
			ts := int64(r) * 15_000
			v := s.next(ts, 15)
			switch s.fam.kind {
			case counter, rareCounter:
				if v < prev {
					t.Fatalf("counter %s went down from %v to %v", s.labels, prev, v)
				}
			case gauge:
				if v < 0 {
					t.Fatalf("gauge %s went negative: %v", s.labels, v)
				}
			case constant:
				if v != first {
					t.Fatalf("constant %s changed from %v to %v", s.labels, first, v)
				}
			case clock:
				if v != float64(ts)/1000 {
					t.Fatalf("clock %s = %v at %d ms", s.labels, v, ts)
				}
			}
			prev = v
		}
		if prev != first {
			moved[s.fam.kind]++
		}
	}
	// Honest compression figures need values that move as real ones do.
	f := func(kind valueKind, name string, minShare float64) {
		t.Helper()
		if count[kind] == 0 {
			t.Fatalf("no %s series", name)
		}
		if share := float64(moved[kind]) / float64(count[kind]); share < minShare {
			t.Errorf("%s: %.0f%% of %d series moved in %d rounds, want >= %.0f%%", name, 100*share, count[kind], rounds, 100*minShare)
		}
	}
	f(counter, "counters", 0.95)
	f(gauge, "gauges", 0.5)
	f(clock, "clocks", 1)
	if moved[constant] != 0 {
		t.Errorf("%d constants moved", moved[constant])
	}
}

func TestPlanShards(t *testing.T) {
	all := buildSeries(10_000, 1)
	shards := plan(all, 4)
	total := 0
	where := map[string]int{}
	for _, sh := range shards {
		total += len(sh.series)
		if len(sh.series) < 2000 || len(sh.series) > 3000 {
			t.Errorf("shard %d holds %d of 10000 series, want about a quarter", sh.id, len(sh.series))
		}
		for _, s := range sh.series {
			where[s.labels.String()] = sh.id
		}
	}
	if total != len(all) || len(where) != len(all) {
		t.Fatalf("shards hold %d series (%d distinct), want each of %d once", total, len(where), len(all))
	}
	// The same labels land on the same shard in every run.
	for _, sh := range plan(buildSeries(10_000, 1), 4) {
		for _, s := range sh.series {
			if where[s.labels.String()] != sh.id {
				t.Fatalf("%s moved from shard %d to %d", s.labels, where[s.labels.String()], sh.id)
			}
		}
	}
}
