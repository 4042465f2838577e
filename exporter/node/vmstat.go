package node

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// vmstatFields are the /proc/vmstat counters we export as node_vmstat_<name>,
// node_exporter's default set: paging, swapping, faults and OOM kills.
var vmstatFields = []string{"oom_kill", "pgfault", "pgmajfault", "pgpgin", "pgpgout", "pswpin", "pswpout"}

type vmstatCollector struct {
	path  string
	descs map[string]*prometheus.Desc
}

func newVmstatCollector(opts *Options) (*vmstatCollector, error) {
	c := &vmstatCollector{path: filepath.Join(opts.ProcPath, "vmstat"), descs: map[string]*prometheus.Desc{}}
	for _, f := range vmstatFields {
		c.descs[f] = desc("vmstat", f, "/proc/vmstat information field "+f+".")
	}
	return c, nil
}

func (c *vmstatCollector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	data, err := os.ReadFile(c.path)
	if err != nil {
		return noData(err)
	}
	values, parseErr := parseVmstat(data)
	for _, f := range vmstatFields {
		if v, ok := values[f]; ok {
			// Untyped, as node_exporter exports them: names without _total
			// must stay as they are for existing rules.
			ch <- prometheus.MustNewConstMetric(c.descs[f], prometheus.UntypedValue, v)
		}
	}
	if parseErr != nil {
		return fmt.Errorf("parse %s: %w", c.path, parseErr)
	}
	return nil
}

// parseVmstat reads "name value" lines, keeping the wanted fields. A wanted
// field whose value is not a number is an error, reported after the other
// fields were read; other lines are ignored.
func parseVmstat(data []byte) (map[string]float64, error) {
	wanted := map[string]bool{}
	for _, f := range vmstatFields {
		wanted[f] = true
	}
	values := map[string]float64{}
	var errs []error
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || !wanted[name] {
			continue
		}
		v, err := strconv.ParseUint(strings.TrimSpace(value), 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("field %s: %w", name, err))
			continue
		}
		values[name] = float64(v)
	}
	return values, errors.Join(append(errs, sc.Err())...)
}
