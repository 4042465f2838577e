package query

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/teststorage"
	v1 "github.com/prometheus/prometheus/web/api/v1"
)

// t0 is the first sample of the fixture; samples follow every 15s for 10m.
var t0 = time.Unix(1_700_000_000, 0)

// at formats t0+d as the API's seconds-since-epoch parameter.
func at(d time.Duration) string {
	return strconv.FormatFloat(float64(t0.Add(d).UnixMilli())/1000, 'f', -1, 64)
}

// loadFixture stores, through an ordinary appender:
//
//	up{job="node",instance="a"}                 1 every 15s, t0 .. t0+10m
//	up{job="node",instance="b"}                 0 every 15s, t0 .. t0+10m
//	http_requests_total{job="api",code="200"}   0, 10, 20, ... (1/15 per second = 0.666/s)
//	http_requests_total{job="api",code="500"}   0, 1, 2, ...
//	old_metric{job="old"}                       one sample at t0-2h
//
// and one exemplar {trace_id="abc"} on the code="200" series at t0+30s.
func loadFixture(t *testing.T, db storage.Appendable) {
	t.Helper()
	app := db.Appender(context.Background())
	if _, err := app.Append(0, labels.FromStrings("__name__", "old_metric", "job", "old"), t0.Add(-2*time.Hour).UnixMilli(), 1); err != nil {
		t.Fatal(err)
	}
	series := []struct {
		lbls labels.Labels
		val  func(i int) float64
	}{
		{labels.FromStrings("__name__", "up", "job", "node", "instance", "a"), func(int) float64 { return 1 }},
		{labels.FromStrings("__name__", "up", "job", "node", "instance", "b"), func(int) float64 { return 0 }},
		{labels.FromStrings("__name__", "http_requests_total", "job", "api", "code", "200"), func(i int) float64 { return float64(10 * i) }},
		{labels.FromStrings("__name__", "http_requests_total", "job", "api", "code", "500"), func(i int) float64 { return float64(i) }},
	}
	for _, s := range series {
		var ref storage.SeriesRef
		for i := 0; i <= 40; i++ {
			ts := t0.Add(time.Duration(i) * 15 * time.Second).UnixMilli()
			var err error
			if ref, err = app.Append(ref, s.lbls, ts, s.val(i)); err != nil {
				t.Fatalf("append %s: %v", s.lbls, err)
			}
			if s.lbls.Get("code") == "200" && i == 2 {
				ex := exemplar.Exemplar{Labels: labels.FromStrings("trace_id", "abc"), Value: 20, Ts: ts, HasTs: true}
				if _, err := app.AppendExemplar(ref, s.lbls, ex); err != nil {
					t.Fatalf("append exemplar: %v", err)
				}
			}
		}
	}
	if err := app.Commit(); err != nil {
		t.Fatal(err)
	}
}

// server mounts NewHandler the way the receiver does, in a ServeMux at
// "/api/v1/" without stripping the prefix.
type server struct {
	url string
	reg *prometheus.Registry
}

type serverOpts struct {
	opts       Options
	noExemplar bool // pass nil exemplars
	targets    func(context.Context) v1.TargetRetriever
}

func newServer(t *testing.T, so serverOpts) *server {
	t.Helper()
	db := teststorage.New(t)
	loadFixture(t, db)
	reg := prometheus.NewRegistry()
	engine := NewEngine(so.opts, nil, reg)
	t.Cleanup(func() { _ = engine.Close() })
	var ex storage.ExemplarQueryable = db
	if so.noExemplar {
		ex = nil
	}
	h, err := NewHandler(so.opts, engine, db, ex, so.targets, nil, reg)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &server{url: srv.URL, reg: reg}
}

// envelope is Prometheus's API response.
type envelope struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Warnings  []string        `json:"warnings"`
}

// call sends form as the query string (GET and others) or as an
// application/x-www-form-urlencoded body (POST), as Grafana does.
func (s *server) call(t *testing.T, method, path string, form url.Values) (int, envelope) {
	t.Helper()
	u := s.url + path
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	} else if len(form) > 0 {
		u += "?" + form.Encode()
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var env envelope
	if resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatalf("%s %s: %d, body not JSON: %v: %q", method, path, resp.StatusCode, err, b)
		}
	}
	return resp.StatusCode, env
}

// ok asserts a success envelope and decodes its data into v.
func (s *server) ok(t *testing.T, method, path string, form url.Values, v any) envelope {
	t.Helper()
	code, env := s.call(t, method, path, form)
	if code != http.StatusOK || env.Status != "success" || env.ErrorType != "" || env.Error != "" {
		t.Fatalf("%s %s %v: %d %+v, want 200 success", method, path, form, code, env)
	}
	if err := json.Unmarshal(env.Data, v); err != nil {
		t.Fatalf("%s %s: data %s: %v", method, path, env.Data, err)
	}
	return env
}

// fail asserts an error envelope.
func (s *server) fail(t *testing.T, method, path string, form url.Values, wantCode int, wantType, wantMsg string) {
	t.Helper()
	code, env := s.call(t, method, path, form)
	if code != wantCode || env.Status != "error" || env.ErrorType != wantType || !strings.Contains(env.Error, wantMsg) {
		t.Errorf("%s %s %v: %d %+v, want %d errorType %q error containing %q", method, path, form, code, env, wantCode, wantType, wantMsg)
	}
}

var methods = []string{http.MethodGet, http.MethodPost}

type queryData struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

type sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
	Values [][2]any          `json:"values"`
}
