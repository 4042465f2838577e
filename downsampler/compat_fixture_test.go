package downsampler

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunks"
)

var compatOut = flag.String("compat-out", "", "directory to write the Thanos compatibility fixture into (used by e2e/thanoscompat)")

// CompatFixture is the expected.json written by TestWriteCompatFixture and read by
// e2e/thanoscompat. Keep the two in step: that module has its own copy of these types
// because it cannot import this module (Thanos v0.42.4 pins prometheus v0.309.1).
type CompatFixture struct {
	// Raw is the raw block's directory, relative to the fixture directory.
	Raw string `json:"raw"`
	// RawSeries are the float samples written into the raw block, per series.
	RawSeries []CompatSeries `json:"raw_series"`
	// Blocks are the downsampled blocks: 5m from Raw, then 1h from the 5m block.
	Blocks []CompatBlock `json:"blocks"`
}

// CompatBlock is one downsampled block and what ReadAggr returns from it.
type CompatBlock struct {
	Dir        string         `json:"dir"` // relative to the fixture directory
	ULID       string         `json:"ulid"`
	Resolution int64          `json:"resolution"`
	Series     []CompatSeries `json:"series"`
}

// CompatSeries is one series: its labels and, per aggregate name (count, sum, min, max,
// counter), the samples ReadAggr returns; for raw series the key is "raw". The key
// "counter_applied" holds CounterSamples of the counter aggregate.
type CompatSeries struct {
	Labels  map[string]string         `json:"labels"`
	Samples map[string][]CompatSample `json:"samples"`
}

// CompatSample is a sample with its value both readable and bit-exact.
type CompatSample struct {
	T    int64  `json:"t"`
	V    string `json:"v"`    // strconv 'g' -1: round-trips every finite value, NaN, ±Inf
	Bits string `json:"bits"` // math.Float64bits in hex, for NaN payloads (stale markers)
}

func toCompat(ss []Sample) []CompatSample {
	out := make([]CompatSample, 0, len(ss))
	for _, s := range ss {
		out = append(out, CompatSample{T: s.T, V: strconv.FormatFloat(s.V, 'g', -1, 64), Bits: strconv.FormatUint(math.Float64bits(s.V), 16)})
	}
	return out
}

// compatSeries is the fixture's raw data: counters with resets, gaps and stale
// markers, gauges with negative and large values, several label sets, different
// scrape intervals. All samples are floats: native histograms are raw-only.
func compatSeries() []testSeries {
	const day = 24 * 3600 * 1000
	rng := rand.New(rand.NewPCG(4, 2026))
	var (
		counterB, gauge, temp, up []Sample
	)
	// A 15s counter with large fractional values, resets, a 3h gap and a stale run.
	v := 1e9 + 0.25
	for ts := W + 7; ts < W+2*day; ts += 15000 {
		if ts > W+10*3600*1000 && ts < W+13*3600*1000 {
			continue // gap
		}
		switch i := (ts - W) / 15000; {
		case i%2000 == 1999:
			v = rng.Float64() * 10 // reset
		case i >= 5000 && i < 5004:
			counterB = append(counterB, Sample{ts, staleNaN})
			continue
		default:
			v += rng.Float64() * 123.4567
		}
		counterB = append(counterB, Sample{ts, v})
	}
	// A 15s gauge: a daily sine, noise and a spike.
	for ts := W; ts < W+2*day; ts += 15000 {
		g := 8e9 + 2e9*math.Sin(2*math.Pi*float64(ts-W)/day) + rng.NormFloat64()*1e7
		if ts == W+36*3600*1000 {
			g = 3.5e10
		}
		gauge = append(gauge, Sample{ts, g})
	}
	// A 30s gauge that goes negative, with a stale marker in the middle (target gone).
	for ts := W + 1234; ts < W+2*day; ts += 30000 {
		c := -5 + 20*math.Sin(2*math.Pi*float64(ts-W)/(6*3600*1000)) + rng.Float64()
		if ts > W+20*3600*1000 && ts < W+20*3600*1000+30000 {
			temp = append(temp, Sample{ts, staleNaN})
			continue
		}
		temp = append(temp, Sample{ts, c})
	}
	// A constant with 60s scrapes.
	for ts := W; ts < W+2*day; ts += 60000 {
		up = append(up, Sample{ts, 1})
	}
	return []testSeries{
		{labels.FromStrings("__name__", "http_requests_total", "instance", "a:9090", "job", "api"), testCounter()},
		{labels.FromStrings("__name__", "http_requests_total", "instance", "b:9090", "job", "api"), counterB},
		{labels.FromStrings("__name__", "node_memory_MemFree_bytes", "instance", "a:9100", "job", "node"), gauge},
		{labels.FromStrings("__name__", "temperature_celsius", "env", "prod", "instance", "a:9100", "job", "node", "sensor", "cpu0"), temp},
		{labels.FromStrings("__name__", "up", "instance", "a:9100", "job", "node"), up},
	}
}

// TestWriteCompatFixture is not a test but the fixture generator of the Thanos
// compatibility check in e2e/thanoscompat, which runs it as
//
//	go test ./downsampler -run '^TestWriteCompatFixture$' -count=1 -args -compat-out=DIR
//
// It writes a raw block under DIR/raw, downsamples it to 5m (DIR/5m) and that to 1h
// (DIR/1h) with Downsample, and writes DIR/expected.json: for every series of each
// block and every aggregate, the samples ReadAggr returns. Without -compat-out it is
// skipped on purpose (a skipped generator is expected in a plain `go test ./...`).
// e2e/thanoscompat fails, not skips, when this generator fails.
func TestWriteCompatFixture(t *testing.T) {
	if *compatOut == "" {
		t.Skip("fixture generator; run by e2e/thanoscompat")
	}
	out, err := filepath.Abs(*compatOut)
	if err != nil {
		t.Fatal(err)
	}
	fx := CompatFixture{}
	var series []storage.Series
	for _, rs := range compatSeries() {
		var cs []chunks.Sample
		for _, s := range rs.samples {
			cs = append(cs, fSample{s.T, s.V})
		}
		series = append(series, storage.NewListSeries(rs.lset, cs))
		fx.RawSeries = append(fx.RawSeries, CompatSeries{Labels: rs.lset.Map(), Samples: map[string][]CompatSample{"raw": toCompat(rs.samples)}})
	}
	for _, d := range []string{"raw", "5m", "1h"} {
		if err := os.MkdirAll(filepath.Join(out, d), 0o750); err != nil {
			t.Fatal(err)
		}
	}
	// The chunk range must exceed twice the data span: the head rejects samples older
	// than maxt - chunkRange/2, and the series are appended one after the other.
	rawDir, err := tsdb.CreateBlock(series, filepath.Join(out, "raw"), 10*24*3600*1000, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	fx.Raw = rel(t, out, rawDir)

	src := rawDir
	for _, tier := range []struct {
		name string
		res  int64
	}{{"5m", ResLevel1}, {"1h", ResLevel2}} {
		id, err := Downsample(context.Background(), nil, src, tier.res, filepath.Join(out, tier.name))
		if err != nil {
			t.Fatalf("downsample to %s: %v", tier.name, err)
		}
		dir := filepath.Join(out, tier.name, id.String())
		blk := CompatBlock{Dir: rel(t, out, dir), ULID: id.String(), Resolution: tier.res}
		byLabels := map[string]int{}
		for at := AggrCount; at <= AggrCounter; at++ {
			ss, err := ReadAggr(dir, at)
			if err != nil {
				t.Fatalf("%s: read %s: %v", tier.name, at, err)
			}
			for _, s := range ss {
				k := s.Labels.String()
				i, ok := byLabels[k]
				if !ok {
					i = len(blk.Series)
					byLabels[k] = i
					blk.Series = append(blk.Series, CompatSeries{Labels: s.Labels.Map(), Samples: map[string][]CompatSample{}})
				}
				blk.Series[i].Samples[at.String()] = toCompat(s.Samples)
				if at == AggrCounter {
					blk.Series[i].Samples["counter_applied"] = toCompat(CounterSamples(s.Samples))
				}
			}
		}
		if len(blk.Series) != len(fx.RawSeries) {
			t.Fatalf("%s: %d series, want %d", tier.name, len(blk.Series), len(fx.RawSeries))
		}
		fx.Blocks = append(fx.Blocks, blk)
		src = dir
	}

	b, err := json.MarshalIndent(fx, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "expected.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("fixture written to %s", out)
}

func rel(t *testing.T, base, p string) string {
	t.Helper()
	r, err := filepath.Rel(base, p)
	if err != nil {
		t.Fatal(fmt.Errorf("rel %s %s: %w", base, p, err))
	}
	return r
}
