package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nexclipper/nexclipper/downsampler"
	"github.com/nexclipper/nexclipper/downsampler/tier"
	"github.com/nexclipper/nexclipper/downsampler/tier/tiertest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nexclipper-downsampler-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, programName)
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// writeData writes days of raw data ending two days before today (so the
// default 40h raw window has passed for all of it) with hosts hosts.
func writeData(t *testing.T, dir string, days, hosts int) {
	t.Helper()
	end := time.Now().UTC().Truncate(24 * time.Hour).Add(-48 * time.Hour)
	if _, err := tiertest.WriteBlocks(context.Background(), tiertest.Options{
		Dir: dir, Start: end.Add(-time.Duration(days) * 24 * time.Hour), End: end,
		Hosts: hosts, Containers: 12, Seed: 7,
	}); err != nil {
		t.Fatal(err)
	}
}

// windowStats maps each 5m window start to its block's series/samples/chunks.
func windowStats(t *testing.T, path string) map[int64]string {
	t.Helper()
	store, err := tier.OpenStore(tier.StoreOptions{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	out := map[int64]string{}
	for _, b := range store.Blocks(downsampler.ResLevel1) {
		m := b.Meta()
		out[m.MinTime] = fmt.Sprintf("series=%d samples=%d chunks=%d", m.Stats.NumSeries, m.Stats.NumSamples, m.Stats.NumChunks)
	}
	return out
}

func runBinary(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func TestRunPrintsProgressAndSummary(t *testing.T) {
	dir := t.TempDir()
	writeData(t, dir, 3, 1)
	stdout, stderr, err := runBinary(t, "--storage.path", dir)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "3/3 windows") || !strings.Contains(stderr, "[##############################]") {
		t.Errorf("stderr has no complete progress bar:\n%s", stderr)
	}
	for _, want := range []string{"3 raw blocks read", "tier", "built", "5m", "1h"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if n := len(windowStats(t, dir)); n != 3 {
		t.Errorf("%d 5m blocks, want 3", n)
	}
	// A second run finds nothing to do.
	stdout, _, err = runBinary(t, "--storage.path", dir, "--no-progress")
	if err != nil || !strings.Contains(stdout, "storage") {
		t.Fatalf("second run: %v\n%s", err, stdout)
	}
	if fields := strings.Fields(lineOf(stdout, "5m")); len(fields) < 2 || fields[1] != "0" {
		t.Errorf("second run built windows again: %q", lineOf(stdout, "5m"))
	}
}

func lineOf(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix+" ") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func TestBadInput(t *testing.T) {
	f := func(want string, args ...string) {
		t.Helper()
		_, stderr, err := runBinary(t, args...)
		if err == nil || !strings.Contains(stderr, want) {
			t.Errorf("%v: err %v, stderr %q; want a failure saying %q", args, err, stderr, want)
		}
	}
	f("is not a directory", "--storage.path", filepath.Join(t.TempDir(), "missing"))
	f("no raw blocks", "--storage.path", t.TempDir())
	f("--downsample.concurrency", "--storage.path", t.TempDir(), "--downsample.concurrency", "0")
	f("not a valid duration", "--downsample.raw-window", "soon")
}

// Killed with SIGKILL while writing a block, the downsampler leaves no block that
// a reader would load half-written, and the next run completes the same blocks
// as an uninterrupted run.
func TestKillMidBlockLosesNothing(t *testing.T) {
	ref, crashed := t.TempDir(), t.TempDir()
	writeData(t, ref, 4, 4)
	if out, err := exec.Command("cp", "-a", ref+"/.", crashed).CombinedOutput(); err != nil {
		t.Fatalf("copy: %v %s", err, out)
	}
	if _, stderr, err := runBinary(t, "--storage.path", ref, "--no-progress"); err != nil {
		t.Fatalf("reference run: %v\n%s", err, stderr)
	}
	want := windowStats(t, ref)

	cmd := exec.Command(binary, "--storage.path", crashed, "--no-progress")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tierDir := filepath.Join(crashed, "downsampled", "5m")
	var partial string
	deadline := time.Now().Add(time.Minute)
	for partial == "" && time.Now().Before(deadline) {
		entries, _ := os.ReadDir(tierDir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".tmp-for-creation") {
				partial = e.Name()
			}
		}
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if partial == "" {
		t.Fatal("never saw a block being written before the process ended; nothing was killed mid-block")
	}
	// A reader (the receiver with --downsample.disable) loads only complete blocks.
	got := windowStats(t, crashed)
	if len(got) >= len(want) {
		t.Fatalf("killed mid-block, yet %d of %d blocks exist", len(got), len(want))
	}
	for start, s := range got {
		if want[start] != s {
			t.Errorf("window %d visible after the kill: %s, want %s", start, s, want[start])
		}
	}
	if _, stderr, err := runBinary(t, "--storage.path", crashed, "--no-progress"); err != nil {
		t.Fatalf("restart: %v\n%s", err, stderr)
	} else if !strings.Contains(stderr, "removing incomplete tier block") {
		t.Errorf("restart did not report removing the partial block:\n%s", stderr)
	}
	entries, _ := os.ReadDir(tierDir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("leftover %s after restart", e.Name())
		}
	}
	if got := windowStats(t, crashed); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after restart:\n got %v\nwant %v", got, want)
	}
}

// While a receiver downsamples a directory (it holds the tiers' lock), the
// command refuses to run there and says what to do.
func TestRefusesWhileAnotherWriterHoldsTheLock(t *testing.T) {
	dir := t.TempDir()
	writeData(t, dir, 1, 1)
	store, err := tier.OpenStore(tier.StoreOptions{Path: dir, Writer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	_, stderr, err := runBinary(t, "--storage.path", dir, "--no-progress")
	if err == nil || !strings.Contains(stderr, "another process is downsampling") || !strings.Contains(stderr, "--downsample.disable") {
		t.Errorf("err %v, stderr %q; want a refusal naming --downsample.disable", err, stderr)
	}
}
