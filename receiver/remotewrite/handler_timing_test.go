package remotewrite

import (
	"net/http"
	"testing"
)

// BenchmarkHandler posts requests shaped like Prometheus's defaults (2000
// series of one sample, max_samples_per_send) into a real TSDB.
func BenchmarkHandler(b *testing.B) {
	const series = 2000
	for _, p := range protos(b) {
		b.Run(p.name, func(b *testing.B) {
			db, _ := openDB(b)
			h := newTestHandler(b, testOptions(), db)
			bodies := make([][]byte, 64)
			for i := range bodies {
				ss := make([]tseries, series)
				for j := range ss {
					ss[j] = tseries{
						labels:  lbls("__name__", "node_cpu_seconds_total", "cpu", itoa(j%64), "instance", "host-"+itoa(j/64)+":9100", "job", "node", "mode", "user"),
						samples: floats(base-int64(len(bodies)-i)*15_000, float64(i)),
					}
				}
				bodies[i] = p.build(ss...)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if i%len(bodies) == 0 && i > 0 {
					b.StopTimer() // the series' samples are now newer: start a fresh TSDB
					db, _ = openDB(b)
					h = newTestHandler(b, testOptions(), db)
					b.StartTimer()
				}
				if rec := post(h, p.ctype, bodies[i%len(bodies)]); rec.Code != http.StatusNoContent {
					b.Fatalf("code %d: %s", rec.Code, rec.Body)
				}
			}
			b.ReportMetric(float64(series*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
