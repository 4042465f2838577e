package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Freshness of the pipeline. The exporter's own nexclipper_scrape_collector_success
// is present on every scrape of every exporter, so the newest of its samples
// is when exporter data last arrived, whichever way it came (remote write or
// the receiver's self-scrape).
const (
	freshnessExpr = `time() - max(timestamp(nexclipper_scrape_collector_success))`
	// freshnessLastHourExpr looks past the 5m lookback, only when the first
	// query found nothing, to say how old the newest sample is.
	freshnessLastHourExpr = `time() - max(max_over_time(timestamp(nexclipper_scrape_collector_success)[1h:1m]))`
	// headSeriesExpr is the fallback when /metrics lacks the gauge: it finds
	// it when the receiver (or a Prometheus) scrapes itself.
	headSeriesExpr = `max(prometheus_tsdb_head_series)`
	// staleAfter: scrape intervals are 15s–60s and remote write adds seconds,
	// so data older than this means the pipeline stopped.
	staleAfter   = 2 * time.Minute
	checkTimeout = 15 * time.Second
)

// healthDetails is CheckHealthResult.JSONDetails: what the check found.
type healthDetails struct {
	ReceiverURL            string   `json:"receiverUrl,omitempty"`
	DatasourceUID          string   `json:"datasourceUid,omitempty"`
	Version                string   `json:"version,omitempty"`
	NewestSampleAgeSeconds *float64 `json:"newestSampleAgeSeconds,omitempty"`
	HeadSeries             *float64 `json:"headSeries,omitempty"`
}

// CheckHealth reports whether the pipeline works end to end: the receiver is
// reachable and serves the Prometheus API, exporter samples are fresh, and
// how many series the receiver holds. Every failure says what to check.
func (a *App) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	d := healthDetails{DatasourceUID: a.settings.DatasourceUID}
	if a.configErr != nil {
		return result(backend.HealthStatusError, a.configErr.Error(), d), nil
	}
	d.ReceiverURL = a.receiver.url
	if a.settings.DatasourceUID == "" {
		return result(backend.HealthStatusError, "no Prometheus data source chosen for the pages: choose the one that reads the receiver on the app's configuration page (jsonData.datasourceUid)", d), nil
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	r := a.receiver

	if err := r.ready(ctx); err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			return result(backend.HealthStatusError, fmt.Sprintf("receiver at %s not reachable: %v — check jsonData.prometheusUrl on the app's configuration page and that nexclipper-receiver runs", r.url, uerr.Err), d), nil
		}
		return result(backend.HealthStatusError, fmt.Sprintf("receiver at %s is not ready (%v) — it may still be replaying its WAL; if this persists, read the receiver's log", r.url, err), d), nil
	}
	bi, err := r.api.Buildinfo(ctx)
	if err != nil {
		return result(backend.HealthStatusError, fmt.Sprintf("%s answers but does not serve the Prometheus query API (GET /api/v1/status/buildinfo: %v) — is jsonData.prometheusUrl the receiver's address (port 9911 by default)?", r.url, err), d), nil
	}
	d.Version = bi.Version
	// who names the receiver in messages: its URL and, when it reports one, its version.
	who := r.url
	if bi.Version != "" {
		who += " (version " + bi.Version + ")"
	}

	if n, ok := a.seriesCount(ctx); ok {
		d.HeadSeries = &n
	}
	age, err := a.newestSampleAge(ctx)
	if err != nil {
		return result(backend.HealthStatusError, fmt.Sprintf("receiver at %s is up but the freshness query failed: %v", who, err), d), nil
	}
	if age == nil {
		return result(backend.HealthStatusError, fmt.Sprintf("receiver at %s is up but holds no exporter sample (nexclipper_scrape_collector_success) from the last hour — point Prometheus's remote_write at %s/api/v1/write, or start the receiver with --scrape.config-file scraping nexclipper-exporter (port 9910)", who, r.url), d), nil
	}
	d.NewestSampleAgeSeconds = age
	ageText := (time.Duration(*age) * time.Second).String()
	if *age > staleAfter.Seconds() {
		return result(backend.HealthStatusError, fmt.Sprintf("receiver at %s is up but the newest exporter sample is %s old — the pipeline stalled: check that the exporters run (up{job=...}) and that Prometheus remote-writes to the receiver (or its self-scrape targets answer)", who, ageText), d), nil
	}
	series := "series count unknown (no prometheus_tsdb_head_series on /metrics)"
	if d.HeadSeries != nil {
		series = humanCount(*d.HeadSeries) + " series in the head block"
	}
	return result(backend.HealthStatusOk, fmt.Sprintf("Receiver %s is ready; newest exporter sample %s old; %s.", who, ageText, series), d), nil
}

// newestSampleAge is the age in seconds of the newest exporter sample, nil
// when there is none in the last hour.
func (a *App) newestSampleAge(ctx context.Context) (*float64, error) {
	for _, expr := range []string{freshnessExpr, freshnessLastHourExpr} {
		vec, err := a.receiver.query(ctx, expr, time.Now())
		if err != nil {
			return nil, err
		}
		if len(vec) > 0 && !math.IsNaN(float64(vec[0].Value)) {
			age := math.Max(0, math.Round(float64(vec[0].Value)))
			return &age, nil
		}
	}
	return nil, nil
}

// seriesCount is the receiver's head series: from its /metrics, else from a
// self-scraped prometheus_tsdb_head_series.
func (a *App) seriesCount(ctx context.Context) (float64, bool) {
	if n, ok, err := a.receiver.headSeries(ctx); err == nil && ok {
		return n, true
	}
	vec, err := a.receiver.query(ctx, headSeriesExpr, time.Now())
	if err != nil || len(vec) == 0 {
		return 0, false
	}
	return float64(vec[0].Value), true
}

func result(status backend.HealthStatus, msg string, d healthDetails) *backend.CheckHealthResult {
	details, _ := json.Marshal(d)
	return &backend.CheckHealthResult{Status: status, Message: msg, JSONDetails: details}
}

// humanCount writes n with thousands separators: 1234567 → 1,234,567.
func humanCount(n float64) string {
	s := strconv.FormatInt(int64(n), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
