package plugin

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// Errors of the settings, worded for the person on the configuration page.
var (
	errNoURL  = errors.New("no receiver URL configured: set it on the app's configuration page (jsonData.prometheusUrl), e.g. http://nexclipper-receiver:9911")
	errBadURL = errors.New("the receiver URL must be an absolute http:// or https:// URL, e.g. http://nexclipper-receiver:9911 (jsonData.prometheusUrl on the app's configuration page)")
)

// receiver is the NexClipper receiver (or any Prometheus) as the backend sees
// it: its lifecycle endpoints, its own /metrics and its Prometheus query API.
type receiver struct {
	url  string // base URL without a trailing slash
	http *http.Client
	api  v1.API
}

func newReceiver(base string, hc *http.Client) (*receiver, error) {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	if base == "" {
		return nil, errNoURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w; got %q", errBadURL, base)
	}
	c, err := api.NewClient(api.Config{Address: base, Client: hc})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadURL, err)
	}
	return &receiver{url: base, http: hc, api: v1.NewAPI(c)}, nil
}

// get fetches path and returns at most limit bytes of the body; any status
// but 200 is an error that quotes the start of the body.
func (r *receiver) get(ctx context.Context, path string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url+path, nil)
	if err != nil {
		return nil, err
	}
	// Plain text: the receiver's /metrics would otherwise negotiate protobuf.
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		snippet := strings.TrimSpace(string(body))
		if len(snippet) > 200 {
			snippet = snippet[:200] + "…"
		}
		return nil, fmt.Errorf("GET %s: HTTP %d %s", path, resp.StatusCode, snippet)
	}
	return body, nil
}

// ready checks /-/ready (the receiver answers 200 once it serves).
func (r *receiver) ready(ctx context.Context) error {
	_, err := r.get(ctx, "/-/ready", 4<<10)
	return err
}

// query runs an instant PromQL query at ts and returns its vector.
func (r *receiver) query(ctx context.Context, expr string, ts time.Time) (model.Vector, error) {
	v, _, _, err := r.api.Query(ctx, expr, ts)
	if err != nil {
		return nil, err
	}
	vec, ok := v.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("result of type %s, want a vector", v.Type())
	}
	return vec, nil
}

// maxMetricsBody bounds what headSeries reads of /metrics: the receiver's
// own exposition is a few hundred kilobytes at most.
const maxMetricsBody = 16 << 20

// headSeries reads prometheus_tsdb_head_series from the receiver's own
// /metrics (the TSDB registers it, in the receiver as in Prometheus). ok is
// false when /metrics answers but does not have it.
func (r *receiver) headSeries(ctx context.Context) (n float64, ok bool, err error) {
	body, err := r.get(ctx, "/metrics", maxMetricsBody)
	if err != nil {
		return 0, false, err
	}
	n, ok = parseGauge(string(body), "prometheus_tsdb_head_series")
	return n, ok, nil
}

// parseGauge finds an unlabelled sample of name in a text exposition.
func parseGauge(text, name string) (float64, bool) {
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, found := strings.CutPrefix(line, name)
		if !found || (rest != "" && rest[0] != ' ') {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		if v, err := strconv.ParseFloat(fields[0], 64); err == nil {
			return v, true
		}
	}
	return 0, false
}
