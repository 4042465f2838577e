//go:build tools

// Package vmctl pins VictoriaMetrics's vmctl for bench-tiers, which imports raw
// Prometheus blocks into VictoriaMetrics with it. `go install ...vmctl@v1.151.0`
// fails: it needs a client_golang/exp pseudo-version the module proxy no longer
// serves, so this wrapper module replaces it with one that it does.
package vmctl

import _ "github.com/VictoriaMetrics/VictoriaMetrics/app/vmctl"
