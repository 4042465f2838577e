package downsampler

import (
	"math"
	"testing"

	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/tsdb/chunks"
)

var staleNaN = math.Float64frombits(value.StaleNaN)

// samplesEqual compares timestamps exactly and values within relTol relative
// (exactly when relTol is 0).
func samplesEqual(got, want []Sample, relTol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].T != want[i].T || !floatEqual(got[i].V, want[i].V, relTol) {
			return false
		}
	}
	return true
}

func floatEqual(a, b, relTol float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= relTol*math.Max(math.Abs(a), math.Abs(b))
}

// aggrSamples decodes the aggregates of chks, concatenated over chunks.
func aggrSamples(t *testing.T, chks []chunks.Meta) map[AggrType][]Sample {
	t.Helper()
	out := map[AggrType][]Sample{}
	for _, cm := range chks {
		ac, ok := cm.Chunk.(*AggrChunk)
		if !ok {
			t.Fatalf("chunk is %T", cm.Chunk)
		}
		for at := AggrCount; at <= AggrCounter; at++ {
			c, err := ac.Get(at)
			if err != nil {
				t.Fatalf("%s: %v", at, err)
			}
			out[at] = append(out[at], chunkSamples(t, c)...)
		}
	}
	return out
}

func checkAggrs(t *testing.T, got, want map[AggrType][]Sample, relTol float64) {
	t.Helper()
	for at := AggrCount; at <= AggrCounter; at++ {
		if !samplesEqual(got[at], want[at], relTol) {
			t.Errorf("%s:\n got  %v\n want %v", at, got[at], want[at])
		}
	}
}

// W is a 5m window boundary: 5666667 * 300000 ms.
const W = int64(1700000100000)

func TestDownsampleRaw(t *testing.T) {
	f := func(name string, raw []Sample, res int64, want map[AggrType][]Sample) {
		t.Run(name, func(t *testing.T) {
			chks := downsampleRaw(raw, res)
			if want == nil {
				if len(chks) != 0 {
					t.Fatalf("got %d chunks, want none", len(chks))
				}
				return
			}
			checkAggrs(t, aggrSamples(t, chks), want, 0)
		})
	}
	// Windows of 100 ms: [0,99] stamped 99, [100,199] stamped 199 unless it is the
	// last window, which is stamped with its last sample. The counter aggregate starts
	// with the first raw sample and ends with the last raw value at the last stamp.
	f("normal counter", []Sample{{10, 1}, {30, 2}, {60, 4}, {110, 5}, {150, 9}, {190, 10}}, 100,
		map[AggrType][]Sample{
			AggrCount:   {{99, 3}, {190, 3}},
			AggrSum:     {{99, 7}, {190, 24}},
			AggrMin:     {{99, 1}, {190, 5}},
			AggrMax:     {{99, 4}, {190, 10}},
			AggrCounter: {{10, 1}, {99, 4}, {190, 10}, {190, 10}},
		})
	f("counter resets", []Sample{{10, 5}, {40, 8}, {70, 2}, {120, 4}, {160, 1}, {180, 3}}, 100,
		map[AggrType][]Sample{
			AggrCount:   {{99, 3}, {180, 3}},
			AggrSum:     {{99, 15}, {180, 8}},
			AggrMin:     {{99, 2}, {180, 1}},
			AggrMax:     {{99, 8}, {180, 4}},
			AggrCounter: {{10, 5}, {99, 10}, {180, 15}, {180, 3}}, // 5 +3 +2(reset) | +2 +1(reset) +2
		})
	f("gaps", []Sample{{10, 1}, {20, 2}, {350, 3}, {360, 7}}, 100,
		map[AggrType][]Sample{ // no aggregates for the empty windows 100-299
			AggrCount:   {{99, 2}, {360, 2}},
			AggrSum:     {{99, 3}, {360, 10}},
			AggrMin:     {{99, 1}, {360, 3}},
			AggrMax:     {{99, 2}, {360, 7}},
			AggrCounter: {{10, 1}, {99, 2}, {360, 7}, {360, 7}},
		})
	f("stale NaNs", []Sample{{10, 1}, {20, staleNaN}, {50, 3}, {120, staleNaN}, {130, 4}, {250, staleNaN}}, 100,
		map[AggrType][]Sample{ // stale markers count nowhere, the trailing one included
			AggrCount:   {{99, 2}, {130, 1}},
			AggrSum:     {{99, 4}, {130, 4}},
			AggrMin:     {{99, 1}, {130, 4}},
			AggrMax:     {{99, 3}, {130, 4}},
			AggrCounter: {{10, 1}, {99, 3}, {130, 4}, {130, 4}},
		})
	f("only stale NaNs", []Sample{{10, staleNaN}, {20, staleNaN}}, 100, nil)
	f("gauge", []Sample{{5, 10}, {25, -3}, {45, 7.5}, {105, 2}, {195, -1}}, 100,
		map[AggrType][]Sample{ // the counter of a gauge is meaningless but deterministic
			AggrCount:   {{99, 3}, {195, 2}},
			AggrSum:     {{99, 14.5}, {195, 1}},
			AggrMin:     {{99, -3}, {195, -1}},
			AggrMax:     {{99, 10}, {195, 2}},
			AggrCounter: {{5, 10}, {99, 17.5}, {195, 18.5}, {195, -1}},
		})
	f("windows aligned at 5m", []Sample{{W - 1, 1}, {W, 2}, {W + 299999, 3}, {W + 300000, 4}}, ResLevel1,
		map[AggrType][]Sample{ // [W-5m, W-1] | [W, W+5m-1] | last window stamped with its sample
			AggrCount:   {{W - 1, 1}, {W + 299999, 2}, {W + 300000, 1}},
			AggrSum:     {{W - 1, 1}, {W + 299999, 5}, {W + 300000, 4}},
			AggrMin:     {{W - 1, 1}, {W + 299999, 2}, {W + 300000, 4}},
			AggrMax:     {{W - 1, 1}, {W + 299999, 3}, {W + 300000, 4}},
			AggrCounter: {{W - 1, 1}, {W - 1, 1}, {W + 299999, 3}, {W + 300000, 4}, {W + 300000, 4}},
		})
	// Thanos pkg/compact/downsample/downsample_test.go, TestDownsample "single chunk".
	f("thanos single chunk", []Sample{{20, 1}, {40, 2}, {60, 3}, {80, 1}, {100, 2}, {101, staleNaN}, {120, 5}, {180, 10}, {250, 1}}, 100,
		map[AggrType][]Sample{
			AggrCount:   {{99, 4}, {199, 3}, {250, 1}},
			AggrSum:     {{99, 7}, {199, 17}, {250, 1}},
			AggrMin:     {{99, 1}, {199, 2}, {250, 1}},
			AggrMax:     {{99, 3}, {199, 10}, {250, 1}},
			AggrCounter: {{20, 1}, {99, 4}, {199, 13}, {250, 14}, {250, 1}},
		})
}

// TestCounterBoundaryReset is Thanos's TestDownsampleCounterBoundaryReset
// (pkg/compact/downsample/downsample_test.go): resets fall exactly between chunks and
// are only seen through each chunk's first and last raw values.
func TestCounterBoundaryReset(t *testing.T) {
	raw := []Sample{
		{10, 1}, {20, 3}, {30, 5},
		{50, 1}, {60, 8}, {70, 10},
		{120, 1}, {130, 18}, {140, 20},
		{160, 21}, {170, 38}, {180, 40},
	}
	cm := downsampleRawLoop(raw, 50, len(raw)+1) // one window per chunk
	if len(cm) != 4 {
		t.Fatalf("got %d chunks, want 4", len(cm))
	}
	counter := aggrSamples(t, cm)[AggrCounter]
	want := []Sample{
		{10, 1}, {30, 5}, {30, 5},
		{50, 1}, {70, 10}, {70, 10},
		{120, 1}, {140, 20}, {140, 20},
		{160, 21}, {180, 40}, {180, 40},
	}
	if !samplesEqual(counter, want, 0) {
		t.Fatalf("raw counter\n got  %v\n want %v", counter, want)
	}
	wantIter := []Sample{{10, 1}, {30, 5}, {50, 6}, {70, 15}, {120, 16}, {140, 35}, {160, 36}, {180, 55}}
	if got := CounterSamples(counter); !samplesEqual(got, wantIter, 0) {
		t.Fatalf("raw counter iterated\n got  %v\n want %v", got, wantIter)
	}

	var aggrs []*AggrChunk
	for _, c := range cm {
		aggrs = append(aggrs, c.Chunk.(*AggrChunk))
	}
	var out []chunks.Meta
	for _, part := range [][]*AggrChunk{aggrs[:2], aggrs[2:]} {
		var buf []Sample
		c, err := downsampleAggrBatch(part, &buf, 100)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	counter = aggrSamples(t, out)[AggrCounter]
	want = []Sample{{10, 1}, {70, 15}, {70, 10}, {120, 1}, {180, 40}, {180, 40}}
	if !samplesEqual(counter, want, 0) {
		t.Fatalf("aggr counter\n got  %v\n want %v", counter, want)
	}
	wantIter = []Sample{{10, 1}, {70, 15}, {120, 16}, {180, 55}}
	if got := CounterSamples(counter); !samplesEqual(got, wantIter, 0) {
		t.Fatalf("aggr counter iterated\n got  %v\n want %v", got, wantIter)
	}
}

// testCounter is two days of a 60s counter with resets (one right after a stale
// marker, as after a restart) and a gauge-like wobble in its increments.
func testCounter() []Sample {
	var out []Sample
	v := 100.0
	for i := range 2 * 24 * 60 {
		ts := W + int64(i)*60000 + int64(i%7)*13 // a little jitter
		switch {
		case i%331 == 330:
			v = float64(i % 5) // reset
		case i == 1000:
			out = append(out, Sample{ts, staleNaN})
			continue
		default:
			v += float64(i%13) * 0.37
		}
		out = append(out, Sample{ts, v})
	}
	return out
}

// TestChain checks that 1h computed from 5m aggregates equals 1h computed from raw.
func TestChain(t *testing.T) {
	raw := withBoundaryReset(t, testCounter())
	fiveM := downsampleRaw(raw, ResLevel1)
	if len(fiveM) < 2 {
		t.Fatalf("want several 5m chunks to cross chunk boundaries, got %d", len(fiveM))
	}
	var aggrs []*AggrChunk
	for _, c := range fiveM {
		aggrs = append(aggrs, c.Chunk.(*AggrChunk))
	}
	fromAggr, err := downsampleAggr(aggrs, fiveM[0].MinTime, fiveM[len(fiveM)-1].MaxTime, ResLevel1, ResLevel2)
	if err != nil {
		t.Fatal(err)
	}
	fromRaw := downsampleRaw(raw, ResLevel2)
	got, want := aggrSamples(t, fromAggr), aggrSamples(t, fromRaw)
	// count, min and max are exact; sum and counter add floats in another order.
	for _, at := range []AggrType{AggrCount, AggrMin, AggrMax} {
		if !samplesEqual(got[at], want[at], 0) {
			t.Errorf("%s:\n got  %v\n want %v", at, got[at], want[at])
		}
	}
	for _, at := range []AggrType{AggrSum, AggrCounter} {
		if !samplesEqual(got[at], want[at], 1e-12) {
			t.Errorf("%s:\n got  %v\n want %v", at, got[at], want[at])
		}
	}
	if n := len(want[AggrCount]); n != 49 {
		t.Errorf("got %d hourly windows, want 49", n)
	}
}

// rawIncrease returns the reset-adjusted increase of raw between the last samples at
// or before a and b, as Prometheus's rate() adds up deltas (a drop is a reset and the
// new value is the increase). Written independently of aggregator.
func rawIncrease(raw []Sample, a, b int64) float64 {
	var inc, prev float64
	var seen bool
	var atA float64
	for _, s := range raw {
		if math.IsNaN(s.V) || s.T > b {
			continue
		}
		if seen {
			if s.V < prev {
				inc += s.V
			} else {
				inc += s.V - prev
			}
		}
		prev, seen = s.V, true
		if s.T <= a {
			atA = inc
		}
	}
	return inc - atA
}

// withBoundaryReset returns raw with a counter reset at the first sample of the second
// 5m chunk, where only the chunks' first and last raw values reveal it. Chunk
// boundaries depend on timestamps only, so they do not move.
func withBoundaryReset(t *testing.T, raw []Sample) []Sample {
	t.Helper()
	chks := downsampleRaw(raw, ResLevel1)
	if len(chks) < 2 {
		t.Fatalf("want several 5m chunks, got %d", len(chks))
	}
	first := aggrSamples(t, chks[1:2])[AggrCounter][0].T
	out := append([]Sample(nil), raw...)
	idx := 0
	for out[idx].T != first {
		idx++
	}
	offset := out[idx].V - 0.5
	for j := idx; j < len(out) && (j == idx || raw[j].V >= raw[j-1].V || math.IsNaN(raw[j].V)); j++ {
		out[j].V -= offset
	}
	if !(out[idx].V < out[idx-1].V) {
		t.Fatalf("no reset at %d", first)
	}
	return out
}

// TestRateOverCounter checks that rate over the counter aggregate equals rate over raw
// within 1e-9 relative, for every range between two window stamps of the tier (5m and
// 1h) and over the whole series. Rate here is increase/duration without PromQL's
// extrapolation: extrapolation depends on where samples sit inside the range, which
// downsampling moves by design, while the increase between window ends is exactly
// what the counter aggregate keeps.
func TestRateOverCounter(t *testing.T) {
	raw := withBoundaryReset(t, testCounter())
	fiveM := downsampleRaw(raw, ResLevel1)
	var aggrs []*AggrChunk
	for _, c := range fiveM {
		aggrs = append(aggrs, c.Chunk.(*AggrChunk))
	}
	oneH, err := downsampleAggr(aggrs, fiveM[0].MinTime, fiveM[len(fiveM)-1].MaxTime, ResLevel1, ResLevel2)
	if err != nil {
		t.Fatal(err)
	}
	for name, chks := range map[string][]chunks.Meta{"5m": fiveM, "1h": oneH} {
		tier := CounterSamples(aggrSamples(t, chks)[AggrCounter])
		if tier[0].T != raw[0].T {
			t.Fatalf("%s: first sample at %d, want the first raw sample at %d", name, tier[0].T, raw[0].T)
		}
		// Ranges of 1, 3 and 12 tier steps, and the whole series.
		for _, stride := range []int{1, 3, 12, len(tier) - 1} {
			for i := 0; i+stride < len(tier); i += stride {
				a, b := tier[i], tier[i+stride]
				d := float64(b.T-a.T) / 1000
				rTier := (b.V - a.V) / d
				rRaw := rawIncrease(raw, a.T, b.T) / d
				if !floatEqual(rTier, rRaw, 1e-9) {
					t.Fatalf("%s: rate (%d, %d]: tier %v, raw %v", name, a.T, b.T, rTier, rRaw)
				}
			}
		}
	}
}
