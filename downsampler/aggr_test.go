package downsampler

import (
	"bytes"
	"errors"
	"testing"

	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

func xorChunk(t *testing.T, samples ...Sample) chunkenc.Chunk {
	t.Helper()
	c := chunkenc.NewXORChunk()
	app, err := c.Appender()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		app.Append(0, s.T, s.V)
	}
	return c
}

func chunkSamples(t *testing.T, c chunkenc.Chunk) []Sample {
	t.Helper()
	var out []Sample
	it := c.Iterator(nil)
	for it.Next() == chunkenc.ValFloat {
		ts, v := it.At()
		out = append(out, Sample{ts, v})
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAggrChunkRoundTrip(t *testing.T) {
	// 200 samples make the XOR data longer than 127 bytes: a two-byte uvarint length.
	var long []Sample
	for i := range 200 {
		long = append(long, Sample{int64(i) * 15000, float64(i*i) + 0.25})
	}
	f := func(name string, in [NumAggrTypes][]Sample, present [NumAggrTypes]bool) {
		t.Run(name, func(t *testing.T) {
			var chks [NumAggrTypes]chunkenc.Chunk
			for i := range in {
				if present[i] {
					chks[i] = xorChunk(t, in[i]...)
				}
			}
			ac := EncodeAggrChunk(chks)
			if ac.Encoding() != ChunkEncAggr || ac.Encoding() != 0xff {
				t.Fatalf("encoding %x", ac.Encoding())
			}
			for at := AggrCount; at <= AggrCounter; at++ {
				c, err := ac.Get(at)
				if !present[at] {
					if !errors.Is(err, ErrAggrNotExist) {
						t.Fatalf("%s: err %v, want ErrAggrNotExist", at, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", at, err)
				}
				if c.Encoding() != chunkenc.EncXOR {
					t.Fatalf("%s: encoding %s", at, c.Encoding())
				}
				if got := chunkSamples(t, c); !samplesEqual(got, in[at], 0) {
					t.Fatalf("%s: got %v, want %v", at, got, in[at])
				}
			}
			wantN := 0
			if present[AggrCount] {
				wantN = len(in[AggrCount])
			}
			if n := ac.NumSamples(); n != wantN {
				t.Fatalf("NumSamples %d, want %d", n, wantN)
			}
		})
	}
	s := []Sample{{1000, 1}, {2000, 2}, {2000, 5}}
	f("all", [NumAggrTypes][]Sample{s, s, s, s, s}, [NumAggrTypes]bool{true, true, true, true, true})
	f("counter only", [NumAggrTypes][]Sample{4: s}, [NumAggrTypes]bool{4: true})
	f("count and max", [NumAggrTypes][]Sample{0: s, 3: long}, [NumAggrTypes]bool{0: true, 3: true})
	f("none", [NumAggrTypes][]Sample{}, [NumAggrTypes]bool{})
	f("long", [NumAggrTypes][]Sample{long, long, long, long, long}, [NumAggrTypes]bool{true, true, true, true, true})
}

// TestAggrChunkHandMade checks the byte layout against a sequence written by hand from
// Thanos's EncodeAggrChunk (pkg/compact/downsample/aggr.go): per aggregate
// uvarint(len(data)), then, when non-zero, the encoding byte and the data.
func TestAggrChunkHandMade(t *testing.T) {
	// XOR chunk with one sample (t=1000, v=1): uint16 sample count, varint(t)
	// (zig-zag 2000 = 0xd0 0x0f), then the 64 bits of 1.0.
	xor1 := []byte{0x00, 0x01, 0xd0, 0x0f, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0}
	// XOR chunk with one sample (t=1000, v=-2).
	xor2 := []byte{0x00, 0x01, 0xd0, 0x0f, 0xc0, 0x00, 0, 0, 0, 0, 0, 0}
	handMade := []byte{
		0x0c, 0x01, // count: length 12, EncXOR
	}
	handMade = append(handMade, xor1...)
	handMade = append(handMade, 0x00, 0x00) // sum, min absent
	handMade = append(handMade, 0x0c, 0x01) // max: length 12, EncXOR
	handMade = append(handMade, xor2...)
	handMade = append(handMade, 0x00) // counter absent

	ac := AggrChunk(handMade)
	want := map[AggrType][]Sample{AggrCount: {{1000, 1}}, AggrMax: {{1000, -2}}}
	for at := AggrCount; at <= AggrCounter; at++ {
		c, err := ac.Get(at)
		if w, ok := want[at]; ok {
			if err != nil {
				t.Fatalf("%s: %v", at, err)
			}
			if got := chunkSamples(t, c); !samplesEqual(got, w, 0) {
				t.Fatalf("%s: got %v, want %v", at, got, w)
			}
		} else if !errors.Is(err, ErrAggrNotExist) {
			t.Fatalf("%s: err %v, want ErrAggrNotExist", at, err)
		}
	}

	enc := EncodeAggrChunk([NumAggrTypes]chunkenc.Chunk{
		AggrCount: xorChunk(t, Sample{1000, 1}),
		AggrMax:   xorChunk(t, Sample{1000, -2}),
	})
	if !bytes.Equal(enc, handMade) {
		t.Fatalf("encoded\n%x\nwant\n%x", []byte(enc), handMade)
	}
}

func TestAggrChunkInvalid(t *testing.T) {
	for _, b := range [][]byte{
		nil,
		{0x0c, 0x01, 0x00},       // truncated data
		{0x80},                   // truncated uvarint
		{0x00, 0x00, 0x00, 0x00}, // counter missing entirely
	} {
		if _, err := AggrChunk(b).Get(AggrCounter); err == nil || errors.Is(err, ErrAggrNotExist) {
			t.Errorf("%x: err %v, want a size error", b, err)
		}
	}
	if _, err := AggrChunk([]byte{0, 0, 0, 0, 0}).Get(AggrType(5)); err == nil {
		t.Error("aggregate 5: want error")
	}
}

func TestPool(t *testing.T) {
	p := NewPool()
	c, err := p.Get(ChunkEncAggr, []byte{0, 0, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*AggrChunk); !ok {
		t.Fatalf("got %T", c)
	}
	if err := p.Put(c); err != nil {
		t.Fatal(err)
	}
	x := xorChunk(t, Sample{1, 1})
	c, err = p.Get(chunkenc.EncXOR, x.Bytes())
	if err != nil || c.Encoding() != chunkenc.EncXOR {
		t.Fatalf("xor: %v %v", c, err)
	}
	if err := p.Put(c); err != nil {
		t.Fatal(err)
	}
}
