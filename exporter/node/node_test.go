package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nexclipper/nexclipper/exporter/collector"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// fixtureOptions points every path at testdata with the default filters.
func fixtureOptions() *Options {
	return &Options{
		ProcPath:             "testdata/proc",
		SysPath:              "testdata/sys",
		RootPath:             "testdata/rootfs",
		DiskDeviceExclude:    regexp.MustCompile(DefaultDiskDeviceExclude),
		FSMountPointsExclude: regexp.MustCompile(DefaultFSMountPointsExclude),
		FSTypesExclude:       regexp.MustCompile(DefaultFSTypesExclude),
		FSMountTimeout:       time.Second,
		NetDeviceExclude:     regexp.MustCompile(DefaultNetDeviceExclude),
	}
}

// build returns the named collector from Specs.
func build(t *testing.T, opts *Options, name string) collector.Collector {
	t.Helper()
	spec, ok := Specs(opts).Lookup(name)
	if !ok {
		t.Fatalf("no collector %q", name)
	}
	c, err := spec.New()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// collect runs Update and returns its samples keyed as `name{l="v",...}`.
func collect(t *testing.T, c collector.Collector) (map[string]float64, error) {
	t.Helper()
	ch := make(chan prometheus.Metric)
	errc := make(chan error, 1)
	go func() {
		errc <- c.Update(context.Background(), ch)
		close(ch)
	}()
	out := map[string]float64{}
	for m := range ch {
		var pb dto.Metric
		if err := m.Write(&pb); err != nil {
			t.Fatal(err)
		}
		var labels []string
		for _, l := range pb.GetLabel() {
			labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
		}
		sort.Strings(labels)
		name := regexp.MustCompile(`fqName: "([^"]+)"`).FindStringSubmatch(m.Desc().String())[1]
		key := name
		if len(labels) > 0 {
			key += "{" + strings.Join(labels, ",") + "}"
		}
		switch {
		case pb.Gauge != nil:
			out[key] = pb.GetGauge().GetValue()
		case pb.Counter != nil:
			out[key] = pb.GetCounter().GetValue()
		default:
			out[key] = pb.GetUntyped().GetValue()
		}
	}
	return out, <-errc
}

// expect checks every wanted sample and, when exact, that nothing else came.
func expect(t *testing.T, got map[string]float64, want map[string]float64, exact bool) {
	t.Helper()
	for k, v := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("missing %s", k)
			continue
		}
		if d := g - v; d > 1e-9*max(1, v) || d < -1e-9*max(1, v) {
			t.Errorf("%s = %v, want %v", k, g, v)
		}
	}
	if exact && len(got) != len(want) {
		var extra []string
		for k := range got {
			if _, ok := want[k]; !ok {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		t.Errorf("%d samples, want %d; unexpected: %v", len(got), len(want), extra)
	}
}

func TestCollectorsOnFixtures(t *testing.T) {
	cases := []struct {
		name  string
		exact bool
		want  map[string]float64
	}{
		{"stat", true, map[string]float64{
			"node_boot_time_seconds": 1418183276, "node_context_switches_total": 38014093,
			"node_forks_total": 26442, "node_procs_running": 2, "node_procs_blocked": 1,
		}},
		{"loadavg", true, map[string]float64{"node_load1": 0.21, "node_load5": 0.37, "node_load15": 0.39}},
		{"cpu", false, map[string]float64{
			`node_cpu_seconds_total{cpu="0",mode="user"}`:    444.90,
			`node_cpu_seconds_total{cpu="3",mode="softirq"}`: 12.61,
			`node_cpu_seconds_total{cpu="3",mode="steal"}`:   0.05,
			`node_cpu_seconds_total{cpu="1",mode="idle"}`:    11107.87,
		}},
		{"meminfo", false, map[string]float64{
			"node_memory_MemTotal_bytes":     3742148 * 1024,
			"node_memory_MemAvailable_bytes": 1994028 * 1024,
			"node_memory_Committed_AS_bytes": 7835436 * 1024,
			"node_memory_SReclaimable_bytes": 99980 * 1024,
		}},
		{"vmstat", true, map[string]float64{
			"node_vmstat_oom_kill": 3, "node_vmstat_pgfault": 507162874, "node_vmstat_pgmajfault": 295212,
			"node_vmstat_pgpgin": 7344136, "node_vmstat_pgpgout": 1541180, "node_vmstat_pswpin": 130, "node_vmstat_pswpout": 1567,
		}},
		{"pressure", true, map[string]float64{
			"node_pressure_cpu_waiting_seconds_total": 14.036781, "node_pressure_cpu_stalled_seconds_total": 0,
			"node_pressure_io_waiting_seconds_total": 159.886802, "node_pressure_io_stalled_seconds_total": 159.229614,
			"node_pressure_memory_waiting_seconds_total": 0.071558, "node_pressure_memory_stalled_seconds_total": 0.035028,
		}},
		{"uname", true, map[string]float64{
			fmt.Sprintf(`node_uname_info{domainname="(none)",machine=%q,nodename="node-1",release="6.1.0-28-amd64",sysname="Linux",version="#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)"}`, hostMachine(t)): 1,
		}},
		{"os", true, map[string]float64{
			`node_os_info{build_id="",id="debian",id_like="",image_id="",image_version="",name="Debian GNU/Linux",pretty_name="Debian GNU/Linux 12 (bookworm)",variant="",variant_id="",version="12 (bookworm)",version_codename="bookworm",version_id="12"}`: 1,
			`node_os_version{id="debian",id_like="",name="Debian GNU/Linux"}`: 12,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := collect(t, build(t, fixtureOptions(), tc.name))
			if err != nil {
				t.Fatal(err)
			}
			expect(t, got, tc.want, tc.exact)
		})
	}
}

func TestCPUSeriesPerCPU(t *testing.T) {
	got, err := collect(t, build(t, fixtureOptions(), "cpu"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4*8 {
		t.Errorf("%d series, want 32 (4 CPUs x 8 modes)", len(got))
	}
}

func TestDiskstatsFilters(t *testing.T) {
	got, err := collect(t, build(t, fixtureOptions(), "diskstats"))
	if err != nil {
		t.Fatal(err)
	}
	devices := map[string]bool{}
	for k := range got {
		devices[regexp.MustCompile(`device="([^"]+)"`).FindStringSubmatch(k)[1]] = true
	}
	if fmt.Sprint(sortedKeys(devices)) != "[dm-0 nvme0n1 sda]" {
		t.Errorf("devices %v: partitions, loop, ram and zram must be excluded by default", sortedKeys(devices))
	}
	expect(t, got, map[string]float64{
		`node_disk_reads_completed_total{device="sda"}`:          25354637,
		`node_disk_read_bytes_total{device="sda"}`:               1003346126 * 512,
		`node_disk_read_time_seconds_total{device="sda"}`:        18492.372,
		`node_disk_writes_completed_total{device="sda"}`:         28444756,
		`node_disk_written_bytes_total{device="sda"}`:            6093977528 * 512,
		`node_disk_write_time_seconds_total{device="sda"}`:       21826.312,
		`node_disk_io_now{device="sda"}`:                         5,
		`node_disk_io_time_seconds_total{device="sda"}`:          3812.928,
		`node_disk_io_time_weighted_seconds_total{device="sda"}`: 40298.172,
	}, false)

	opts := fixtureOptions()
	opts.DiskDeviceInclude = regexp.MustCompile(`^sda`)
	opts.DiskDeviceExclude = nil
	got, err = collect(t, build(t, opts, "diskstats"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2*9 {
		t.Errorf("include ^sda: %d series, want 18 (sda, sda1)", len(got))
	}
}

func TestNetdevFilters(t *testing.T) {
	got, err := collect(t, build(t, fixtureOptions(), "netdev"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2*8 {
		t.Errorf("%d series, want 16: only eth0 and eth1 pass the default exclude", len(got))
	}
	expect(t, got, map[string]float64{
		`node_network_receive_bytes_total{device="eth0"}`: 68210035552,
		`node_network_receive_errs_total{device="eth1"}`:  2,
		`node_network_receive_drop_total{device="eth1"}`:  7,
		`node_network_transmit_errs_total{device="eth1"}`: 1,
	}, false)
}

func TestFilesystem(t *testing.T) {
	opts := fixtureOptions()
	opts.FSMountTimeout = 50 * time.Millisecond
	release := make(chan struct{})
	defer close(release)
	var mu sync.Mutex
	var statted []string
	opts.Statfs = func(path string) (unixStatfs, error) {
		mu.Lock()
		statted = append(statted, path)
		mu.Unlock()
		switch path {
		case "testdata/rootfs/mnt/stuck":
			<-release // a hung mount
		case "testdata/rootfs/boot":
			return unixStatfs{}, errors.New("permission denied")
		}
		st := unixStatfs{Bsize: 4096, Blocks: 1000, Bfree: 600, Bavail: 500, Files: 100, Ffree: 40}
		if path == "testdata/rootfs/data" {
			st.Flags = stRdonly
		}
		return st, nil
	}
	c := build(t, opts, "filesystem")
	for scrape := 0; scrape < 2; scrape++ {
		got, err := collect(t, c)
		if err != nil {
			t.Fatal(err)
		}
		l := func(dev, fstype, mp string) string {
			return fmt.Sprintf(`{device=%q,fstype=%q,mountpoint=%q}`, dev, fstype, mp)
		}
		root, data, run := l("/dev/nvme0n1p2", "ext4", "/"), l("/dev/sda1", "xfs", "/data"), l("tmpfs", "tmpfs", "/run")
		want := map[string]float64{
			"node_filesystem_size_bytes" + root: 4096000, "node_filesystem_free_bytes" + root: 2457600,
			"node_filesystem_avail_bytes" + root: 2048000, "node_filesystem_files" + root: 100,
			"node_filesystem_files_free" + root: 40, "node_filesystem_readonly" + root: 0, "node_filesystem_device_error" + root: 0,
			"node_filesystem_readonly" + data:                                     1,
			"node_filesystem_device_error" + l("/dev/nvme0n1p1", "vfat", "/boot"): 1,
			"node_filesystem_device_error" + l("/dev/sdb", "ext4", "/mnt/stuck"):  1,
			"node_filesystem_size_bytes" + run:                                    4096000,
		}
		expect(t, got, want, false)
		// 3 readable mounts x 7 + 2 in error x 1; nfs, overlay, kubelet
		// and /proc, /sys, /dev are excluded.
		if len(got) != 3*7+2 {
			t.Errorf("scrape %d: %d series, want 23", scrape, len(got))
		}
	}
	stuckCalls := 0
	mu.Lock()
	defer mu.Unlock()
	for _, p := range statted {
		if p == "testdata/rootfs/mnt/stuck" {
			stuckCalls++
		}
	}
	if stuckCalls != 1 {
		t.Errorf("stuck mount statted %d times in 2 scrapes, want 1 (skipped while hung)", stuckCalls)
	}
}

func TestTime(t *testing.T) {
	opts := fixtureOptions()
	opts.Now = func() time.Time { return time.Unix(1700000000, 500e6).In(time.FixedZone("CET", 3600)) }
	got, err := collect(t, build(t, opts, "time"))
	if err != nil {
		t.Fatal(err)
	}
	expect(t, got, map[string]float64{"node_time_seconds": 1700000000.5, `node_time_zone_offset_seconds{time_zone="CET"}`: 3600}, true)
}

// Every collector on an empty tree says ErrNoData, never a hard error.
func TestMissingSourcesAreNoData(t *testing.T) {
	empty := t.TempDir()
	opts := fixtureOptions()
	opts.ProcPath, opts.SysPath, opts.RootPath = empty, empty, empty
	for _, spec := range Specs(opts) {
		if spec.Name == "time" {
			continue // needs no file
		}
		c, err := spec.New()
		if err != nil {
			t.Fatalf("%s: %v", spec.Name, err)
		}
		if _, err := collect(t, c); !errors.Is(err, collector.ErrNoData) {
			t.Errorf("%s on an empty tree: err = %v, want ErrNoData", spec.Name, err)
		}
	}
}

// Malformed and truncated files give an error naming the problem; whatever
// could be read is still sent.
func TestMalformedSources(t *testing.T) {
	cases := []struct {
		collector, file, content, wantErr string
		wantSamples                       int
	}{
		{"vmstat", "vmstat", "pgfault 12\npgmajfault x\noom_kill 1\n", "pgmajfault", 2},
		{"meminfo", "meminfo", "MemTotal: 100 kB\nMemFree: lots kB\n", "lots", -1},
		{"loadavg", "loadavg", "0.1 0.2\n", "loadavg", 0},
		{"stat", "stat", "cpu  1 2 3\nbtime notanumber\n", "btime", 0},
		{"diskstats", "diskstats", "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n   8      16 sdb 1 2 x 4 5 6 7 8 9 10 11\n", "diskstats", 9},
		{"pressure", "pressure/cpu", "some avg10=0.00 avg60=x\n", "pressure cpu", -1},
		{"filesystem", "1/mountinfo", "27 1 259:2 / / rw,relatime\n", "mountinfo", 0},
		{"netdev", "net/dev", "header\nheader\n eth0: 1 2 3\n", "net/dev", 0},
	}
	for _, tc := range cases {
		t.Run(tc.collector, func(t *testing.T) {
			proc := t.TempDir()
			path := filepath.Join(proc, tc.file)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			opts := fixtureOptions()
			opts.ProcPath = proc
			got, err := collect(t, build(t, opts, tc.collector))
			if err == nil || errors.Is(err, collector.ErrNoData) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want an error mentioning %q", err, tc.wantErr)
			}
			if tc.wantSamples >= 0 && len(got) != tc.wantSamples {
				t.Errorf("%d samples, want %d: %v", len(got), tc.wantSamples, got)
			}
		})
	}
}

func TestParseOSRelease(t *testing.T) {
	got := parseOSRelease([]byte("# comment\nNAME='Alpine Linux'\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine \\\"Linux\\\" v3.20\"\nbroken line\n"))
	want := map[string]string{"NAME": "Alpine Linux", "ID": "alpine", "VERSION_ID": "3.20.3", "PRETTY_NAME": `Alpine "Linux" v3.20`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
