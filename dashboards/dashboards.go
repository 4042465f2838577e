//lint:file-ignore SA1019 Grafana imports a plugin's bundled dashboards as the classic JSON model, which the SDK builds with its (deprecated in favour of v2) dashboard package; v2 needs feature toggles plugin includes do not get.

// Package dashboards holds NexClipper's Grafana dashboards as Go code, built
// with the Grafana Foundation SDK: Cluster overview, Node, Workload and
// Container. Each has at most eight panels, every panel a description, a
// unit and thresholds, and reads only series the exporter emits (docs/metrics.md,
// the kube_* names of the kube collector) or Prometheus's `up`.
//
// The JSON is generated into grafana-plugin/src/dashboards/ (go generate, or
// go run ./dashboards/cmd/gendashboards from the repository root) and
// committed; the app plugin includes it (src/plugin.json), and a test fails
// when the committed files differ from what this package builds.
package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

//go:generate go run ./cmd/gendashboards -out ../grafana-plugin/src/dashboards

// Tag is on every NexClipper dashboard; the dashboards link to each other by it.
const Tag = "nexclipper"

// MaxPanels is the most panels a dashboard may have: each answers one
// question, and a ninth panel means the dashboard answers two.
const MaxPanels = 8

// spec is one dashboard before it is built: what the per-dashboard files
// declare.
type spec struct {
	file        string // name under grafana-plugin/src/dashboards/
	uid         string
	title       string
	description string
	variables   []cog.Builder[dashboard.VariableModel]
	panels      []cog.Builder[dashboard.Panel]
}

// specs are the dashboards, in the order plugin.json lists them.
func specs() []spec {
	return []spec{clusterOverview(), node(), workload(), container()}
}

// File is one generated dashboard: its file name and JSON.
type File struct {
	Name string
	JSON []byte
}

// Files builds every dashboard and renders it as indented JSON with a
// trailing newline, the form committed under grafana-plugin/src/dashboards/.
func Files() ([]File, error) {
	var out []File
	for _, s := range specs() {
		b, err := render(s)
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", s.file, err)
		}
		out = append(out, File{Name: s.file, JSON: b})
	}
	return out, nil
}

func render(s spec) ([]byte, error) {
	if len(s.panels) > MaxPanels {
		return nil, fmt.Errorf("%d panels, at most %d", len(s.panels), MaxPanels)
	}
	b := dashboard.NewDashboardBuilder(s.title).
		Uid(s.uid).
		Description(s.description).
		Tags([]string{Tag}).
		Editable().
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Refresh("1m").
		Time("now-1h", "now").
		Timezone(common.TimeZoneBrowser).
		Link(dashboard.NewDashboardLinkBuilder("NexClipper").
			Type(dashboard.DashboardLinkTypeDashboards).
			Tags([]string{Tag}).
			AsDropdown(true).
			IncludeVars(false).
			KeepTime(true)).
		WithVariable(datasourceVariable())
	for _, v := range s.variables {
		b.WithVariable(v)
	}
	for _, p := range s.panels {
		b.WithPanel(p)
	}
	d, err := b.Build()
	if err != nil {
		return nil, err
	}
	// Stable panel ids (Grafana would make up its own on import), so that
	// links to a panel (viewPanel=<id>) survive regenerating.
	for i, p := range d.Panels {
		if p.Panel != nil {
			p.Panel.Id = cog.ToPtr(uint32(i + 1))
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	// PromQL is full of <, > and &: keep it readable in the committed JSON.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ---- variables ----

// dsVar is the data source variable every panel and query variable reads.
const dsVar = "datasource"

func dsRef() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr("${" + dsVar + "}")}
}

func datasourceVariable() *dashboard.DatasourceVariableBuilder {
	return dashboard.NewDatasourceVariableBuilder(dsVar).
		Label("Data source").
		Description("The Prometheus data source that reads the NexClipper receiver.").
		Type("prometheus")
}

// labelValues is a query variable filled by label_values(selector, label):
// selector must name one metric and narrow it (cheap on big clusters).
func labelValues(name, label, description, selector, valueLabel string) *dashboard.QueryVariableBuilder {
	q := fmt.Sprintf("label_values(%s, %s)", selector, valueLabel)
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Description(description).
		Datasource(dsRef()).
		Query(dashboard.StringOrMap{String: cog.ToPtr(q)}).
		Definition(q).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalCaseInsensitiveAsc)
}

// queryResult is a query variable filled from the label `valueLabel` of the
// series of expr.
func queryResult(name, label, description, expr, valueLabel string) *dashboard.QueryVariableBuilder {
	q := fmt.Sprintf("query_result(%s)", expr)
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Description(description).
		Datasource(dsRef()).
		Query(dashboard.StringOrMap{String: cog.ToPtr(q)}).
		Definition(q).
		Regex(fmt.Sprintf(`/%s="([^"]+)"/`, valueLabel)).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalCaseInsensitiveAsc)
}

// namespaceVariable lists active namespaces from one small kube metric.
func namespaceVariable() *dashboard.QueryVariableBuilder {
	return labelValues("namespace", "Namespace", "Active namespaces (kube_namespace_status_phase).",
		`kube_namespace_status_phase{phase="Active"}`, "namespace")
}

// ---- thresholds ----

type step struct {
	value float64
	color string
}

// thresholds: the base color, then the color from each value up.
func thresholds(base string, steps ...step) *dashboard.ThresholdsConfigBuilder {
	out := []dashboard.Threshold{{Value: nil, Color: base}}
	for _, s := range steps {
		out = append(out, dashboard.Threshold{Value: cog.ToPtr(s.value), Color: s.color})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(out)
}

var (
	// neutral: a quantity with no good or bad level of its own (throughput).
	neutral = func() *dashboard.ThresholdsConfigBuilder { return thresholds("green") }
	// anyIsBad: a count of problems; zero is the only good value.
	anyIsBad = func() *dashboard.ThresholdsConfigBuilder { return thresholds("green", step{1, "red"}) }
	// utilisation of a capacity (0–1): worrying from 80%, bad from 90%.
	utilisation = func() *dashboard.ThresholdsConfigBuilder {
		return thresholds("green", step{0.8, "orange"}, step{0.9, "red"})
	}
	// fullness of a filesystem (0–1): the Overview warns from 85%, alerts from 90%.
	fullness = func() *dashboard.ThresholdsConfigBuilder {
		return thresholds("green", step{0.85, "orange"}, step{0.9, "red"})
	}
	// stall: share of time tasks waited (PSI) or were throttled.
	stall = func() *dashboard.ThresholdsConfigBuilder {
		return thresholds("green", step{0.1, "orange"}, step{0.25, "red"})
	}
)
