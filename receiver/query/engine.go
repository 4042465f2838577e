package query

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
)

// Defaults applied to zero fields of Options; they are Prometheus's own flag
// defaults, so the receiver answers the same queries a default Prometheus does.
const (
	DefaultTimeout       = 2 * time.Minute // --query.timeout
	DefaultMaxSamples    = 50_000_000      // --query.max-samples
	DefaultLookbackDelta = 5 * time.Minute // --query.lookback-delta
	DefaultMaxConcurrent = 20              // --query.max-concurrency
)

// noStepSubqueryInterval is the step of a subquery written without one
// (`x[1h:]`). Prometheus uses its global evaluation_interval, whose default is
// 1m; the receiver evaluates no rules, so it has no such setting of its own.
const noStepSubqueryInterval = time.Minute

// Options configure the query side.
type Options struct {
	Timeout       time.Duration // --query.timeout, default 2m
	MaxSamples    int           // --query.max-samples, default 50000000
	LookbackDelta time.Duration // default 5m
	MaxConcurrent int           // --query.max-concurrency, default 20
	Version       string        // for /api/v1/status/buildinfo (with revision, branch, goVersion from prometheus/common/version)
}

// withDefaults fills zero (or negative) fields. A zero Timeout, MaxSamples or
// MaxConcurrent would otherwise fail, reject or block every query.
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxSamples <= 0 {
		o.MaxSamples = DefaultMaxSamples
	}
	if o.LookbackDelta <= 0 {
		o.LookbackDelta = DefaultLookbackDelta
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultMaxConcurrent
	}
	return o
}

// NewEngine returns the PromQL engine with these limits. Metrics of the engine
// (prometheus_engine_*) are registered on reg when reg is not nil, under the
// names Prometheus uses, so existing Prometheus dashboards for the query engine
// work on the receiver too.
//
// Beyond Prometheus's defaults the engine enables what Prometheus's own PromQL
// acceptance scripts (promql/promqltest) are written against, and the package
// test runs all of them on this very engine:
//   - EnableAtModifier, EnableNegativeOffset: always on in Prometheus since
//     v2.33 (at_modifier.test, negative offsets in several scripts).
//   - EnableDelayedNameRemoval (Prometheus: --enable-feature=promql-delayed-name-removal):
//     __name__ is dropped at the end of evaluation instead of at each function
//     (name_label_dropping.test, histograms.test). Queries over several metric
//     names such as `rate({__name__=~"a|b"}[5m])` stop failing with "vector
//     cannot contain metrics with the same labelset"; a query that uses
//     __name__ after a function dropped it (`sum by (__name__) (rate(x[5m]))`)
//     now sees the name instead of an empty value.
//   - UseStartTimestamps (Prometheus: --enable-feature=use-start-timestamps):
//     rate/increase/resets use stored start timestamps (start_timestamps.test).
//     The receiver's TSDB does not store them yet, so this changes no result
//     today; it is on so results stay right once storage keeps them.
//   - The parser options of newParser (promql-experimental-functions,
//     promql-binop-fill-modifiers, promql-unquoted-utf8-names): pure additions
//     to the language.
//
// EnableTypeAndUnitLabels stays off, as in Prometheus: it changes results of
// existing queries (functions.test fails with it) and needs __type__/__unit__
// labels at ingestion, which the receiver does not add.
func NewEngine(opts Options, logger *slog.Logger, reg prometheus.Registerer) *promql.Engine {
	opts = opts.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return promql.NewEngine(promql.EngineOpts{
		Logger:        logger.With("component", "query engine"),
		Reg:           reg,
		MaxSamples:    opts.MaxSamples,
		Timeout:       opts.Timeout,
		LookbackDelta: opts.LookbackDelta,
		// Prometheus's ActiveQueryTracker also mmaps a file of running queries
		// to log the one that crashed the process; only its bound on
		// concurrency is wanted here.
		ActiveQueryTracker: newQueryGate(opts.MaxConcurrent, opts.Timeout),
		NoStepSubqueryIntervalFn: func(int64) int64 {
			return noStepSubqueryInterval.Milliseconds()
		},
		EnableAtModifier:         true,
		EnableNegativeOffset:     true,
		EnableDelayedNameRemoval: true,
		UseStartTimestamps:       true,
		Parser:                   newParser(),
	})
}

// newParser returns the PromQL parser shared by the engine (query,
// query_range) and the API (match[] selectors, format_query,
// query_exemplars), so every endpoint accepts the same language.
//
// Prometheus keeps these behind --enable-feature flags; they only add syntax
// and functions (sort_by_label, limitk, mad_over_time, info, `+ fill(0)`,
// `foo.bar`), no existing query changes meaning, and Prometheus's acceptance
// scripts need them.
func newParser() parser.Parser {
	return parser.NewParser(parser.Options{
		EnableExperimentalFunctions: true,
		EnableBinopFillModifiers:    true,
		EnableUnquotedUTF8Names:     true,
	})
}

// queryGate bounds the number of queries evaluated at once; the rest wait in
// Insert until a slot frees. It implements promql.QueryTracker, the engine's
// only hook for a concurrency limit.
//
// The engine takes a slot twice per query: while parsing it (in
// NewInstantQuery/NewRangeQuery, with the request's context, which has no
// deadline) and while evaluating it (with the query's timeout). So that a
// request never waits unboundedly for the first one, each wait is bounded by
// maxWait (Options.Timeout) as well as by the context.
type queryGate struct {
	slots   chan struct{}
	maxWait time.Duration
}

func newQueryGate(n int, maxWait time.Duration) *queryGate {
	return &queryGate{slots: make(chan struct{}, n), maxWait: maxWait}
}

// GetMaxConcurrent reports the bound, exported by the engine as
// prometheus_engine_queries_concurrent_max.
func (g *queryGate) GetMaxConcurrent() int { return cap(g.slots) }

// Insert takes a slot. Running out of time while waiting is a
// promql.ErrQueryTimeout, which the API answers 503 timeout, rather than the
// bare context error it would answer 422 execution.
func (g *queryGate) Insert(ctx context.Context, _ string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, gateErr(err)
	}
	select {
	case g.slots <- struct{}{}:
		return 0, nil
	default:
	}
	wait := time.NewTimer(g.maxWait)
	defer wait.Stop()
	select {
	case g.slots <- struct{}{}:
		return 0, nil
	case <-wait.C:
		return 0, gateErr(context.DeadlineExceeded)
	case <-ctx.Done():
		return 0, gateErr(ctx.Err())
	}
}

// Delete frees the slot taken by a successful Insert.
func (g *queryGate) Delete(int) { <-g.slots }

// Close has nothing to release; the engine calls it from Engine.Close.
func (*queryGate) Close() error { return nil }

func gateErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return promql.ErrQueryTimeout("waiting for a query slot")
	}
	return promql.ErrQueryCanceled("waiting for a query slot")
}
