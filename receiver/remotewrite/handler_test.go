package remotewrite

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/prometheus/storage"
)

// TestStatusContractProtocol covers the answers decided before or while
// decoding the body: 405, 415, 413 and 400 for undecodable bodies, and the
// Content-Type/Encoding variants that must be accepted. Nothing of a refused
// request may be stored.
func TestStatusContractProtocol(t *testing.T) {
	v1 := encode(t, buildV1(goodSeries))
	v2 := encode(t, buildV2(goodSeries))
	rawV1, _ := buildV1(goodSeries).Marshal()
	big := encode(t, buildV1(tseries{labels: lbls("__name__", "x", "pad", strings.Repeat("y", 3000)), samples: floats(base, 1)}))

	type req struct {
		method string
		body   []byte
		hdr    []string // pairs; "" value deletes
		unsize bool     // no Content-Length, so the limit is found while reading
	}
	cases := []struct {
		name string
		opts func(*Options)
		req  req
		code int
		body string
	}{
		{name: "1.0 stored", req: req{body: v1, hdr: []string{"Content-Type", ctypeV1}}, code: 204},
		{name: "2.0 stored", req: req{body: v2, hdr: []string{"Content-Type", ctypeV2}}, code: 204},
		{name: "1.0 explicit proto", req: req{body: v1, hdr: []string{"Content-Type", "application/x-protobuf;proto=prometheus.WriteRequest"}}, code: 204},
		{name: "2.0 with space and case", req: req{body: v2, hdr: []string{"Content-Type", "Application/X-Protobuf; proto=io.prometheus.write.v2.Request"}}, code: 204},
		{name: "no Content-Type is 1.0", req: req{body: v1, hdr: []string{"Content-Type", ""}}, code: 204},
		{name: "no Content-Encoding is snappy", req: req{body: v1, hdr: []string{"Content-Type", ctypeV1, "Content-Encoding", ""}}, code: 204},
		{name: "GET", req: req{method: http.MethodGet, hdr: []string{"Content-Type", ctypeV1}}, code: 405, body: "method GET not allowed"},
		{name: "PUT", req: req{method: http.MethodPut, body: v1, hdr: []string{"Content-Type", ctypeV1}}, code: 405},
		{name: "JSON", req: req{body: []byte(`{"timeseries":[]}`), hdr: []string{"Content-Type", "application/json"}}, code: 415, body: "unsupported Content-Type"},
		{name: "unknown proto", req: req{body: v1, hdr: []string{"Content-Type", "application/x-protobuf;proto=unknown"}}, code: 415, body: "proto must be"},
		{name: "malformed Content-Type", req: req{body: v1, hdr: []string{"Content-Type", "application/x-protobuf;proto"}}, code: 415},
		{name: "gzip", req: req{body: []byte("\x1f\x8b"), hdr: []string{"Content-Type", ctypeV1, "Content-Encoding", "gzip"}}, code: 415, body: "unsupported Content-Encoding"},
		{name: "zstd", req: req{body: v2, hdr: []string{"Content-Type", ctypeV2, "Content-Encoding", "zstd"}}, code: 415},
		{name: "two encodings", req: req{body: v1, hdr: []string{"Content-Type", ctypeV1, "Content-Encoding", "snappy, gzip"}}, code: 415},
		{name: "corrupt snappy", req: req{body: v1[:len(v1)-5], hdr: []string{"Content-Type", ctypeV1}}, code: 400, body: "not snappy"},
		{name: "empty body", req: req{body: nil, hdr: []string{"Content-Type", ctypeV2}}, code: 400, body: "not snappy"},
		{name: "uncompressed protobuf", req: req{body: rawV1, hdr: []string{"Content-Type", ctypeV1}}, code: 400},
		{name: "1.0 truncated protobuf", req: req{body: snappy.Encode(nil, rawV1[:len(rawV1)-3]), hdr: []string{"Content-Type", ctypeV1}}, code: 400, body: "cannot decode the body as a remote write 1.0"},
		{name: "2.0 truncated protobuf", req: req{body: func() []byte { b, _ := buildV2(goodSeries).Marshal(); return snappy.Encode(nil, b[:len(b)-3]) }(), hdr: []string{"Content-Type", ctypeV2}}, code: 400, body: "cannot decode the body as a remote write 2.0"},
		{name: "garbage protobuf", req: req{body: snappy.Encode(nil, []byte("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff")), hdr: []string{"Content-Type", ctypeV2}}, code: 400},
		{name: "body over MaxBodyBytes", opts: func(o *Options) { o.MaxBodyBytes = 100 }, req: req{body: big, hdr: []string{"Content-Type", ctypeV1}}, code: 413, body: "over the 100 bytes limit"},
		{name: "body over MaxBodyBytes, no Content-Length", opts: func(o *Options) { o.MaxBodyBytes = 100 }, req: req{body: big, unsize: true, hdr: []string{"Content-Type", ctypeV1}}, code: 413, body: "over the 100 bytes limit"},
		{name: "decoded over MaxDecodedBytes", opts: func(o *Options) { o.MaxDecodedBytes = 1000 }, req: req{body: big, hdr: []string{"Content-Type", ctypeV1}}, code: 413, body: "decoded body of"},
		{name: "snappy claiming 4 GiB", opts: func(o *Options) { o.MaxDecodedBytes = 1000 }, req: req{body: []byte("\xff\xff\xff\xff\x0f\x00"), hdr: []string{"Content-Type", ctypeV1}}, code: 413},
		{name: "2.0 symbols not starting with the empty string", req: req{body: func() []byte {
			r := buildV2(goodSeries)
			r.Symbols[0] = "oops"
			return encode(t, r)
		}(), hdr: []string{"Content-Type", ctypeV2}}, code: 400, body: "symbols table must start with the empty string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, _ := openDB(t)
			opts := testOptions()
			if c.opts != nil {
				c.opts(&opts)
			}
			h := newTestHandler(t, opts, db)
			method := c.req.method
			if method == "" {
				method = http.MethodPost
			}
			r := httptest.NewRequest(method, "/api/v1/write", bytes.NewReader(c.req.body))
			r.Header.Set("Content-Encoding", "snappy")
			for i := 0; i+1 < len(c.req.hdr); i += 2 {
				if c.req.hdr[i+1] == "" {
					r.Header.Del(c.req.hdr[i])
				} else {
					r.Header.Set(c.req.hdr[i], c.req.hdr[i+1])
				}
			}
			if c.req.unsize {
				r.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != c.code {
				t.Fatalf("code = %d, want %d; body %q", rec.Code, c.code, rec.Body)
			}
			body := rec.Body.String()
			if !strings.Contains(body, c.body) {
				t.Errorf("body %q does not contain %q", body, c.body)
			}
			stored := dump(t, db)
			if c.code == http.StatusNoContent {
				if len(stored) != 1 {
					t.Errorf("stored %v, want the good series", stored)
				}
				return
			}
			if !strings.HasSuffix(body, "\n") || strings.Count(body, "\n") != 1 {
				t.Errorf("body is not one line ending in a newline: %q", body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q, want text/plain", ct)
			}
			if len(stored) != 0 {
				t.Errorf("a refused request stored %v", stored)
			}
		})
	}
}

// blockingAppendable holds every Commit until release is closed, announcing
// each on entered, to fill MaxInflightRequests.
type blockingAppendable struct {
	storage.AppendableV2
	entered chan struct{}
	release chan struct{}
}

func (b *blockingAppendable) AppenderV2(ctx context.Context) storage.AppenderV2 {
	return &blockingAppender{ExemplarAppenderV2: b.AppendableV2.AppenderV2(ctx).(storage.ExemplarAppenderV2), b: b}
}

type blockingAppender struct {
	storage.ExemplarAppenderV2
	b *blockingAppendable
}

func (a *blockingAppender) Commit() error {
	a.b.entered <- struct{}{}
	<-a.b.release
	return a.ExemplarAppenderV2.Commit()
}

func TestTooManyRequests(t *testing.T) {
	for _, p := range protos(t) {
		t.Run(p.name, func(t *testing.T) {
			db, _ := openDB(t)
			app := &blockingAppendable{AppendableV2: db, entered: make(chan struct{}), release: make(chan struct{})}
			opts := testOptions()
			opts.MaxInflightRequests = 2
			opts.RetryAfter = 1500 * time.Millisecond
			h := newTestHandler(t, opts, app)

			var wg sync.WaitGroup
			codes := make([]int, 2)
			for i := range 2 {
				wg.Go(func() {
					codes[i] = post(h, p.ctype, p.build(tseries{labels: lbls("__name__", "held", "i", itoa(i)), samples: floats(base, 1)})).Code
				})
				<-app.entered // both requests are now inside the handler
			}
			rec := post(h, p.ctype, p.build(tseries{labels: lbls("__name__", "shed"), samples: floats(base, 1)}))
			if rec.Code != http.StatusTooManyRequests {
				t.Fatalf("code = %d, want 429; body %q", rec.Code, rec.Body)
			}
			if got := rec.Header().Get("Retry-After"); got != "2" {
				t.Errorf("Retry-After = %q, want 2 (1.5s rounded up)", got)
			}
			if !strings.HasSuffix(rec.Body.String(), "\n") {
				t.Errorf("body %q does not end in a newline", rec.Body)
			}
			close(app.release)
			wg.Wait()
			if codes[0] != 204 || codes[1] != 204 {
				t.Errorf("held requests answered %v, want 204", codes)
			}
			stored := dump(t, db)
			if _, ok := stored[`{__name__="shed"}`]; ok || len(stored) != 2 {
				t.Errorf("stored %v, want the two held series only", stored)
			}
			// The slot is free again: the retry is stored.
			go func() {
				for range app.entered {
				}
			}()
			if rec := post(h, p.ctype, p.build(tseries{labels: lbls("__name__", "shed"), samples: floats(base, 1)})); rec.Code != http.StatusNoContent {
				t.Errorf("retry answered %d %q", rec.Code, rec.Body)
			}
			close(app.entered)
		})
	}
}

func TestBearerToken(t *testing.T) {
	const token = "s3cr3t-t0ken-value"
	for _, p := range protos(t) {
		t.Run(p.name, func(t *testing.T) {
			db, _ := openDB(t)
			var logs bytes.Buffer
			opts := testOptions()
			opts.BearerToken = token
			h := NewHandler(opts, db, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), prometheus.NewRegistry())
			n := 0

			cases := []struct {
				auth string
				code int
				www  string
			}{
				{"", 401, `Bearer realm="remote-write"`},
				{"Basic dXNlcjpwYXNz", 401, `Bearer realm="remote-write"`},
				{"Bearer wrong-" + token, 401, `Bearer realm="remote-write", error="invalid_token"`},
				{"Bearer " + token[:len(token)-1], 401, `Bearer realm="remote-write", error="invalid_token"`},
				{"Bearer " + token, 204, ""},
				{"bearer " + token, 204, ""},
			}
			for _, c := range cases {
				n++
				rec := post(h, p.ctype, p.build(tseries{labels: lbls("__name__", "x", "n", itoa(n)), samples: floats(base, 1)}), "Authorization", c.auth)
				if rec.Code != c.code {
					t.Fatalf("Authorization %q: code %d, want %d", c.auth, rec.Code, c.code)
				}
				if got := rec.Header().Get("WWW-Authenticate"); got != c.www {
					t.Errorf("Authorization %q: WWW-Authenticate %q, want %q", c.auth, got, c.www)
				}
				if strings.Contains(rec.Body.String(), token) {
					t.Errorf("the answer contains the token: %q", rec.Body)
				}
				if c.code == 401 && len(dump(t, db)) != 0 {
					t.Fatalf("an unauthorized request was stored")
				}
			}
			// GET without a token is 401, not 405: nothing is told to strangers.
			r := httptest.NewRequest(http.MethodGet, "/api/v1/write", nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != 401 {
				t.Errorf("GET without token: %d, want 401", rec.Code)
			}
			if len(dump(t, db)) != 2 {
				t.Errorf("the authorized requests were not stored")
			}
			if logs.Len() == 0 {
				t.Errorf("no log output captured; the check below would prove nothing")
			}
			if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), "t0ken") {
				t.Errorf("the token appears in the logs:\n%s", logs.String())
			}
		})
	}
}

// failingAppendable fails every Commit, as a full disk would.
type failingAppendable struct{ storage.AppendableV2 }

func (f failingAppendable) AppenderV2(ctx context.Context) storage.AppenderV2 {
	return failingAppender{f.AppendableV2.AppenderV2(ctx).(storage.ExemplarAppenderV2)}
}

type failingAppender struct{ storage.ExemplarAppenderV2 }

func (a failingAppender) Commit() error {
	_ = a.ExemplarAppenderV2.Rollback() // a failed Commit rolls back, per the contract
	return errors.New("write /data/wal/00000001: no space left on device")
}

func TestCommitFailureIs500(t *testing.T) {
	for _, p := range protos(t) {
		t.Run(p.name, func(t *testing.T) {
			db, _ := openDB(t)
			h := newTestHandler(t, testOptions(), failingAppendable{db})
			// Even with a bad series in it: the storage failure wins, because
			// nothing was stored and the sender must retry.
			rec := post(h, p.ctype, p.build(goodSeries, tseries{labels: lbls("job", "a"), samples: floats(base, 1)}))
			if rec.Code != http.StatusInternalServerError {
				t.Fatalf("code = %d, want 500; body %q", rec.Code, rec.Body)
			}
			if !strings.Contains(rec.Body.String(), "retry later") || !strings.HasSuffix(rec.Body.String(), "\n") {
				t.Errorf("body %q", rec.Body)
			}
			if got := rec.Header().Get(headerSamplesWritten); got != "0" {
				t.Errorf("Samples-Written = %q, want 0", got)
			}
			if stored := dump(t, db); len(stored) != 0 {
				t.Errorf("stored %v after a failed commit", stored)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	db, _ := openDB(t)
	reg := prometheus.NewRegistry()
	h := NewHandler(testOptions(), db, nil, reg)
	post(h, ctypeV2, encode(t, buildV2(goodSeries, tseries{labels: lbls("job", "a"), samples: floats(base, 1)})))
	post(h, ctypeV1, encode(t, buildV1(tseries{labels: lbls("b", "1", "__name__", "x"), samples: floats(base, 1), exemplars: []testExemplar{{labels: lbls("trace_id", "a"), t: base}}})))
	post(h, "application/json", nil)

	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	m := h.(*handler).metrics
	for _, c := range []struct {
		c    prometheus.Collector
		want float64
	}{
		{m.requests.WithLabelValues("400", protocolV2), 1},
		{m.requests.WithLabelValues("204", protocolV1), 1},
		{m.requests.WithLabelValues("415", protocolUnknown), 1},
		{m.appended.WithLabelValues("float"), 3},
		{m.appended.WithLabelValues("exemplar"), 1},
		{m.rejected.WithLabelValues(string(reasonMissingMetricName)), 1},
		{m.rejected.WithLabelValues(string(reasonOutOfOrder)), 0},
		{m.normalised.WithLabelValues("sorted_labels"), 1},
		{m.inflight, 0},
	} {
		if got := testutil.ToFloat64(c.c); got != c.want {
			t.Errorf("%v = %v, want %v", c.c, got, c.want)
		}
	}
}
