// Command rwload sends remote-write load: series shaped like node_exporter's
// and cAdvisor's output, spread over hosts, as remote-write 1.0
// (prompb.WriteRequest) or 2.0 (writev2.Request with a symbols table),
// snappy-compressed, from several concurrent senders.
//
// It behaves like Prometheus's queue manager: series are sharded to senders by
// a hash of their labels, so every series goes through one sender and its
// samples arrive in timestamp order; each round is one simulated scrape, whose
// timestamp is --interval after the previous one. Values are realistic
// (counters grow with noise, gauges walk, some series are constant), so the
// receivers' compression figures are honest, and they depend only on --seed:
// every receiver gets byte-identical requests.
//
// Usage:
//
//	rwload --url http://127.0.0.1:9090/api/v1/write [--protocol 1.0|2.0] [--series 100000]
//	       [--samples-per-request 2000] [--senders 4] [--duration 60s | --total-samples N]
//	       [--interval 15s] [--start auto|-3h|RFC3339|unix-ms] [--align 2h] [--seed 1]
//	       [--timeout 30s] [--pregenerate] [--watch-pid PID] [--summary FILE]
//
// It exits 1 if any request failed (non-2xx or no answer), 2 on bad flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// config is one run, built from the flags.
type config struct {
	URL               string
	Protocol          string
	Series            int
	SamplesPerRequest int
	Senders           int
	Duration          time.Duration // used when TotalSamples is 0
	TotalSamples      int64
	Interval          time.Duration
	Start             string // as given; resolved by startTime
	Align             time.Duration
	Seed              uint64
	Timeout           time.Duration
	Pregenerate       bool
	WatchPID          int
	Summary           string
}

// defaultBackfill is how far in the past a --duration run starts: it must
// hold every round the run can send without reaching the present (a 60 s run
// at 2M samples/s over 100k series is 1,200 rounds, 5 h at 15 s).
const defaultBackfill = 24 * time.Hour

var errFailed = errors.New("some requests failed")

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "rwload:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, time.Now(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rwload:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("rwload", flag.ContinueOnError)
	fs.StringVar(&cfg.URL, "url", "", "remote-write endpoint, e.g. http://127.0.0.1:9090/api/v1/write (required)")
	fs.StringVar(&cfg.Protocol, "protocol", protoV1, "remote-write version: 1.0 (prompb.WriteRequest) or 2.0 (io.prometheus.write.v2.Request)")
	fs.IntVar(&cfg.Series, "series", 100_000, "number of series (node_exporter and cAdvisor shapes, about 1,000 per host)")
	fs.IntVar(&cfg.SamplesPerRequest, "samples-per-request", 2000, "samples per request (Prometheus's max_samples_per_send)")
	fs.IntVar(&cfg.Senders, "senders", 4, "concurrent senders (Prometheus's shards)")
	fs.DurationVar(&cfg.Duration, "duration", 60*time.Second, "send for this long (ignored with --total-samples)")
	fs.Int64Var(&cfg.TotalSamples, "total-samples", 0, "send this many samples instead, rounded up to whole rounds of --series samples")
	fs.DurationVar(&cfg.Interval, "interval", 15*time.Second, "simulated scrape interval: timestamps advance by it every round")
	fs.StringVar(&cfg.Start, "start", "auto", "timestamp of the first round: auto (rounds × interval before now with --total-samples, 24h before now with --duration), a negative duration relative to now (-3h), RFC 3339, or Unix milliseconds")
	fs.DurationVar(&cfg.Align, "align", 0, "round the start down to a multiple of this (2h: the first TSDB block is a full one)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the label and value generator: same seed, same requests")
	fs.DurationVar(&cfg.Timeout, "timeout", 30*time.Second, "timeout of one request")
	fs.BoolVar(&cfg.Pregenerate, "pregenerate", false, "encode every request before the clock starts (needs --total-samples; holds all bodies in memory, about 40 bytes per sample for 1.0), so encoding takes no CPU from the receiver during the run")
	fs.IntVar(&cfg.WatchPID, "watch-pid", 0, "PID of the receiver under test: report its CPU time during the run, and the CPU time of everything else on the machine (Linux)")
	fs.StringVar(&cfg.Summary, "summary", "", "also write the results as key=value lines to this file")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return cfg, cfg.check()
}

// check rejects what would fail or mislead only after the first request.
func (c config) check() error {
	u, err := url.Parse(c.URL)
	if c.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url %q: want an http(s) URL", c.URL)
	}
	if c.Protocol != protoV1 && c.Protocol != protoV2 {
		return fmt.Errorf("--protocol %q: want %s or %s", c.Protocol, protoV1, protoV2)
	}
	switch {
	case c.Series < 1:
		return fmt.Errorf("--series %d: want >= 1", c.Series)
	case c.SamplesPerRequest < 1:
		return fmt.Errorf("--samples-per-request %d: want >= 1", c.SamplesPerRequest)
	case c.Senders < 1 || c.Senders > c.Series:
		return fmt.Errorf("--senders %d: want between 1 and --series", c.Senders)
	case c.TotalSamples < 0:
		return fmt.Errorf("--total-samples %d: want >= 0", c.TotalSamples)
	case c.TotalSamples == 0 && c.Duration <= 0:
		return fmt.Errorf("--duration %s: want > 0 (or give --total-samples)", c.Duration)
	case c.Interval < time.Millisecond:
		return fmt.Errorf("--interval %s: want >= 1ms", c.Interval)
	case c.Align < 0:
		return fmt.Errorf("--align %s: want >= 0", c.Align)
	case c.Timeout <= 0:
		return fmt.Errorf("--timeout %s: want > 0", c.Timeout)
	case c.WatchPID < 0:
		return fmt.Errorf("--watch-pid %d: want a PID", c.WatchPID)
	case c.Pregenerate && c.TotalSamples == 0:
		return fmt.Errorf("--pregenerate needs --total-samples: a --duration run has no known end")
	}
	_, err = c.startTime(time.Now())
	return err
}

// rounds is the number of rounds to send, 0 for "until --duration".
func (c config) rounds() int {
	if c.TotalSamples == 0 {
		return 0
	}
	return int((c.TotalSamples + int64(c.Series) - 1) / int64(c.Series))
}

// startTime resolves --start and --align into the first round's timestamp
// in ms. Automatic starts lie far enough in the past that no sample is ever
// in the future.
func (c config) startTime(now time.Time) (int64, error) {
	var start time.Time
	switch {
	case c.Start == "" || c.Start == "auto":
		back := defaultBackfill
		if r := c.rounds(); r > 0 {
			back = time.Duration(r) * c.Interval
		}
		start = now.Add(-back)
	case c.Start[0] == '-':
		d, err := time.ParseDuration(c.Start)
		if err != nil {
			return 0, fmt.Errorf("--start %q: %w", c.Start, err)
		}
		start = now.Add(d)
	default:
		if ms, err := strconv.ParseInt(c.Start, 10, 64); err == nil {
			start = time.UnixMilli(ms)
		} else if t, err := time.Parse(time.RFC3339, c.Start); err == nil {
			start = t
		} else {
			return 0, fmt.Errorf("--start %q: want auto, a negative duration, RFC 3339 or Unix milliseconds", c.Start)
		}
	}
	ms := start.UnixMilli()
	if a := c.Align.Milliseconds(); a > 0 {
		ms -= ((ms % a) + a) % a
	}
	if ms < 0 || ms > math.MaxInt64/2 {
		return 0, fmt.Errorf("--start %q: timestamp %d out of range", c.Start, ms)
	}
	return ms, nil
}

// run sends the load and prints the summary to out.
func run(ctx context.Context, cfg config, now time.Time, out io.Writer) error {
	start, err := cfg.startTime(now)
	if err != nil {
		return err
	}
	res, err := send(ctx, cfg, start)
	if err != nil {
		return err
	}
	fmt.Fprint(out, res.text(cfg))
	if cfg.Summary != "" {
		if err := os.WriteFile(cfg.Summary, []byte(res.keyValues(cfg)), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", cfg.Summary, err)
		}
	}
	if res.FailedRequests > 0 {
		return fmt.Errorf("%w: %d of %d requests (see above)", errFailed, res.FailedRequests, res.Requests)
	}
	return nil
}
