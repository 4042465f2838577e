package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// TestHost runs the binary with its defaults on this machine: every default
// collector must succeed or report ErrNoData (success 1 either way).
func TestHost(t *testing.T) {
	e := start(t, "http", nil)
	families := parseExposition(t, e.scrape(t))
	success := families["nexclipper_scrape_collector_success"]
	if success == nil {
		t.Fatal("no nexclipper_scrape_collector_success")
	}
	seen := map[string]bool{}
	for _, m := range success.GetMetric() {
		name := m.GetLabel()[0].GetValue()
		seen[name] = true
		if m.GetGauge().GetValue() != 1 {
			t.Errorf("collector %s failed on this host", name)
		}
	}
	for _, s := range collectorTable(&config{enabled: map[string]*bool{}}) {
		if s.DefaultEnabled && !seen[s.Name] {
			t.Errorf("default collector %s did not run", s.Name)
		}
	}
	if strings.Contains(e.log.String(), "collector failed") {
		t.Errorf("log reports a failure:\n%s", e.log)
	}
	for _, name := range []string{"node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_load1", "node_filesystem_avail_bytes", "node_network_receive_bytes_total", "node_disk_io_time_seconds_total", "node_boot_time_seconds", "node_uname_info", "process_resident_memory_bytes"} {
		if families[name] == nil {
			t.Errorf("host output lacks %s", name)
		}
	}
}

// TestPromtoolCheckMetrics runs `promtool check metrics` on the real host's
// output and on the fixture output (which has container series): findings are
// allowed only on names inherited verbatim from node_exporter or cAdvisor,
// as docs/metrics.md lists them.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not found: `make deps` installs it (Debian package prometheus)")
	}
	catalogue := readCatalogue(t)
	outputs := map[string]string{"host": start(t, "http", nil).scrape(t)}
	for _, tree := range []string{"v1", "v2"} {
		outputs["fixture "+tree] = start(t, "http", nil, fixtureArgs(tree)...).scrape(t)
	}
	findings := 0
	for name, text := range outputs {
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(text)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		// promtool exits 3 when it has findings and 1 when it could not lint.
		if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 3) {
			t.Fatalf("%s: promtool check metrics: %v\n%s", name, err, out.String())
		}
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			// Each finding is "<metric> <problem>".
			metric, problem, ok := strings.Cut(line, " ")
			if !ok {
				continue
			}
			findings++
			entry, documented := catalogue[metric]
			switch {
			case !documented && !isStandardSelfMetric(metric):
				t.Errorf("%s: promtool finding on undocumented %s: %s", name, metric, problem)
			case documented && entry.origin == "ours":
				t.Errorf("%s: promtool finding on our own name %s: %s", name, metric, problem)
			case documented && !entry.lintListed:
				t.Errorf("%s: finding on inherited %s is not listed in docs/metrics.md's lint section: %s", name, metric, problem)
			}
		}
	}
	// The inherited camelCase meminfo names always draw findings: none
	// parsed means the output format changed and this test saw nothing.
	if findings == 0 {
		t.Error("parsed no promtool findings at all; has promtool's output format changed?")
	}
}
