package main

import (
	"testing"
	"time"
)

// BenchmarkEncode is the generator's cost per request: next values for
// 2000 series (every 4th, as one of 4 shards holds them, so a request spans
// about 8 hosts), marshal and snappy, as one sender does between requests.
func BenchmarkEncode(b *testing.B) {
	const batchSize = 2000
	var all []*series
	for i, s := range buildSeries(4*batchSize, 1) {
		if i%4 == 0 {
			all = append(all, s)
		}
	}
	for _, proto := range []string{protoV1, protoV2} {
		b.Run(proto, func(b *testing.B) {
			enc, err := newEncoder(proto, batchSize)
			if err != nil {
				b.Fatal(err)
			}
			batch := make([]sample, batchSize)
			var wire int
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				ts := int64(i) * 15_000
				for j, s := range all {
					batch[j] = sample{s: s, ts: ts, v: s.next(ts, 15)}
				}
				body, _, err := enc.encode(batch)
				if err != nil {
					b.Fatal(err)
				}
				wire = len(body)
			}
			b.ReportMetric(float64(batchSize*b.N)/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(float64(wire)/batchSize, "B/sample")
		})
	}
}

// BenchmarkBuildSeries is the one-off cost of generating the label sets.
func BenchmarkBuildSeries(b *testing.B) {
	for b.Loop() {
		buildSeries(100_000, 1)
	}
	b.ReportMetric(float64(b.Elapsed())/float64(time.Millisecond)/float64(b.N), "ms/100k")
}
