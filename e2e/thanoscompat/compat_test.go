package thanoscompat

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/tsdb/index"
	"github.com/thanos-io/thanos/pkg/block"
	"github.com/thanos-io/thanos/pkg/block/metadata"
	"github.com/thanos-io/thanos/pkg/compact/downsample"
)

// fixture mirrors CompatFixture in downsampler/compat_fixture_test.go of the main
// module, which cannot be imported here (it needs prometheus v0.316.0, Thanos v0.42.4
// needs v0.309.1).
type fixture struct {
	Raw       string     `json:"raw"`
	RawSeries []fxSeries `json:"raw_series"`
	Blocks    []fxBlock  `json:"blocks"`
}

type fxBlock struct {
	Dir        string     `json:"dir"`
	ULID       string     `json:"ulid"`
	Resolution int64      `json:"resolution"`
	Series     []fxSeries `json:"series"`
}

type fxSeries struct {
	Labels  map[string]string     `json:"labels"`
	Samples map[string][]fxSample `json:"samples"`
}

type fxSample struct {
	T    int64  `json:"t"`
	V    string `json:"v"`
	Bits string `json:"bits"`
}

type sample struct {
	t int64
	v float64
}

func (s sample) String() string { return fmt.Sprintf("{%d %v}", s.t, s.v) }

func (s fxSample) sample(t *testing.T) sample {
	t.Helper()
	b, err := strconv.ParseUint(s.Bits, 16, 64)
	if err != nil {
		t.Fatalf("expected.json: bad bits %q: %v", s.Bits, err)
	}
	v := math.Float64frombits(b)
	if f, err := strconv.ParseFloat(s.V, 64); err != nil || !(f == v || math.IsNaN(f) && math.IsNaN(v)) {
		t.Fatalf("expected.json: v %q disagrees with bits %s (%v)", s.V, s.Bits, err)
	}
	return sample{s.T, v}
}

func samplesOf(t *testing.T, ss []fxSample) []sample {
	t.Helper()
	out := make([]sample, 0, len(ss))
	for _, s := range ss {
		out = append(out, s.sample(t))
	}
	return out
}

// aggrTypes are Thanos's aggregates in AggrType order; the names are the ones the
// generator writes (AggrType.String in both code bases).
var aggrTypes = []downsample.AggrType{downsample.AggrCount, downsample.AggrSum, downsample.AggrMin, downsample.AggrMax, downsample.AggrCounter}

// generate runs the main module's fixture generator into a new temporary directory.
// Any failure fails the test: a compatibility check that silently skips proves nothing.
func generate(t *testing.T) (string, *fixture) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "downsampler", "compat_fixture_test.go")); err != nil {
		t.Fatalf("main module not found at %s: %v", root, err)
	}
	dir := t.TempDir()
	start := time.Now()
	cmd := exec.Command("go", "test", "-count=1", "-v", "-run", "^TestWriteCompatFixture$", "./downsampler", "-args", "-compat-out="+dir)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("fixture generator failed: %s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestWriteCompatFixture") {
		t.Fatalf("fixture generator did not run (skipped or not found):\n%s", out)
	}
	t.Logf("fixture generated in %s", time.Since(start).Round(time.Millisecond))
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatalf("generator wrote no expected.json: %v\n%s", err, out)
	}
	var fx fixture
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatalf("decode expected.json: %v", err)
	}
	if len(fx.Blocks) != 2 || fx.Blocks[0].Resolution != downsample.ResLevel1 || fx.Blocks[1].Resolution != downsample.ResLevel2 {
		t.Fatalf("expected.json: want a 5m and a 1h block, got %+v", fx.Blocks)
	}
	return dir, &fx
}

// thanosSeries is what Thanos's readers return for one series of a block.
type thanosSeries struct {
	lset   labels.Labels
	chunks []chunks.Meta
	aggrs  map[downsample.AggrType][]sample
}

// readBlock opens a block with Prometheus v0.309.1's tsdb and Thanos's chunk pool and
// decodes every chunk with Thanos's AggrChunk.
func readBlock(t *testing.T, dir string) []thanosSeries {
	t.Helper()
	b, err := tsdb.OpenBlock(nil, dir, downsample.NewPool(), nil)
	if err != nil {
		t.Fatalf("tsdb.OpenBlock with Thanos's pool: %v", err)
	}
	defer closeOrFail(t, b)
	ir, err := b.Index()
	if err != nil {
		t.Fatal(err)
	}
	defer closeOrFail(t, ir)
	cr, err := b.Chunks()
	if err != nil {
		t.Fatal(err)
	}
	defer closeOrFail(t, cr)

	ctx := context.Background()
	k, v := index.AllPostingsKey()
	p, err := ir.Postings(ctx, k, v)
	if err != nil {
		t.Fatal(err)
	}
	var (
		out     []thanosSeries
		builder labels.ScratchBuilder
		it      chunkenc.Iterator
	)
	for p.Next() {
		var chks []chunks.Meta
		if err := ir.Series(p.At(), &builder, &chks); err != nil {
			t.Fatalf("read series %d: %v", p.At(), err)
		}
		s := thanosSeries{lset: builder.Labels(), aggrs: map[downsample.AggrType][]sample{}}
		for i := range chks {
			c, iterable, err := cr.ChunkOrIterable(chks[i])
			if err != nil {
				t.Fatalf("series %s: read chunk %d: %v", s.lset, i, err)
			}
			if iterable != nil {
				t.Fatalf("series %s: chunk %d is an iterable, not a chunk", s.lset, i)
			}
			if c.Encoding() != downsample.ChunkEncAggr {
				t.Fatalf("series %s: chunk %d has encoding %s, want Thanos's ChunkEncAggr (0xff)", s.lset, i, c.Encoding())
			}
			ac, ok := c.(*downsample.AggrChunk)
			if !ok {
				t.Fatalf("series %s: chunk %d decoded by Thanos's pool as %T, want *downsample.AggrChunk", s.lset, i, c)
			}
			// Copy: the chunk's bytes live in the mmapped segment, closed on return.
			cp := downsample.AggrChunk(append([]byte(nil), *ac...))
			chks[i].Chunk = &cp
			var windows int
			for _, at := range aggrTypes {
				sub, err := cp.Get(at)
				if err != nil {
					t.Fatalf("series %s: chunk %d [%d,%d]: Thanos AggrChunk.Get(%s): %v", s.lset, i, chks[i].MinTime, chks[i].MaxTime, at, err)
				}
				if sub.Encoding() != chunkenc.EncXOR {
					t.Errorf("series %s: chunk %d: %s has encoding %s, want XOR", s.lset, i, at, sub.Encoding())
				}
				it = sub.Iterator(it)
				var n int
				for typ := it.Next(); typ != chunkenc.ValNone; typ = it.Next() {
					if typ != chunkenc.ValFloat {
						t.Fatalf("series %s: chunk %d: %s holds a %s sample", s.lset, i, at, typ)
					}
					ts, v := it.At()
					// The counter aggregate starts with the chunk's first raw sample, which
					// lies before the chunk's MinTime (the first window's stamp); Thanos's own
					// DownsampleRaw writes it the same way.
					if (ts < chks[i].MinTime && at != downsample.AggrCounter) || ts > chks[i].MaxTime {
						t.Errorf("series %s: chunk %d [%d,%d]: %s sample at %d outside the chunk's index range", s.lset, i, chks[i].MinTime, chks[i].MaxTime, at, ts)
					}
					s.aggrs[at] = append(s.aggrs[at], sample{ts, v})
					n++
				}
				if err := it.Err(); err != nil {
					t.Fatalf("series %s: chunk %d: %s: %v", s.lset, i, at, err)
				}
				if at == downsample.AggrCount {
					windows = n
				}
			}
			if got := cp.NumSamples(); got != windows {
				t.Errorf("series %s: chunk %d: Thanos NumSamples %d, count aggregate has %d", s.lset, i, got, windows)
			}
		}
		s.chunks = chks
		out = append(out, s)
	}
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func closeOrFail(t *testing.T, c interface{ Close() error }) {
	t.Helper()
	if err := c.Close(); err != nil {
		t.Error(err)
	}
}

// equal compares timestamps exactly and values bit for bit, or within relTol relative.
func equal(got, want []sample, relTol float64) (bool, string) {
	if len(got) != len(want) {
		return false, fmt.Sprintf("%d samples, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.t != w.t {
			return false, fmt.Sprintf("sample %d: t=%d, want %d", i, g.t, w.t)
		}
		if math.Float64bits(g.v) == math.Float64bits(w.v) {
			continue
		}
		if d := math.Abs(g.v - w.v); d > relTol*math.Max(math.Abs(g.v), math.Abs(w.v)) || math.IsNaN(d) {
			return false, fmt.Sprintf("sample %d at t=%d: v=%v, want %v", i, g.t, g.v, w.v)
		}
	}
	return true, ""
}

func checkAggrs(t *testing.T, what string, got map[downsample.AggrType][]sample, want map[string][]sample, relTol float64) {
	t.Helper()
	for _, at := range aggrTypes {
		w, ok := want[at.String()]
		if !ok {
			t.Errorf("%s: expected.json has no %s aggregate", what, at)
			continue
		}
		if ok, msg := equal(got[at], w, relTol); !ok {
			t.Errorf("%s: %s: %s", what, at, msg)
		}
	}
}

func TestThanosReadsOurBlocks(t *testing.T) {
	dir, fx := generate(t)

	rawMeta, err := metadata.ReadFromDir(filepath.Join(dir, fx.Raw))
	if err != nil {
		t.Fatalf("raw block meta: %v", err)
	}
	rawByLabels := map[string][]sample{}
	for _, s := range fx.RawSeries {
		rawByLabels[labels.FromMap(s.Labels).String()] = samplesOf(t, s.Samples["raw"])
	}

	for _, blk := range fx.Blocks {
		blockDir := filepath.Join(dir, blk.Dir)
		t.Run(fmt.Sprintf("%dms", blk.Resolution), func(t *testing.T) {
			checkThanosMeta(t, blockDir, blk, rawMeta)

			got := readBlock(t, blockDir)
			want := map[string]fxSeries{}
			for _, s := range blk.Series {
				want[labels.FromMap(s.Labels).String()] = s
			}
			if len(got) != len(want) {
				t.Errorf("Thanos reads %d series, expected.json has %d", len(got), len(want))
			}
			for i, s := range got {
				if i > 0 && labels.Compare(got[i-1].lset, s.lset) >= 0 {
					t.Errorf("series not sorted: %s after %s", s.lset, got[i-1].lset)
				}
				w, ok := want[s.lset.String()]
				if !ok {
					t.Errorf("series %s not in expected.json", s.lset)
					continue
				}
				wantAggr := map[string][]sample{}
				for name, ss := range w.Samples {
					wantAggr[name] = samplesOf(t, ss)
				}
				checkAggrs(t, s.lset.String(), s.aggrs, wantAggr, 1e-12)
				checkQueryIterators(t, s, wantAggr, rawByLabels[s.lset.String()])
			}
		})
	}

	// Thanos's own compactor downsampling, from our blocks: raw -> 5m must equal our
	// 5m block, and our 5m block -> 1h must equal our 1h block. The second proves that
	// Thanos's compactor accepts our 5m blocks as input.
	t.Run("thanos downsampler", func(t *testing.T) {
		src := filepath.Join(dir, fx.Raw)
		for _, blk := range fx.Blocks {
			srcMeta, err := metadata.ReadFromDir(src)
			if err != nil {
				t.Fatal(err)
			}
			b, err := tsdb.OpenBlock(nil, src, downsample.NewPool(), nil)
			if err != nil {
				t.Fatal(err)
			}
			outDir := t.TempDir()
			id, err := downsample.Downsample(context.Background(), log.NewNopLogger(), srcMeta, b, outDir, blk.Resolution)
			closeOrFail(t, b)
			if err != nil {
				t.Fatalf("Thanos Downsample %s to %d ms: %v", src, blk.Resolution, err)
			}
			theirs := readBlock(t, filepath.Join(outDir, id.String()))
			ours := readBlock(t, filepath.Join(dir, blk.Dir))
			if len(theirs) != len(ours) {
				t.Fatalf("%d ms: Thanos wrote %d series, we wrote %d", blk.Resolution, len(theirs), len(ours))
			}
			for i := range ours {
				if !labels.Equal(ours[i].lset, theirs[i].lset) {
					t.Fatalf("%d ms: series %d: ours %s, Thanos's %s", blk.Resolution, i, ours[i].lset, theirs[i].lset)
				}
				want := map[string][]sample{}
				for _, at := range aggrTypes {
					want[at.String()] = theirs[i].aggrs[at]
				}
				checkAggrs(t, fmt.Sprintf("%d ms %s (ours vs Thanos's)", blk.Resolution, ours[i].lset), ours[i].aggrs, want, 1e-12)
				if ok, msg := equalChunkRanges(ours[i].chunks, theirs[i].chunks); !ok {
					t.Errorf("%d ms %s: chunk ranges differ from Thanos's: %s", blk.Resolution, ours[i].lset, msg)
				}
			}
			src = filepath.Join(dir, blk.Dir)
		}
	})
}

func equalChunkRanges(a, b []chunks.Meta) (bool, string) {
	r := func(cs []chunks.Meta) string {
		var s []string
		for _, c := range cs {
			s = append(s, fmt.Sprintf("[%d,%d]", c.MinTime, c.MaxTime))
		}
		return strings.Join(s, " ")
	}
	if r(a) != r(b) {
		return false, fmt.Sprintf("ours %s, Thanos's %s", r(a), r(b))
	}
	return true, ""
}

// checkThanosMeta reads meta.json with Thanos's metadata package and checks the
// fields Thanos's store and compactor rely on, and the index with Thanos's verifier.
func checkThanosMeta(t *testing.T, dir string, blk fxBlock, raw *metadata.Meta) {
	t.Helper()
	m, err := metadata.ReadFromDir(dir)
	if err != nil {
		t.Fatalf("Thanos metadata.ReadFromDir: %v", err)
	}
	if m.ULID.String() != blk.ULID || filepath.Base(dir) != blk.ULID {
		t.Errorf("ULID %s, dir %s, expected.json %s", m.ULID, filepath.Base(dir), blk.ULID)
	}
	if m.Version != metadata.TSDBVersion1 || m.Thanos.Version != metadata.ThanosVersion1 {
		t.Errorf("versions: tsdb %d, thanos %d", m.Version, m.Thanos.Version)
	}
	if m.Thanos.Downsample.Resolution != blk.Resolution {
		t.Errorf("thanos.downsample.resolution %d, want %d", m.Thanos.Downsample.Resolution, blk.Resolution)
	}
	if m.Thanos.Source != metadata.CompactorSource {
		t.Errorf("thanos.source %q, want %q", m.Thanos.Source, metadata.CompactorSource)
	}
	if m.Thanos.Labels == nil {
		t.Errorf("thanos.labels is null; Thanos writes {}")
	}
	if m.MinTime != raw.MinTime || m.MaxTime != raw.MaxTime {
		t.Errorf("time range [%d,%d), raw block [%d,%d)", m.MinTime, m.MaxTime, raw.MinTime, raw.MaxTime)
	}
	if m.Stats.NumSeries == 0 || m.Stats.NumChunks == 0 || m.Stats.NumSamples == 0 {
		t.Errorf("stats %+v", m.Stats)
	}
	files, err := block.GatherFileStats(dir, metadata.NoneFunc, log.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(files) != fmt.Sprint(m.Thanos.Files) {
		t.Errorf("thanos.files %+v, Thanos's GatherFileStats %+v", m.Thanos.Files, files)
	}
	segs, err := os.ReadDir(filepath.Join(dir, block.ChunksDirname))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range segs {
		names = append(names, s.Name())
	}
	sort.Strings(names)
	if fmt.Sprint(names) != fmt.Sprint(m.Thanos.SegmentFiles) {
		t.Errorf("thanos.segment_files %v, chunks/ holds %v", m.Thanos.SegmentFiles, names)
	}
	// What the compactor checks before and after downsampling (compact.go).
	stats, err := block.GatherIndexHealthStats(context.Background(), log.NewNopLogger(), filepath.Join(dir, block.IndexFilename), m.MinTime, m.MaxTime)
	if err != nil {
		t.Fatalf("Thanos GatherIndexHealthStats: %v", err)
	}
	if err := stats.AnyErr(); err != nil {
		t.Errorf("Thanos index health: %v", err)
	}
	if stats.TotalSeries != int64(m.Stats.NumSeries) || stats.TotalChunks != int64(m.Stats.NumChunks) {
		t.Errorf("index holds %d series, %d chunks; meta.json stats %+v", stats.TotalSeries, stats.TotalChunks, m.Stats)
	}
}

// checkQueryIterators runs Thanos's query-side iterators over the aggregates as its
// store and querier do: ApplyCounterResetsIterator over the counter chunks (what
// rate/increase see) and AverageChunkIterator over count and sum.
func checkQueryIterators(t *testing.T, s thanosSeries, want map[string][]sample, raw []sample) {
	t.Helper()
	var counters, counts, sums []chunkenc.Iterator
	for _, c := range s.chunks {
		ac := c.Chunk.(*downsample.AggrChunk)
		for _, x := range []struct {
			at  downsample.AggrType
			dst *[]chunkenc.Iterator
		}{{downsample.AggrCounter, &counters}, {downsample.AggrCount, &counts}, {downsample.AggrSum, &sums}} {
			sub, err := ac.Get(x.at)
			if err != nil {
				t.Fatal(err)
			}
			*x.dst = append(*x.dst, sub.Iterator(nil))
		}
	}

	// Counter: Thanos's iterator must accept our chunks, give what our CounterSamples
	// gives, and its total increase must be the raw series' increase.
	cit := downsample.NewApplyCounterResetsIterator(counters...)
	var applied []sample
	for typ := cit.Next(); typ != chunkenc.ValNone; typ = cit.Next() {
		if typ != chunkenc.ValFloat {
			t.Fatalf("%s: ApplyCounterResetsIterator returned %s", s.lset, typ)
		}
		ts, v := cit.At()
		applied = append(applied, sample{ts, v})
	}
	if err := cit.Err(); err != nil {
		t.Fatalf("%s: ApplyCounterResetsIterator: %v", s.lset, err)
	}
	if ok, msg := equal(applied, want["counter_applied"], 1e-12); !ok {
		t.Errorf("%s: Thanos ApplyCounterResetsIterator vs our CounterSamples: %s", s.lset, msg)
	}
	// Only for counters (no negative value): for a series going negative the counter
	// aggregate is not monotonic and ApplyCounterResetsIterator reads its decreases as
	// resets, in Thanos as here; rate() over such a gauge is meaningless anyway.
	if len(applied) > 0 && len(raw) > 0 && nonNegative(raw) {
		inc, first, last := rawIncrease(raw)
		gotInc := applied[len(applied)-1].v - applied[0].v
		if applied[0].t != first || applied[len(applied)-1].t != last {
			t.Errorf("%s: counter spans [%d,%d], raw [%d,%d]", s.lset, applied[0].t, applied[len(applied)-1].t, first, last)
		}
		if math.Abs(gotInc-inc) > 1e-9*math.Max(1, math.Abs(inc)) {
			t.Errorf("%s: increase over the tier through Thanos's iterator %v, over raw %v", s.lset, gotInc, inc)
		}
	}

	// Average: sum/count per window.
	var avg []sample
	for i := range counts {
		it := downsample.NewAverageChunkIterator(counts[i], sums[i])
		for it.Next() != chunkenc.ValNone {
			ts, v := it.At()
			avg = append(avg, sample{ts, v})
		}
		if err := it.Err(); err != nil {
			t.Fatalf("%s: AverageChunkIterator: %v", s.lset, err)
		}
	}
	wc, ws := want["count"], want["sum"]
	var wantAvg []sample
	for i := range wc {
		if i < len(ws) {
			wantAvg = append(wantAvg, sample{wc[i].t, ws[i].v / wc[i].v})
		}
	}
	if ok, msg := equal(avg, wantAvg, 1e-12); !ok {
		t.Errorf("%s: Thanos AverageChunkIterator: %s", s.lset, msg)
	}
}

// rawIncrease is increase() over the whole raw series, without extrapolation: the sum
// of non-negative deltas, a drop counting as a reset to 0. NaNs (stale markers) are
// skipped, as Thanos's downsampler and ApplyCounterResetsIterator skip them.
func rawIncrease(raw []sample) (inc float64, first, last int64) {
	prev := math.NaN()
	for _, s := range raw {
		if math.IsNaN(s.v) {
			continue
		}
		if math.IsNaN(prev) {
			first = s.t
		} else if s.v >= prev {
			inc += s.v - prev
		} else {
			inc += s.v
		}
		prev, last = s.v, s.t
	}
	return inc, first, last
}

func nonNegative(ss []sample) bool {
	for _, s := range ss {
		if s.v < 0 {
			return false
		}
	}
	return true
}
