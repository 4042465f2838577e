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
	// optional are the labels written [in brackets]: present in some
	// modes only (the pod labels of container series in --kube.mode=node).
	optional   string
	lintListed bool // named in the promtool findings section
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
			required, optional := splitOptional(strings.TrimSpace(cells[2]))
			out[name] = catalogueEntry{
				typ:      strings.TrimSpace(cells[1]),
				labels:   normLabels(required),
				optional: normLabels(optional),
				origin:   strings.TrimSpace(cells[4]),
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

// splitOptional separates the [bracketed] labels of a labels cell.
func splitOptional(cell string) (required, optional string) {
	var req, opt []string
	for _, l := range strings.Split(cell, ",") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]") {
			opt = append(opt, strings.Trim(l, "[]"))
		} else {
			req = append(req, l)
		}
	}
	return strings.Join(req, ","), strings.Join(opt, ",")
}

// joinLabels is the normalized union of two normalized label lists.
func joinLabels(a, b string) string {
	set := map[string]bool{}
	for _, l := range strings.Split(a+", "+b, ", ") {
		if l != "" {
			set[l] = true
		}
	}
	var out []string
	for l := range set {
		out = append(out, l)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
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
// (on every fixture layout, on this host, and in both Kubernetes modes
// against a real API server) is in docs/metrics.md with its type and
// labels, and every catalogued metric is emitted by some run. Optional
// [labels] must appear in some run; the others in every run.
func TestCatalogueMatchesCode(t *testing.T) {
	catalogue := readCatalogue(t)
	var outputs []string
	outputs = append(outputs, start(t, "http", nil).scrape(t))
	for _, tree := range []string{"v1", "v2", "hybrid"} {
		outputs = append(outputs, start(t, "http", nil, fixtureArgs(tree)...).scrape(t))
	}
	k := startKubeCluster(t)
	outputs = append(outputs,
		scrapeWhenSynced(t, start(t, "http", nil, k.clusterArgs()...)),
		scrapeWhenSynced(t, start(t, "http", nil, k.nodeArgs(t, "v1")...)),
		scrapeWhenSynced(t, start(t, "http", nil, k.nodeArgs(t, "hybrid")...)))

	type emission struct {
		typ    string
		union  string   // labels seen in any run
		perRun []string // labels of each run that emitted it
	}
	emitted := map[string]*emission{}
	for _, text := range outputs {
		for name, mf := range parseExposition(t, text) {
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
			got := normLabels(strings.Join(names, ","))
			e := emitted[name]
			if e == nil {
				e = &emission{typ: typeName(mf.GetType())}
				emitted[name] = e
			}
			e.union = joinLabels(e.union, got)
			e.perRun = append(e.perRun, got)
		}
	}
	for name, e := range emitted {
		c, ok := catalogue[name]
		switch {
		case !ok:
			t.Errorf("%s (%s; labels %q) is emitted but missing from docs/metrics.md", name, e.typ, e.union)
		case c.typ != e.typ:
			t.Errorf("%s: docs/metrics.md says type %s, code emits %s", name, c.typ, e.typ)
		case joinLabels(c.labels, c.optional) != e.union:
			t.Errorf("%s: docs/metrics.md says labels %q (optional %q), code emits %q", name, c.labels, c.optional, e.union)
		default:
			for _, run := range e.perRun {
				if joinLabels(run, c.labels) != run {
					t.Errorf("%s: a run emits labels %q, without all of the required %q", name, run, c.labels)
				}
			}
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
