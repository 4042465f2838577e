// Command tierbench measures what the downsampled tiers cost and save: it writes
// 30 days of a realistic node + container mix as raw blocks, downsamples them with
// nexclipper-downsampler, measures disk bytes per series per day for each tier,
// and times a 30-day query at step 1h summing all series on our receiver (tiered
// and raw-only), Prometheus 3.16 opening the same raw blocks, and VictoriaMetrics
// with the same samples imported (vmctl), side by side in alternating rounds.
// It writes a markdown report. Run it through `make bench-tiers`.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/nexclipper/nexclipper/downsampler"
	"github.com/nexclipper/nexclipper/downsampler/tier/tiertest"
)

type options struct {
	out, receiver, downsampler, prometheus, vm, vmctl string
	hosts, containers, days, runs                     int
	query                                             string
	steps                                             []time.Duration
	yearHosts, yearSeries                             int
	keep                                              bool
	settle                                            time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.out, "out", "bench/results/tiers.md", "report file")
	flag.StringVar(&o.receiver, "receiver", "bin/nexclipper-receiver", "our receiver binary")
	flag.StringVar(&o.downsampler, "downsampler", "bin/nexclipper-downsampler", "our downsampler binary")
	flag.StringVar(&o.prometheus, "prometheus", "", "Prometheus 3.16 binary")
	flag.StringVar(&o.vm, "victoriametrics", "", "VictoriaMetrics single-node binary")
	flag.StringVar(&o.vmctl, "vmctl", "", "vmctl binary (imports the raw blocks into VictoriaMetrics)")
	flag.IntVar(&o.hosts, "hosts", 20, "hosts in the mix (50 series each with -containers 12)")
	flag.IntVar(&o.containers, "containers", 12, "containers per host")
	flag.IntVar(&o.days, "days", 30, "days of data")
	flag.IntVar(&o.runs, "runs", 20, "timed runs of the query per system")
	flag.StringVar(&o.query, "query", `sum({job="node"})`, "the query (sums every series of the mix)")
	stepList := flag.String("steps", "1h,6h", "query steps, comma-separated; the first is the target's (1h)")
	flag.IntVar(&o.yearHosts, "year-hosts", 100, "hosts in the one-year cost estimate")
	flag.IntVar(&o.yearSeries, "year-series", 450, "series per host in the one-year cost estimate")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory")
	flag.DurationVar(&o.settle, "settle", 75*time.Second, "warm-up before timing (covers the TSDBs' first compaction, a minute after opening)")
	flag.Parse()
	for _, f := range strings.Split(*stepList, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(f))
		if err != nil {
			log.Fatalf("-steps: %v", err)
		}
		o.steps = append(o.steps, d)
	}
	log.SetFlags(log.Ltime)
	log.SetPrefix("tierbench: ")
	if err := run(o); err != nil {
		log.Fatal(err)
	}
}

// tierSize is one tier's disk use and the days of data it holds.
type tierSize struct {
	name  string
	bytes int64
	days  float64
}

func (t tierSize) perSeriesDay(series int) float64 {
	return float64(t.bytes) / float64(series) / t.days
}

func run(o options) error {
	for _, b := range []*string{&o.receiver, &o.downsampler, &o.prometheus, &o.vm, &o.vmctl} {
		p, err := filepath.Abs(*b)
		if err != nil || *b == "" {
			return fmt.Errorf("every binary flag is required (-receiver, -downsampler, -prometheus, -victoriametrics, -vmctl)")
		}
		if _, err := os.Stat(p); err != nil {
			return err
		}
		*b = p
	}
	tmp, err := os.MkdirTemp("", "tierbench")
	if err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(tmp)
	}
	ctx := context.Background()
	r := &report{opts: o, command: "go run ./bench/cmd/tierbench " + strings.Join(os.Args[1:], " ")}

	// Data ends two days ago at midnight, so every day is past the 40h raw window.
	end := time.Now().UTC().Truncate(24 * time.Hour).Add(-48 * time.Hour)
	start := end.Add(-time.Duration(o.days) * 24 * time.Hour)
	raw := filepath.Join(tmp, "raw")
	gen := tiertest.Options{Dir: raw, Start: start, End: end, Hosts: o.hosts, Containers: o.containers, Seed: 1}
	r.series = gen.SeriesCount()
	log.Printf("writing %d days of %d series at 15s into %s", o.days, r.series, raw)
	t0 := time.Now()
	if r.samples, err = tiertest.WriteBlocks(ctx, gen); err != nil {
		return err
	}
	r.genTook = time.Since(t0)
	r.sizes = append(r.sizes, tierSize{"raw", dirBytes(raw, nil), float64(o.days)})

	tiered := filepath.Join(tmp, "tiered")
	if err := copyDir(raw, tiered); err != nil {
		return err
	}
	log.Printf("downsampling with %s", o.downsampler)
	t0 = time.Now()
	cmd := exec.Command(o.downsampler, "--storage.path="+tiered, "--no-progress", "--retention.5m=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("downsampler: %v\n%s", err, out)
	}
	r.downsampleTook = time.Since(t0)
	r.downsampleRSS = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
	r.downsampleOut = string(out)
	for _, res := range []int64{downsampler.ResLevel1, downsampler.ResLevel2} {
		r.sizes = append(r.sizes, tierMeasure(filepath.Join(tiered, "downsampled", map[int64]string{downsampler.ResLevel1: "5m", downsampler.ResLevel2: "1h"}[res]), start, end))
	}

	systems, err := startSystems(o, tmp, raw, tiered)
	defer func() {
		for _, s := range systems {
			s.stop()
		}
	}()
	if err != nil {
		return err
	}
	if err := r.measureQueries(ctx, systems, start, end); err != nil {
		return err
	}
	for _, s := range systems {
		r.rss = append(r.rss, s.peakRSS())
	}
	return os.WriteFile(o.out, []byte(r.markdown(systems)), 0o644)
}

// tierMeasure sums a tier's blocks and the days of [start, end) they cover.
func tierMeasure(dir string, start, end time.Time) tierSize {
	name := filepath.Base(dir)
	ts := tierSize{name: name, bytes: dirBytes(dir, nil)}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		m, err := downsampler.ReadMeta(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		lo := max(m.MinTime, start.UnixMilli())
		hi := min(m.MaxTime, end.UnixMilli())
		if hi > lo {
			ts.days += float64(hi-lo) / float64(24*time.Hour/time.Millisecond)
		}
	}
	return ts
}

func startSystems(o options, tmp, raw, tiered string) ([]*system, error) {
	var systems []*system
	copyOf := func(name string) (string, error) {
		dir := filepath.Join(tmp, name)
		return dir, copyDir(raw, dir)
	}
	rawDir, err := copyOf("ours-raw")
	if err != nil {
		return nil, err
	}
	s, err := start("ours-tiered", tmp, o.receiver, "--web.listen-address=", "/-/ready",
		"--storage.path="+tiered, "--retention.raw=0", "--retention.5m=0")
	if err != nil {
		return systems, err
	}
	systems = append(systems, s)
	s, err = start("ours-raw", tmp, o.receiver, "--web.listen-address=", "/-/ready",
		"--storage.path="+rawDir, "--retention.raw=0", "--downsample.disable")
	if err != nil {
		return systems, err
	}
	systems = append(systems, s)

	promDir, err := copyOf("prometheus")
	if err != nil {
		return systems, err
	}
	cfg := filepath.Join(tmp, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global:\n  scrape_interval: 15s\n"), 0o644); err != nil {
		return systems, err
	}
	s, err = start("prometheus-3.16", tmp, o.prometheus, "--web.listen-address=", "/-/ready",
		"--config.file="+cfg, "--storage.tsdb.path="+promDir, "--storage.tsdb.retention.time=3650d")
	if err != nil {
		return systems, err
	}
	systems = append(systems, s)

	s, err = start("victoriametrics-1.151", tmp, o.vm, "-httpListenAddr=", "/health",
		"-storageDataPath="+filepath.Join(tmp, "vm"), "-retentionPeriod=100y", "-search.disableCache")
	if err != nil {
		return systems, err
	}
	s.extra = map[string][]string{"nocache": {"1"}}
	systems = append(systems, s)
	log.Printf("importing the raw blocks into VictoriaMetrics with vmctl")
	imp := exec.Command(o.vmctl, "prometheus", "--prom-snapshot="+raw, "--vm-addr=http://"+s.addr, "-s", "--disable-progress-bar")
	if out, err := imp.CombinedOutput(); err != nil {
		return systems, fmt.Errorf("vmctl: %v\n%s", err, out)
	}
	if _, err := exec.Command("curl", "-fsS", "http://"+s.addr+"/internal/force_flush").CombinedOutput(); err != nil {
		return systems, fmt.Errorf("VictoriaMetrics force_flush: %v", err)
	}
	return systems, nil
}

func (r *report) measureQueries(ctx context.Context, systems []*system, start, end time.Time) error {
	r.times = make([][][]time.Duration, len(r.opts.steps))
	r.first = make([][]queryResult, len(r.opts.steps))
	for si := range r.opts.steps {
		r.times[si] = make([][]time.Duration, len(systems))
		r.first[si] = make([]queryResult, len(systems))
	}
	// Let each TSDB finish the compaction it starts a minute after opening, and
	// warm the page cache, before timing.
	log.Printf("warming up")
	settle := time.Now().Add(r.opts.settle)
	for first := true; first || time.Now().Before(settle); first = false {
		for si, step := range r.opts.steps {
			for i, s := range systems {
				res, err := s.queryRange(ctx, r.opts.query, start, end, step)
				if err != nil {
					return err
				}
				r.first[si][i] = res
			}
		}
	}
	for si, step := range r.opts.steps {
		log.Printf("timing %d runs per system at step %s", r.opts.runs, step)
		for run := range r.opts.runs {
			for k := range systems {
				i := (k + run) % len(systems) // rotate who goes first
				res, err := systems[i].queryRange(ctx, r.opts.query, start, end, step)
				if err != nil {
					return err
				}
				r.times[si][i] = append(r.times[si][i], res.took)
			}
		}
	}
	return nil
}

func p50(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// medianRelDiff is the median relative difference between two series of values.
func medianRelDiff(a, b []float64) float64 {
	var d []float64
	for i := range min(len(a), len(b)) {
		if m := math.Max(math.Abs(a[i]), math.Abs(b[i])); m > 0 {
			d = append(d, math.Abs(a[i]-b[i])/m)
		}
	}
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[len(d)/2]
}
