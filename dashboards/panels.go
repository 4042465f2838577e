package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// Grid sizes (Grafana's grid is 24 columns wide).
const (
	fullWidth  = 24
	halfWidth  = 12
	statWidth  = 6
	statHeight = 4
	height     = 8
)

// target is one PromQL query of a panel. Its refId is its position: A, B, ...
type target struct {
	expr   string
	legend string
}

func q(expr, legend string) target { return target{expr: expr, legend: legend} }

func refID(i int) string { return string(rune('A' + i)) }

// queryMode is how a panel runs its queries.
type queryMode int

const (
	rangeSeries   queryMode = iota // time series over the dashboard's range
	instantSeries                  // the value now, one series per label set, named by its legend
	instantTable                   // the value now as table rows, labels as columns
)

func promQuery(i int, t target, mode queryMode) *prometheus.DataqueryBuilder {
	b := prometheus.NewDataqueryBuilder().
		RefId(refID(i)).
		Datasource(dsRef()).
		Expr(t.expr)
	if t.legend != "" {
		b.LegendFormat(t.legend)
	}
	switch mode {
	case rangeSeries:
		b.Range().Format(prometheus.PromQueryFormatTimeSeries)
	case instantSeries:
		b.Instant().Format(prometheus.PromQueryFormatTimeSeries)
	case instantTable:
		b.Instant().Format(prometheus.PromQueryFormatTable)
	}
	return b
}

// panelSpec is what every panel states: its question (title), what it shows
// and how to read it (description), its unit and thresholds.
type panelSpec struct {
	title       string
	description string
	unit        string
	thresholds  *dashboard.ThresholdsConfigBuilder
	noValue     string
	width       uint32
	max         *float64
}

// timeSeries is a time series panel over range queries.
func timeSeries(p panelSpec, targets ...target) *timeseries.PanelBuilder {
	b := timeseries.NewPanelBuilder().
		Title(p.title).
		Description(p.description).
		Datasource(dsRef()).
		Unit(p.unit).
		Min(0).
		Thresholds(p.thresholds).
		NoValue(orDefault(p.noValue, "No data in this time range")).
		Height(height).
		Span(orWidth(p.width, halfWidth)).
		FillOpacity(8).
		LineWidth(1).
		Legend(common.NewVizLegendOptionsBuilder().
			ShowLegend(true).
			DisplayMode(common.LegendDisplayModeList).
			Placement(common.LegendPlacementBottom)).
		Tooltip(common.NewVizTooltipOptionsBuilder().
			Mode(common.TooltipDisplayModeMulti).
			Sort(common.SortOrderDescending))
	if p.max != nil {
		b.Max(*p.max)
	}
	for i, t := range targets {
		b.WithTarget(promQuery(i, t, rangeSeries))
	}
	return b
}

// stacked is a time series whose series add up (e.g. CPU by mode).
func stacked(p panelSpec, targets ...target) *timeseries.PanelBuilder {
	return timeSeries(p, targets...).
		FillOpacity(40).
		Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal))
}

// statPanel is one number per query: the last value of an instant query.
func statPanel(p panelSpec, targets ...target) *stat.PanelBuilder {
	b := stat.NewPanelBuilder().
		Title(p.title).
		Description(p.description).
		Datasource(dsRef()).
		Unit(p.unit).
		Thresholds(p.thresholds).
		ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdThresholds)).
		NoValue(orDefault(p.noValue, "0")).
		Height(statHeight).
		Span(orWidth(p.width, statWidth)).
		GraphMode(common.BigValueGraphModeNone).
		ColorMode(common.BigValueColorModeBackground).
		TextMode(common.BigValueTextModeAuto).
		Orientation(common.VizOrientationAuto).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false))
	for i, t := range targets {
		b.WithTarget(promQuery(i, t, instantSeries))
	}
	return b
}

// column is a value column of a table: its query, title and unit (the
// panel's unit when empty).
type column struct {
	target
	title string
	unit  string
}

// tablePanel joins instant queries on their labels (Grafana's merge
// transformation): one row per label set, one column per query, and only
// the label columns named in labels.
func tablePanel(p panelSpec, labels []string, cols ...column) *table.PanelBuilder {
	include := map[string]bool{}
	index := map[string]int{}
	rename := map[string]string{}
	for i, l := range labels {
		include[l] = true
		index[l] = i
	}
	b := table.NewPanelBuilder().
		Title(p.title).
		Description(p.description).
		Datasource(dsRef()).
		Unit(p.unit).
		Thresholds(p.thresholds).
		NoValue(orDefault(p.noValue, "Nothing to show")).
		Height(height).
		Span(orWidth(p.width, halfWidth)).
		// Value cells take their threshold color.
		CellOptions(common.TableCellOptions{TableColorTextCellOptions: common.NewTableColorTextCellOptions()})
	for i, c := range cols {
		b.WithTarget(promQuery(i, c.target, instantTable))
		// Grafana names a table query's value column "Value #<refId>", or
		// just "Value" when the panel has one query.
		name := "Value #" + refID(i)
		if len(cols) == 1 {
			name = "Value"
		}
		include[name] = true
		index[name] = len(labels) + i
		rename[name] = c.title
		if c.unit != "" && c.unit != p.unit {
			b.OverrideByName(c.title, []dashboard.DynamicConfigValue{{Id: "unit", Value: c.unit}})
		}
	}
	return b.Transformations([]dashboard.DataTransformerConfig{
		{Id: "merge", Options: map[string]any{}},
		{Id: "organize", Options: map[string]any{
			"includeByName": include,
			"indexByName":   index,
			"renameByName":  rename,
		}},
	})
}

// linkTo adds a data link on a table's label column that opens another
// NexClipper dashboard with that value as its variable.
func linkTo(b *table.PanelBuilder, field, title, uid, variable string) *table.PanelBuilder {
	return b.OverrideByName(field, []dashboard.DynamicConfigValue{{Id: "links", Value: []map[string]any{{
		"title": title,
		"url":   "/d/" + uid + "?var-" + variable + "=${__value.raw}&${__url_time_range}&var-" + dsVar + "=${" + dsVar + "}",
	}}}})
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orWidth(w, def uint32) uint32 {
	if w == 0 {
		return def
	}
	return w
}

func ptr(v float64) *float64 { return cog.ToPtr(v) }
