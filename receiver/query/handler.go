package query

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/grafana/regexp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/route"
	"github.com/prometheus/common/version"
	"github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/scrape"
	"github.com/prometheus/prometheus/storage"
	v1 "github.com/prometheus/prometheus/web/api/v1"
)

// apiPrefix is where the handler expects its routes: it is mounted with the
// full path, like Prometheus's own /api/v1.
const apiPrefix = "/api/v1"

// servedPaths are the only paths passed on to Prometheus's router, in
// http.ServeMux pattern syntax. Prometheus's API registers many more (admin,
// remote write, rules, ...); keeping this list here rather than trusting the
// NewAPI flags is what makes the stubs in NewHandler unreachable.
var servedPaths = []string{
	"/query",
	"/query_range",
	"/query_exemplars",
	"/format_query",
	"/series",
	"/labels",
	"/label/{name}/values",
	"/metadata",
	"/status/buildinfo",
}

// corsOrigin is Prometheus's default --web.cors.origin (".*", anchored the
// way Prometheus compiles it): every origin may read. Grafana queries through
// its server-side proxy and does not need it; it is here so a browser-side
// client sees the receiver as it would see a default Prometheus. Prometheus's
// handlers dereference it on every request carrying an Origin header, so it
// must not be nil.
const corsOrigin = "^(?:.*)$"

// NewHandler serves Prometheus's HTTP query API over q and exemplars with
// engine. The handler expects the full path (/api/v1/...): mount it as
// mux.Handle("/api/v1/", h). See the package documentation for the endpoints
// and the error contract.
//
// exemplars may be nil (query_exemplars then answers success with no
// exemplars); targets may be nil when the receiver does not scrape (metadata
// then answers success with empty data). Request counts and latencies per
// endpoint are registered on reg when it is not nil.
func NewHandler(opts Options, engine promql.QueryEngine, q storage.SampleAndChunkQueryable, exemplars storage.ExemplarQueryable, targets func(context.Context) v1.TargetRetriever, logger *slog.Logger, reg prometheus.Registerer) (http.Handler, error) {
	if engine == nil || q == nil {
		return nil, errors.New("query handler: engine and queryable are required")
	}
	opts = opts.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if exemplars == nil {
		exemplars = noExemplars{}
	}
	if targets == nil {
		targets = func(context.Context) v1.TargetRetriever { return noTargets{} }
	}
	metrics, err := newHTTPMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("query handler: %w", err)
	}

	api := newAPI(opts, engine, q, exemplars, targets, logger.With("component", "query api"))
	router := route.New().WithPrefix(apiPrefix).WithInstrumentation(metrics.instrument)
	api.Register(router)

	mux := http.NewServeMux()
	for _, p := range servedPaths {
		mux.Handle(apiPrefix+p, router)
	}
	mux.HandleFunc("/", notFound)
	return mux, nil
}

// newAPI calls Prometheus's NewAPI. Everything Prometheus needs only for the
// endpoints outside servedPaths is nil, zero or off; the comments say which
// endpoint would have used it.
func newAPI(opts Options, engine promql.QueryEngine, q storage.SampleAndChunkQueryable, exemplars storage.ExemplarQueryable, targets func(context.Context) v1.TargetRetriever, logger *slog.Logger) *v1.API {
	buildInfo := &v1.PrometheusVersion{
		Version:   opts.Version,
		Revision:  version.GetRevision(),
		Branch:    version.Branch,
		BuildUser: version.BuildUser,
		BuildDate: version.BuildDate,
		GoVersion: version.GoVersion,
	}
	return v1.NewAPI(
		engine,
		q,
		// Appendable for the remote-write and OTLP receivers, off below: the
		// receiver ingests through its own handler.
		nil,
		exemplars,
		// Scrape pools: /scrape_pools.
		nil,
		targets,
		// Alertmanagers: /alertmanagers.
		nil,
		// Configuration: /status/config, remote read, OTLP; the query-cost
		// estimator checks it for nil.
		nil,
		// Flags: /status/flags. URL options: /targets.
		nil, v1.GlobalURLOptions{},
		// Ready: the receiver is ready once it serves.
		func(f http.HandlerFunc) http.HandlerFunc { return f },
		// TSDB admin and stats, TSDB dir: /admin/*, /status/tsdb*,
		// /status/walreplay. Admin API off, search API off with no limit.
		nil, "", false, false, 0,
		logger,
		// Rules: /rules, /alerts.
		nil,
		// Remote read sample limit, concurrency, frame size: /read.
		0, 0, 0,
		// Not an agent.
		false,
		regexp.MustCompile(corsOrigin),
		// Runtime info: /status/runtimeinfo.
		nil,
		buildInfo,
		// Notifications and their live stream: /notifications*. Gatherer:
		// /status/self_metrics. No registerer: it would only register the
		// metrics of the remote-read handler, which is never reached.
		nil, nil, nil, nil,
		// Prometheus's default stats renderer.
		nil,
		// Remote write receiver off, with no message types; OTLP receiver,
		// its delta-to-cumulative and native delta ingestion off.
		false, nil, false, false, false,
		opts.LookbackDelta,
		// Type and unit labels off, as in the engine; append metadata is for
		// remote write only.
		false, false,
		// Prometheus's default status code per error type.
		nil,
		// Feature registry: /features. OpenAPI options: /openapi.yaml.
		nil, v1.OpenAPIOptions{Version: opts.Version},
		newParser(),
		// Query-cost estimation off, as in the engine.
		false,
		opts.Timeout,
	)
}

// notFound answers every path outside servedPaths the way Prometheus's API
// answers its errors, so clients that parse the envelope get a reason.
func notFound(w http.ResponseWriter, r *http.Request) {
	b, err := json.Marshal(v1.Response{
		Status:    "error",
		ErrorType: "not_found",
		Error:     fmt.Sprintf("unknown API endpoint %s %s", r.Method, r.URL.Path),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write(b)
}

// noTargets stands in for the scrape manager when the receiver does not scrape
// itself: /metadata, the only served endpoint that asks for targets, then
// finds none and answers success with empty data.
type noTargets struct{}

func (noTargets) TargetsActive() map[string][]*scrape.Target  { return nil }
func (noTargets) TargetsDropped() map[string][]*scrape.Target { return nil }
func (noTargets) TargetsDroppedCounts() map[string]int        { return nil }
func (noTargets) ScrapePoolConfig(pool string) (*config.ScrapeConfig, error) {
	return nil, fmt.Errorf("scrape pool %q: the receiver does not scrape", pool)
}

// noExemplars stands in for storage without exemplars, so query_exemplars
// answers an empty result instead of dereferencing nil.
type noExemplars struct{}

func (noExemplars) ExemplarQuerier(context.Context) (storage.ExemplarQuerier, error) {
	return noExemplars{}, nil
}

func (noExemplars) Select(int64, int64, ...[]*labels.Matcher) ([]exemplar.QueryResult, error) {
	return []exemplar.QueryResult{}, nil
}
