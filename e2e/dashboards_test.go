package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/grpcplugin"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/nexclipper/nexclipper/dashboards"
	"github.com/nexclipper/nexclipper/grafana-plugin/pkg/plugin"
)

// Why an expression may return no series against this host's pipeline (an
// exporter on this host, self-scraped by the receiver; no Kubernetes).
const (
	needsKube = "reads kube_* series: they come from the exporter's kube collector watching an apiserver, " +
		"which this pipeline does not run (the kube collector's own e2e runs it against the test kube-apiserver)"
	needsPods = "reads container series labelled namespace/pod/container: the exporter adds those labels only to " +
		"containers of Kubernetes pods, and this host runs none"
	attentionFilter = "an attention filter (... > threshold): it is empty on a healthy host; the test runs it " +
		"without its filter and requires data then"
)

// emptyAllowed lists, by name, the expressions that may return no series
// here, and why. Every other expression of the dashboards
// (grafana-plugin/src/dashboards/*.json), of the pages
// (grafana-plugin/queries.json) and of the backend's attention list must
// return at least one series. Keep grafana-plugin/README.md ("Queries that
// the end-to-end test cannot check") in step.
func emptyAllowed() map[string]string {
	m := map[string]string{}
	allow := func(reason string, names ...string) {
		for _, n := range names {
			m[n] = reason
		}
	}
	allow(needsKube,
		// dashboards
		"workload/variable.namespace", "workload/variable.workload",
		"workload/Pods and their phase/A", "workload/Container restarts/A",
		"workload/CPU usage against requests/B", "workload/Memory against limits/B",
		"workload/Containers waiting/A",
		"container/variable.namespace", "container/variable.pod", "container/variable.container",
		"container/CPU against request and limit/B", "container/CPU against request and limit/C",
		"container/Memory against request and limit/B",
		"container/Restarts and OOM kills/A", "container/Why it is not running, why it last stopped/A",
		// pages
		"variable.namespace",
		"overview.node_not_ready", "overview.node_conditions", "overview.pod_problems",
		"nodes.ready",
		"workloads.desired", "workloads.available", "workloads.restarts", "workloads.cpu_requests",
		"workloads.memory_requests", "workloads.pod_problems", "workloads.pvc_not_bound", "workloads.pvc_requested_bytes",
		"workload.pod_phase", "workload.pod_restarts", "workload.pod_cpu_requests", "workload.pod_cpu_limits",
		"workload.pod_memory_requests", "workload.pod_memory_limits", "workload.restarts_over_time",
		"containers.oom_killed",
		"container.cpu_request", "container.cpu_limit", "container.memory_request", "container.restarts",
		"container.waiting_reason", "container.last_terminated_reason",
		// backend
		"attention.node_condition",
	)
	allow(needsPods,
		// dashboards (their pods come from kube_pod_owner too, but the container series are missing first)
		"workload/CPU usage against requests/A", "workload/Memory against limits/A", "workload/CPU throttling/A",
		"workload/OOM kills/A",
		"container/CPU against request and limit/A", "container/CPU throttling/A",
		"container/Memory against request and limit/A", "container/Memory against request and limit/C",
		"container/Memory: RSS and page cache/A", "container/Memory: RSS and page cache/B",
		"container/Restarts and OOM kills/B", "container/Disk IO/A", "container/Disk IO/B",
		"container/Pressure (PSI)/A", "container/Pressure (PSI)/B", "container/Pressure (PSI)/C",
		// pages
		"overview.container_throttled", "overview.container_memory_vs_limit", "overview.container_memory_psi",
		"node.top_containers_cpu",
		"workloads.cpu_usage", "workloads.memory_usage", "workloads.cpu_by_workload", "workloads.memory_by_workload",
		"workload.pod_cpu_usage", "workload.pod_memory_usage", "workload.cpu_over_time", "workload.memory_over_time",
		"workload.throttled_over_time",
		"containers.top_cpu", "containers.top_memory", "containers.cpu_vs_request", "containers.memory_vs_limit",
		"containers.throttled", "containers.oom_events", "containers.memory_psi",
		"container.cpu_usage", "container.throttled", "container.memory_working_set", "container.memory_rss",
		"container.memory_cache", "container.memory_limit", "container.oom_events", "container.fs_read_bytes",
		"container.fs_write_bytes", "container.psi_cpu_waiting", "container.psi_memory_stalled", "container.psi_io_stalled",
	)
	allow(attentionFilter,
		"overview.node_cpu_psi", "overview.node_memory_psi", "overview.node_io_psi",
		"overview.fs_free", "overview.fs_hours_to_full", "node.fs_hours_to_full",
		"attention.filesystem_full",
	)
	return m
}

// pipeline is the exporter on this host, self-scraped every second by the
// receiver, with the values its template variables resolve to.
type pipeline struct {
	receiver *process
	vars     *strings.Replacer
}

func startDashboardPipeline(t *testing.T) pipeline {
	t.Helper()
	receiver := startSelfScrape(t)
	// rate() needs two samples in its range, increase() and deriv() too.
	eventually(t, time.Minute, "three scrapes", func() bool {
		v := instantQuery(t, receiver.addr, `count_over_time(node_load1{job="nexclipper-exporter"}[1m])`)
		n, _ := strconv.ParseFloat(sampleValue(firstOr(v)), 64)
		return n >= 3
	})
	uname := instantQuery(t, receiver.addr, `node_uname_info`)
	if len(uname) != 1 {
		t.Fatalf("node_uname_info: %d series", len(uname))
	}
	return pipeline{receiver: receiver, vars: strings.NewReplacer(
		// Grafana's own: durations it would pick for a 1s scrape interval and a 5m range.
		"$__rate_interval", "1m", "$__range", "5m", "$__interval", "15s",
		// Multi-value namespace with All selected (containers.* pages).
		`=~"$namespace"`, `=~".*"`,
		// Values from the data where there are any; the rest only feed allow-listed expressions.
		"$node", uname[0].Metric["nodename"], "$instance", uname[0].Metric["instance"],
		"$namespace", "default", "$kind", "Deployment", "$workload", "none", "$pod", "none", "$container", "none",
	)}
}

func firstOr(v []vectorSample) vectorSample {
	if len(v) == 0 {
		return vectorSample{}
	}
	return v[0]
}

// expressionsUnderTest collects every PromQL expression the app runs, by name.
func expressionsUnderTest(t *testing.T) map[string]string {
	t.Helper()
	all := map[string]string{}
	add := func(name, expr string) {
		if old, dup := all[name]; dup && old != expr {
			t.Fatalf("two expressions named %s", name)
		}
		all[name] = expr
	}
	b, err := os.ReadFile("../grafana-plugin/queries.json")
	if err != nil {
		t.Fatal(err)
	}
	var pages map[string]string
	if err := json.Unmarshal(b, &pages); err != nil {
		t.Fatal(err)
	}
	for name, expr := range pages {
		add(name, expr)
	}
	files, err := filepath.Glob("../grafana-plugin/src/dashboards/*.json")
	if err != nil || len(files) < 4 {
		t.Fatalf("dashboards: %v %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		qs, err := dashboards.Queries(filepath.Base(f), b)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			add(q.Name, q.Expr)
		}
	}
	for name, expr := range plugin.AttentionExpressions() {
		add(name, expr)
	}
	return all
}

// withoutFilter strips a top-level `expr <cmp> number` down to expr.
func withoutFilter(t *testing.T, expr string) (string, bool) {
	t.Helper()
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			break
		}
		e = p.Expr
	}
	b, ok := e.(*parser.BinaryExpr)
	if !ok || !b.Op.IsComparisonOperator() || b.ReturnBool {
		return "", false
	}
	if _, ok := b.RHS.(*parser.NumberLiteral); !ok {
		return "", false
	}
	return b.LHS.String(), true
}

// TestDashboardQueries runs every expression of the dashboards, the pages
// and the backend against the real pipeline, template variables filled,
// and requires series from each one not allow-listed (see emptyAllowed).
func TestDashboardQueries(t *testing.T) {
	exprs := expressionsUnderTest(t)
	allowed := emptyAllowed()
	for name, reason := range allowed {
		if _, ok := exprs[name]; !ok {
			t.Errorf("allow-list names %s, which no dashboard, page or backend rule has: remove it", name)
			continue
		}
		expr := exprs[name]
		switch reason {
		case needsKube:
			if !strings.Contains(expr, "kube_") {
				t.Errorf("%s is allow-listed as reading kube_* series but does not: %s", name, expr)
			}
		case needsPods:
			if !strings.Contains(expr, "container_") || (!strings.Contains(expr, "$") && !strings.Contains(expr, `container!=""`)) {
				t.Errorf("%s is allow-listed as reading pod containers but does not: %s", name, expr)
			}
		case attentionFilter:
			if _, ok := withoutFilter(t, expr); !ok {
				t.Errorf("%s is allow-listed as an attention filter but has no top-level comparison: %s", name, expr)
			}
		}
	}

	pl := startDashboardPipeline(t)
	names := make([]string, 0, len(exprs))
	for n := range exprs {
		names = append(names, n)
	}
	sort.Strings(names)
	var empty, nowWithData []string
	for _, name := range names {
		expr := pl.vars.Replace(exprs[name])
		got := instantQuery(t, pl.receiver.addr, expr)
		reason, ok := allowed[name]
		switch {
		case len(got) > 0 && ok && reason != attentionFilter:
			nowWithData = append(nowWithData, name)
		case len(got) == 0 && reason == attentionFilter:
			inner, _ := withoutFilter(t, expr)
			if len(instantQuery(t, pl.receiver.addr, inner)) == 0 {
				t.Errorf("%s: no series even without its filter: %s", name, inner)
			}
		case len(got) == 0 && !ok:
			empty = append(empty, name)
			t.Errorf("%s: no series from %s", name, expr)
		}
	}
	t.Logf("%d expressions run, %d allow-listed, %d failed", len(names), len(allowed), len(empty))
	if len(nowWithData) > 0 {
		t.Logf("allow-listed but answering here (fine; the allow-list may be too wide for this host): %s", strings.Join(nowWithData, ", "))
	}
}

// TestDashboardPluginBackend: the app's backend against the real pipeline:
// the health check reports it fresh, the attention list and its stream
// compute without error.
func TestDashboardPluginBackend(t *testing.T) {
	pl := startDashboardPipeline(t)
	url := "http://" + pl.receiver.addr
	inst, err := plugin.NewApp(context.Background(), backend.AppInstanceSettings{
		JSONData: json.RawMessage(fmt.Sprintf(`{"datasourceUid":"nexclipper","prometheusUrl":%q}`, url)),
	})
	if err != nil {
		t.Fatal(err)
	}
	app := inst.(interface {
		backend.CheckHealthHandler
		backend.CallResourceHandler
		backend.StreamHandler
	})

	res, err := app.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != backend.HealthStatusOk || !strings.Contains(res.Message, "series in the head block") {
		t.Errorf("health %v: %s", res.Status, res.Message)
	}
	t.Logf("health: %s", res.Message)

	var resp *backend.CallResourceResponse
	err = app.CallResource(context.Background(), &backend.CallResourceRequest{Method: http.MethodGet, Path: "attention", URL: "attention"},
		backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error { resp = r; return nil }))
	if err != nil || resp == nil {
		t.Fatalf("resource: %v", err)
	}
	var items []plugin.Item
	if resp.Status != http.StatusOK || json.Unmarshal(resp.Body, &items) != nil {
		t.Fatalf("resource: %d %s", resp.Status, resp.Body)
	}
	t.Logf("attention: %d items on this host", len(items))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	frames := make(chan []byte, 1)
	go func() {
		_ = app.RunStream(ctx, &backend.RunStreamRequest{Path: plugin.AttentionPath},
			backend.NewStreamSender(streamFunc(func(p *backend.StreamPacket) error {
				select {
				case frames <- p.Data:
				default:
				}
				return nil
			})))
	}()
	select {
	case b := <-frames:
		var f data.Frame
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		if f.Meta != nil && len(f.Meta.Notices) > 0 {
			t.Errorf("stream frame carries an error: %s", f.Meta.Notices[0].Text)
		}
		if f.Rows() != len(items) {
			t.Logf("stream frame: %d rows, resource: %d items (the host changed in between)", f.Rows(), len(items))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no stream frame in 30s")
	}
}

type streamFunc func(*backend.StreamPacket) error

func (f streamFunc) Send(p *backend.StreamPacket) error { return f(p) }

// TestDashboardPluginBinaryOverGRPC loads the built backend binary the way
// Grafana does (hashicorp/go-plugin, Grafana's handshake, gRPC protocol 2)
// and calls CheckHealth, the attention resource and the attention stream
// over gRPC, against the real pipeline.
func TestDashboardPluginBinaryOverGRPC(t *testing.T) {
	pl := startDashboardPipeline(t)
	bin := filepath.Join(t.TempDir(), "gpx_nexclipper_linux_amd64")
	build := exec.Command("go", "build", "-o", bin, "./grafana-plugin/pkg")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the plugin backend: %v\n%s", err, out)
	}
	client := goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: goplugin.HandshakeConfig{
			ProtocolVersion:  grpcplugin.ProtocolVersion,
			MagicCookieKey:   grpcplugin.MagicCookieKey,
			MagicCookieValue: grpcplugin.MagicCookieValue,
		},
		VersionedPlugins: map[int]goplugin.PluginSet{grpcplugin.ProtocolVersion: {
			"diagnostics": &grpcplugin.DiagnosticsGRPCPlugin{},
			"resource":    &grpcplugin.ResourceGRPCPlugin{},
			"stream":      &grpcplugin.StreamGRPCPlugin{},
		}},
		Cmd:              exec.Command(bin),
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           hclog.NewNullLogger(),
	})
	t.Cleanup(client.Kill)
	rpc, err := client.Client()
	if err != nil {
		t.Fatal(err)
	}
	dispense := func(name string) any {
		raw, err := rpc.Dispense(name)
		if err != nil {
			t.Fatalf("dispense %s: %v", name, err)
		}
		return raw
	}
	pctx := &pluginv2.PluginContext{OrgId: 1, PluginId: plugin.PluginID, AppInstanceSettings: &pluginv2.AppInstanceSettings{
		JsonData:      []byte(fmt.Sprintf(`{"datasourceUid":"nexclipper","prometheusUrl":"http://%s"}`, pl.receiver.addr)),
		LastUpdatedMS: time.Now().UnixMilli(),
	}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	health, err := dispense("diagnostics").(grpcplugin.DiagnosticsClient).CheckHealth(ctx, &pluginv2.CheckHealthRequest{PluginContext: pctx})
	if err != nil {
		t.Fatal(err)
	}
	if health.Status != pluginv2.CheckHealthResponse_OK {
		t.Errorf("health %v: %s", health.Status, health.Message)
	}

	calls, err := dispense("resource").(grpcplugin.ResourceClient).CallResource(ctx, &pluginv2.CallResourceRequest{
		PluginContext: pctx, Method: http.MethodGet, Path: "attention", Url: "attention",
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := calls.Recv()
	if err != nil {
		t.Fatal(err)
	}
	var items []plugin.Item
	if resp.Code != http.StatusOK || json.Unmarshal(resp.Body, &items) != nil {
		t.Errorf("resource: %d %s", resp.Code, resp.Body)
	}

	streams := dispense("stream").(grpcplugin.StreamClient)
	sub, err := streams.SubscribeStream(ctx, &pluginv2.SubscribeStreamRequest{PluginContext: pctx, Path: plugin.AttentionPath})
	if err != nil || sub.Status != pluginv2.SubscribeStreamResponse_OK || len(sub.Data) == 0 {
		t.Fatalf("subscribe: %+v, %v", sub, err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	packets, err := streams.RunStream(runCtx, &pluginv2.RunStreamRequest{PluginContext: pctx, Path: plugin.AttentionPath})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // the first push at once, the next one 5 s later
		p, err := packets.Recv()
		if err != nil {
			t.Fatalf("stream packet %d: %v", i, err)
		}
		var f data.Frame
		if err := json.Unmarshal(p.Data, &f); err != nil || f.Name != "attention" || (f.Meta != nil && len(f.Meta.Notices) > 0) {
			t.Errorf("stream packet %d: %s (%v)", i, p.Data, err)
		}
	}
}
