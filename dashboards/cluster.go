package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// clusterOverview answers: is the cluster, and the pipeline that watches it,
// healthy right now, and which nodes are the busiest?
func clusterOverview() spec {
	return spec{
		file:        "cluster-overview.json",
		uid:         "nexclipper-cluster",
		title:       "NexClipper / Cluster overview",
		description: "Is the cluster healthy now, and which nodes are the busiest? Counts of what needs attention, then utilisation and pressure per node.",
		panels: []cog.Builder[dashboard.Panel]{
			statPanel(panelSpec{
				title:       "Nodes not ready",
				description: "Kubernetes nodes whose Ready condition is not true (kube_node_status_condition). Anything above zero needs attention.",
				unit:        "none",
				thresholds:  anyIsBad(),
			}, q(`count(max by (node) (kube_node_status_condition{condition="Ready", status!="true"} == 1)) or vector(0)`, "")),
			statPanel(panelSpec{
				title:       "Pods in trouble",
				description: "Pods with a container crash-looping or failing to pull its image or start, and pods Failed or Unknown.",
				unit:        "none",
				thresholds:  anyIsBad(),
			}, q(`count(max by (namespace, pod) (kube_pod_container_status_waiting_reason{reason=~"CrashLoopBackOff|ImagePullBackOff|ErrImagePull|CreateContainerConfigError|CreateContainerError"} == 1 or kube_pod_status_phase{phase=~"Failed|Unknown"} == 1)) or vector(0)`, "")),
			statPanel(panelSpec{
				title:       "Scrape targets down",
				description: "Targets whose last scrape failed (up == 0): an exporter that is down leaves its node unwatched.",
				unit:        "none",
				thresholds:  anyIsBad(),
			}, q(`count(up == 0) or vector(0)`, "")),
			statPanel(panelSpec{
				title:       "Failing collectors",
				description: "Exporter collectors whose last run failed or timed out (nexclipper_scrape_collector_success == 0); their metrics are missing. The exporter's log says why.",
				unit:        "none",
				thresholds:  anyIsBad(),
			}, q(`count(nexclipper_scrape_collector_success == 0) or vector(0)`, "")),
			timeSeries(panelSpec{
				title:       "CPU utilisation, busiest nodes",
				description: "Share of CPU time not idle, per node; the ten busiest. Sustained load above 80% leaves no headroom for bursts.",
				unit:        "percentunit",
				thresholds:  utilisation(),
				max:         ptr(1),
			}, q(`topk(10, 1 - avg by (node) (`+byNode(rate("node_cpu_seconds_total", `mode="idle"`))+`))`, "{{node}}")),
			timeSeries(panelSpec{
				title:       "Memory utilisation, fullest nodes",
				description: "1 − MemAvailable / MemTotal per node; the ten fullest. Above 90% the kernel reclaims page cache hard and the OOM killer is near.",
				unit:        "percentunit",
				thresholds:  utilisation(),
				max:         ptr(1),
			}, q(`topk(10, max by (node) (`+byNode(`(1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)`)+`))`, "{{node}}")),
			timeSeries(panelSpec{
				title:       "Pressure (PSI), worst node",
				description: "Share of time some tasks waited for CPU, memory or IO on the worst node (Linux pressure stall information). Above 10% work is being delayed; above 25% users notice.",
				unit:        "percentunit",
				thresholds:  stall(),
			},
				q(`max(`+rate("node_pressure_cpu_waiting_seconds_total", "")+`)`, "CPU"),
				q(`max(`+rate("node_pressure_memory_waiting_seconds_total", "")+`)`, "memory"),
				q(`max(`+rate("node_pressure_io_waiting_seconds_total", "")+`)`, "IO"),
			),
			linkTo(tablePanel(panelSpec{
				title:       "Fullest filesystems",
				description: "Used share of each node's ten fullest filesystems. Orange from 85%, red from 90%. The node opens its dashboard.",
				unit:        "percentunit",
				thresholds:  fullness(),
			}, []string{"node", "mountpoint"},
				column{target: q(`topk(10, max by (node, mountpoint) (`+byNode(`(1 - node_filesystem_avail_bytes / node_filesystem_size_bytes)`)+`))`, ""), title: "Used"},
			), "node", "Open node", "nexclipper-node", "node"),
		},
	}
}
