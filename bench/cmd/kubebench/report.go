package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

type header struct {
	When      time.Time
	Command   string
	Fill      time.Duration
	LoadStart string // /proc/loadavg when the exporter started on the full cluster
	LoadEnd   string // and after the last scrape
}

// loadavg returns the first three fields of /proc/loadavg: the machine is
// shared, and a busy neighbour shows in the scrape times.
func loadavg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

const mib = 1 << 20

func render(cfg config, h header, base baseline, r result) string {
	var b strings.Builder
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	fmt.Fprintf(&b, "Run %s; uname -r %s; nproc %d; load average %s at the start of the measurement, %s at its end; command: `%s`\n\n",
		h.When.Format(time.RFC3339), strings.TrimSpace(string(kernel)), runtime.NumCPU(), h.LoadStart, h.LoadEnd, h.Command)
	fmt.Fprintf(&b, "Cluster: %d pods (2 containers each, Running and Ready) in %d deployments with their replica sets, "+
		"on %d nodes, created through a real kube-apiserver v1.37.2 in %s. Exporter: `--kube.mode=cluster "+
		"--collector.disable-defaults`, as the cluster-mode Deployment runs (Go's default GOGC 100 in cluster mode). %d timed "+
		"text scrapes (`Accept: text/plain;version=0.0.4`, no compression), then %d with `Accept-Encoding: gzip`, "+
		"wall time to the last byte. MiB = 2^20 bytes.\n\n",
		r.Pods, cfg.Deployments, cfg.Nodes, h.Fill.Round(time.Second), cfg.Scrapes, cfg.GzipScrapes)

	perPod := r.AfterScrapes["VmRSS"] / float64(r.Pods) / mib
	incr := (r.AfterScrapes["VmRSS"] - base.RSS) / float64(r.Pods) / mib
	b.WriteString("| measure | value |\n|---|---|\n")
	row := func(k, v string, a ...any) { fmt.Fprintf(&b, "| %s | "+v+" |\n", append([]any{k}, a...)...) }
	row("RSS, empty cluster (nodes only), after sync", "%.1f MiB (anon %.1f)", base.RSS/mib, base.Anon/mib)
	row("time from start to synced (all collectors success 1, every pod served)", "%s", r.SyncTook.Round(time.Millisecond))
	row("RSS after sync (anon + file)", "%.1f MiB (%.1f + %.1f)", r.AfterSync["VmRSS"]/mib, r.AfterSync["RssAnon"]/mib, r.AfterSync["RssFile"]/mib)
	row("peak RSS during the initial list (VmHWM at sync)", "%.1f MiB", r.AfterSync["VmHWM"]/mib)
	row(fmt.Sprintf("RSS after %d scrapes (anon + file)", len(r.Scrapes)), "%.1f MiB (%.1f + %.1f)",
		r.AfterScrapes["VmRSS"]/mib, r.AfterScrapes["RssAnon"]/mib, r.AfterScrapes["RssFile"]/mib)
	row("peak RSS over the run (VmHWM)", "%.1f MiB", r.AfterScrapes["VmHWM"]/mib)
	row("RSS per pod (total / pods)", "%.4f MiB", perPod)
	row("RSS per pod over the empty-cluster baseline", "%.4f MiB", incr)
	row("scrape p50 / p95 / max, text", "%s / %s / %s", ms(percentile(r.Scrapes, .5)), ms(percentile(r.Scrapes, .95)), ms(percentile(r.Scrapes, 1)))
	row("scrape p50, gzip", "%s", ms(percentile(r.GzipScrapes, .5)))
	row("CPU per text scrape (user + system)", "%.0f ms", r.CPUPerScrape*1000)
	row("series (kube_*)", "%d (%d), %.1f kube series per pod", r.Series, r.KubeSeries, float64(r.KubeSeries)/float64(r.Pods))
	row("payload, text", "%.1f MB", float64(r.Payload)/1e6)

	b.WriteString("\n## Against the targets of issue 5\n| target | result | met |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| ≤ 0.05 MiB per pod at %d pods | %.4f MiB (total RSS / pods) | %s |\n", r.Pods, perPod, yes(perPod <= 0.05))
	p50 := percentile(r.Scrapes, .5)
	fmt.Fprintf(&b, "| ≤ 300 ms scrape at %d pods | p50 %s text, %s gzip | %s |\n", r.Pods, ms(p50), ms(percentile(r.GzipScrapes, .5)),
		yes(p50 <= 300*time.Millisecond))
	if cfg.Reference != "" {
		fmt.Fprintf(&b, "\nReference: %s\n", cfg.Reference)
	}
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}
