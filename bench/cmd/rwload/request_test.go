package main

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/prompb"
	writev2 "github.com/prometheus/prometheus/prompb/io/prometheus/write/v2"
)

// decoded is one sample as a receiver sees it.
type decoded struct {
	labels string
	ts     int64
	v      float64
	typ    writev2.Metadata_MetricType
	help   string
}

// decodeBody undoes an encoder with the generated code, as a receiver does.
func decodeBody(t testing.TB, protocol string, body []byte) []decoded {
	t.Helper()
	raw, err := snappy.Decode(nil, body)
	if err != nil {
		t.Fatalf("snappy: %v", err)
	}
	var out []decoded
	switch protocol {
	case protoV1:
		var req prompb.WriteRequest
		if err := req.Unmarshal(raw); err != nil {
			t.Fatalf("unmarshal 1.0: %v", err)
		}
		for _, ts := range req.Timeseries {
			b := labels.NewScratchBuilder(len(ts.Labels))
			for _, l := range ts.Labels {
				b.Add(l.Name, l.Value)
			}
			for _, s := range ts.Samples {
				out = append(out, decoded{labels: b.Labels().String(), ts: s.Timestamp, v: s.Value})
			}
		}
	case protoV2:
		var req writev2.Request
		if err := req.Unmarshal(raw); err != nil {
			t.Fatalf("unmarshal 2.0: %v", err)
		}
		if len(req.Symbols) == 0 || req.Symbols[0] != "" {
			t.Fatalf("symbols table must start with the empty string, got %q", req.Symbols[:min(1, len(req.Symbols))])
		}
		b := labels.NewScratchBuilder(16)
		for _, ts := range req.Timeseries {
			ls, err := ts.ToLabels(&b, req.Symbols)
			if err != nil {
				t.Fatalf("labels: %v", err)
			}
			for _, s := range ts.Samples {
				out = append(out, decoded{labels: ls.String(), ts: s.Timestamp, v: s.Value, typ: ts.Metadata.Type, help: req.Symbols[ts.Metadata.HelpRef]})
			}
		}
	}
	return out
}

func TestEncodeRoundTrip(t *testing.T) {
	all := buildSeries(300, 1)
	batch := make([]sample, len(all))
	for i, s := range all {
		batch[i] = sample{s: s, ts: 1_800_000_000_000, v: float64(i) + 0.25}
	}
	for _, proto := range []string{protoV1, protoV2} {
		t.Run(proto, func(t *testing.T) {
			enc, err := newEncoder(proto, 100) // smaller than the batch: buffers must grow
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // the second encode reuses every buffer
				body, raw, err := enc.encode(batch)
				if err != nil {
					t.Fatal(err)
				}
				if raw <= len(body) {
					t.Errorf("protobuf %d bytes, snappy %d: no compression?", raw, len(body))
				}
				got := decodeBody(t, proto, body)
				if len(got) != len(batch) {
					t.Fatalf("decoded %d samples, sent %d", len(got), len(batch))
				}
				for i, d := range got {
					s := batch[i]
					if d.labels != s.s.labels.String() || d.ts != s.ts || d.v != s.v {
						t.Fatalf("sample %d: decoded %s %d %v, sent %s %d %v", i, d.labels, d.ts, d.v, s.s.labels, s.ts, s.v)
					}
					if proto == protoV2 && (d.typ != s.s.fam.typ || d.help != s.s.fam.help) {
						t.Fatalf("sample %d: metadata %v %q, want %v %q", i, d.typ, d.help, s.s.fam.typ, s.s.fam.help)
					}
				}
			}
		})
	}
	if _, err := newEncoder("3.0", 1); err == nil {
		t.Error("protocol 3.0 accepted")
	}
}

// TestShardRoundsOrder checks what a TSDB relies on: every series gets one
// sample per round, timestamps advance by the interval and never go back,
// and batches are full but for the last.
func TestShardRoundsOrder(t *testing.T) {
	const rounds, batchSize = 7, 64
	all := buildSeries(500, 1)
	sh := plan(all, 3)[1]
	start := int64(1_800_000_000_000)
	interval := 15 * time.Second
	last := map[*series]int64{}
	count := map[*series]int{}
	var sizes []int
	waited := 0
	sh.rounds(rounds, start, interval, batchSize,
		func(r int, ts int64) bool {
			if r != waited || ts != start+int64(r)*interval.Milliseconds() {
				t.Fatalf("wait(%d, %d), want round %d", r, ts, waited)
			}
			waited++
			return true
		},
		func(batch []sample) bool {
			sizes = append(sizes, len(batch))
			for _, smp := range batch {
				if prev, ok := last[smp.s]; ok && smp.ts != prev+interval.Milliseconds() {
					t.Fatalf("%s: sample at %d after %d", smp.s.labels, smp.ts, prev)
				} else if !ok && smp.ts != start {
					t.Fatalf("%s: first sample at %d, want %d", smp.s.labels, smp.ts, start)
				}
				last[smp.s] = smp.ts
				count[smp.s]++
			}
			return true
		})
	if len(count) != len(sh.series) {
		t.Fatalf("%d of the shard's %d series sent", len(count), len(sh.series))
	}
	for s, n := range count {
		if n != rounds {
			t.Fatalf("%s sent %d times, want %d", s.labels, n, rounds)
		}
	}
	total := 0
	for i, n := range sizes {
		total += n
		if n != batchSize && i != len(sizes)-1 {
			t.Fatalf("batch %d of %d has %d samples, want %d", i, len(sizes), n, batchSize)
		}
	}
	if total != rounds*len(sh.series) {
		t.Fatalf("sent %d samples, want %d", total, rounds*len(sh.series))
	}

	// A false from yield stops at once.
	calls := 0
	sh.rounds(0, start, interval, batchSize, func(int, int64) bool { return true }, func([]sample) bool { calls++; return calls < 3 })
	if calls != 3 {
		t.Errorf("yield called %d times after returning false on the 3rd", calls)
	}
}

// TestRequestsDeterministic: the same seed gives byte-identical bodies, so
// every receiver in a comparison gets the same requests.
func TestRequestsDeterministic(t *testing.T) {
	bodies := func(proto string, seed uint64) [][]byte {
		var out [][]byte
		enc, err := newEncoder(proto, 200)
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range plan(buildSeries(1000, seed), 2) {
			sh.rounds(3, 1_800_000_000_000, 15*time.Second, 200, func(int, int64) bool { return true }, func(batch []sample) bool {
				body, _, err := enc.encode(batch)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, bytes.Clone(body))
				return true
			})
		}
		return out
	}
	for _, proto := range []string{protoV1, protoV2} {
		a, b, c := bodies(proto, 3), bodies(proto, 3), bodies(proto, 4)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s: seed 3 twice gave different requests", proto)
		}
		if fmt.Sprint(a) == fmt.Sprint(c) {
			t.Errorf("%s: seeds 3 and 4 gave the same requests", proto)
		}
	}
}
