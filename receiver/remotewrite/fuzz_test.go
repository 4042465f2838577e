package remotewrite

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/metadata"
	"github.com/prometheus/prometheus/prompb"
	writev2 "github.com/prometheus/prometheus/prompb/io/prometheus/write/v2"
	"github.com/prometheus/prometheus/util/teststorage"
)

// seedSeries are real requests' contents: floats, both histogram kinds,
// exemplars, metadata, start timestamps, and a few invalid series.
func seedSeries() [][]tseries {
	fh := testHistogram(6).ToFloat(nil)
	return [][]tseries{
		{goodSeries},
		{goodSeries, {labels: lbls("__name__", "x", "job", "b"), samples: floats(base, 1, 2, 3), exemplars: []testExemplar{{labels: lbls("trace_id", "t1"), v: 1, t: base}}}},
		{{labels: lbls("__name__", "h"), samples: []sample{{t: base, st: base - 1000, h: testHistogram(4)}, {t: base + 1000, h: testHistogram(8)}}}},
		{{labels: lbls("__name__", "fh"), samples: []sample{{t: base, fh: fh}}, meta: metadata.Metadata{Type: model.MetricTypeHistogram, Help: "help", Unit: "seconds"}}},
		{{labels: lbls("job", "a", "__name__", "y", "a", ""), samples: floats(base, 1), meta: metadata.Metadata{Type: model.MetricTypeCounter}}},
		{{labels: lbls("__name__", "x", "a", "1", "a", "2"), samples: floats(base, 1)}, {labels: lbls("__name__", "x")}},
		{{labels: lbls("__name__", "s", "h", "1"), samples: []sample{{t: base, h: &histogram.Histogram{Schema: 12, Count: 1, PositiveSpans: []histogram.Span{{Length: 1}}, PositiveBuckets: []int64{1}}}}}},
	}
}

// fuzzRemoteWrite posts the fuzzed message, snappy-encoded or raw, through the
// whole handler into a real TSDB. Invariants: no panic, never a 5xx, only the
// statuses of the contract, a newline-terminated body on errors, and Written
// headers never above what the request holds (equal to it on 204).
func fuzzRemoteWrite(f *testing.F, ctype string, marshal func(...tseries) []byte, count func([]byte) (int, int, int, bool)) {
	for _, s := range seedSeries() {
		f.Add(marshal(s...), true)
	}
	f.Add([]byte("not a protobuf"), true)
	f.Add([]byte("\xff\xff\xff\xff\x0f"), false)

	db := teststorage.New(f)
	opts := testOptions()
	opts.MaxBodyBytes = 1 << 20
	opts.MaxDecodedBytes = 4 << 20
	opts.MaxSamplesPerRequest = 1000
	opts.MaxSeriesPerRequest = 500
	opts.MaxLabelNamesPerSeries = 10
	opts.MaxLabelNameLength = 64
	opts.MaxLabelValueLength = 256
	h := newTestHandler(f, opts, db)

	f.Fuzz(func(t *testing.T, msg []byte, compress bool) {
		body := msg
		if compress {
			body = snappy.Encode(nil, msg)
		}
		rec := post(h, ctype, body)
		switch rec.Code {
		case http.StatusNoContent, http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		default:
			t.Fatalf("status %d: %q", rec.Code, rec.Body)
		}
		if rec.Code != http.StatusNoContent && !strings.HasSuffix(rec.Body.String(), "\n") {
			t.Fatalf("body without a trailing newline: %q", rec.Body)
		}
		if !compress || rec.Code == http.StatusRequestEntityTooLarge {
			return
		}
		samples, hists, exemplars, ok := count(msg)
		if !ok {
			return
		}
		written := func(h string) int {
			n, _ := strconv.Atoi(rec.Header().Get(h))
			return n
		}
		ws, wh, we := written(headerSamplesWritten), written(headerHistogramsWritten), written(headerExemplarsWritten)
		if ws > samples || wh > hists || we > exemplars {
			t.Fatalf("written %d/%d/%d of %d/%d/%d", ws, wh, we, samples, hists, exemplars)
		}
		if rec.Code == http.StatusNoContent && (ws != samples || wh != hists || we != exemplars) {
			t.Fatalf("204 but written %d/%d/%d of %d/%d/%d", ws, wh, we, samples, hists, exemplars)
		}
	})
}

func FuzzRemoteWriteV1(f *testing.F) {
	fuzzRemoteWrite(f, ctypeV1,
		func(s ...tseries) []byte { b, _ := buildV1(s...).Marshal(); return b },
		func(msg []byte) (s, h, e int, ok bool) {
			var req prompb.WriteRequest
			if req.Unmarshal(msg) != nil {
				return 0, 0, 0, false
			}
			for _, ts := range req.Timeseries {
				s, h, e = s+len(ts.Samples), h+len(ts.Histograms), e+len(ts.Exemplars)
			}
			return s, h, e, true
		})
}

func FuzzRemoteWriteV2(f *testing.F) {
	fuzzRemoteWrite(f, ctypeV2,
		func(s ...tseries) []byte { b, _ := buildV2(s...).Marshal(); return b },
		func(msg []byte) (s, h, e int, ok bool) {
			var req writev2.Request
			if req.Unmarshal(msg) != nil {
				return 0, 0, 0, false
			}
			for _, ts := range req.Timeseries {
				s, h, e = s+len(ts.Samples), h+len(ts.Histograms), e+len(ts.Exemplars)
			}
			return s, h, e, true
		})
}
