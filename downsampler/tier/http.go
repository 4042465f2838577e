package tier

import (
	"encoding/json"
	"net/http"
)

// TiersHeader names the tiers that served a query response ("raw", "raw,5m", ...).
const TiersHeader = "X-Nexclipper-Tiers"

// Middleware reads the max_source_resolution parameter (raw, 5m, 1h, auto; Thanos's
// name) of Prometheus query API requests into the request context for Queryable,
// answers a bad value with 400 in the API's error envelope, and sets TiersHeader
// on the response.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := ParseResolution(r.FormValue("max_source_resolution"))
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"status": "error", "errorType": "bad_data", "error": err.Error()})
			return
		}
		ctx := r.Context()
		if r.Form.Has("max_source_resolution") {
			ctx = WithMaxResolution(ctx, res)
		}
		ctx, report := WithReport(ctx)
		next.ServeHTTP(&reportWriter{ResponseWriter: w, report: report}, r.WithContext(ctx))
	})
}

// reportWriter sets TiersHeader just before the response starts.
type reportWriter struct {
	http.ResponseWriter
	report  *Report
	written bool
}

func (w *reportWriter) WriteHeader(code int) {
	if !w.written {
		w.written = true
		if t := w.report.Tiers(); t != "" {
			w.Header().Set(TiersHeader, t)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *reportWriter) Write(b []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *reportWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
