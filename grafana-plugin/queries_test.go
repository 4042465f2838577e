// Package grafanaplugin holds the Go checks of the Grafana app plugin's
// frontend: every PromQL expression its pages send (queries.json, written by
// `npm run export-queries` and checked fresh by jest) must parse.
package grafanaplugin

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
)

// grafanaVars are Grafana's built-in range variables with the durations Grafana
// would substitute; dashboard variables sit inside label values and parse as is.
var grafanaVars = strings.NewReplacer("$__rate_interval", "1m", "$__range", "1h", "$__interval", "30s")

func TestPageQueriesParse(t *testing.T) {
	b, err := os.ReadFile("queries.json")
	if err != nil {
		t.Fatal(err)
	}
	var queries map[string]string
	if err := json.Unmarshal(b, &queries); err != nil {
		t.Fatal(err)
	}
	if len(queries) < 20 {
		t.Fatalf("queries.json holds %d expressions; expected the pages' full set", len(queries))
	}
	p := parser.NewParser(parser.Options{})
	for name, expr := range queries {
		if _, err := p.ParseExpr(grafanaVars.Replace(expr)); err != nil {
			t.Errorf("%s: %q: %v", name, expr, err)
		}
	}
}
