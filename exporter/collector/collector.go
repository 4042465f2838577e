// Package collector holds the contract every NexClipper exporter collector
// keeps, the table of known collectors, and the Prometheus collector that
// runs the enabled ones with a per-collector timeout.
//
// Contract: a Collector's Update sends its metrics on ch and returns nil,
// ErrNoData when its source does not exist on this host (logged at debug,
// reported as success 1), or another error (logged once per scrape, reported
// as success 0). Update may be called concurrently with itself only after a
// previous call returned; the Runner never starts a second Update of one
// collector while an earlier one is still running (a hung kernel file or NFS
// mount must not pile up goroutines). Update should honour ctx where it can
// block, but the Runner does not rely on it: a collector that never returns
// is abandoned after the timeout and its late metrics are dropped.
package collector

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
)

// ErrNoData says that the collector's source is absent on this host (no
// /proc/pressure on an old kernel, no cgroup hierarchy). It is not a failure.
var ErrNoData = errors.New("collector returned no data")

// Collector is one family of metrics read from the host.
type Collector interface {
	Update(ctx context.Context, ch chan<- prometheus.Metric) error
}

// Spec describes one collector: its name (the `--collector.<name>` flag),
// whether it is on by default, and how to build it. New is called once, after
// flags are parsed, so it may read option structs that flags filled in.
type Spec struct {
	Name           string
	Help           string
	DefaultEnabled bool
	New            func() (Collector, error)
}

// Table is an ordered list of collector specs with unique names.
type Table []Spec

// Names returns the names in the table, sorted.
func (t Table) Names() []string {
	names := make([]string, 0, len(t))
	for _, s := range t {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the spec named name.
func (t Table) Lookup(name string) (Spec, bool) {
	for _, s := range t {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// Validate reports duplicate or empty names, a programming error.
func (t Table) Validate() error {
	seen := map[string]bool{}
	for _, s := range t {
		if s.Name == "" || s.New == nil {
			return fmt.Errorf("collector spec %q is incomplete", s.Name)
		}
		if seen[s.Name] {
			return fmt.Errorf("collector %q registered twice", s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

// Build constructs the collectors whose names are enabled.
func (t Table) Build(enabled map[string]bool) (map[string]Collector, error) {
	built := map[string]Collector{}
	for _, s := range t {
		if !enabled[s.Name] {
			continue
		}
		c, err := s.New()
		if err != nil {
			return nil, fmt.Errorf("collector %s: %w", s.Name, err)
		}
		built[s.Name] = c
	}
	return built, nil
}
