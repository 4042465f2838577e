package plugin

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"
)

// queriesJSON is a copy of grafana-plugin/queries.json (the pages' PromQL,
// name → expression, generated from src/queries.ts by `npm run
// export-queries`, which writes both files; TestEmbeddedQueriesCurrent fails
// when they differ). The attention rules run the Overview's own expressions,
// so the list and the page's tables always agree.
//
//go:embed queries.json
var queriesJSON []byte

// Severities of an attention item, the order the list is sorted in.
const (
	SeverityCritical = "critical"
	SeverityWarning  = "warning"
)

// Item is one thing that needs attention, as the resource and the stream
// deliver it.
type Item struct {
	// Kind is what is wrong: node_not_ready, node_condition, node_pressure,
	// pod_problem, container_throttled, container_memory,
	// container_pressure, filesystem_full, filesystem_filling.
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
	// Subject is what it is wrong with: a node, namespace/pod,
	// namespace/pod/container or node:mountpoint.
	Subject string `json:"subject"`
	Message string `json:"message"`
	// Link is the app page that explains it, relative to Grafana's root.
	Link string `json:"link"`
}

// rule turns the series of one PromQL expression into items. Every series
// the expression returns is over its threshold already; the rule only
// grades and words it.
type rule struct {
	// name is the expression's name: a queries.json key (the page's own
	// expression) or attention.<kind> for the backend's own.
	name string
	expr string
	item func(s *model.Sample) Item
}

// Backend-only expressions: the Overview page counts node conditions and
// lists filesystems under 10% free; the list names each condition and warns
// from 85% full.
const (
	nodeConditionExpr = `max by (node, condition) (kube_node_status_condition{condition=~"MemoryPressure|DiskPressure|PIDPressure|NetworkUnavailable", status="true"} == 1)`
	fsFullExpr        = `max by (node, mountpoint) (label_replace(((1 - node_filesystem_avail_bytes / node_filesystem_size_bytes) and on(instance, device, mountpoint) node_filesystem_readonly == 0) * on(instance) group_left(nodename) max by (instance, nodename) (node_uname_info), "node", "$1", "nodename", "(.+)")) > 0.85`
)

// rules are the attention rules, built once from the embedded page queries.
var rules = mustRules(queriesJSON)

// AttentionExpressions returns every expression the attention list runs, by
// rule name, for tests that run them against a real receiver.
func AttentionExpressions() map[string]string {
	m := make(map[string]string, len(rules))
	for _, r := range rules {
		m[r.name] = r.expr
	}
	return m
}

func mustRules(pageJSON []byte) []rule {
	var page map[string]string
	if err := json.Unmarshal(pageJSON, &page); err != nil {
		panic(fmt.Sprintf("embedded queries.json: %v", err))
	}
	q := func(name string) string {
		expr, ok := page[name]
		if !ok {
			panic(fmt.Sprintf("embedded queries.json has no %s", name))
		}
		return expr
	}
	psi := func(what string, critical float64) func(s *model.Sample) Item {
		return func(s *model.Sample) Item {
			node := label(s, "node")
			v := float64(s.Value)
			return Item{
				Kind: "node_pressure", Severity: grade(v >= critical), Subject: node, Link: nodeLink(node),
				Message: fmt.Sprintf("Tasks on node %s waited for %s %s of the last 5 minutes (PSI)", node, what, pct(v)),
			}
		}
	}
	return []rule{
		{name: "overview.node_not_ready", expr: q("overview.node_not_ready"), item: func(s *model.Sample) Item {
			node := label(s, "node")
			return Item{Kind: "node_not_ready", Severity: SeverityCritical, Subject: node, Link: nodeLink(node),
				Message: fmt.Sprintf("Node %s is not Ready", node)}
		}},
		{name: "attention.node_condition", expr: nodeConditionExpr, item: func(s *model.Sample) Item {
			node := label(s, "node")
			return Item{Kind: "node_condition", Severity: SeverityWarning, Subject: node, Link: nodeLink(node),
				Message: fmt.Sprintf("Node %s reports %s", node, label(s, "condition"))}
		}},
		{name: "overview.node_cpu_psi", expr: q("overview.node_cpu_psi"), item: psi("CPU", 0.5)},
		{name: "overview.node_memory_psi", expr: q("overview.node_memory_psi"), item: psi("memory", 0.3)},
		{name: "overview.node_io_psi", expr: q("overview.node_io_psi"), item: psi("IO", 0.5)},
		{name: "overview.pod_problems", expr: q("overview.pod_problems"), item: func(s *model.Sample) Item {
			ns, pod, reason := label(s, "namespace"), label(s, "pod"), label(s, "reason")
			return Item{Kind: "pod_problem", Severity: grade(!strings.HasPrefix(reason, "Pending")), Subject: ns + "/" + pod,
				Link:    appLink("workloads") + "?var-namespace=" + url.QueryEscape(ns),
				Message: fmt.Sprintf("Pod %s/%s: %s", ns, pod, reason)}
		}},
		{name: "overview.container_throttled", expr: q("overview.container_throttled"), item: func(s *model.Sample) Item {
			v := float64(s.Value)
			return containerItem(s, "container_throttled", grade(v >= 0.5),
				fmt.Sprintf("throttled in %s of its CPU periods over 5 minutes", pct(v)))
		}},
		{name: "overview.container_memory_vs_limit", expr: q("overview.container_memory_vs_limit"), item: func(s *model.Sample) Item {
			v := float64(s.Value)
			return containerItem(s, "container_memory", grade(v >= 0.98),
				fmt.Sprintf("working set at %s of its memory limit", pct(v)))
		}},
		{name: "overview.container_memory_psi", expr: q("overview.container_memory_psi"), item: func(s *model.Sample) Item {
			return containerItem(s, "container_pressure", SeverityWarning,
				fmt.Sprintf("stalled on memory %s of the last 5 minutes (PSI)", pct(float64(s.Value))))
		}},
		{name: "attention.filesystem_full", expr: fsFullExpr, item: func(s *model.Sample) Item {
			node, mp, v := label(s, "node"), label(s, "mountpoint"), float64(s.Value)
			return Item{Kind: "filesystem_full", Severity: grade(v >= 0.9), Subject: node + ":" + mp, Link: nodeLink(node),
				Message: fmt.Sprintf("Filesystem %s on node %s is %s full", mp, node, pct(v))}
		}},
		{name: "overview.fs_hours_to_full", expr: q("overview.fs_hours_to_full"), item: func(s *model.Sample) Item {
			node, mp, v := label(s, "node"), label(s, "mountpoint"), float64(s.Value)
			return Item{Kind: "filesystem_filling", Severity: grade(v < 6), Subject: node + ":" + mp, Link: nodeLink(node),
				Message: fmt.Sprintf("Filesystem %s on node %s fills up in %.1f hours at the rate of the last 6 hours", mp, node, v)}
		}},
	}
}

func containerItem(s *model.Sample, kind, severity, what string) Item {
	ns, pod, c := label(s, "namespace"), label(s, "pod"), label(s, "container")
	return Item{Kind: kind, Severity: severity, Subject: ns + "/" + pod + "/" + c,
		Link:    appLink("containers", ns, pod, c),
		Message: fmt.Sprintf("Container %s of pod %s/%s: %s", c, ns, pod, what)}
}

// attention runs every rule against the receiver at ts, concurrently, and
// returns the items sorted by severity, kind and subject. A failed rule
// fails the list: a list silently missing a part would read as all-clear.
func (a *App) attention(ctx context.Context, ts time.Time) ([]Item, error) {
	if a.configErr != nil {
		return nil, a.configErr
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		items = []Item{}
		errs  []error
	)
	for _, r := range rules {
		wg.Go(func() {
			vec, err := a.receiver.query(ctx, r.expr, ts)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("query %s at %s: %w", r.name, a.receiver.url, err))
				return
			}
			for _, s := range vec {
				items = append(items, r.item(s))
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		slices.SortFunc(errs, func(x, y error) int { return strings.Compare(x.Error(), y.Error()) })
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(items, func(x, y Item) int {
		if c := strings.Compare(x.Severity, y.Severity); c != 0 {
			return c // "critical" < "warning"
		}
		if c := strings.Compare(x.Kind, y.Kind); c != 0 {
			return c
		}
		if c := strings.Compare(x.Subject, y.Subject); c != 0 {
			return c
		}
		return strings.Compare(x.Message, y.Message)
	})
	return items, nil
}

func label(s *model.Sample, name model.LabelName) string { return string(s.Metric[name]) }

func grade(critical bool) string {
	if critical {
		return SeverityCritical
	}
	return SeverityWarning
}

func pct(v float64) string { return fmt.Sprintf("%.0f%%", v*100) }

// appLink is the URL of an app page: /a/<plugin id>/<segments...>, each
// segment escaped.
func appLink(segments ...string) string {
	var b strings.Builder
	b.WriteString("/a/" + PluginID)
	for _, s := range segments {
		b.WriteString("/" + url.PathEscape(s))
	}
	return b.String()
}

func nodeLink(node string) string { return appLink("nodes", node) }
