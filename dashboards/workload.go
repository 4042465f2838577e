package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// workload answers: are this workload's pods running, and do they have the
// resources they need?
func workload() spec {
	return spec{
		file:        "workload.json",
		uid:         "nexclipper-workload",
		title:       "NexClipper / Workload",
		description: "Are this workload's pods running, and do they have the resources they need? Pods, restarts, usage against requests and limits, throttling and OOM kills of one Deployment, StatefulSet or DaemonSet.",
		variables: []cog.Builder[dashboard.VariableModel]{
			namespaceVariable(),
			dashboard.NewCustomVariableBuilder("kind").
				Label("Kind").
				Description("The workload's controller kind.").
				Values(dashboard.StringOrMap{String: cog.ToPtr("Deployment,StatefulSet,DaemonSet")}),
			queryResult("workload", "Workload", "Workloads of that kind in $namespace, from the pods' and ReplicaSets' owners.",
				`max by (workload) (`+
					`label_replace(kube_pod_owner{namespace="$namespace", owner_is_controller="true", owner_kind="$kind"}, "workload", "$1", "owner_name", "(.+)")`+
					` or label_replace(kube_replicaset_owner{namespace="$namespace", owner_kind="$kind"}, "workload", "$1", "owner_name", "(.+)"))`,
				"workload"),
		},
		panels: []cog.Builder[dashboard.Panel]{
			statPanel(panelSpec{
				title:       "Pods running",
				description: "Pods of the workload in phase Running, and all its pods. Fewer running than total means pods are pending, failing or finishing.",
				unit:        "none",
				thresholds:  neutral(),
				width:       halfWidth,
			},
				q(`count(kube_pod_status_phase{`+ns+`, phase="Running"} == 1 and on(namespace, pod) `+workloadPods+`) or vector(0)`, "running"),
				q(`count(`+workloadPods+`) or vector(0)`, "total"),
			),
			tablePanel(panelSpec{
				title:       "Pods and their phase",
				description: "Every pod of the workload with its phase now.",
				unit:        "none",
				thresholds:  neutral(),
				noValue:     "No pods: check the namespace, kind and workload",
			}, []string{"pod", "phase"},
				column{target: q(`max by (pod, phase) (`+ofWorkload(`kube_pod_status_phase{`+ns+`} == 1`)+`)`, ""), title: "Current"},
			),
			timeSeries(panelSpec{
				title:       "Container restarts",
				description: "Container restarts per pod. Any restart is a crash, an OOM kill or a failed liveness probe; the Container dashboard says which.",
				unit:        "short",
				thresholds:  anyIsBad(),
				noValue:     "No restarts",
			}, q(perPod(increase("kube_pod_container_status_restarts_total", ns)), "{{pod}}")),
			timeSeries(panelSpec{
				title:       "CPU usage against requests",
				description: "CPU cores used per pod, and what each pod requests. Usage well above the request relies on spare node CPU; well below it wastes the reservation.",
				unit:        "short",
				thresholds:  neutral(),
			},
				q(perPod(rate("container_cpu_usage_seconds_total", ns+", "+inPod)), "{{pod}} used"),
				q(perPod(`kube_pod_container_resource_requests{`+ns+`, resource="cpu"}`), "{{pod}} requested"),
			),
			timeSeries(panelSpec{
				title:       "Memory against limits",
				description: "Working set per pod (what the kernel will not reclaim), and each pod's memory limit: a container whose working set reaches its limit is OOM-killed.",
				unit:        "bytes",
				thresholds:  neutral(),
			},
				q(perPod(`container_memory_working_set_bytes{`+ns+`, `+inPod+`}`), "{{pod}} working set"),
				q(perPod(`kube_pod_container_resource_limits{`+ns+`, resource="memory"}`), "{{pod}} limit"),
			),
			timeSeries(panelSpec{
				title:       "CPU throttling",
				description: "Share of CFS periods in which the pod's containers were throttled by their CPU limit. Above 25% latency suffers: raise the limit or remove it.",
				unit:        "percentunit",
				thresholds:  stall(),
				max:         ptr(1),
			}, q(perPod(rate("container_cpu_cfs_throttled_periods_total", ns+", "+inPod))+` / `+perPod(rate("container_cpu_cfs_periods_total", ns+", "+inPod)), "{{pod}}")),
			timeSeries(panelSpec{
				title:       "OOM kills",
				description: "Out-of-memory kills in the pods' containers (container_oom_events_total). Each one lost the container's in-memory state.",
				unit:        "short",
				thresholds:  anyIsBad(),
				noValue:     "No OOM kills",
			}, q(perPod(increase("container_oom_events_total", ns+", "+inPod)), "{{pod}}")),
			tablePanel(panelSpec{
				title:       "Containers waiting",
				description: "Containers that are not running now and why (CrashLoopBackOff, ImagePullBackOff, ...).",
				unit:        "none",
				thresholds:  anyIsBad(),
				noValue:     "Every container is running",
			}, []string{"pod", "container", "reason"},
				column{target: q(`max by (pod, container, reason) (`+ofWorkload(`kube_pod_container_status_waiting_reason{`+ns+`} == 1`)+`)`, ""), title: "Waiting"},
			),
		},
	}
}
