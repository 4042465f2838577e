package tier

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/nexclipper/nexclipper/downsampler"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

func xorChunk(t *testing.T, samples ...downsampler.Sample) chunkenc.Iterator {
	t.Helper()
	c := chunkenc.NewXORChunk()
	app, err := c.Appender()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		app.Append(0, s.T, s.V)
	}
	return c.Iterator(nil)
}

func drain(t *testing.T, it chunkenc.Iterator) []downsampler.Sample {
	t.Helper()
	var out []downsampler.Sample
	for it.Next() == chunkenc.ValFloat {
		ts, v := it.At()
		out = append(out, downsampler.Sample{T: ts, V: v})
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type s = downsampler.Sample

func TestConcatAndClip(t *testing.T) {
	it := clipped(concatIterator([]chunkenc.Iterator{
		xorChunk(t, s{T: 10, V: 1}, s{T: 20, V: 2}),
		xorChunk(t),
		xorChunk(t, s{T: 30, V: 3}, s{T: 40, V: 4}),
	}), 20, 30)
	if got, want := drain(t, it), []s{{T: 20, V: 2}, {T: 30, V: 3}}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// The counter iterator, sought past a reset, still adds the reset: Seek walks.
func TestCounterIteratorSeekKeepsResets(t *testing.T) {
	// Two counter-aggregate chunks: each starts with its first raw sample and ends
	// with the true last raw value at the last timestamp again. The second chunk
	// starts after a reset (5 < 9).
	newIt := func() chunkenc.Iterator {
		return counterIterator([]chunkenc.Iterator{
			xorChunk(t, s{T: 0, V: 1}, s{T: 100, V: 4}, s{T: 200, V: 9}, s{T: 200, V: 9}),
			xorChunk(t, s{T: 300, V: 5}, s{T: 400, V: 7}, s{T: 400, V: 7}),
		})
	}
	all := drain(t, newIt())
	want := []s{{T: 0, V: 1}, {T: 100, V: 4}, {T: 200, V: 9}, {T: 300, V: 14}, {T: 400, V: 16}}
	if !reflect.DeepEqual(all, want) {
		t.Fatalf("counter samples %v, want %v", all, want)
	}
	f := func(seek int64, wantT int64, wantV float64) {
		t.Helper()
		it := newIt()
		if typ := it.Seek(seek); typ != chunkenc.ValFloat {
			t.Fatalf("Seek(%d) = %v", seek, typ)
		}
		if ts, v := it.At(); ts != wantT || v != wantV {
			t.Errorf("Seek(%d) at (%d, %g), want (%d, %g)", seek, ts, v, wantT, wantV)
		}
		// Seeking backwards stays put.
		if it.Seek(0); it.AtT() != wantT {
			t.Errorf("Seek(0) after Seek(%d) moved to %d", seek, it.AtT())
		}
	}
	f(0, 0, 1)
	f(150, 200, 9)
	f(301, 400, 16)
	if it := newIt(); it.Seek(401) != chunkenc.ValNone {
		t.Error("Seek past the end found a sample")
	}
}

func TestAverageIterator(t *testing.T) {
	sum := concatIterator([]chunkenc.Iterator{xorChunk(t, s{T: 299999, V: 30}, s{T: 599999, V: 8})})
	count := concatIterator([]chunkenc.Iterator{xorChunk(t, s{T: 299999, V: 3}, s{T: 599999, V: 2})})
	if got, want := drain(t, averageIterator(sum, count)), []s{{T: 299999, V: 10}, {T: 599999, V: 4}}; !reflect.DeepEqual(got, want) {
		t.Errorf("averages %v, want %v", got, want)
	}

	sum = concatIterator([]chunkenc.Iterator{xorChunk(t, s{T: 1, V: 1})})
	count = concatIterator([]chunkenc.Iterator{xorChunk(t, s{T: 2, V: 1})})
	it := averageIterator(sum, count)
	if it.Next() != chunkenc.ValNone || !errors.Is(it.Err(), errNotAligned) {
		t.Errorf("misaligned sum and count: err %v, want %v", it.Err(), errNotAligned)
	}
	sum = concatIterator([]chunkenc.Iterator{xorChunk(t, s{T: 1, V: 1})})
	count = concatIterator([]chunkenc.Iterator{xorChunk(t, s{T: 1, V: 0})})
	if got := drain(t, averageIterator(sum, count)); len(got) != 1 || !math.IsNaN(got[0].V) {
		t.Errorf("zero count gave %v, want NaN", got)
	}
}

func TestModeFor(t *testing.T) {
	f := func(fn string, want readMode) {
		t.Helper()
		if got := modeFor(fn); got != want {
			t.Errorf("modeFor(%q) = %s, want %s", fn, got, want)
		}
	}
	f("rate", readCounter)
	f("increase", readCounter)
	f("irate", readCounter)
	f("resets", readCounter)
	f("max_over_time", readMax)
	f("max", readMax)
	f("min_over_time", readMin)
	f("min", readMin)
	f("count_over_time", readCount)
	f("sum_over_time", readSum)
	f("sum", readAverage)
	f("avg_over_time", readAverage)
	f("", readAverage)
	f("delta", readAverage)
}
