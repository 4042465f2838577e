// Package query serves the Prometheus HTTP query API over the receiver's
// storage, so that Grafana's Prometheus data source (and promtool, and any
// Prometheus client) can use the receiver as an ordinary Prometheus.
//
// Nothing of PromQL or of the API is reimplemented: NewEngine builds
// Prometheus's own promql.Engine and NewHandler registers Prometheus's own
// web/api/v1 handlers, so request parsing, the JSON envelope
// ({"status","data","errorType","error","warnings","infos"}), error types and
// HTTP status codes are exactly Prometheus's.
//
// Contract of the handler returned by NewHandler:
//
//   - It expects the full request path: mount it unchanged, e.g.
//     mux.Handle("/api/v1/", h), without http.StripPrefix.
//   - It serves exactly these endpoints under /api/v1, with the methods
//     Prometheus accepts for them: query, query_range, query_exemplars,
//     format_query, series, labels (GET and POST form), label/<name>/values,
//     metadata and status/buildinfo (GET). A served path with a method
//     Prometheus does not accept answers 405, as Prometheus does.
//   - Any other path answers 404 with Prometheus's JSON error envelope
//     (errorType "not_found"): admin, remote read/write, OTLP, rules, alerts,
//     targets, TSDB status and the other Prometheus endpoints are not served,
//     so the stub dependencies handed to Prometheus's API for them are never
//     reached.
//   - Errors map as in Prometheus: bad PromQL or parameters 400 bad_data; a
//     query over Options.MaxSamples 422 execution; a query that runs longer
//     than Options.Timeout, or waits longer than that for one of the
//     Options.MaxConcurrent slots, 503 timeout; a client that went away 499
//     canceled.
//   - /api/v1/metadata reports the metadata of the receiver's own scrape
//     targets; without self-scrape it answers success with empty data.
//
// The handler depends only on storage interfaces (storage.SampleAndChunkQueryable,
// storage.ExemplarQueryable), never on *tsdb.DB, so a Queryable that merges the
// raw TSDB with downsampled tiers can be passed in without changes here.
package query
