package main

import (
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// reportHeader is the context printed above the table, so a figure can be
// traced back to the machine and the exact command that produced it.
type reportHeader struct {
	When    time.Time
	Kernel  string
	NProc   int
	Command string
	Warmup  int
	Scrapes int
}

// Units are decimal (MB = 10^6 bytes, KB = 10^3 bytes), as in
// shared/ANCHORS.md: Debian's node_exporter is 13,703,864 bytes = "13.7 MB".
const (
	kb = 1e3
	mb = 1e6
)

func renderMarkdown(h reportHeader, results []result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run %s; uname -r %s; nproc %d; command: `%s`\n\n",
		h.When.Format(time.RFC3339), h.Kernel, h.NProc, h.Command)
	fmt.Fprintf(&b, "%d warm-up then %d timed scrapes per target, alternating; "+
		"GET with `Accept: %s`, no compression; scrape time is wall time to the full body; "+
		"RSS is VmRSS after the %d scrapes, with RssAnon + RssFile from the same read of /proc/PID/status "+
		"(n/a on kernels before 4.5; RssShmem, not shown, and rounding make up any difference to VmRSS); "+
		"on Linux 6.18, where this was checked, the whole executable is mapped "+
		"(file-backed RSS ≈ binary size, e.g. a stripped hello-world Go HTTP server of 5.8 MB shows RssFile 6.0 MB), "+
		"so file-backed RSS tracks binary size and anonymous RSS is the memory the exporter's work costs; "+
		"series and text payload from the last timed scrape; "+
		"MB = 10^6 bytes, KB = 10^3 bytes.\n\n",
		h.Warmup, h.Scrapes, acceptText, h.Warmup+h.Scrapes)

	fmt.Fprintf(&b, "| target | binary | RSS after %d scrapes (anon + file) | series | node / container / self | payload text / gzip | scrape p50 | p95 | max |\n",
		h.Warmup+h.Scrapes)
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d / %d / %d | %s | %s | %s | %s |\n",
			r.Target.Name,
			binaryCell(r.BinaryBytes),
			rssCell(r.RSS),
			r.Series.Total, r.Series.Node, r.Series.Container, r.Series.Self,
			payloadCell(r),
			ms(percentile(r.Durations, 0.50)),
			ms(percentile(r.Durations, 0.95)),
			ms(percentile(r.Durations, 1)),
		)
	}

	if len(results) == 2 {
		ours, anchor := results[0], results[1]
		anon := "n/a"
		if ours.RSS.Split && anchor.RSS.Split {
			anon = ratio(float64(ours.RSS.Anon), float64(anchor.RSS.Anon))
		}
		fmt.Fprintf(&b, "\nRatios ours (%s) / anchor (%s): RSS %s, anonymous RSS %s, scrape p50 %s.\n",
			ours.Target.Name, anchor.Target.Name,
			ratio(float64(ours.RSS.Total), float64(anchor.RSS.Total)),
			anon,
			ratio(float64(percentile(ours.Durations, 0.5)), float64(percentile(anchor.Durations, 0.5))),
		)
	}
	return b.String()
}

func binaryCell(n int64) string {
	if n < 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/mb)
}

// rssCell is VmRSS with its anonymous and file-backed parts, e.g.
// "15.7 MB (4.8 + 10.8)", or "15.7 MB (n/a)" when the kernel has no split.
func rssCell(r rssSample) string {
	if !r.Split {
		return fmt.Sprintf("%.1f MB (n/a)", float64(r.Total)/mb)
	}
	return fmt.Sprintf("%.1f MB (%.1f + %.1f)", float64(r.Total)/mb, float64(r.Anon)/mb, float64(r.File)/mb)
}

func payloadCell(r result) string {
	gz := fmt.Sprintf("%.1f KB", float64(r.GzipBytes)/kb)
	if !r.GzipEncoded {
		gz = "not gzipped"
	}
	return fmt.Sprintf("%.1f KB / %s", float64(r.TextBytes)/kb, gz)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func ratio(ours, anchor float64) string {
	if anchor == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", ours/anchor)
}

// kernelRelease is what `uname -r` prints.
func kernelRelease() string {
	data, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(data))
}

// nproc is what `nproc` prints: CPUs this process may run on (affinity aware).
func nproc() int { return runtime.NumCPU() }

// safeArg matches arguments that need no shell quoting.
var safeArg = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// commandLine renders args so they can be pasted into a shell. Under `go run`
// argv[0] is a throwaway path in the build cache, so it is shown as the
// `go run` invocation that reproduces it.
func commandLine(args []string) string {
	parts := make([]string, 0, len(args))
	for i, a := range args {
		if i == 0 && strings.Contains(a, "go-build") {
			parts = append(parts, "go run ./bench/cmd/scrapebench")
			continue
		}
		if !safeArg.MatchString(a) {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}
