package query

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/scrape"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/teststorage"
	v1 "github.com/prometheus/prometheus/web/api/v1"
)

func TestQuery(t *testing.T) {
	s := newServer(t, serverOpts{})
	for _, m := range methods {
		var d queryData
		s.ok(t, m, "/api/v1/query", url.Values{"query": {"sum by (job) (up)"}, "time": {at(5 * time.Minute)}}, &d)
		var vec []sample
		if err := json.Unmarshal(d.Result, &vec); err != nil {
			t.Fatal(err)
		}
		if d.ResultType != "vector" || len(vec) != 1 || vec[0].Metric["job"] != "node" || vec[0].Value[1] != "1" {
			t.Errorf("%s query: %s %s, want vector [{job=node} 1]", m, d.ResultType, d.Result)
		}

		s.ok(t, m, "/api/v1/query", url.Values{"query": {"1+1"}, "time": {at(0)}}, &d)
		if d.ResultType != "scalar" || !strings.Contains(string(d.Result), `"2"`) {
			t.Errorf("%s query 1+1: %s %s, want scalar 2", m, d.ResultType, d.Result)
		}
	}
}

func TestQueryRange(t *testing.T) {
	s := newServer(t, serverOpts{})
	for _, m := range methods {
		var d queryData
		s.ok(t, m, "/api/v1/query_range", url.Values{
			"query": {`rate(http_requests_total{code="200"}[1m])`},
			"start": {at(2 * time.Minute)}, "end": {at(4 * time.Minute)}, "step": {"60"},
		}, &d)
		var mat []sample
		if err := json.Unmarshal(d.Result, &mat); err != nil {
			t.Fatal(err)
		}
		if d.ResultType != "matrix" || len(mat) != 1 || len(mat[0].Values) != 3 {
			t.Fatalf("%s query_range: %s %s, want matrix of 1 series with 3 points", m, d.ResultType, d.Result)
		}
		for _, p := range mat[0].Values {
			v, err := strconv.ParseFloat(p[1].(string), 64)
			if err != nil || math.Abs(v-10.0/15) > 1e-9 {
				t.Errorf("%s query_range point %v, want 0.666…", m, p)
			}
		}
	}
}

func TestQueryErrors(t *testing.T) {
	s := newServer(t, serverOpts{})
	for _, m := range methods {
		s.fail(t, m, "/api/v1/query", url.Values{"query": {"sum(up"}}, 400, "bad_data", "parse error")
		s.fail(t, m, "/api/v1/query", url.Values{"query": {"up"}, "time": {"yesterday"}}, 400, "bad_data", `invalid parameter "time"`)
		s.fail(t, m, "/api/v1/query_range", url.Values{"query": {"up"}, "start": {at(time.Minute)}, "end": {at(0)}, "step": {"15"}}, 400, "bad_data", "end timestamp must not be before start time")
		s.fail(t, m, "/api/v1/query_range", url.Values{"query": {"up"}, "start": {at(0)}, "end": {at(time.Minute)}}, 400, "bad_data", `invalid parameter "step"`)
		s.fail(t, m, "/api/v1/query_range", url.Values{"query": {"up +"}, "start": {at(0)}, "end": {at(time.Minute)}, "step": {"15"}}, 400, "bad_data", "parse error")
	}
}

func TestQueryMaxSamples(t *testing.T) {
	s := newServer(t, serverOpts{opts: Options{MaxSamples: 10}})
	for _, m := range methods {
		s.fail(t, m, "/api/v1/query", url.Values{"query": {"up[10m]"}, "time": {at(10 * time.Minute)}}, 422, "execution", "too many samples")
		s.fail(t, m, "/api/v1/query_range", url.Values{"query": {"up"}, "start": {at(0)}, "end": {at(10 * time.Minute)}, "step": {"15"}}, 422, "execution", "too many samples")
	}
}

func TestQueryTimeout(t *testing.T) {
	s := newServer(t, serverOpts{opts: Options{Timeout: time.Nanosecond}})
	for _, m := range methods {
		s.fail(t, m, "/api/v1/query", url.Values{"query": {"up"}, "time": {at(5 * time.Minute)}}, 503, "timeout", "query timed out")
		s.fail(t, m, "/api/v1/query_range", url.Values{"query": {"up"}, "start": {at(0)}, "end": {at(10 * time.Minute)}, "step": {"15"}}, 503, "timeout", "query timed out")
	}
}

// TestQueryWaitsForSlot fills the only query slot and checks that a query
// waiting for it past the timeout is a 503 timeout, not a 422.
func TestQueryWaitsForSlot(t *testing.T) {
	opts := Options{Timeout: 200 * time.Millisecond, MaxConcurrent: 1}
	db := teststorage.New(t)
	loadFixture(t, db)
	engine := NewEngine(opts, nil, nil)
	t.Cleanup(func() { _ = engine.Close() })
	h, err := NewHandler(opts, engine, db, db, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s := &server{url: srv.URL}

	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		engine.NewTestQuery(func(ctx context.Context) error {
			close(started)
			// Hold the slot past the engine timeout: the waiting query's
			// deadline must pass first.
			<-release
			return ctx.Err()
		}).Exec(context.Background())
	}()
	<-started
	s.fail(t, http.MethodGet, "/api/v1/query", url.Values{"query": {"up"}}, 503, "timeout", "waiting for a query slot")
	close(release)
	<-done
	var d queryData
	s.ok(t, http.MethodGet, "/api/v1/query", url.Values{"query": {"up"}, "time": {at(time.Minute)}}, &d)
}

func TestUnknownPaths(t *testing.T) {
	s := newServer(t, serverOpts{})
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/api/v1/"},
		{http.MethodGet, "/api/v1/nope"},
		{http.MethodGet, "/api/v1/query/extra"},
		{http.MethodGet, "/api/v1/rules"},
		{http.MethodGet, "/api/v1/alerts"},
		{http.MethodGet, "/api/v1/alertmanagers"},
		{http.MethodGet, "/api/v1/targets"},
		{http.MethodGet, "/api/v1/targets/metadata"},
		{http.MethodGet, "/api/v1/scrape_pools"},
		{http.MethodGet, "/api/v1/status/config"},
		{http.MethodGet, "/api/v1/status/flags"},
		{http.MethodGet, "/api/v1/status/runtimeinfo"},
		{http.MethodGet, "/api/v1/status/tsdb"},
		{http.MethodGet, "/api/v1/status/walreplay"},
		{http.MethodGet, "/api/v1/notifications"},
		{http.MethodGet, "/api/v1/features"},
		{http.MethodGet, "/api/v1/parse_query"},
		{http.MethodGet, "/api/v1/openapi.yaml"},
		{http.MethodPost, "/api/v1/admin/tsdb/snapshot"},
		{http.MethodPost, "/api/v1/admin/tsdb/delete_series"},
		{http.MethodPost, "/api/v1/read"},
		{http.MethodPost, "/api/v1/write"},
		{http.MethodPost, "/api/v1/otlp/v1/metrics"},
		{http.MethodOptions, "/api/v1/rules"},
	} {
		s.fail(t, c.method, c.path, nil, 404, "not_found", "unknown API endpoint")
	}

	// A served path with a method Prometheus does not accept: 405, as in Prometheus.
	for _, c := range []struct{ method, path string }{
		{http.MethodDelete, "/api/v1/query"},
		{http.MethodPost, "/api/v1/label/job/values"},
		{http.MethodPost, "/api/v1/status/buildinfo"},
	} {
		if code, _ := s.call(t, c.method, c.path, nil); code != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d, want 405", c.method, c.path, code)
		}
	}
	// CORS preflight on a served path: 204, as in Prometheus.
	if code, _ := s.call(t, http.MethodOptions, "/api/v1/query", nil); code != http.StatusNoContent {
		t.Errorf("OPTIONS /api/v1/query: %d, want 204", code)
	}
}

func TestLabels(t *testing.T) {
	s := newServer(t, serverOpts{})
	for _, m := range methods {
		var names []string
		s.ok(t, m, "/api/v1/labels", nil, &names)
		if want := []string{"__name__", "code", "instance", "job"}; !slices.Equal(names, want) {
			t.Errorf("%s labels = %v, want %v", m, names, want)
		}
		s.ok(t, m, "/api/v1/labels", url.Values{"match[]": {"up"}}, &names)
		if want := []string{"__name__", "instance", "job"}; !slices.Equal(names, want) {
			t.Errorf("%s labels match[]=up = %v, want %v", m, names, want)
		}
		s.ok(t, m, "/api/v1/labels", url.Values{"start": {at(time.Hour)}, "end": {at(2 * time.Hour)}}, &names)
		if len(names) != 0 {
			t.Errorf("%s labels after the data = %v, want none", m, names)
		}
		s.fail(t, m, "/api/v1/labels", url.Values{"match[]": {"up{"}}, 400, "bad_data", "parse error")
	}
}

func TestLabelValues(t *testing.T) {
	s := newServer(t, serverOpts{})
	f := func(form url.Values, want []string, wantWarning bool) {
		t.Helper()
		var vals []string
		env := s.ok(t, http.MethodGet, "/api/v1/label/job/values", form, &vals)
		if want == nil { // limit: which values survive is up to the storage
			if len(vals) != 1 {
				t.Errorf("label/job/values %v = %v, want one value", form, vals)
			}
		} else if !slices.Equal(vals, want) {
			t.Errorf("label/job/values %v = %v, want %v", form, vals, want)
		}
		if got := len(env.Warnings) > 0; got != wantWarning {
			t.Errorf("label/job/values %v warnings %v, want some: %v", form, env.Warnings, wantWarning)
		}
	}
	f(nil, []string{"api", "node", "old"}, false)
	f(url.Values{"match[]": {"up"}}, []string{"node"}, false)
	f(url.Values{"match[]": {"up", `{__name__="old_metric"}`}}, []string{"node", "old"}, false)
	f(url.Values{"match[]": {`{job=~"n.*|o.*"}`}}, []string{"node", "old"}, false)
	// start/end select blocks, as in Prometheus: the head, holding all the
	// fixture, is excluded only by a range after (or before) all of it.
	f(url.Values{"match[]": {`{job=~".+"}`}, "start": {at(0)}, "end": {at(10 * time.Minute)}}, []string{"api", "node", "old"}, false)
	f(url.Values{"start": {at(time.Hour)}, "end": {at(2 * time.Hour)}}, []string{}, false)
	f(url.Values{"match[]": {"up"}, "start": {at(time.Hour)}, "end": {at(2 * time.Hour)}}, []string{}, false)
	f(url.Values{"limit": {"1"}}, nil, true)
	f(url.Values{"match[]": {"nothing_here"}}, []string{}, false)

	s.fail(t, http.MethodGet, "/api/v1/label/job/values", url.Values{"limit": {"-1"}}, 400, "bad_data", `invalid parameter "limit"`)
	s.fail(t, http.MethodGet, "/api/v1/label/job/values", url.Values{"start": {"then"}}, 400, "bad_data", `invalid parameter "start"`)
	s.fail(t, http.MethodGet, "/api/v1/label/job/values", url.Values{"match[]": {"{"}}, 400, "bad_data", "parse error")
}

func TestSeries(t *testing.T) {
	s := newServer(t, serverOpts{})
	for _, m := range methods {
		var series []map[string]string
		s.ok(t, m, "/api/v1/series", url.Values{"match[]": {"up"}}, &series)
		if len(series) != 2 || series[0]["instance"] != "a" || series[1]["instance"] != "b" || series[0]["__name__"] != "up" {
			t.Errorf("%s series match[]=up = %v, want up{instance=a}, up{instance=b}", m, series)
		}
		s.ok(t, m, "/api/v1/series", url.Values{"match[]": {`{job=~"old|api"}`}, "start": {at(0)}, "end": {at(10 * time.Minute)}}, &series)
		if len(series) != 2 || series[0]["__name__"] != "http_requests_total" {
			t.Errorf("%s series job=~old|api in [t0, t0+10m] = %v, want the two http_requests_total", m, series)
		}
		s.fail(t, m, "/api/v1/series", nil, 400, "bad_data", "no match[] parameter provided")
		s.fail(t, m, "/api/v1/series", url.Values{"match[]": {"up{"}}, 400, "bad_data", "parse error")
	}
}

func TestBuildInfo(t *testing.T) {
	s := newServer(t, serverOpts{opts: Options{Version: "1.2.3"}})
	var info map[string]string
	s.ok(t, http.MethodGet, "/api/v1/status/buildinfo", nil, &info)
	if info["version"] != "1.2.3" || info["goVersion"] != runtime.Version() {
		t.Errorf("buildinfo = %v, want version 1.2.3 and goVersion %s", info, runtime.Version())
	}
	for _, k := range []string{"version", "revision", "branch", "buildUser", "buildDate", "goVersion"} {
		if _, ok := info[k]; !ok {
			t.Errorf("buildinfo has no %q: %v", k, info)
		}
	}
}

func TestFormatQuery(t *testing.T) {
	s := newServer(t, serverOpts{})
	for _, m := range methods {
		var got string
		s.ok(t, m, "/api/v1/format_query", url.Values{"query": {"sum(rate(up[5m]))by(job)"}}, &got)
		if want := "sum by (job) (rate(up[5m]))"; got != want {
			t.Errorf("%s format_query = %q, want %q", m, got, want)
		}
		s.fail(t, m, "/api/v1/format_query", url.Values{"query": {"sum(("}}, 400, "bad_data", "parse error")
	}
}

type exemplarResult struct {
	SeriesLabels map[string]string `json:"seriesLabels"`
	Exemplars    []struct {
		Labels    map[string]string `json:"labels"`
		Value     string            `json:"value"`
		Timestamp float64           `json:"timestamp"`
	} `json:"exemplars"`
}

func TestQueryExemplars(t *testing.T) {
	s := newServer(t, serverOpts{})
	for _, m := range methods {
		var res []exemplarResult
		s.ok(t, m, "/api/v1/query_exemplars", url.Values{
			"query": {`rate(http_requests_total[1m])`}, "start": {at(0)}, "end": {at(10 * time.Minute)},
		}, &res)
		if len(res) != 1 || res[0].SeriesLabels["code"] != "200" || len(res[0].Exemplars) != 1 {
			t.Fatalf("%s query_exemplars = %+v, want one exemplar on code=200", m, res)
		}
		e := res[0].Exemplars[0]
		if e.Labels["trace_id"] != "abc" || e.Value != "20" || e.Timestamp != float64(t0.Unix()+30) {
			t.Errorf("%s exemplar = %+v, want trace_id=abc 20 @t0+30s", m, e)
		}
		s.ok(t, m, "/api/v1/query_exemplars", url.Values{"query": {"up"}, "start": {at(0)}, "end": {at(10 * time.Minute)}}, &res)
		if len(res) != 0 {
			t.Errorf("%s query_exemplars up = %+v, want none", m, res)
		}
		s.fail(t, m, "/api/v1/query_exemplars", url.Values{"query": {"up["}}, 400, "bad_data", "parse error")
		s.fail(t, m, "/api/v1/query_exemplars", url.Values{"query": {"up"}, "start": {at(time.Minute)}, "end": {at(0)}}, 400, "bad_data", "end timestamp must not be before start")
	}

	// Without exemplar storage the endpoint still answers, with nothing.
	s = newServer(t, serverOpts{noExemplar: true})
	var res []exemplarResult
	s.ok(t, http.MethodGet, "/api/v1/query_exemplars", url.Values{"query": {"http_requests_total"}}, &res)
	if len(res) != 0 {
		t.Errorf("query_exemplars without exemplar storage = %+v, want none", res)
	}
}

func TestMetadataWithoutTargets(t *testing.T) {
	s := newServer(t, serverOpts{})
	for _, form := range []url.Values{nil, {"metric": {"up"}}, {"limit": {"1"}}} {
		var md map[string]any
		s.ok(t, http.MethodGet, "/api/v1/metadata", form, &md)
		if len(md) != 0 {
			t.Errorf("metadata %v = %v, want empty", form, md)
		}
	}
	s.fail(t, http.MethodGet, "/api/v1/metadata", url.Values{"limit": {"x"}}, 400, "bad_data", "limit must be a number")
}

// TestMetadataWithTargets checks that targets reaches Prometheus's handler:
// metadata comes from the scrape targets, as in Prometheus.
func TestMetadataWithTargets(t *testing.T) {
	target := scrape.NewTarget(labels.FromStrings("job", "node"), nil, nil, nil)
	target.SetMetadataStore(metadataStore{
		{MetricFamily: "up", Type: model.MetricTypeGauge, Help: "Target is up."},
	})
	retriever := fakeTargets{"node": {target}}
	s := newServer(t, serverOpts{targets: func(context.Context) v1.TargetRetriever { return retriever }})
	var md map[string][]map[string]string
	s.ok(t, http.MethodGet, "/api/v1/metadata", nil, &md)
	if len(md) != 1 || len(md["up"]) != 1 || md["up"][0]["type"] != "gauge" || md["up"][0]["help"] != "Target is up." {
		t.Errorf("metadata = %v, want up: gauge, Target is up.", md)
	}
}

type fakeTargets map[string][]*scrape.Target

func (f fakeTargets) TargetsActive() map[string][]*scrape.Target { return f }
func (fakeTargets) TargetsDropped() map[string][]*scrape.Target  { return nil }
func (fakeTargets) TargetsDroppedCounts() map[string]int         { return nil }
func (fakeTargets) ScrapePoolConfig(string) (*config.ScrapeConfig, error) {
	return nil, nil
}

type metadataStore []scrape.MetricMetadata

func (m metadataStore) ListMetadata() []scrape.MetricMetadata { return m }
func (m metadataStore) GetMetadata(name string) (scrape.MetricMetadata, bool) {
	for _, md := range m {
		if md.MetricFamily == name {
			return md, true
		}
	}
	return scrape.MetricMetadata{}, false
}
func (m metadataStore) SizeMetadata() int   { return 0 }
func (m metadataStore) LengthMetadata() int { return len(m) }

// TestCORS guards the CORS origin handed to Prometheus: its handlers
// dereference it whenever a request carries an Origin header.
func TestCORS(t *testing.T) {
	s := newServer(t, serverOpts{})
	req, err := http.NewRequest(http.MethodGet, s.url+"/api/v1/query?query=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", "http://grafana.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("query with Origin: %d, Access-Control-Allow-Origin %q; want 200, *", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

func TestRequestMetrics(t *testing.T) {
	s := newServer(t, serverOpts{})
	s.ok(t, http.MethodGet, "/api/v1/query", url.Values{"query": {"1"}}, new(queryData))
	s.fail(t, http.MethodGet, "/api/v1/query", url.Values{"query": {"("}}, 400, "bad_data", "parse error")
	s.ok(t, http.MethodGet, "/api/v1/label/job/values", nil, new([]string))

	for _, c := range []struct {
		handler, code string
	}{{"/api/v1/query", "200"}, {"/api/v1/query", "400"}, {"/api/v1/label/:name/values", "200"}} {
		if got := requestCount(t, s.reg, c.handler, c.code); got != 1 {
			t.Errorf("requests_total{handler=%q,code=%q} = %v, want 1", c.handler, c.code, got)
		}
	}
	// The engine's own metrics share the registry without a clash.
	if n, err := testutil.GatherAndCount(s.reg, "prometheus_engine_queries_concurrent_max"); err != nil || n != 1 {
		t.Errorf("prometheus_engine_queries_concurrent_max: %d series, %v", n, err)
	}
}

// requestCount reads one series of nexclipper_receiver_query_api_requests_total.
func requestCount(t *testing.T, reg *prometheus.Registry, handler, code string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "nexclipper_receiver_query_api_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			if got["handler"] == handler && got["code"] == code {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestNewHandlerArgs checks the constructor's own failures.
func TestNewHandlerArgs(t *testing.T) {
	db := teststorage.New(t)
	engine := NewEngine(Options{}, nil, nil)
	t.Cleanup(func() { _ = engine.Close() })
	if _, err := NewHandler(Options{}, nil, db, nil, nil, nil, nil); err == nil {
		t.Error("NewHandler without engine: no error")
	}
	var noQueryable storage.SampleAndChunkQueryable
	if _, err := NewHandler(Options{}, engine, noQueryable, nil, nil, nil, nil); err == nil {
		t.Error("NewHandler without queryable: no error")
	}
	reg := prometheus.NewRegistry()
	if _, err := NewHandler(Options{}, engine, db, nil, nil, nil, reg); err != nil {
		t.Fatal(err)
	}
	if _, err := NewHandler(Options{}, engine, db, nil, nil, nil, reg); err == nil {
		t.Error("second NewHandler on the same registry: no error for the duplicate metrics")
	}
}
