package tier

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/prometheus/storage"
)

// BenchmarkSumAllSeries30d is the bench-tiers query in miniature (20 series):
// sum of every series over 30 days at step 1h, on raw and on the tiers.
func BenchmarkSumAllSeries30d(b *testing.B) {
	ts := newTestStorage(b, 30, Options{RawWindow: DefaultRawWindow, FiveMinWindow: DefaultFiveMinWindow})
	if _, err := ts.runner.RunOnce(context.Background()); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		q    storage.Queryable
	}{{"raw", ts.db}, {"tiered", ts.queryable()}} {
		b.Run(c.name, func(b *testing.B) {
			engine := newEngine()
			for b.Loop() {
				qry, err := engine.NewRangeQuery(context.Background(), c.q, nil, `sum({job="node"})`, dataEnd.Add(-30*24*time.Hour), dataEnd, time.Hour)
				if err != nil {
					b.Fatal(err)
				}
				if res := qry.Exec(context.Background()); res.Err != nil {
					b.Fatal(res.Err)
				}
				qry.Close()
			}
		})
	}
}
