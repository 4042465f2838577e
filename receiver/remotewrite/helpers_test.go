package remotewrite

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/metadata"
	"github.com/prometheus/prometheus/prompb"
	writev2 "github.com/prometheus/prometheus/prompb/io/prometheus/write/v2"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

const (
	ctypeV1 = "application/x-protobuf"
	ctypeV2 = "application/x-protobuf;proto=io.prometheus.write.v2.Request"
)

// base is "now" for test samples, on a whole second, a minute in the past so
// that small positive offsets stay inside maxAheadTime.
var base = time.Now().Add(-time.Minute).Truncate(time.Second).UnixMilli()

// testOptions are generous limits; cases that test a limit lower it.
func testOptions() Options {
	return Options{
		MaxBodyBytes:           DefaultMaxBodyBytes,
		MaxDecodedBytes:        DefaultMaxDecodedBytes,
		MaxSamplesPerRequest:   DefaultMaxSamplesPerRequest,
		MaxSeriesPerRequest:    DefaultMaxSeriesPerRequest,
		MaxLabelNamesPerSeries: DefaultMaxLabelNamesPerSeries,
		MaxLabelNameLength:     DefaultMaxLabelNameLength,
		MaxLabelValueLength:    DefaultMaxLabelValueLength,
		MaxInflightRequests:    DefaultMaxInflightRequests,
		RetryAfter:             DefaultRetryAfter,
	}
}

// openDB opens a real TSDB in a temporary directory (as teststorage does, but
// with the directory known, for the WAL checks), closed by t.Cleanup.
func openDB(t testing.TB, mutate ...func(*tsdb.Options)) (*tsdb.DB, string) {
	t.Helper()
	opts := tsdb.DefaultOptions()
	opts.MinBlockDuration = int64(24 * time.Hour / time.Millisecond)
	opts.MaxBlockDuration = opts.MinBlockDuration
	opts.RetentionDuration = 0
	opts.EnableExemplarStorage = true
	opts.MaxExemplars = 1e4
	for _, m := range mutate {
		m(opts)
	}
	dir := t.TempDir()
	db, err := tsdb.Open(dir, nil, nil, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, dir
}

func withOOOWindow(d time.Duration) func(*tsdb.Options) {
	return func(o *tsdb.Options) { o.OutOfOrderTimeWindow = d.Milliseconds() }
}

// sample is one test sample: a float, or a histogram when h or fh is set.
type sample struct {
	t, st int64 // st: start timestamp, 2.0 only
	v     float64
	h     *histogram.Histogram
	fh    *histogram.FloatHistogram
}

type testExemplar struct {
	labels []labels.Label
	v      float64
	t      int64
}

// tseries describes one TimeSeries entry, encoded as 1.0 or 2.0 alike. Labels
// keep the order given, so unsorted and duplicate labels reach the wire.
type tseries struct {
	labels    []labels.Label
	samples   []sample
	exemplars []testExemplar
	meta      metadata.Metadata // 2.0 only
}

func lbls(kv ...string) []labels.Label {
	out := make([]labels.Label, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, labels.Label{Name: kv[i], Value: kv[i+1]})
	}
	return out
}

func floats(t0 int64, vs ...float64) []sample {
	out := make([]sample, len(vs))
	for i, v := range vs {
		out[i] = sample{t: t0 + int64(i)*1000, v: v}
	}
	return out
}

func buildV1(series ...tseries) *prompb.WriteRequest {
	req := &prompb.WriteRequest{}
	for _, s := range series {
		var ts prompb.TimeSeries
		for _, l := range s.labels {
			ts.Labels = append(ts.Labels, prompb.Label{Name: l.Name, Value: l.Value})
		}
		for _, smp := range s.samples {
			switch {
			case smp.h != nil:
				ts.Histograms = append(ts.Histograms, prompb.FromIntHistogram(smp.t, smp.h))
			case smp.fh != nil:
				ts.Histograms = append(ts.Histograms, prompb.FromFloatHistogram(smp.t, smp.fh))
			default:
				ts.Samples = append(ts.Samples, prompb.Sample{Timestamp: smp.t, Value: smp.v})
			}
		}
		for _, e := range s.exemplars {
			pe := prompb.Exemplar{Value: e.v, Timestamp: e.t}
			for _, l := range e.labels {
				pe.Labels = append(pe.Labels, prompb.Label{Name: l.Name, Value: l.Value})
			}
			ts.Exemplars = append(ts.Exemplars, pe)
		}
		req.Timeseries = append(req.Timeseries, ts)
	}
	return req
}

func buildV2(series ...tseries) *writev2.Request {
	syms := writev2.NewSymbolTable()
	refs := func(ls []labels.Label) []uint32 {
		var out []uint32
		for _, l := range ls {
			out = append(out, syms.Symbolize(l.Name), syms.Symbolize(l.Value))
		}
		return out
	}
	req := &writev2.Request{}
	for _, s := range series {
		ts := writev2.TimeSeries{LabelsRefs: refs(s.labels)}
		for _, smp := range s.samples {
			switch {
			case smp.h != nil:
				ts.Histograms = append(ts.Histograms, writev2.FromIntHistogram(smp.st, smp.t, smp.h))
			case smp.fh != nil:
				ts.Histograms = append(ts.Histograms, writev2.FromFloatHistogram(smp.st, smp.t, smp.fh))
			default:
				ts.Samples = append(ts.Samples, writev2.Sample{Timestamp: smp.t, Value: smp.v, StartTimestamp: smp.st})
			}
		}
		for _, e := range s.exemplars {
			ts.Exemplars = append(ts.Exemplars, writev2.Exemplar{LabelsRefs: refs(e.labels), Value: e.v, Timestamp: e.t})
		}
		ts.Metadata = writev2.Metadata{
			Type:    writev2.FromMetadataType(s.meta.Type),
			HelpRef: syms.Symbolize(s.meta.Help),
			UnitRef: syms.Symbolize(s.meta.Unit),
		}
		req.Timeseries = append(req.Timeseries, ts)
	}
	req.Symbols = syms.Symbols()
	return req
}

type marshaler interface{ Marshal() ([]byte, error) }

func encode(t testing.TB, m marshaler) []byte {
	t.Helper()
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return snappy.Encode(nil, b)
}

// proto is a remote write version under test.
type proto struct {
	name  string
	ctype string
	build func(...tseries) []byte
}

func protos(t testing.TB) []proto {
	return []proto{
		{"1.0", ctypeV1, func(s ...tseries) []byte { return encode(t, buildV1(s...)) }},
		{"2.0", ctypeV2, func(s ...tseries) []byte { return encode(t, buildV2(s...)) }},
	}
}

func post(h http.Handler, ctype string, body []byte, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/api/v1/write", bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Content-Encoding", "snappy")
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func newTestHandler(t testing.TB, opts Options, app storage.AppendableV2) http.Handler {
	t.Helper()
	return NewHandler(opts, app, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
}

// dump returns everything the storage holds, as series → "offset_ms=value",
// offsets from base; histograms as "offset=h(count,sum)".
func dump(t testing.TB, db storage.Queryable) map[string][]string {
	t.Helper()
	q, err := db.Querier(0, 1<<62)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	out := map[string][]string{}
	ss := q.Select(context.Background(), true, nil, labels.MustNewMatcher(labels.MatchRegexp, model.MetricNameLabel, ".+"))
	for ss.Next() {
		s := ss.At()
		var pts []string
		it := s.Iterator(nil)
		for vt := it.Next(); vt != chunkenc.ValNone; vt = it.Next() {
			switch vt {
			case chunkenc.ValFloat:
				ts, v := it.At()
				pts = append(pts, fmt.Sprintf("%d=%g", ts-base, v))
			case chunkenc.ValHistogram:
				ts, h := it.AtHistogram(nil)
				pts = append(pts, fmt.Sprintf("%d=h(%d,%g)", ts-base, h.Count, h.Sum))
			case chunkenc.ValFloatHistogram:
				ts, h := it.AtFloatHistogram(nil)
				pts = append(pts, fmt.Sprintf("%d=fh(%g,%g)", ts-base, h.Count, h.Sum))
			}
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		out[s.Labels().String()] = pts
	}
	if err := ss.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// testHistogram is a valid integer native histogram with count observations.
func testHistogram(count uint64) *histogram.Histogram {
	return &histogram.Histogram{
		Schema:          0,
		Count:           count,
		Sum:             float64(count) * 1.5,
		ZeroThreshold:   0.001,
		ZeroCount:       0,
		PositiveSpans:   []histogram.Span{{Offset: 0, Length: 2}},
		PositiveBuckets: []int64{int64(count / 2), int64(count-count/2) - int64(count/2)},
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
