package downsampler

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
)

type fSample struct {
	t int64
	f float64
}

func (s fSample) T() int64                      { return s.t }
func (s fSample) ST() int64                     { return 0 }
func (s fSample) F() float64                    { return s.f }
func (s fSample) H() *histogram.Histogram       { return nil }
func (s fSample) FH() *histogram.FloatHistogram { return nil }
func (s fSample) Type() chunkenc.ValueType      { return chunkenc.ValFloat }
func (s fSample) Copy() chunks.Sample           { return s }

type hSample struct {
	t int64
	h *histogram.Histogram
}

func (s hSample) T() int64                      { return s.t }
func (s hSample) ST() int64                     { return 0 }
func (s hSample) F() float64                    { return 0 }
func (s hSample) H() *histogram.Histogram       { return s.h }
func (s hSample) FH() *histogram.FloatHistogram { return nil }
func (s hSample) Type() chunkenc.ValueType      { return chunkenc.ValHistogram }
func (s hSample) Copy() chunks.Sample           { return hSample{s.t, s.h.Copy()} }

type testSeries struct {
	lset    labels.Labels
	samples []Sample
}

// rawSeries are the float series of the test block; createRawBlock adds a histogram.
func rawSeries() []testSeries {
	return []testSeries{
		{labels.FromStrings("__name__", "aligned", "job", "a"), []Sample{{W - 1, 1}, {W, 2}, {W + 299999, 3}, {W + 300000, 4}}},
		{labels.FromStrings("__name__", "counter", "job", "a"), testCounter()},
		{labels.FromStrings("__name__", "stale", "job", "a"), []Sample{{W, staleNaN}, {W + 60000, staleNaN}}},
	}
}

// createRawBlock writes rawSeries and one native histogram series into a raw block
// with the TSDB's own block writer and returns its directory.
func createRawBlock(t *testing.T) string {
	t.Helper()
	var series []storage.Series
	for _, rs := range rawSeries() {
		var cs []chunks.Sample
		for _, s := range rs.samples {
			cs = append(cs, fSample{s.T, s.V})
		}
		series = append(series, storage.NewListSeries(rs.lset, cs))
	}
	var hs []chunks.Sample
	for i := range 10 {
		h := &histogram.Histogram{Count: uint64(i), ZeroCount: uint64(i), Sum: float64(i), ZeroThreshold: 0.001}
		hs = append(hs, hSample{W + int64(i)*15000, h})
	}
	series = append(series, storage.NewListSeries(labels.FromStrings("__name__", "histogram", "job", "a"), hs))

	dir, err := tsdb.CreateBlock(series, t.TempDir(), 3*24*3600*1000, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDownsampleBlock(t *testing.T) {
	rawDir := createRawBlock(t)
	rawMeta, err := ReadMeta(rawDir)
	if err != nil {
		t.Fatal(err)
	}
	out5m, out1h := t.TempDir(), t.TempDir()
	id5m, err := Downsample(context.Background(), nil, rawDir, ResLevel1, out5m)
	if err != nil {
		t.Fatal(err)
	}
	dir5m := filepath.Join(out5m, id5m.String())
	id1h, err := Downsample(context.Background(), nil, dir5m, ResLevel2, out1h)
	if err != nil {
		t.Fatal(err)
	}
	dir1h := filepath.Join(out1h, id1h.String())

	for _, tier := range []struct {
		name string
		dir  string
		res  int64
	}{{"5m", dir5m, ResLevel1}, {"1h", dir1h, ResLevel2}} {
		t.Run(tier.name, func(t *testing.T) {
			checkMeta(t, tier.dir, rawMeta, tier.res)
			// Expected: the in-memory downsampling of the same samples, itself checked
			// against hand-written tables in TestDownsampleRaw and TestChain.
			want := map[string]map[AggrType][]Sample{}
			for _, rs := range rawSeries() {
				chks := downsampleRaw(rs.samples, ResLevel1)
				if len(chks) == 0 {
					continue
				}
				if tier.res == ResLevel2 {
					var aggrs []*AggrChunk
					for _, c := range chks {
						aggrs = append(aggrs, c.Chunk.(*AggrChunk))
					}
					chks, err = downsampleAggr(aggrs, chks[0].MinTime, chks[len(chks)-1].MaxTime, ResLevel1, ResLevel2)
					if err != nil {
						t.Fatal(err)
					}
				}
				want[rs.lset.String()] = aggrSamples(t, chks)
			}
			got := map[string]map[AggrType][]Sample{}
			for at := AggrCount; at <= AggrCounter; at++ {
				ss, err := ReadAggr(tier.dir, at)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range ss {
					if got[s.Labels.String()] == nil {
						got[s.Labels.String()] = map[AggrType][]Sample{}
					}
					got[s.Labels.String()][at] = s.Samples
				}
			}
			if len(got) != len(want) {
				t.Fatalf("got series %v, want %d (histogram and stale-only series skipped)", keys(got), len(want))
			}
			for ls, w := range want {
				t.Run(ls, func(t *testing.T) { checkAggrs(t, got[ls], w, 0) })
			}
		})
	}

	// The hand-computed 5m aggregates of one series, read with a matcher.
	ss, err := ReadAggr(dir5m, AggrCounter, labels.MustNewMatcher(labels.MatchEqual, "__name__", "aligned"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Sample{{W - 1, 1}, {W - 1, 1}, {W + 299999, 3}, {W + 300000, 4}, {W + 300000, 4}}
	if len(ss) != 1 || !samplesEqual(ss[0].Samples, want, 0) {
		t.Fatalf("aligned counter: got %v, want %v", ss, want)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// checkMeta reads meta.json as plain JSON, the way Thanos's metadata.Read decodes it.
func checkMeta(t *testing.T, dir string, src *Meta, res int64) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		ULID    string `json:"ulid"`
		MinTime int64  `json:"minTime"`
		MaxTime int64  `json:"maxTime"`
		Version int    `json:"version"`
		Stats   struct {
			NumSeries, NumChunks, NumSamples uint64
		} `json:"stats"`
		Thanos map[string]json.RawMessage `json:"thanos"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.ULID != filepath.Base(dir) || m.Version != 1 || m.MinTime != src.MinTime || m.MaxTime != src.MaxTime {
		t.Errorf("meta header %+v, source %+v", m, src.BlockMeta)
	}
	if m.Stats.NumSeries != 2 || m.Stats.NumChunks == 0 || m.Stats.NumSamples == 0 {
		t.Errorf("stats %+v", m.Stats)
	}
	wantThanos := map[string]string{
		"version":       `1`,
		"labels":        `{}`,
		"downsample":    `{"resolution":` + jsonInt(res) + `}`,
		"source":        `"compactor"`,
		"segment_files": `["000001"]`,
	}
	for k, w := range wantThanos {
		if got := compactJSON(t, m.Thanos[k]); got != w {
			t.Errorf("thanos.%s = %s, want %s", k, got, w)
		}
	}
	var files []ThanosFile
	if err := json.Unmarshal(m.Thanos["files"], &files); err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 || files[0].RelPath != "chunks/000001" || files[1].RelPath != "index" || files[2].RelPath != "meta.json" || files[2].SizeBytes != 0 {
		t.Fatalf("files %+v", files)
	}
	for _, f := range files[:2] {
		fi, err := os.Stat(filepath.Join(dir, f.RelPath))
		if err != nil || fi.Size() != f.SizeBytes {
			t.Errorf("file %s: size %d in meta, stat %v %v", f.RelPath, f.SizeBytes, fi, err)
		}
	}
}

func jsonInt(v int64) string { b, _ := json.Marshal(v); return string(b) }

func compactJSON(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestDownsampleCleanup(t *testing.T) {
	rawDir := createRawBlock(t)
	assertEmpty := func(t *testing.T, dir string) {
		t.Helper()
		es, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 0 {
			t.Fatalf("%s holds %v after a failed run", dir, es)
		}
	}
	t.Run("cancelled context", func(t *testing.T) {
		out := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Downsample(ctx, nil, rawDir, ResLevel1, out); !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v, want context.Canceled", err)
		}
		assertEmpty(t, out)
	})
	t.Run("raw chunks in a block claiming 5m", func(t *testing.T) {
		// Fails mid-block, after chunks were written: series "aligned" comes first.
		src := filepath.Join(t.TempDir(), "src")
		copyDir(t, rawDir, src)
		m, err := ReadMeta(src)
		if err != nil {
			t.Fatal(err)
		}
		m.Thanos.Downsample.Resolution = ResLevel1
		if err := writeMeta(src, m); err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		if _, err := Downsample(context.Background(), nil, src, ResLevel2, out); !errors.Is(err, ErrNotAggrChunk) {
			t.Fatalf("err %v, want ErrNotAggrChunk", err)
		}
		assertEmpty(t, out)
	})
	t.Run("resolution not coarser", func(t *testing.T) {
		out := t.TempDir()
		if _, err := Downsample(context.Background(), nil, rawDir, ResLevel0, out); !errors.Is(err, ErrResolution) {
			t.Fatalf("err %v, want ErrResolution", err)
		}
		assertEmpty(t, out)
	})
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o750)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
