package dashboards

import (
	"fmt"
	"strings"
)

// PromQL fragments shared by the dashboards; the same joins as the app's
// pages (grafana-plugin/src/queries.ts).

// rate of metric{sel} over Grafana's $__rate_interval.
func rate(metric, sel string) string {
	return fmt.Sprintf("rate(%s[$__rate_interval])", selector(metric, sel))
}

// increase of metric{sel} over Grafana's $__rate_interval.
func increase(metric, sel string) string {
	return fmt.Sprintf("increase(%s[$__rate_interval])", selector(metric, sel))
}

// selector is metric{matchers}, the braces left out when there are none.
func selector(metric string, matchers ...string) string {
	var ms []string
	for _, m := range matchers {
		if m != "" {
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 {
		return metric
	}
	return metric + "{" + strings.Join(ms, ", ") + "}"
}

// byNode adds a `node` label (the host's nodename, which is the Kubernetes
// node name) to an expression over node_* series, which carry only
// `instance`.
func byNode(expr string) string {
	return fmt.Sprintf(`label_replace(%s * on(instance) group_left(nodename) max by (instance, nodename) (node_uname_info), "node", "$1", "nodename", "(.+)")`, expr)
}

// Selectors of the Node dashboard: the exporter at $instance (the variable
// resolves $node through node_uname_info).
const inst = `instance="$instance"`

// cpus is the number of CPUs of $instance, as a scalar.
const cpus = `scalar(count(node_cpu_seconds_total{instance="$instance", mode="idle"}))`

// Containers that belong to a pod: the exporter's node mode labels them
// with namespace, pod and container.
const inPod = `container!=""`

// ns is the namespace of the Workload and Container dashboards.
const ns = `namespace="$namespace"`

// ctr selects the Container dashboard's container.
const ctr = `namespace="$namespace", pod="$pod", container="$container"`

// workloadPods is the pods of $kind/$workload in $namespace, one series per
// (namespace, pod) with value 1. A Deployment owns its pods through
// ReplicaSets; the other kinds own them directly; only one arm matches a
// given $kind.
const workloadPods = `max by (namespace, pod) (` +
	`kube_pod_owner{namespace="$namespace", owner_is_controller="true", owner_kind="$kind", owner_name="$workload"}` +
	` or kube_pod_owner{namespace="$namespace", owner_is_controller="true", owner_kind="ReplicaSet"}` +
	` * on(namespace, owner_name) group_left() max by (namespace, owner_name) (` +
	`label_replace(kube_replicaset_owner{namespace="$namespace", owner_kind="$kind", owner_name="$workload"}, "owner_name", "$1", "replicaset", "(.+)")))`

// perPod sums expr by pod over the pods of the workload.
func perPod(expr string) string {
	return fmt.Sprintf("sum by (pod) (%s * on(namespace, pod) group_left() %s)", expr, workloadPods)
}

// ofWorkload keeps the series of expr that belong to the workload's pods.
func ofWorkload(expr string) string {
	return fmt.Sprintf("(%s) and on(namespace, pod) %s", expr, workloadPods)
}
