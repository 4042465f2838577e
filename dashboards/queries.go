package dashboards

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Query is one PromQL expression of a dashboard, named
// "<dashboard>/<panel title>/<refId>" for a panel target and
// "<dashboard>/variable.<name>" for a query variable, where <dashboard> is
// the file name without .json.
type Query struct {
	Name string
	Expr string
}

// dashboardJSON is the part of Grafana's dashboard JSON model the checks read.
type dashboardJSON struct {
	UID    string `json:"uid"`
	Panels []struct {
		Type        string `json:"type"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Datasource  struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			RefID      string `json:"refId"`
			Expr       string `json:"expr"`
			Datasource struct {
				UID string `json:"uid"`
			} `json:"datasource"`
		} `json:"targets"`
		FieldConfig struct {
			Defaults struct {
				Unit       string `json:"unit"`
				Thresholds struct {
					Steps []struct {
						Value *float64 `json:"value"`
						Color string   `json:"color"`
					} `json:"steps"`
				} `json:"thresholds"`
			} `json:"defaults"`
		} `json:"fieldConfig"`
	} `json:"panels"`
	Templating struct {
		List []struct {
			Type       string `json:"type"`
			Name       string `json:"name"`
			Query      any    `json:"query"`
			Datasource struct {
				UID string `json:"uid"`
			} `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

var (
	labelValuesRe = regexp.MustCompile(`^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$`)
	queryResultRe = regexp.MustCompile(`^query_result\((.+)\)$`)
)

// VariableExpr is the PromQL a Grafana Prometheus variable query evaluates:
// the selector of label_values(selector, label), the expression of
// query_result(expr). ok is false for other forms.
func VariableExpr(query string) (expr string, ok bool) {
	if m := labelValuesRe.FindStringSubmatch(query); m != nil {
		return m[1], true
	}
	if m := queryResultRe.FindStringSubmatch(query); m != nil {
		return m[1], true
	}
	return "", false
}

// Queries lists every PromQL expression of a dashboard's JSON: panel
// targets and query variables, with Grafana's template variables left in.
func Queries(file string, b []byte) ([]Query, error) {
	var d dashboardJSON
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	name := strings.TrimSuffix(file, ".json")
	var out []Query
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		s, _ := v.Query.(string)
		expr, ok := VariableExpr(s)
		if !ok {
			return nil, fmt.Errorf("%s: variable %s: query %q is neither label_values(selector, label) nor query_result(expr)", file, v.Name, s)
		}
		out = append(out, Query{Name: name + "/variable." + v.Name, Expr: expr})
	}
	for _, p := range d.Panels {
		for _, t := range p.Targets {
			out = append(out, Query{Name: name + "/" + p.Title + "/" + t.RefID, Expr: t.Expr})
		}
	}
	return out, nil
}
