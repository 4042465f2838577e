package remotewrite

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/tsdb"
)

// dataCase sends setup (which must be stored whole), then send, and checks
// the answer and everything the TSDB holds afterwards.
type dataCase struct {
	name    string
	db      []func(*tsdb.Options)
	opts    func(*Options)
	setup   []tseries
	send    []tseries
	code    int
	body    []string // substrings of the answer body
	written [3]int   // samples, histograms, exemplars in the Written headers
	want    map[string][]string
	check   func(t *testing.T, db *tsdb.DB)
}

var (
	goodSeries = tseries{labels: lbls("__name__", "good", "job", "a"), samples: floats(base, 1, 2)}
	goodStored = []string{"0=1", "1000=2"}
	goodKey    = `{__name__="good", job="a"}`
)

func dataCases() []dataCase {
	x := lbls("__name__", "x")
	return []dataCase{
		{
			name:    "all stored",
			send:    []tseries{goodSeries, {labels: x, samples: floats(base, 5)}},
			code:    http.StatusNoContent,
			written: [3]int{3, 0, 0},
			want:    map[string][]string{goodKey: goodStored, `{__name__="x"}`: {"0=5"}},
		},
		{
			name:    "invalid label name is rejected, the rest stored",
			send:    []tseries{goodSeries, {labels: lbls("__name__", "x", "\xff", "v"), samples: floats(base, 1)}},
			code:    http.StatusBadRequest,
			body:    []string{"stored 2 samples, 0 histograms, 0 exemplars; rejected 1:", "invalid_label_name: 1", `"\xff"`},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored},
		},
		{
			name:    "label value not UTF-8",
			send:    []tseries{goodSeries, {labels: lbls("__name__", "x", "a", "\xc3\x28"), samples: floats(base, 1)}},
			code:    http.StatusBadRequest,
			body:    []string{"invalid_label_value: 1"},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored},
		},
		{
			name:    "missing __name__",
			send:    []tseries{goodSeries, {labels: lbls("job", "a"), samples: floats(base, 1, 2, 3)}},
			code:    http.StatusBadRequest,
			body:    []string{"rejected 3: missing_metric_name: 3", `(first: {job="a"})`},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored},
		},
		{
			name:    "empty __name__",
			send:    []tseries{goodSeries, {labels: lbls("__name__", "", "job", "a"), samples: floats(base, 1)}},
			code:    http.StatusBadRequest,
			body:    []string{"missing_metric_name: 1"},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored},
		},
		{
			name:    "duplicate label names",
			send:    []tseries{goodSeries, {labels: lbls("__name__", "x", "a", "1", "a", "2"), samples: floats(base, 1)}},
			code:    http.StatusBadRequest,
			body:    []string{"duplicate_label_name: 1", `label "a" in {__name__="x", a="1", a="2"}`},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored},
		},
		{
			name:    "unsorted labels are sorted and stored as the same series",
			setup:   []tseries{{labels: lbls("__name__", "x", "job", "a"), samples: floats(base, 1)}},
			send:    []tseries{{labels: lbls("job", "a", "__name__", "x"), samples: floats(base+1000, 2)}},
			code:    http.StatusNoContent,
			written: [3]int{1, 0, 0},
			want:    map[string][]string{`{__name__="x", job="a"}`: {"0=1", "1000=2"}},
		},
		{
			name:    "empty label values are dropped",
			send:    []tseries{{labels: lbls("__name__", "x", "a", "", "b", "1"), samples: floats(base, 1)}},
			code:    http.StatusNoContent,
			written: [3]int{1, 0, 0},
			want:    map[string][]string{`{__name__="x", b="1"}`: {"0=1"}},
		},
		{
			name:    "too many labels",
			opts:    func(o *Options) { o.MaxLabelNamesPerSeries = 3 },
			send:    []tseries{goodSeries, {labels: lbls("__name__", "x", "a", "1", "b", "2", "c", "3"), samples: floats(base, 1)}},
			code:    http.StatusBadRequest,
			body:    []string{"too_many_labels: 1, series with more than 3 labels"},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored},
		},
		{
			name:    "label name too long",
			opts:    func(o *Options) { o.MaxLabelNameLength = 10 },
			send:    []tseries{goodSeries, {labels: lbls("__name__", "x", "abcdefghijk", "1"), samples: floats(base, 1)}},
			code:    http.StatusBadRequest,
			body:    []string{"label_name_too_long: 1, label name longer than 10 bytes"},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored},
		},
		{
			name:    "label value too long",
			opts:    func(o *Options) { o.MaxLabelValueLength = 10 },
			send:    []tseries{goodSeries, {labels: lbls("__name__", "x", "a", "abcdefghijk"), samples: floats(base, 1)}},
			code:    http.StatusBadRequest,
			body:    []string{"label_value_too_long: 1"},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored},
		},
		{
			name:    "out of order without an out-of-order window",
			setup:   []tseries{{labels: x, samples: floats(base+10_000, 1)}},
			send:    []tseries{goodSeries, {labels: x, samples: floats(base, 2)}},
			code:    http.StatusBadRequest,
			body:    []string{"out_of_order: 1", `{__name__="x"} at t=`},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored, `{__name__="x"}`: {"10000=1"}},
		},
		{
			name:  "inside the out-of-order window is stored, before it is too old",
			db:    []func(*tsdb.Options){withOOOWindow(30 * time.Minute)},
			setup: []tseries{{labels: x, samples: floats(base, 1)}, {labels: lbls("__name__", "y"), samples: floats(base, 1)}},
			send: []tseries{
				{labels: x, samples: floats(base-10*60_000, 2)},
				{labels: lbls("__name__", "y"), samples: floats(base-2*3600_000, 3)},
			},
			code:    http.StatusBadRequest,
			body:    []string{"too_old: 1, sample older than the storage's out-of-order window"},
			written: [3]int{1, 0, 0},
			want:    map[string][]string{`{__name__="x"}`: {"-600000=2", "0=1"}, `{__name__="y"}`: {"0=1"}},
		},
		{
			name:    "older than the head accepts is out of bounds",
			setup:   []tseries{{labels: x, samples: floats(base, 1)}},
			send:    []tseries{goodSeries, {labels: lbls("__name__", "y"), samples: floats(base-13*3600_000, 2)}},
			code:    http.StatusBadRequest,
			body:    []string{"out_of_bounds: 1"},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored, `{__name__="x"}`: {"0=1"}},
		},
		{
			name:    "another value for a stored timestamp",
			setup:   []tseries{{labels: x, samples: floats(base, 1)}},
			send:    []tseries{goodSeries, {labels: x, samples: floats(base, 2)}},
			code:    http.StatusBadRequest,
			body:    []string{"duplicate_timestamp: 1"},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored, `{__name__="x"}`: {"0=1"}},
		},
		{
			name:    "an identical re-send is success",
			setup:   []tseries{{labels: x, samples: floats(base, 1)}},
			send:    []tseries{{labels: x, samples: floats(base, 1)}},
			code:    http.StatusNoContent,
			written: [3]int{1, 0, 0},
			want:    map[string][]string{`{__name__="x"}`: {"0=1"}},
		},
		{
			name:    "unsorted timestamps within a request",
			send:    []tseries{{labels: x, samples: []sample{{t: base + 2000, v: 1}, {t: base + 1000, v: 2}}}},
			code:    http.StatusBadRequest,
			body:    []string{"unsorted_in_request: 1"},
			written: [3]int{1, 0, 0},
			want:    map[string][]string{`{__name__="x"}`: {"2000=1"}},
		},
		{
			name:    "two values for one timestamp within a request, across entries",
			send:    []tseries{{labels: x, samples: floats(base, 1)}, {labels: x, samples: floats(base, 2)}},
			code:    http.StatusBadRequest,
			body:    []string{"duplicate_timestamp: 1"},
			written: [3]int{1, 0, 0},
			want:    map[string][]string{`{__name__="x"}`: {"0=1"}},
		},
		{
			name:    "one sample per entry, as Prometheus's 1.0 sender does",
			send:    []tseries{{labels: x, samples: floats(base, 1)}, {labels: x, samples: floats(base+1000, 2)}, {labels: x, samples: floats(base+1000, 2)}},
			code:    http.StatusNoContent,
			written: [3]int{3, 0, 0},
			want:    map[string][]string{`{__name__="x"}`: {"0=1", "1000=2"}},
		},
		{
			name:    "too far in the future",
			send:    []tseries{goodSeries, {labels: x, samples: floats(time.Now().Add(time.Hour).UnixMilli(), 1)}},
			code:    http.StatusBadRequest,
			body:    []string{"too_far_in_future: 1"},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored},
		},
		{
			name: "native histograms, integer and float",
			send: []tseries{
				{labels: lbls("__name__", "h"), samples: []sample{{t: base, h: testHistogram(4)}, {t: base + 1000, h: testHistogram(6)}}},
				{labels: lbls("__name__", "fh"), samples: []sample{{t: base, fh: testHistogram(4).ToFloat(nil)}}},
			},
			code:    http.StatusNoContent,
			written: [3]int{0, 3, 0},
			want:    map[string][]string{`{__name__="h"}`: {"0=h(4,6)", "1000=h(6,9)"}, `{__name__="fh"}`: {"0=fh(4,6)"}},
		},
		{
			name: "histogram of a reserved schema is reduced to schema 8, re-sends still match",
			send: []tseries{
				{labels: lbls("__name__", "h"), samples: []sample{{t: base, h: schema12(4)}}},
				{labels: lbls("__name__", "h"), samples: []sample{{t: base, h: schema12(4)}}},
			},
			code:    http.StatusNoContent,
			written: [3]int{0, 2, 0},
			want:    map[string][]string{`{__name__="h"}`: {"0=h(4,6)"}},
		},
		{
			name: "invalid native histogram",
			send: []tseries{goodSeries, {labels: lbls("__name__", "h"), samples: []sample{{t: base, h: func() *histogram.Histogram {
				h := testHistogram(4)
				h.Count = 100 // buckets hold 4
				return h
			}()}}}},
			code:    http.StatusBadRequest,
			body:    []string{"invalid_histogram: 1, invalid native histogram (first: 4 observations found in buckets, but the Count field is 100"},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored},
		},
		{
			name: "exemplars are stored",
			send: []tseries{{labels: x, samples: floats(base, 1), exemplars: []testExemplar{
				{labels: lbls("trace_id", "abc"), v: 1, t: base},
				{labels: lbls("trace_id", "def"), v: 2, t: base + 500},
			}}},
			code:    http.StatusNoContent,
			written: [3]int{1, 0, 2},
			want:    map[string][]string{`{__name__="x"}`: {"0=1"}},
			check:   wantExemplars(`{__name__="x"}`, `{trace_id="abc"}`, `{trace_id="def"}`),
		},
		{
			name: "exemplars in entries of their own, as Prometheus's 1.0 sender does",
			send: []tseries{
				{labels: x, samples: floats(base, 1)},
				{labels: x, exemplars: []testExemplar{{labels: lbls("trace_id", "abc"), v: 1, t: base}}},
			},
			code:    http.StatusNoContent,
			written: [3]int{1, 0, 1},
			want:    map[string][]string{`{__name__="x"}`: {"0=1"}},
			check:   wantExemplars(`{__name__="x"}`, `{trace_id="abc"}`),
		},
		{
			name:  "out-of-order exemplar is rejected, its sample stored",
			setup: []tseries{{labels: x, samples: floats(base, 1), exemplars: []testExemplar{{labels: lbls("trace_id", "a"), v: 1, t: base}}}},
			send: []tseries{{labels: x, samples: floats(base+1000, 2), exemplars: []testExemplar{
				{labels: lbls("trace_id", "b"), v: 2, t: base - 1000},
			}}},
			code:    http.StatusBadRequest,
			body:    []string{"exemplar_out_of_order: 1"},
			written: [3]int{1, 0, 0},
			want:    map[string][]string{`{__name__="x"}`: {"0=1", "1000=2"}},
			check:   wantExemplars(`{__name__="x"}`, `{trace_id="a"}`),
		},
		{
			name:    "exemplar for a series never stored",
			send:    []tseries{goodSeries, {labels: x, exemplars: []testExemplar{{labels: lbls("trace_id", "a"), v: 1, t: base}}}},
			code:    http.StatusBadRequest,
			body:    []string{"exemplar_unknown_series: 1"},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored},
		},
		{
			name: "invalid exemplar labels",
			send: []tseries{{labels: x, samples: floats(base, 1), exemplars: []testExemplar{
				{labels: lbls("trace_id", "a", "trace_id", "b"), v: 1, t: base},
			}}},
			code:    http.StatusBadRequest,
			body:    []string{"invalid_exemplar: 1"},
			written: [3]int{1, 0, 0},
			want:    map[string][]string{`{__name__="x"}`: {"0=1"}},
		},
		{
			name:    "series without samples",
			send:    []tseries{goodSeries, {labels: x}},
			code:    http.StatusBadRequest,
			body:    []string{"empty_series: 1"},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored},
		},
		{
			name: "several reasons in one answer",
			send: []tseries{
				{labels: lbls("job", "a"), samples: floats(base, 1)},
				goodSeries,
				{labels: lbls("__name__", "x", "a", "1", "a", "1"), samples: floats(base, 1, 2)},
				{labels: lbls("job", "b"), samples: floats(base, 1)},
			},
			code:    http.StatusBadRequest,
			body:    []string{`stored 2 samples, 0 histograms, 0 exemplars; rejected 4: missing_metric_name: 2, series without a metric name (__name__ missing or empty) (first: {job="a"}); duplicate_label_name: 2`},
			written: [3]int{2, 0, 0},
			want:    map[string][]string{goodKey: goodStored},
		},
		{
			name:    "more samples than MaxSamplesPerRequest: nothing stored",
			opts:    func(o *Options) { o.MaxSamplesPerRequest = 2 },
			send:    []tseries{goodSeries, {labels: x, samples: floats(base, 1)}},
			code:    http.StatusRequestEntityTooLarge,
			body:    []string{"request has 3 samples, histograms and exemplars, more than the 2", "queue_config.max_samples_per_send"},
			written: [3]int{0, 0, 0},
			want:    map[string][]string{},
		},
		{
			name:    "more series than MaxSeriesPerRequest: nothing stored",
			opts:    func(o *Options) { o.MaxSeriesPerRequest = 1 },
			send:    []tseries{goodSeries, {labels: x, samples: floats(base, 1)}},
			code:    http.StatusRequestEntityTooLarge,
			body:    []string{"request has 2 series, more than the 1"},
			written: [3]int{0, 0, 0},
			want:    map[string][]string{},
		},
	}
}

// TestStatusContractData runs every data case through both protocol versions
// against a real TSDB and checks the answer and the stored data.
func TestStatusContractData(t *testing.T) {
	for _, p := range protos(t) {
		for _, c := range dataCases() {
			t.Run(p.name+"/"+c.name, func(t *testing.T) {
				db, _ := openDB(t, c.db...)
				opts := testOptions()
				if c.opts != nil {
					c.opts(&opts)
				}
				h := newTestHandler(t, opts, db)
				if len(c.setup) > 0 {
					if rec := post(h, p.ctype, p.build(c.setup...)); rec.Code != http.StatusNoContent {
						t.Fatalf("setup: %d %s", rec.Code, rec.Body)
					}
				}
				rec := post(h, p.ctype, p.build(c.send...))
				if rec.Code != c.code {
					t.Fatalf("code = %d, want %d; body %q", rec.Code, c.code, rec.Body)
				}
				body := rec.Body.String()
				if c.code != http.StatusNoContent {
					if !strings.HasSuffix(body, "\n") || strings.Count(body, "\n") != 1 {
						t.Errorf("body is not one line ending in a newline: %q", body)
					}
				} else if body != "" {
					t.Errorf("204 with a body: %q", body)
				}
				for _, want := range c.body {
					if !strings.Contains(body, want) {
						t.Errorf("body %q does not contain %q", body, want)
					}
				}
				if c.code == http.StatusNoContent || c.code == http.StatusBadRequest || c.code == http.StatusRequestEntityTooLarge {
					got := [3]string{rec.Header().Get(headerSamplesWritten), rec.Header().Get(headerHistogramsWritten), rec.Header().Get(headerExemplarsWritten)}
					want := [3]string{itoa(c.written[0]), itoa(c.written[1]), itoa(c.written[2])}
					if got != want {
						t.Errorf("written headers = %v, want %v", got, want)
					}
				}
				if got := dump(t, db); !reflect.DeepEqual(got, c.want) {
					t.Errorf("stored:\n got %v\nwant %v", got, c.want)
				}
				if c.check != nil {
					c.check(t, db)
				}
			})
		}
	}
}

// wantExemplars checks the exemplars stored for a series, by their labels.
func wantExemplars(series string, want ...string) func(t *testing.T, db *tsdb.DB) {
	return func(t *testing.T, db *tsdb.DB) {
		t.Helper()
		q, err := db.ExemplarQuerier(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		res, err := q.Select(0, 1<<62, []*labels.Matcher{labels.MustNewMatcher(labels.MatchRegexp, model.MetricNameLabel, ".+")})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range res {
			if r.SeriesLabels.String() != series {
				t.Errorf("exemplars for unexpected series %s", r.SeriesLabels)
				continue
			}
			for _, e := range r.Exemplars {
				got = append(got, e.Labels.String())
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("exemplars = %v, want %v", got, want)
		}
	}
}

func schema12(count uint64) *histogram.Histogram {
	h := testHistogram(count)
	h.Schema = 12
	return h
}
