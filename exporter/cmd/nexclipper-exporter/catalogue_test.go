package main

import (
	"bufio"
	"os"
	"sort"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

const cataloguePath = "../../../docs/metrics.md"

type catalogueEntry struct {
	typ, labels, origin string
	lintListed          bool // named in the promtool findings section
}

// readCatalogue parses the metric tables of docs/metrics.md: rows of
// | `name` | type | labels | collector | origin |, and the bullet list
// "- `name`: ..." under the heading that contains "promtool".
func readCatalogue(t *testing.T) map[string]catalogueEntry {
	t.Helper()
	f, err := os.Open(cataloguePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]catalogueEntry{}
	inLint := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			inLint = strings.Contains(line, "promtool")
			continue
		}
		if strings.HasPrefix(line, "| `") {
			cells := strings.Split(strings.Trim(line, "| "), "|")
			if len(cells) != 5 {
				t.Fatalf("docs/metrics.md: row needs 5 cells: %s", line)
			}
			name := strings.Trim(strings.TrimSpace(cells[0]), "`")
			if _, dup := out[name]; dup {
				t.Errorf("docs/metrics.md lists %s twice", name)
			}
			out[name] = catalogueEntry{
				typ:    strings.TrimSpace(cells[1]),
				labels: normLabels(strings.TrimSpace(cells[2])),
				origin: strings.TrimSpace(cells[4]),
			}
		}
		if inLint && strings.HasPrefix(line, "- `") {
			name := strings.Trim(strings.SplitN(line[2:], ":", 2)[0], "` ")
			e, ok := out[name]
			if !ok {
				t.Errorf("docs/metrics.md: promtool section names %s, which no table lists", name)
			}
			e.lintListed = true
			out[name] = e
		}
	}
	if len(out) == 0 {
		t.Fatal("docs/metrics.md: no metric rows found")
	}
	return out
}

func normLabels(s string) string {
	if s == "" || s == "-" || s == "—" {
		return ""
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(parts[i]), "`")
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func isStandardSelfMetric(name string) bool {
	for _, p := range []string{"go_", "process_", "promhttp_"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// TestCatalogueMatchesCode is the doc check: every metric the binary emits
// (on every fixture layout and on this host) is in docs/metrics.md with its
// type and labels, and every catalogued metric is emitted by some run.
func TestCatalogueMatchesCode(t *testing.T) {
	catalogue := readCatalogue(t)
	emitted := map[string]catalogueEntry{}
	runs := [][]string{nil}
	for _, tree := range []string{"v1", "v2", "hybrid"} {
		runs = append(runs, fixtureArgs(tree))
	}
	for _, args := range runs {
		for name, mf := range parseExposition(t, start(t, "http", nil, args...).scrape(t)) {
			if isStandardSelfMetric(name) {
				continue
			}
			labels := map[string]bool{}
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = true
				}
			}
			var names []string
			for l := range labels {
				names = append(names, l)
			}
			emitted[name] = catalogueEntry{typ: typeName(mf.GetType()), labels: normLabels(strings.Join(names, ","))}
		}
	}
	for name, e := range emitted {
		c, ok := catalogue[name]
		switch {
		case !ok:
			t.Errorf("%s (%s; labels %q) is emitted but missing from docs/metrics.md", name, e.typ, e.labels)
		case c.typ != e.typ:
			t.Errorf("%s: docs/metrics.md says type %s, code emits %s", name, c.typ, e.typ)
		case c.labels != e.labels:
			t.Errorf("%s: docs/metrics.md says labels %q, code emits %q", name, c.labels, e.labels)
		}
	}
	for name := range catalogue {
		if _, ok := emitted[name]; !ok {
			t.Errorf("docs/metrics.md lists %s, which no run emitted", name)
		}
	}
}

func typeName(t dto.MetricType) string {
	return strings.ToLower(t.String())
}
