package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// fakeReceiver stands in for nexclipper-receiver: /-/ready, /metrics and the
// Prometheus API endpoints the backend calls, answering instant queries from
// a table keyed by the exact expression (anything else: an empty vector).
type fakeReceiver struct {
	*httptest.Server

	mu      sync.Mutex
	ready   int               // status of /-/ready; 0 means 200
	metrics string            // body of /metrics
	answers map[string]string // expr → JSON of the vector result
	fail    map[string]string // expr → error message (HTTP 422, Prometheus's execution error)
	queries []string          // every expression asked, in order
}

func newFakeReceiver(t *testing.T) *fakeReceiver {
	t.Helper()
	f := &fakeReceiver{answers: map[string]string{}, fail: map[string]string{},
		metrics: "# TYPE prometheus_tsdb_head_series gauge\nprometheus_tsdb_head_series 12345\n"}
	mux := http.NewServeMux()
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.ready != 0 {
			http.Error(w, "Service Unavailable", f.ready)
			return
		}
		fmt.Fprintln(w, "Ready")
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		fmt.Fprint(w, f.metrics)
	})
	mux.HandleFunc("/api/v1/status/buildinfo", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"status":"success","data":{"version":"0.3.0","revision":"abc","branch":"main","buildUser":"u","buildDate":"d","goVersion":"go1.26"}}`)
	})
	mux.HandleFunc("/api/v1/query", func(w http.ResponseWriter, r *http.Request) {
		expr := r.FormValue("query")
		f.mu.Lock()
		f.queries = append(f.queries, expr)
		msg, failed := f.fail[expr]
		result, ok := f.answers[expr]
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if failed {
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprintf(w, `{"status":"error","errorType":"execution","error":%q}`, msg)
			return
		}
		if !ok {
			result = "[]"
		}
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":%s}}`, result)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// answer sets the vector expr returns: one series per labels map, with value v.
func (f *fakeReceiver) answer(expr string, series ...sample) {
	type jsonSample struct {
		Metric map[string]string `json:"metric"`
		Value  [2]any            `json:"value"`
	}
	out := []jsonSample{}
	for _, s := range series {
		out = append(out, jsonSample{Metric: s.labels, Value: [2]any{1700000000.0, fmt.Sprint(s.value)}})
	}
	b, _ := json.Marshal(out)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[expr] = string(b)
}

func (f *fakeReceiver) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.queries...)
}

type sample struct {
	labels map[string]string
	value  float64
}

func s(value float64, kv ...string) sample {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return sample{labels: m, value: value}
}

// newTestApp builds an app instance from jsonData as Grafana would.
func newTestApp(t *testing.T, jsonData string) *App {
	t.Helper()
	inst, err := NewApp(context.Background(), backend.AppInstanceSettings{JSONData: json.RawMessage(jsonData)})
	if err != nil {
		t.Fatal(err)
	}
	a := inst.(*App)
	t.Cleanup(a.Dispose)
	return a
}

func appFor(t *testing.T, f *fakeReceiver) *App {
	t.Helper()
	return newTestApp(t, fmt.Sprintf(`{"datasourceUid":"nexclipper","prometheusUrl":%q}`, f.URL))
}

func TestMain(m *testing.M) {
	// The SDK's HTTP client logs at debug on every construction; keep test
	// output to the tests.
	log.DefaultLogger = log.NewNullLogger()
	os.Exit(m.Run())
}
