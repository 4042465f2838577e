package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// attentionTimeout bounds one computation of the list: the rules run in
// parallel, each one instant query.
const attentionTimeout = 20 * time.Second

// handleAttention serves GET /attention (Grafana routes
// /api/plugins/<id>/resources/attention here): the Overview's "needs
// attention" list as a JSON array of Item, most severe first. 503 when the
// app is not configured, 502 when the receiver fails; both with
// {"error": "..."} saying what to fix.
func (a *App) handleAttention(w http.ResponseWriter, r *http.Request) {
	if a.configErr != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": a.configErr.Error()})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), attentionTimeout)
	defer cancel()
	items, err := a.attention(ctx, time.Now())
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, items)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
