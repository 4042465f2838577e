package remotewrite

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/metadata"
	writev2 "github.com/prometheus/prometheus/prompb/io/prometheus/write/v2"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/record"
	"github.com/prometheus/prometheus/tsdb/wlog"
)

// TestV2Malformed covers what only 2.0 can get wrong: references into the
// symbols table, and samples mixed with histograms. The good series of the
// same request is stored.
func TestV2Malformed(t *testing.T) {
	good := writev2.TimeSeries{LabelsRefs: []uint32{1, 2}, Samples: []writev2.Sample{{Value: 1, Timestamp: base}}}
	symbols := []string{"", "__name__", "good", "x", "help"}
	cases := []struct {
		name string
		ts   writev2.TimeSeries
		body string
	}{
		{"label ref out of range", writev2.TimeSeries{LabelsRefs: []uint32{1, 99}, Samples: []writev2.Sample{{Value: 1, Timestamp: base}}},
			"invalid_symbol_ref: 1, reference outside the symbols table or odd-length labels_refs (first: labels_refs [1 99] with 5 symbols)"},
		{"odd labels_refs", writev2.TimeSeries{LabelsRefs: []uint32{1, 3, 1}, Samples: []writev2.Sample{{Value: 1, Timestamp: base}}},
			"invalid_symbol_ref: 1"},
		{"help ref out of range", writev2.TimeSeries{LabelsRefs: []uint32{1, 3}, Samples: []writev2.Sample{{Value: 1, Timestamp: base}}, Metadata: writev2.Metadata{HelpRef: 42}},
			"invalid_symbol_ref: 1, reference outside the symbols table or odd-length labels_refs (first: metadata help_ref 42 outside of symbols table"},
		{"exemplar ref out of range", writev2.TimeSeries{LabelsRefs: []uint32{1, 3}, Samples: []writev2.Sample{{Value: 1, Timestamp: base}}, Exemplars: []writev2.Exemplar{{LabelsRefs: []uint32{7, 8}, Timestamp: base}}},
			"invalid_symbol_ref: 1"},
		{"samples and histograms in one series", writev2.TimeSeries{LabelsRefs: []uint32{1, 3}, Samples: []writev2.Sample{{Value: 1, Timestamp: base}}, Histograms: []writev2.Histogram{writev2.FromIntHistogram(0, base+1000, testHistogram(2))}},
			"mixed_samples_histograms: 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, _ := openDB(t)
			h := newTestHandler(t, testOptions(), db)
			rec := post(h, ctypeV2, encode(t, &writev2.Request{Symbols: symbols, Timeseries: []writev2.TimeSeries{good, c.ts}}))
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("code = %d, want 400; body %q", rec.Code, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), c.body) {
				t.Errorf("body %q does not contain %q", rec.Body, c.body)
			}
			want := map[string][]string{`{__name__="good"}`: {"0=1"}}
			if c.name == "exemplar ref out of range" { // the sample itself is fine
				want[`{__name__="x"}`] = []string{"0=1"}
			}
			if got := dump(t, db); !reflect.DeepEqual(got, want) {
				t.Errorf("stored %v, want %v", got, want)
			}
		})
	}
}

// TestV2StartTimestamps: with created-timestamp zero ingestion the start
// timestamp becomes a zero sample before the sample; with ST storage it is
// kept beside the sample and read back by the iterator.
func TestV2StartTimestamps(t *testing.T) {
	series := tseries{labels: lbls("__name__", "requests_total"), samples: []sample{{t: base, st: base - 5000, v: 10}, {t: base + 1000, st: base - 5000, v: 12}}}

	t.Run("as zero sample", func(t *testing.T) {
		db, _ := openDB(t, func(o *tsdb.Options) { o.EnableSTAsZeroSample = true })
		h := newTestHandler(t, testOptions(), db)
		if rec := post(h, ctypeV2, encode(t, buildV2(series))); rec.Code != http.StatusNoContent {
			t.Fatalf("code %d %q", rec.Code, rec.Body)
		}
		want := map[string][]string{`{__name__="requests_total"}`: {"-5000=0", "0=10", "1000=12"}}
		if got := dump(t, db); !reflect.DeepEqual(got, want) {
			t.Errorf("stored %v, want %v", got, want)
		}
	})

	t.Run("stored beside the sample", func(t *testing.T) {
		db, _ := openDB(t, func(o *tsdb.Options) {
			o.EnableSTStorage = true
			o.FloatChunkEncoding = chunkenc.EncXOR2
		})
		h := newTestHandler(t, testOptions(), db)
		if rec := post(h, ctypeV2, encode(t, buildV2(series))); rec.Code != http.StatusNoContent {
			t.Fatalf("code %d %q", rec.Code, rec.Body)
		}
		q, err := db.Querier(0, 1<<62)
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		ss := q.Select(context.Background(), false, nil, labels.MustNewMatcher(labels.MatchEqual, model.MetricNameLabel, "requests_total"))
		var sts []int64
		for ss.Next() {
			it := ss.At().Iterator(nil)
			for it.Next() != chunkenc.ValNone {
				sts = append(sts, it.AtST()-base)
			}
		}
		if want := []int64{-5000, -5000}; !reflect.DeepEqual(sts, want) {
			t.Errorf("start timestamps %v, want %v", sts, want)
		}
	})
}

// TestV2Metadata: per-series metadata reaches the TSDB's WAL when its
// metadata records are on (the TSDB has no query API for metadata).
func TestV2Metadata(t *testing.T) {
	db, dir := openDB(t, func(o *tsdb.Options) { o.EnableMetadataWALRecords = true })
	h := newTestHandler(t, testOptions(), db)
	series := tseries{
		labels:  lbls("__name__", "http_request_duration_seconds_sum"),
		samples: floats(base, 1),
		meta:    metadata.Metadata{Type: model.MetricTypeHistogram, Unit: "seconds", Help: "Time to answer."},
	}
	if rec := post(h, ctypeV2, encode(t, buildV2(series))); rec.Code != http.StatusNoContent {
		t.Fatalf("code %d %q", rec.Code, rec.Body)
	}
	if err := db.Close(); err != nil { // flushes the WAL
		t.Fatal(err)
	}
	sr, err := wlog.NewSegmentsReader(dir + "/wal")
	if err != nil {
		t.Fatal(err)
	}
	defer sr.Close()
	r := wlog.NewReader(sr)
	dec := record.NewDecoder(labels.NewSymbolTable(), nil)
	var got []record.RefMetadata
	for r.Next() {
		if rec := r.Record(); dec.Type(rec) == record.Metadata {
			md, err := dec.Metadata(rec, nil)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, md...)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Unit != "seconds" || got[0].Help != "Time to answer." || got[0].Type != record.GetMetricType(model.MetricTypeHistogram) {
		t.Errorf("metadata in the WAL = %+v", got)
	}
}
