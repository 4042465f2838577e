package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

// report holds the measurements and renders them.
type report struct {
	opts           options
	command        string
	series         int
	samples        int64
	genTook        time.Duration
	downsampleTook time.Duration
	downsampleRSS  int64
	downsampleOut  string
	sizes          []tierSize          // raw, 5m, 1h
	times          [][][]time.Duration // by step, by system
	first          [][]queryResult     // by step, by system
	rss            []int64
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func (r *report) markdown(systems []*system) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# Tiers: disk cost and long-range query latency\n\n")
	w("Measured %s on %d cores (%s/%s), %s.\n\n", time.Now().UTC().Format(time.DateOnly), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	w("Command (what `make bench-tiers` runs):\n\n```\n%s\n```\n\n", r.command)
	w("Data: %d days of %d series (%d hosts × (%d node series + %d containers × %d)) at 15s, %d samples, written as 1-day raw blocks in %s.\n\n",
		r.opts.days, r.series, r.opts.hosts, 14, r.opts.containers, 3, r.samples, r.genTook.Round(time.Second))

	w("## Disk per tier\n\n| tier | bytes on disk | days held | bytes per series per day |\n|---|---|---|---|\n")
	for _, t := range r.sizes {
		w("| %s | %s | %.1f | %.0f |\n", t.name, mib(t.bytes), t.days, t.perSeriesDay(r.series))
	}
	raw, m5, h1 := r.sizes[0].perSeriesDay(r.series), r.sizes[1].perSeriesDay(r.series), r.sizes[2].perSeriesDay(r.series)
	n := float64(r.opts.yearHosts * r.opts.yearSeries)
	rawYear := raw * n * 365
	tieredYear := n * (raw*15 + m5*30 + h1*365)
	w("\nDownsampling the %d days took %s (peak RSS %s):\n\n```\n%s```\n\n", r.opts.days, r.downsampleTook.Round(100*time.Millisecond), mib(r.downsampleRSS), r.downsampleOut)
	w("## One year for %d hosts × %d series (N = %.0f series)\n\n", r.opts.yearHosts, r.opts.yearSeries, n)
	w("Default retentions: raw 15d, 5m 30d, 1h kept (the whole year). With B = bytes per series per day above:\n\n")
	w("- raw-only year = N × 365 × B_raw = %.0f × 365 × %.0f = **%.2f GiB**\n", n, raw, rawYear/(1<<30))
	w("- tiered year = N × (15 × B_raw + 30 × B_5m + 365 × B_1h) = %.0f × (15 × %.0f + 30 × %.0f + 365 × %.0f) = **%.2f GiB**\n", n, raw, m5, h1, tieredYear/(1<<30))
	w("- ratio: **%.1f%%** of raw-only (target ≤ 10%%)\n\n", 100*tieredYear/rawYear)

	for si, step := range r.opts.steps {
		w("## %d-day query at step %s\n\n`%s` over the %d days, %d timed runs per system after a %s warm-up, systems in rotating order each round.\n\n",
			r.opts.days, step, r.opts.query, r.opts.days, r.opts.runs, r.opts.settle)
		w("| system | p50 | min | max | points | served by | peak RSS (whole run) |\n|---|---|---|---|---|---|---|\n")
		var promP50 time.Duration
		for i, s := range systems {
			if strings.HasPrefix(s.name, "prometheus") {
				promP50 = p50(r.times[si][i])
			}
		}
		for i, s := range systems {
			tiers := r.first[si][i].tiers
			if tiers == "" {
				tiers = "-"
			}
			w("| %s | %s | %s | %s | %d | %s | %s |\n", s.name, p50(r.times[si][i]).Round(time.Millisecond/10),
				minDur(r.times[si][i]).Round(time.Millisecond/10), maxDur(r.times[si][i]).Round(time.Millisecond/10), r.first[si][i].points, tiers, mib(r.rss[i]))
		}
		w("\nOurs tiered against Prometheus on raw: **%.1f×** faster", float64(promP50)/float64(p50(r.times[si][0])))
		if si == 0 {
			w(" (target ≥ 20×)")
		}
		w(". Median relative difference between the tiered and the raw answer: %.2g%% (the tier reads window averages where raw reads the last sample before each step).\n\n",
			100*medianRelDiff(r.first[si][0].values, r.first[si][1].values))
	}
	return b.String()
}

func minDur(ds []time.Duration) time.Duration { return p(ds, 0) }
func maxDur(ds []time.Duration) time.Duration { return p(ds, len(ds)-1) }
func p(ds []time.Duration, i int) time.Duration {
	s := append([]time.Duration(nil), ds...)
	for a := range s {
		for b := a + 1; b < len(s); b++ {
			if s[b] < s[a] {
				s[a], s[b] = s[b], s[a]
			}
		}
	}
	return s[i]
}
