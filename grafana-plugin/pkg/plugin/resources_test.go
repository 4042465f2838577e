package plugin

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// call sends one resource request through the SDK's CallResource, as
// Grafana does for /api/plugins/<id>/resources/<path>, and returns the one
// response the handler sent.
func call(t *testing.T, a *App, method, path string) *backend.CallResourceResponse {
	t.Helper()
	var got []*backend.CallResourceResponse
	sender := backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error {
		got = append(got, r)
		return nil
	})
	err := a.CallResource(context.Background(), &backend.CallResourceRequest{Method: method, Path: path, URL: path}, sender)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d responses, want 1", len(got))
	}
	return got[0]
}

func TestResourceAttention(t *testing.T) {
	fr := newFakeReceiver(t)
	fr.answer(q(t, "overview.node_not_ready"), s(1, "node", "worker-3"))
	resp := call(t, appFor(t, fr), http.MethodGet, "attention")
	if resp.Status != http.StatusOK {
		t.Fatalf("status %d: %s", resp.Status, resp.Body)
	}
	if ct := resp.Headers["Content-Type"]; len(ct) != 1 || ct[0] != "application/json" {
		t.Errorf("content type %v", ct)
	}
	var items []Item
	if err := json.Unmarshal(resp.Body, &items); err != nil {
		t.Fatal(err)
	}
	want := Item{Kind: "node_not_ready", Severity: "critical", Subject: "worker-3", Message: "Node worker-3 is not Ready", Link: "/a/nexclipper-observability-app/nodes/worker-3"}
	if len(items) != 1 || items[0] != want {
		t.Errorf("items %+v", items)
	}
}

func TestResourceAttentionAllClear(t *testing.T) {
	resp := call(t, appFor(t, newFakeReceiver(t)), http.MethodGet, "/attention")
	if resp.Status != http.StatusOK || strings.TrimSpace(string(resp.Body)) != "[]" {
		t.Errorf("status %d body %s; want 200 []", resp.Status, resp.Body)
	}
}

func TestResourceErrors(t *testing.T) {
	failing := newFakeReceiver(t)
	failing.fail[q(t, "overview.node_io_psi")] = "boom"
	f := func(name string, a *App, method, path string, status int, want string) {
		t.Run(name, func(t *testing.T) {
			resp := call(t, a, method, path)
			if resp.Status != status {
				t.Errorf("status %d, want %d: %s", resp.Status, status, resp.Body)
			}
			if !strings.Contains(string(resp.Body), want) {
				t.Errorf("body %s does not contain %q", resp.Body, want)
			}
		})
	}
	f("receiver fails a query", appFor(t, failing), http.MethodGet, "attention", http.StatusBadGateway, `"error":"query overview.node_io_psi at `)
	f("not configured", newTestApp(t, `{}`), http.MethodGet, "attention", http.StatusServiceUnavailable, "no receiver URL configured")
	f("unknown resource", appFor(t, newFakeReceiver(t)), http.MethodGet, "nope", http.StatusNotFound, "not found")
	f("wrong method", appFor(t, newFakeReceiver(t)), http.MethodPost, "attention", http.StatusMethodNotAllowed, "Method Not Allowed")
}
