// Command scrapebench scrapes two or more Prometheus exporters side by side and
// reports, per target, resident memory, scrape latency, series counts, payload
// sizes and binary size as a markdown table.
//
// The machines we run on are shared and noisy, so the timed scrapes alternate
// between targets (A B A B ...): load spikes then hit every target alike and the
// ratios stay meaningful even when the absolute figures drift.
//
// Usage:
//
//	scrapebench --target ours=http://127.0.0.1:9910/metrics=1234 \
//	            --target anchor=http://127.0.0.1:9100/metrics=5678 \
//	            [--binary ours=bin/x] [--warmup 20] [--scrapes 50] [--out FILE]
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

func main() {
	if err := run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "scrapebench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	cfg, err := parseFlags(args[1:])
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	results, err := measure(cfg, logger)
	if err != nil {
		return err
	}
	md := renderMarkdown(reportHeader{
		When:    time.Now().UTC(),
		Kernel:  kernelRelease(),
		NProc:   nproc(),
		Command: commandLine(args),
		Warmup:  cfg.Warmup,
		Scrapes: cfg.Scrapes,
	}, results)

	fmt.Print(md)
	if cfg.Out != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.Out), 0o755); err != nil {
			return fmt.Errorf("create directory for %s: %w", cfg.Out, err)
		}
		if err := os.WriteFile(cfg.Out, []byte(md), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", cfg.Out, err)
		}
	}
	return nil
}

// parseFlags turns the command line into a config; it checks everything that
// can be checked before the first request.
func parseFlags(args []string) (config, error) {
	var (
		cfg      config
		targets  targetFlag
		binaries binaryFlag
	)
	fs := flag.NewFlagSet("scrapebench", flag.ContinueOnError)
	fs.Var(&targets, "target", "name=URL=PID of a target to scrape (repeatable, at least 2; the first is ours, the second the anchor)")
	fs.Var(&binaries, "binary", "name=PATH of a target's binary, for its size (repeatable)")
	fs.IntVar(&cfg.Warmup, "warmup", 20, "untimed warm-up scrapes per target")
	fs.IntVar(&cfg.Scrapes, "scrapes", 50, "timed scrapes per target, alternating between targets")
	fs.DurationVar(&cfg.Timeout, "timeout", 30*time.Second, "timeout of one scrape")
	fs.StringVar(&cfg.Out, "out", "", "also write the markdown report to this file")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if len(targets) < 2 {
		return config{}, fmt.Errorf("need at least 2 --target flags, got %d", len(targets))
	}
	if cfg.Warmup < 0 || cfg.Scrapes < 1 {
		return config{}, fmt.Errorf("need --warmup >= 0 and --scrapes >= 1, got %d and %d", cfg.Warmup, cfg.Scrapes)
	}
	if err := attachBinaries(targets, binaries); err != nil {
		return config{}, err
	}
	cfg.Targets = targets
	return cfg, nil
}
