package main

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// result is the whole run: the senders' figures added up.
type result struct {
	Rounds                       int
	FirstTS, LastTS              int64 // ms; 0 when nothing was sent
	Requests, FailedRequests     int
	SamplesSent, SamplesAccepted int64
	WireBytes, RawBytes          int64
	Codes                        map[int]int
	SamplesByCode                map[int]int64
	FirstErrors                  map[int]string
	WrittenHeader                int64
	WithHeader, WithoutHeader    int
	P50, P99, Max                time.Duration
	Elapsed                      time.Duration
	ReachedNow, GaveUp           bool
	CPU                          cpuUse // while sending
	Prep                         preparation
}

func merge(stats []senderStats, elapsed time.Duration, start int64, cfg config) result {
	res := result{
		Elapsed:       elapsed,
		Codes:         map[int]int{},
		SamplesByCode: map[int]int64{},
		FirstErrors:   map[int]string{},
		FirstTS:       math.MaxInt64,
		LastTS:        math.MinInt64,
	}
	var lat []time.Duration
	for _, st := range stats {
		res.Requests += st.Requests
		res.FailedRequests += st.FailedRequests
		res.SamplesSent += st.SamplesSent
		res.SamplesAccepted += st.SamplesAccepted
		res.WireBytes += st.WireBytes
		res.RawBytes += st.RawBytes
		res.WrittenHeader += st.WrittenHeader
		res.WithHeader += st.WithHeader
		res.WithoutHeader += st.WithoutHeader
		res.ReachedNow = res.ReachedNow || st.ReachedNow
		res.GaveUp = res.GaveUp || st.GaveUp
		res.FirstTS = min(res.FirstTS, st.FirstTS)
		res.LastTS = max(res.LastTS, st.LastTS)
		for c, n := range st.Codes {
			res.Codes[c] += n
		}
		for c, n := range st.SamplesByCode {
			res.SamplesByCode[c] += n
		}
		for c, msg := range st.FirstErrors {
			if _, ok := res.FirstErrors[c]; !ok {
				res.FirstErrors[c] = msg
			}
		}
		lat = append(lat, st.Latencies...)
	}
	if res.SamplesSent == 0 {
		res.FirstTS, res.LastTS = 0, 0
	} else {
		res.Rounds = int((res.LastTS-start)/cfg.Interval.Milliseconds()) + 1
	}
	slices.Sort(lat)
	res.P50, res.P99, res.Max = rank(lat, 0.50), rank(lat, 0.99), rank(lat, 1)
	return res
}

// rank is the nearest-rank percentile of sorted durations; 0 for none.
func rank(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func perSample(bytes, samples int64) float64 {
	if samples == 0 {
		return 0
	}
	return float64(bytes) / float64(samples)
}

// failures lists failed requests by status, e.g. "429:3,0:1" (0: no answer).
func (r result) failures() string {
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(r.Codes)) {
		parts = append(parts, fmt.Sprintf("%d:%d", c, r.Codes[c]))
	}
	return strings.Join(parts, ",")
}

// text is the human-readable summary printed at the end of a run.
func (r result) text(cfg config) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rwload: remote-write %s to %s: %d series, %d senders, %d samples/request, interval %s, seed %d\n",
		cfg.Protocol, cfg.URL, cfg.Series, cfg.Senders, cfg.SamplesPerRequest, cfg.Interval, cfg.Seed)
	if r.SamplesSent > 0 {
		fmt.Fprintf(&b, "  rounds:   %d, timestamps %s .. %s\n", r.Rounds,
			time.UnixMilli(r.FirstTS).UTC().Format(time.RFC3339), time.UnixMilli(r.LastTS).UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "  sent:     %d samples in %d requests in %.2f s = %.0f samples/s\n",
		r.SamplesSent, r.Requests, r.Elapsed.Seconds(), perSecond(r.SamplesSent, r.Elapsed))
	fmt.Fprintf(&b, "  accepted: %d samples (2xx) = %.0f samples/s\n", r.SamplesAccepted, perSecond(r.SamplesAccepted, r.Elapsed))
	if r.FailedRequests == 0 {
		b.WriteString("  failed:   none\n")
	} else {
		fmt.Fprintf(&b, "  failed:   %d requests\n", r.FailedRequests)
		for _, c := range slices.Sorted(maps.Keys(r.Codes)) {
			fmt.Fprintf(&b, "    %s: %d requests", describeCode(c), r.Codes[c])
			if c != 0 {
				fmt.Fprintf(&b, ", %d samples", r.SamplesByCode[c])
			}
			fmt.Fprintf(&b, "; first: %q\n", r.FirstErrors[c])
		}
	}
	if r.GaveUp {
		fmt.Fprintf(&b, "  gave up:  a sender stopped after %d requests in a row got no answer\n", maxConsecutiveTransportErrors)
	}
	if r.ReachedNow {
		b.WriteString("  stopped:  the rounds reached the present before --duration ran out (start earlier with --start)\n")
	}
	switch {
	case r.WithHeader+r.WithoutHeader == 0:
	case r.WithoutHeader == 0:
		fmt.Fprintf(&b, "  written:  X-Prometheus-Remote-Write-Samples-Written adds up to %d on all %d 2xx answers\n", r.WrittenHeader, r.WithHeader)
	case r.WithHeader == 0:
		b.WriteString("  written:  no 2xx answer carried X-Prometheus-Remote-Write-Samples-Written\n")
	default:
		fmt.Fprintf(&b, "  written:  X-Prometheus-Remote-Write-Samples-Written adds up to %d on %d 2xx answers; %d had none\n",
			r.WrittenHeader, r.WithHeader, r.WithoutHeader)
	}
	fmt.Fprintf(&b, "  wire:     %.1f MB snappy (%.2f B/sample), %.1f MB protobuf (%.2f B/sample)\n",
		float64(r.WireBytes)/1e6, perSample(r.WireBytes, r.SamplesSent), float64(r.RawBytes)/1e6, perSample(r.RawBytes, r.SamplesSent))
	fmt.Fprintf(&b, "  latency:  p50 %s, p99 %s, max %s\n", ms(r.P50), ms(r.P99), ms(r.Max))
	if r.Prep.Requests > 0 {
		fmt.Fprintf(&b, "  prepared: %d requests (%.1f MB) encoded in %.1f s (%.1f CPU-s) before the clock started\n",
			r.Prep.Requests, float64(r.Prep.WireBytes)/1e6, r.Prep.Wall.Seconds(), r.Prep.CPU)
	}
	fmt.Fprintf(&b, "  CPU while sending: rwload %.1f s (%.2f CPU-s per million samples sent)",
		r.CPU.Self, perMillion(r.CPU.Self, r.SamplesSent))
	if r.CPU.Known {
		cores := func(sec float64) float64 { return sec / max(r.Elapsed.Seconds(), 1e-9) }
		fmt.Fprintf(&b, "; PID %d %.1f s (%.2f cores); everything else %.1f s (%.2f cores)",
			cfg.WatchPID, r.CPU.Watched, cores(r.CPU.Watched), r.CPU.Others, cores(r.CPU.Others))
	}
	b.WriteString("\n")
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func perMillion(sec float64, samples int64) float64 {
	if samples == 0 {
		return 0
	}
	return sec / float64(samples) * 1e6
}

// known formats CPU seconds, or "" when they could not be read.
func known(ok bool, sec float64) string {
	if !ok {
		return ""
	}
	return fmt.Sprintf("%.2f", sec)
}

// keyValues is the summary for scripts (bench/receiver.sh): one key=value
// per line, values without spaces.
func (r result) keyValues(cfg config) string {
	kv := []struct {
		k string
		v any
	}{
		{"protocol", cfg.Protocol},
		{"series", cfg.Series},
		{"senders", cfg.Senders},
		{"samples_per_request", cfg.SamplesPerRequest},
		{"interval_ms", cfg.Interval.Milliseconds()},
		{"seed", cfg.Seed},
		{"rounds", r.Rounds},
		{"first_timestamp_ms", r.FirstTS},
		{"last_timestamp_ms", r.LastTS},
		{"requests", r.Requests},
		{"failed_requests", r.FailedRequests},
		{"failures", r.failures()},
		{"samples_sent", r.SamplesSent},
		{"samples_accepted", r.SamplesAccepted},
		{"elapsed_seconds", fmt.Sprintf("%.3f", r.Elapsed.Seconds())},
		{"samples_per_second", fmt.Sprintf("%.0f", perSecond(r.SamplesAccepted, r.Elapsed))},
		{"sent_samples_per_second", fmt.Sprintf("%.0f", perSecond(r.SamplesSent, r.Elapsed))},
		{"wire_bytes", r.WireBytes},
		{"raw_bytes", r.RawBytes},
		{"written_header_samples", r.WrittenHeader},
		{"answers_with_written_header", r.WithHeader},
		{"answers_without_written_header", r.WithoutHeader},
		{"latency_p50_ms", fmt.Sprintf("%.1f", float64(r.P50)/float64(time.Millisecond))},
		{"latency_p99_ms", fmt.Sprintf("%.1f", float64(r.P99)/float64(time.Millisecond))},
		{"generator_cpu_seconds", fmt.Sprintf("%.2f", r.CPU.Self)},
		{"watched_cpu_seconds", known(r.CPU.Known, r.CPU.Watched)},
		{"others_cpu_seconds", known(r.CPU.Known, r.CPU.Others)},
		{"pregenerated", cfg.Pregenerate},
		{"prepare_seconds", fmt.Sprintf("%.1f", r.Prep.Wall.Seconds())},
		{"prepare_cpu_seconds", fmt.Sprintf("%.1f", r.Prep.CPU)},
		{"reached_now", r.ReachedNow},
		{"gave_up", r.GaveUp},
	}
	var b strings.Builder
	for _, p := range kv {
		fmt.Fprintf(&b, "%s=%v\n", p.k, p.v)
	}
	return b.String()
}
