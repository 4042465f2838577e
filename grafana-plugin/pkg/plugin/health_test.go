package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func TestCheckHealth(t *testing.T) {
	closedPort := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return "http://" + addr
	}()
	notPrometheus := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/-/ready" {
			fmt.Fprintln(w, "OK")
			return
		}
		http.NotFound(w, r)
	}))
	defer notPrometheus.Close()

	f := func(name, jsonData string, setup func(f *fakeReceiver), status backend.HealthStatus, want ...string) {
		t.Run(name, func(t *testing.T) {
			fr := newFakeReceiver(t)
			if setup != nil {
				setup(fr)
			}
			jsonData = strings.ReplaceAll(jsonData, "$FAKE", fr.URL)
			a := newTestApp(t, jsonData)
			res, err := a.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != status {
				t.Errorf("status %v, want %v; message: %s", res.Status, status, res.Message)
			}
			for _, w := range want {
				if !strings.Contains(res.Message, w) {
					t.Errorf("message %q does not contain %q", res.Message, w)
				}
			}
			var d map[string]any
			if err := json.Unmarshal(res.JSONDetails, &d); err != nil {
				t.Errorf("details %s: %v", res.JSONDetails, err)
			}
		})
	}
	fresh := func(age float64) func(*fakeReceiver) {
		return func(fr *fakeReceiver) { fr.answer(freshnessExpr, s(age)) }
	}
	ok := `{"datasourceUid":"nexclipper","prometheusUrl":"$FAKE"}`

	f("no URL", `{"datasourceUid":"nexclipper"}`, nil, backend.HealthStatusError,
		"no receiver URL configured", "jsonData.prometheusUrl")
	f("no settings at all", ``, nil, backend.HealthStatusError, "no receiver URL configured")
	f("URL without scheme", `{"datasourceUid":"x","prometheusUrl":"nexclipper-receiver:9911"}`, nil, backend.HealthStatusError,
		"absolute http:// or https:// URL", `"nexclipper-receiver:9911"`)
	f("jsonData not JSON", `{"prometheusUrl":`, nil, backend.HealthStatusError, "not valid JSON")
	f("no data source", `{"prometheusUrl":"$FAKE"}`, nil, backend.HealthStatusError,
		"no Prometheus data source chosen", "jsonData.datasourceUid")
	f("receiver down", `{"datasourceUid":"x","prometheusUrl":"`+closedPort+`"}`, nil, backend.HealthStatusError,
		"receiver at "+closedPort+" not reachable", "connection refused", "check jsonData.prometheusUrl")
	f("receiver not ready", ok, func(fr *fakeReceiver) { fr.ready = http.StatusServiceUnavailable }, backend.HealthStatusError,
		"is not ready", "HTTP 503")
	f("not the Prometheus API", `{"datasourceUid":"x","prometheusUrl":"`+notPrometheus.URL+`"}`, nil, backend.HealthStatusError,
		"does not serve the Prometheus query API", "port 9911")
	f("no exporter data", ok, nil, backend.HealthStatusError,
		"version 0.3.0", "holds no exporter sample", "/api/v1/write", "--scrape.config-file")
	f("stale data", ok, fresh(600), backend.HealthStatusError, "newest exporter sample is 10m0s old", "pipeline stalled")
	f("data older than the lookback", ok, func(fr *fakeReceiver) { fr.answer(freshnessLastHourExpr, s(1500)) },
		backend.HealthStatusError, "25m0s old")
	f("freshness query fails", ok, func(fr *fakeReceiver) { fr.fail[freshnessExpr] = "query timed out" },
		backend.HealthStatusError, "freshness query failed", "query timed out")
	f("fresh", ok, fresh(3.6), backend.HealthStatusOk,
		"Receiver http://127.0.0.1:", "(version 0.3.0) is ready", "newest exporter sample 4s old", "12,345 series in the head block")
	f("fresh, series from self-scrape", ok, func(fr *fakeReceiver) {
		fresh(1)(fr)
		fr.metrics = "up 1\n"
		fr.answer(headSeriesExpr, s(77))
	}, backend.HealthStatusOk, "77 series")
	f("fresh, series unknown", ok, func(fr *fakeReceiver) {
		fresh(1)(fr)
		fr.metrics = "prometheus_tsdb_head_series_created 1\n"
	}, backend.HealthStatusOk, "series count unknown")
}

func TestCheckHealthDetails(t *testing.T) {
	fr := newFakeReceiver(t)
	fr.answer(freshnessExpr, s(2))
	res, err := appFor(t, fr).CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var d healthDetails
	if err := json.Unmarshal(res.JSONDetails, &d); err != nil {
		t.Fatal(err)
	}
	if d.ReceiverURL != fr.URL || d.DatasourceUID != "nexclipper" || d.Version != "0.3.0" ||
		d.NewestSampleAgeSeconds == nil || *d.NewestSampleAgeSeconds != 2 || d.HeadSeries == nil || *d.HeadSeries != 12345 {
		t.Errorf("details %s", res.JSONDetails)
	}
}

func TestParseGauge(t *testing.T) {
	text := `# HELP prometheus_tsdb_head_series Total number of series in the head block.
# TYPE prometheus_tsdb_head_series gauge
prometheus_tsdb_head_series_created 1.7e+09
prometheus_tsdb_head_series 4.2e+06
`
	if v, ok := parseGauge(text, "prometheus_tsdb_head_series"); !ok || v != 4.2e6 {
		t.Errorf("got %v %v", v, ok)
	}
	if _, ok := parseGauge("prometheus_tsdb_head_series_created 1\n", "prometheus_tsdb_head_series"); ok {
		t.Error("matched a longer name")
	}
}

func TestHumanCount(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567"} {
		if got := humanCount(in); got != want {
			t.Errorf("humanCount(%v) = %q, want %q", in, got, want)
		}
	}
}
