package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// copyTree copies the regular files of src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestHungReadDoesNotHangScrape replaces /proc/loadavg of a fixture tree by
// a FIFO nobody writes to: opening it blocks forever, as a read of a dead NFS
// mount or a stuck kernel file does. The scrape must still answer within
// the collector timeout, with loadavg reported as failed and every other
// collector unaffected, and the next scrape must not wait again.
func TestHungReadDoesNotHangScrape(t *testing.T) {
	proc := filepath.Join(t.TempDir(), "proc")
	copyTree(t, procFixture, proc)
	loadavg := filepath.Join(proc, "loadavg")
	if err := os.Remove(loadavg); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(loadavg, 0o644); err != nil {
		t.Fatal(err)
	}
	// Unblock the exporter's open at the end so it can exit cleanly.
	t.Cleanup(func() {
		if f, err := os.OpenFile(loadavg, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	args := []string{
		"--path.procfs=" + proc, "--path.sysfs=" + sysFixture, "--path.rootfs=" + rootfsFixture,
		"--path.cgroupfs=" + cgroupFixture + "v2", "--collector.timeout=500ms",
	}
	e := start(t, "http", nil, args...)
	for scrape := 1; scrape <= 2; scrape++ {
		begin := time.Now()
		families := parseExposition(t, e.scrape(t))
		took := time.Since(begin)
		// Not a speed assertion: a scrape that waited on the FIFO would
		// never return at all; 10 s is Prometheus's default scrape timeout.
		if took > 10*time.Second {
			t.Fatalf("scrape %d took %s", scrape, took)
		}
		for _, m := range families["nexclipper_scrape_collector_success"].GetMetric() {
			name, ok := m.GetLabel()[0].GetValue(), m.GetGauge().GetValue() == 1
			if name == "loadavg" && ok {
				t.Errorf("scrape %d: loadavg reported success while its read hangs", scrape)
			}
			if name != "loadavg" && !ok {
				t.Errorf("scrape %d: collector %s failed alongside the hung one", scrape, name)
			}
		}
		if families["node_load1"] != nil {
			t.Errorf("scrape %d: node_load1 present although its file never answered", scrape)
		}
		for _, name := range []string{"node_cpu_seconds_total", "container_cpu_usage_seconds_total", "node_memory_MemTotal_bytes"} {
			if families[name] == nil {
				t.Errorf("scrape %d: %s missing", scrape, name)
			}
		}
	}
	log := e.log.String()
	if !strings.Contains(log, "timed out after 500ms") || !strings.Contains(log, "an earlier update is still running") {
		t.Errorf("log does not show the timeout and then the skip:\n%s", log)
	}
}
