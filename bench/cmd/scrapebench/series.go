package main

import (
	"bytes"
	"strings"
)

// seriesCount splits the samples of one exposition into who they describe.
type seriesCount struct {
	Total     int
	Node      int // metric name starts with node_
	Container int // metric name starts with container_
	Self      int // everything else: go_, process_, promhttp_, the exporter's own
}

// countSeries counts the non-empty lines that do not start with '#' in a text
// exposition (the same as `grep -vc '^#'` minus blank lines) and splits them by
// metric-name prefix.
func countSeries(body []byte) seriesCount {
	var c seriesCount
	for line := range bytes.Lines(body) {
		line = bytes.TrimRight(line, "\r\n")
		if len(bytes.TrimSpace(line)) == 0 || line[0] == '#' {
			continue
		}
		c.Total++
		name := metricName(string(line))
		switch {
		case strings.HasPrefix(name, "node_"):
			c.Node++
		case strings.HasPrefix(name, "container_"):
			c.Container++
		default:
			c.Self++
		}
	}
	return c
}

// metricName is the part of a sample line before its labels or value.
func metricName(line string) string {
	if i := strings.IndexAny(line, "{ \t"); i >= 0 {
		return line[:i]
	}
	return line
}
