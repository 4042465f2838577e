package plugin

import (
	"bytes"
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"
)

// q is a page expression by name, as the rules use it.
func q(t *testing.T, name string) string {
	t.Helper()
	for _, r := range rules {
		if r.name == name {
			return r.expr
		}
	}
	t.Fatalf("no rule %s", name)
	return ""
}

func TestAttention(t *testing.T) {
	fr := newFakeReceiver(t)
	fr.answer(q(t, "overview.node_not_ready"), s(1, "node", "worker-3"))
	fr.answer(nodeConditionExpr, s(1, "node", "worker-3", "condition", "DiskPressure"))
	fr.answer(q(t, "overview.node_memory_psi"), s(0.42, "node", "worker-7"), s(0.12, "node", "worker-1"))
	fr.answer(q(t, "overview.pod_problems"),
		s(1, "namespace", "shop", "pod", "api-1", "reason", "CrashLoopBackOff"),
		s(1, "namespace", "shop", "pod", "api-2", "reason", "Pending for 5m"))
	fr.answer(q(t, "overview.container_throttled"), s(0.31, "namespace", "shop", "pod", "api-1", "container", "server"))
	fr.answer(q(t, "overview.container_memory_vs_limit"), s(0.99, "namespace", "kube system", "pod", "dns", "container", "coredns"))
	fr.answer(fsFullExpr, s(0.87, "node", "worker-1", "mountpoint", "/var"))
	fr.answer(q(t, "overview.fs_hours_to_full"), s(3.25, "node", "worker-1", "mountpoint", "/var"))

	items, err := appFor(t, fr).attention(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	const base = "/a/nexclipper-observability-app"
	want := []Item{
		{"container_memory", "critical", "kube system/dns/coredns", "Container coredns of pod kube system/dns: working set at 99% of its memory limit", base + "/containers/kube%20system/dns/coredns"},
		{"filesystem_filling", "critical", "worker-1:/var", "Filesystem /var on node worker-1 fills up in 3.2 hours at the rate of the last 6 hours", base + "/nodes/worker-1"},
		{"node_not_ready", "critical", "worker-3", "Node worker-3 is not Ready", base + "/nodes/worker-3"},
		{"node_pressure", "critical", "worker-7", "Tasks on node worker-7 waited for memory 42% of the last 5 minutes (PSI)", base + "/nodes/worker-7"},
		{"pod_problem", "critical", "shop/api-1", "Pod shop/api-1: CrashLoopBackOff", base + "/workloads?var-namespace=shop"},
		{"container_throttled", "warning", "shop/api-1/server", "Container server of pod shop/api-1: throttled in 31% of its CPU periods over 5 minutes", base + "/containers/shop/api-1/server"},
		{"filesystem_full", "warning", "worker-1:/var", "Filesystem /var on node worker-1 is 87% full", base + "/nodes/worker-1"},
		{"node_condition", "warning", "worker-3", "Node worker-3 reports DiskPressure", base + "/nodes/worker-3"},
		{"node_pressure", "warning", "worker-1", "Tasks on node worker-1 waited for memory 12% of the last 5 minutes (PSI)", base + "/nodes/worker-1"},
		{"pod_problem", "warning", "shop/api-2", "Pod shop/api-2: Pending for 5m", base + "/workloads?var-namespace=shop"},
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("items:\n%s\nwant:\n%s", dump(items), dump(want))
	}
	if got := len(fr.asked()); got != len(rules) {
		t.Errorf("%d queries sent, want one per rule (%d)", got, len(rules))
	}
}

func TestAttentionAllClearIsEmptyNotNil(t *testing.T) {
	items, err := appFor(t, newFakeReceiver(t)).attention(context.Background(), time.Now())
	if err != nil || items == nil || len(items) != 0 {
		t.Errorf("items %v, err %v; want an empty list", items, err)
	}
}

func TestAttentionFailsWhenARuleFails(t *testing.T) {
	fr := newFakeReceiver(t)
	fr.fail[q(t, "overview.pod_problems")] = "query processing would load too many samples into memory"
	_, err := appFor(t, fr).attention(context.Background(), time.Now())
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{"query overview.pod_problems at " + fr.URL, "too many samples"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

// TestEmbeddedQueriesCurrent: the backend's copy of the page queries is the
// one the frontend exports (npm run export-queries writes both).
func TestEmbeddedQueriesCurrent(t *testing.T) {
	page, err := os.ReadFile("../../queries.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(page, queriesJSON) {
		t.Error("grafana-plugin/pkg/plugin/queries.json differs from grafana-plugin/queries.json: run `npm run export-queries` in grafana-plugin/")
	}
}

func TestAttentionExpressionsParse(t *testing.T) {
	p := parser.NewParser(parser.Options{})
	exprs := AttentionExpressions()
	if len(exprs) != len(rules) {
		t.Errorf("%d expressions for %d rules: duplicate rule names", len(exprs), len(rules))
	}
	for name, expr := range exprs {
		if _, err := p.ParseExpr(expr); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if strings.Contains(expr, "$") && !strings.Contains(expr, `"$1"`) {
			t.Errorf("%s uses a template variable; the backend cannot fill it: %s", name, expr)
		}
	}
}

func dump(items []Item) string {
	var b strings.Builder
	for _, it := range items {
		b.WriteString("  " + it.Severity + " " + it.Kind + " " + it.Subject + " | " + it.Message + " | " + it.Link + "\n")
	}
	return b.String()
}
