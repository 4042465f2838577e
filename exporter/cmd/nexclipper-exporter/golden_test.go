package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ (review the diff)")

// TestGolden runs the built binary on the fixture trees, one run per cgroup
// layout, and diffs the full /metrics against testdata/golden-<layout>.txt.
// Filesystem (statfs of real paths) and time are left out because their
// values change between runs; so are collector durations.
func TestGolden(t *testing.T) {
	for _, tree := range []string{"v1", "v2", "hybrid"} {
		t.Run(tree, func(t *testing.T) {
			args := append(fixtureArgs(tree), "--no-collector.filesystem", "--no-collector.time", "--web.disable-exporter-metrics")
			e := start(t, "http", nil, args...)
			var kept []string
			for _, line := range strings.SplitAfter(e.scrape(t), "\n") {
				if !strings.Contains(line, "nexclipper_scrape_collector_duration_seconds") {
					kept = append(kept, line)
				}
			}
			got := strings.Join(kept, "")
			golden := filepath.Join("testdata", "golden-"+tree+".txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run make golden to create it)", err)
			}
			if got != string(want) {
				t.Errorf("/metrics differs from %s; if the change is intended run `make golden` and review the diff.\n%s", golden, lineDiff(string(want), got))
			}
			if strings.Contains(got, `nexclipper_scrape_collector_success{collector="cgroup"} 0`) {
				t.Errorf("cgroup collector failed on fixture %s:\n%s", tree, e.log)
			}
		})
	}
}

// lineDiff lists lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	count := map[string]int{}
	for _, l := range strings.Split(want, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(got, "\n") {
		count[l]--
	}
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if count[l] > 0 {
			b.WriteString("- " + l + "\n")
			count[l]--
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if count[l] < 0 {
			b.WriteString("+ " + l + "\n")
			count[l]++
		}
	}
	return b.String()
}
