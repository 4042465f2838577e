package e2e

import "testing"

// The comparison helpers must see a difference, or the equivalence tests
// would pass on anything.
func TestDiffSeriesDetectsDifferences(t *testing.T) {
	a := map[string]series{"{x=\"1\"}": {Values: [][2]any{{1.0, "1"}, {2.0, "2"}}}}
	cases := map[string]map[string]series{
		"value":  {"{x=\"1\"}": {Values: [][2]any{{1.0, "1"}, {2.0, "2.0001"}}}},
		"time":   {"{x=\"1\"}": {Values: [][2]any{{1.0, "1"}, {3.0, "2"}}}},
		"points": {"{x=\"1\"}": {Values: [][2]any{{1.0, "1"}}}},
		"labels": {"{x=\"2\"}": {Values: [][2]any{{1.0, "1"}, {2.0, "2"}}}},
	}
	for name, b := range cases {
		if diffSeries(a, b) == "" {
			t.Errorf("%s difference not detected", name)
		}
	}
	if d := diffSeries(a, map[string]series{"{x=\"1\"}": {Values: [][2]any{{1.0, "1.0000000000001"}, {2.0, "2"}}}}); d != "" {
		t.Errorf("difference within 1e-9 reported: %s", d)
	}
	if !sameValue("NaN", "NaN") || sameValue("NaN", "1") || sameValue("+Inf", "1e308") {
		t.Error("sameValue mishandles NaN or Inf")
	}
}
