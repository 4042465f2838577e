package cgroup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nexclipper/nexclipper/exporter/collector"
)

// maxSeriesPerContainer is the worst case: every family (v2 or hybrid with
// CPU quota, memory limit and PSI files).
const maxSeriesPerContainer = 17

// updater adapts a Collector to prometheus.Collector for testutil, keeping
// the error of the last Update.
type updater struct {
	c   *Collector
	err error
}

func newUpdater(t *testing.T, root string) *updater {
	t.Helper()
	c, err := NewCollector(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	return &updater{c: c}
}

func (u *updater) Describe(chan<- *prometheus.Desc) {}

func (u *updater) Collect(ch chan<- prometheus.Metric) {
	u.err = u.c.Update(context.Background(), ch)
}

// seriesByContainer runs one Update and counts series per container_id.
// It also returns the set of "family container_id" pairs.
func seriesByContainer(t *testing.T, root string) (map[string]int, map[string]bool, error) {
	t.Helper()
	u := newUpdater(t, root)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(u)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	counts, pairs := map[string]int{}, map[string]bool{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var id string
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "container_id" {
					id = lp.GetValue()
				}
			}
			counts[id]++
			pairs[mf.GetName()+" "+id] = true
		}
	}
	return counts, pairs, u.err
}

func TestCollectorFixtures(t *testing.T) {
	for _, tc := range []struct{ dir, want string }{
		{"testdata/v1", v1Expected},
		{"testdata/v2", v2Expected},
		{"testdata/hybrid", hybridExpected},
	} {
		t.Run(filepath.Base(tc.dir), func(t *testing.T) {
			u := newUpdater(t, tc.dir)
			if err := testutil.CollectAndCompare(u, strings.NewReader(tc.want)); err != nil {
				t.Error(err)
			}
			if u.err != nil {
				t.Errorf("Update: %v", u.err)
			}
		})
	}
}

func TestMalformedFiles(t *testing.T) {
	u := newUpdater(t, "testdata/v2-malformed")
	if err := testutil.CollectAndCompare(u, strings.NewReader(malformedExpected)); err != nil {
		t.Error(err)
	}
	if u.err == nil {
		t.Fatal("Update returned nil, want an error naming the malformed files")
	}
	msg := u.err.Error()
	for _, want := range []string{
		"testdata/v2-malformed/system.slice/docker-" + badMemStat + ".scope/memory.stat",
		`"anon 41943x04"`,
		"testdata/v2-malformed/system.slice/docker-" + badCPUStat + ".scope/cpu.stat",
		`"system_u": malformed`,
		"testdata/v2-malformed/system.slice/docker-" + badMemCur + ".scope/memory.current: empty file",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if errors.Is(u.err, collector.ErrNoData) {
		t.Errorf("error %v must not be ErrNoData", u.err)
	}
}

func TestSeriesPerContainer(t *testing.T) {
	want := map[string]map[string]int{
		"testdata/v1":           {v1Docker: 10, v1Burstable: 14, v1BestEffort: 10},
		"testdata/v2":           {v2Containerd: 17, v2CRIO: 10},
		"testdata/hybrid":       {hyDocker: 17, hyContainerd: 14},
		"testdata/v2-malformed": {badMemStat: 7, badCPUStat: 10, badMemCur: 11},
	}
	for dir, wantCounts := range want {
		counts, _, _ := seriesByContainer(t, dir)
		if !maps.Equal(counts, wantCounts) {
			t.Errorf("%s: series per container %v, want %v", dir, counts, wantCounts)
		}
		for id, n := range counts {
			if n > maxSeriesPerContainer {
				t.Errorf("%s: container %s has %d series, more than %d", dir, id, n, maxSeriesPerContainer)
			}
		}
	}
}

func TestDetectMode(t *testing.T) {
	f := func(root, want string) {
		t.Helper()
		if got := DetectMode(root); got != want {
			t.Errorf("DetectMode(%s) = %q, want %q", root, got, want)
		}
	}
	f("testdata/v1", "v1")
	f("testdata/v2", "v2")
	f("testdata/v2-malformed", "v2")
	f("testdata/hybrid", "hybrid")
	f(t.TempDir(), "")
	f(filepath.Join(t.TempDir(), "absent"), "")
	f(combinedV1(t), "v1")

	// Only a co-mounted cpu,cpuacct dir, no links.
	dir := t.TempDir()
	mkdir(t, filepath.Join(dir, "cpu,cpuacct"))
	f(dir, "v1")
	// unified/ without cgroup.controllers is not hybrid.
	mkdir(t, filepath.Join(dir, "unified"))
	f(dir, "v1")
}

// combinedV1 builds the common distro layout from the v1 fixture: one
// cpu,cpuacct dir with cpu and cpuacct symlinks to it, and memory and blkio
// as symlinks to the fixture's (top-level links must be followed).
func combinedV1(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cc := filepath.Join(dir, "cpu,cpuacct")
	copyTree(t, "testdata/v1/cpu", cc)
	copyTree(t, "testdata/v1/cpuacct", cc)
	for name, target := range map[string]string{"cpu": "cpu,cpuacct", "cpuacct": "cpu,cpuacct",
		"memory": abs(t, "testdata/v1/memory"), "blkio": abs(t, "testdata/v1/blkio")} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCombinedCPUController(t *testing.T) {
	u := newUpdater(t, combinedV1(t))
	if err := testutil.CollectAndCompare(u, strings.NewReader(v1Expected)); err != nil {
		t.Error(err)
	}
	if u.err != nil {
		t.Errorf("Update: %v", u.err)
	}
}

func TestMissingFilesSkipOnlyTheirMetrics(t *testing.T) {
	root := t.TempDir()
	copyTree(t, "testdata/v1", root)
	k1 := "kubepods/burstable/pod6a1f0c2e-8d4b-4f7a-9c3e-2b5d7e9f1a04/" + v1Burstable
	k2 := "kubepods/besteffort/podb2c4e6f8-1a3c-4e5f-8a7b-9c0d1e2f3a4b/" + v1BestEffort
	remove(t, root, "cpuacct/docker/"+v1Docker+"/cpuacct.usage")
	remove(t, root, "memory/"+k1+"/memory.oom_control")
	remove(t, root, "cpu/"+k1+"/cpu.stat")
	remove(t, root, "blkio/"+k2) // the container is not in this controller at all

	counts, pairs, err := seriesByContainer(t, root)
	if err != nil {
		t.Fatalf("Update: %v, want nil for missing files", err)
	}
	if want := map[string]int{v1Docker: 9, v1Burstable: 10, v1BestEffort: 6}; !maps.Equal(counts, want) {
		t.Errorf("series per container %v, want %v", counts, want)
	}
	for _, gone := range []string{
		"container_cpu_usage_seconds_total " + v1Docker,
		"container_oom_events_total " + v1Burstable,
		"container_cpu_cfs_periods_total " + v1Burstable,
		"container_fs_reads_total " + v1BestEffort,
	} {
		if pairs[gone] {
			t.Errorf("%s present, its file was removed", gone)
		}
	}
	for _, kept := range []string{
		"container_cpu_usage_seconds_total " + v1Burstable,
		"container_memory_usage_bytes " + v1Docker,
		"container_memory_working_set_bytes " + v1BestEffort,
	} {
		if !pairs[kept] {
			t.Errorf("%s missing", kept)
		}
	}
}

func TestNestedSameIDTakesShallowest(t *testing.T) {
	root := t.TempDir()
	id := v2Containerd
	writeFile(t, filepath.Join(root, "cgroup.controllers"), "cpu io memory pids\n")
	outer := filepath.Join(root, "system.slice", "docker-"+id+".scope")
	writeFile(t, filepath.Join(outer, "memory.current"), "100\n")
	writeFile(t, filepath.Join(outer, "payload", id, "memory.current"), "999\n")
	writeFile(t, filepath.Join(root, "a", "b", "c", "d", "docker-"+id+".scope", "memory.current"), "555\n")

	want := `
# HELP container_memory_usage_bytes Current memory usage in bytes, including all memory regardless of when it was accessed.
# TYPE container_memory_usage_bytes gauge
container_memory_usage_bytes{container_id="` + id + `",pod_uid=""} 100
`
	u := newUpdater(t, root)
	if err := testutil.CollectAndCompare(u, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	if u.err != nil {
		t.Errorf("Update: %v", u.err)
	}
}

func TestContainerVanishesBeforeRead(t *testing.T) {
	root := t.TempDir()
	copyTree(t, "testdata/v2", root)
	src := v2Source{root: root}
	containers, walkErrs, err := src.discover(context.Background())
	if err != nil || len(walkErrs) > 0 || len(containers) != 2 {
		t.Fatalf("discover: %d containers, %v, %v", len(containers), walkErrs, err)
	}
	for _, ct := range containers {
		if err := os.RemoveAll(ct.dir(root)); err != nil {
			t.Fatal(err)
		}
		var r reading
		src.read(&r, ct)
		if len(r.errs) > 0 || len(r.samples) > 0 {
			t.Errorf("read of removed %s: %d samples, errors %v", ct.id.ContainerID, len(r.samples), r.errs)
		}
	}
}

// TestChurn removes and recreates container cgroups while Update walks and
// reads them: whatever vanishes mid-walk must not be an error.
func TestChurn(t *testing.T) {
	root := t.TempDir()
	copyTree(t, "testdata/v2", root)
	stage := t.TempDir()
	template := filepath.Join(root, "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f3e2d1c_4b5a_4978_8a6b_5c4d3e2f1a09.slice/cri-containerd-"+v2Containerd+".scope")
	parent := filepath.Join(root, "system.slice")

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			name := fmt.Sprintf("docker-%064x.scope", i%8)
			dst := filepath.Join(parent, name)
			if _, err := os.Stat(dst); err == nil {
				os.RemoveAll(dst)
				continue
			}
			// Build aside and rename in, as the kernel makes a cgroup's
			// files appear with the directory.
			tmp := filepath.Join(stage, name)
			copyTree(t, template, tmp)
			if err := os.Rename(tmp, dst); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	u := newUpdater(t, root)
	deadline := time.Now().Add(300 * time.Millisecond)
	for n := 0; n < 20 || time.Now().Before(deadline); n++ {
		ch := make(chan prometheus.Metric, 1024)
		go func() {
			for range ch {
			}
		}()
		err := u.c.Update(context.Background(), ch)
		close(ch)
		if err != nil {
			t.Errorf("Update during churn: %v", err)
			break
		}
	}
	cancel()
	wg.Wait()
}

func TestContextCanceled(t *testing.T) {
	u := newUpdater(t, "testdata/v1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ch := make(chan prometheus.Metric, 1024)
	if err := u.c.Update(ctx, ch); !errors.Is(err, context.Canceled) {
		t.Errorf("Update with canceled ctx = %v, want context.Canceled", err)
	}
}

func TestNoHierarchy(t *testing.T) {
	u := newUpdater(t, t.TempDir())
	ch := make(chan prometheus.Metric, 16)
	if err := u.c.Update(context.Background(), ch); !errors.Is(err, collector.ErrNoData) {
		t.Errorf("Update on empty dir = %v, want ErrNoData", err)
	}
	if len(ch) != 0 {
		t.Errorf("%d metrics sent, want none", len(ch))
	}
}

func TestNewCollectorNeedsRoot(t *testing.T) {
	if _, err := NewCollector(Options{}); err == nil {
		t.Error("NewCollector with empty Root: no error")
	}
}

func TestJoinErrorsIsBounded(t *testing.T) {
	var errs []error
	for i := 0; i < maxErrors+3; i++ {
		errs = append(errs, fmt.Errorf("e%d", i))
	}
	msg := joinErrors(errs).Error()
	if !strings.Contains(msg, "e0") || strings.Contains(msg, fmt.Sprintf("e%d", maxErrors)) ||
		!strings.Contains(msg, "and 3 more errors") {
		t.Errorf("joinErrors = %q", msg)
	}
	if joinErrors(nil) != nil {
		t.Error("joinErrors(nil) != nil")
	}
}

// TestHost runs on this machine's cgroupfs: whatever is there, no error
// (this development host is v1 hybrid with no containers).
func TestHost(t *testing.T) {
	const root = "/sys/fs/cgroup"
	u := newUpdater(t, root)
	n := testutil.CollectAndCount(u)
	if u.err != nil && !errors.Is(u.err, collector.ErrNoData) {
		t.Errorf("Update(%s) = %v, want nil or ErrNoData", root, u.err)
	}
	t.Logf("%s: mode %q, %d series", root, DetectMode(root), n)
}

func BenchmarkUpdate(b *testing.B) {
	for _, dir := range []string{"testdata/v1", "testdata/v2", "testdata/hybrid"} {
		b.Run(filepath.Base(dir), func(b *testing.B) {
			c, err := NewCollector(Options{Root: dir})
			if err != nil {
				b.Fatal(err)
			}
			ch := make(chan prometheus.Metric, 1024)
			for b.Loop() {
				if err := c.Update(context.Background(), ch); err != nil {
					b.Fatal(err)
				}
				for len(ch) > 0 {
					<-ch
				}
			}
		})
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	mkdir(t, filepath.Dir(path))
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, root, rel string) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(root, rel)); err != nil {
		t.Fatal(err)
	}
}

func abs(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
