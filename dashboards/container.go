package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// container answers: is this container short of CPU or memory, and is it
// restarting?
func container() spec {
	return spec{
		file:        "container.json",
		uid:         "nexclipper-container",
		title:       "NexClipper / Container",
		description: "Is this container short of CPU or memory, and is it restarting? Usage against request and limit, throttling, OOM kills, IO and pressure of one container.",
		variables: []cog.Builder[dashboard.VariableModel]{
			namespaceVariable(),
			labelValues("pod", "Pod", "Running pods of $namespace (kube_pod_status_phase).",
				`kube_pod_status_phase{namespace="$namespace", phase="Running"}`, "pod"),
			labelValues("container", "Container", "Containers of $pod (kube_pod_container_status_restarts_total).",
				`kube_pod_container_status_restarts_total{namespace="$namespace", pod="$pod"}`, "container"),
		},
		panels: []cog.Builder[dashboard.Panel]{
			timeSeries(panelSpec{
				title:       "CPU against request and limit",
				description: "CPU cores used, requested and limited. Usage at the limit means throttling; usage above the request relies on spare node CPU.",
				unit:        "short",
				thresholds:  neutral(),
			},
				q(`sum(`+rate("container_cpu_usage_seconds_total", ctr)+`)`, "used"),
				q(`max(kube_pod_container_resource_requests{`+ctr+`, resource="cpu"})`, "requested"),
				q(`max(kube_pod_container_resource_limits{`+ctr+`, resource="cpu"})`, "limit"),
			),
			timeSeries(panelSpec{
				title:       "CPU throttling",
				description: "Share of CFS periods in which the container was throttled by its CPU limit. Above 25% latency suffers.",
				unit:        "percentunit",
				thresholds:  stall(),
				max:         ptr(1),
			}, q(`sum(`+rate("container_cpu_cfs_throttled_periods_total", ctr)+`) / sum(`+rate("container_cpu_cfs_periods_total", ctr)+`)`, "throttled")),
			timeSeries(panelSpec{
				title:       "Memory against request and limit",
				description: "Working set (what the kernel will not reclaim), request and limit. The container is OOM-killed when its working set reaches the limit.",
				unit:        "bytes",
				thresholds:  neutral(),
			},
				q(`max(container_memory_working_set_bytes{`+ctr+`})`, "working set"),
				q(`max(kube_pod_container_resource_requests{`+ctr+`, resource="memory"})`, "requested"),
				q(`max(container_spec_memory_limit_bytes{`+ctr+`})`, "limit"),
			),
			timeSeries(panelSpec{
				title:       "Memory: RSS and page cache",
				description: "Anonymous memory (RSS) and page cache. Cache is reclaimed under pressure; RSS is not, so RSS growth without bound is a leak.",
				unit:        "bytes",
				thresholds:  neutral(),
			},
				q(`max(container_memory_rss{`+ctr+`})`, "RSS"),
				q(`max(container_memory_cache{`+ctr+`})`, "cache"),
			),
			timeSeries(panelSpec{
				title:       "Restarts and OOM kills",
				description: "Container restarts and out-of-memory kills. A restart with an OOM kill at the same time is a memory limit too low (or a leak).",
				unit:        "short",
				thresholds:  anyIsBad(),
				noValue:     "No restarts or OOM kills",
			},
				q(`sum(`+increase("kube_pod_container_status_restarts_total", ctr)+`)`, "restarts"),
				q(`sum(`+increase("container_oom_events_total", ctr)+`)`, "OOM kills"),
			),
			timeSeries(panelSpec{
				title:       "Disk IO",
				description: "Bytes the container read and wrote per second, over all devices.",
				unit:        "Bps",
				thresholds:  neutral(),
			},
				q(`sum(`+rate("container_fs_reads_bytes_total", ctr)+`)`, "read"),
				q(`sum(`+rate("container_fs_writes_bytes_total", ctr)+`)`, "written"),
			),
			timeSeries(panelSpec{
				title:       "Pressure (PSI)",
				description: "Share of time the container's tasks waited for CPU or stalled on memory or IO (cgroup v2 pressure stall information). Memory stalls near the limit mean thrashing.",
				unit:        "percentunit",
				thresholds:  stall(),
			},
				q(`sum(`+rate("container_pressure_cpu_waiting_seconds_total", ctr)+`)`, "CPU waiting"),
				q(`sum(`+rate("container_pressure_memory_stalled_seconds_total", ctr)+`)`, "memory stalled"),
				q(`sum(`+rate("container_pressure_io_stalled_seconds_total", ctr)+`)`, "IO stalled"),
			),
			tablePanel(panelSpec{
				title:       "Why it is not running, why it last stopped",
				description: "The reason the container waits now (e.g. CrashLoopBackOff) and why its last run ended (e.g. OOMKilled, Error).",
				unit:        "none",
				thresholds:  anyIsBad(),
				noValue:     "Running, and no earlier run ended abnormally",
			}, []string{"state", "reason"},
				column{target: q(`max by (state, reason) (label_replace(kube_pod_container_status_waiting_reason{`+ctr+`} == 1, "state", "waiting", "", "") or label_replace(kube_pod_container_status_last_terminated_reason{`+ctr+`} == 1, "state", "last terminated", "", ""))`, ""), title: "Now"},
			),
		},
	}
}
