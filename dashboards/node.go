package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// node answers: what is this node short of — CPU, memory, disk or network?
func node() spec {
	return spec{
		file:        "node.json",
		uid:         "nexclipper-node",
		title:       "NexClipper / Node",
		description: "What is this node short of? CPU, memory, pressure, disks, filesystems and network of one host, from nexclipper-exporter.",
		variables: []cog.Builder[dashboard.VariableModel]{
			labelValues("node", "Node", "The host's nodename (node_uname_info), which is its Kubernetes node name.",
				"node_uname_info", "nodename"),
			labelValues("instance", "Instance", "The exporter target of $node.",
				`node_uname_info{nodename="$node"}`, "instance").
				Hide(dashboard.VariableHideHideVariable),
		},
		panels: []cog.Builder[dashboard.Panel]{
			stacked(panelSpec{
				title:       "CPU by mode",
				description: "Share of the node's CPU time spent in each mode but idle; the stack's height is the CPU utilisation. High iowait means CPUs wait for disks; high steal means the hypervisor withholds CPU.",
				unit:        "percentunit",
				thresholds:  utilisation(),
				max:         ptr(1),
			}, q(`sum by (mode) (`+rate("node_cpu_seconds_total", inst+`, mode!="idle"`)+`) / `+cpus, "{{mode}}")),
			timeSeries(panelSpec{
				title:       "Load per CPU",
				description: "Load averages divided by the number of CPUs. Above 1 tasks queue for CPU (or wait in uninterruptible IO); above 2 the node is overloaded.",
				unit:        "short",
				thresholds:  thresholds("green", step{1, "orange"}, step{2, "red"}),
			},
				q(`node_load1{`+inst+`} / `+cpus, "1m"),
				q(`node_load5{`+inst+`} / `+cpus, "5m"),
				q(`node_load15{`+inst+`} / `+cpus, "15m"),
			),
			timeSeries(panelSpec{
				title:       "Memory",
				description: "Used (total − available), page cache and buffers, and total memory. Used close to total means reclaim and, soon, the OOM killer.",
				unit:        "bytes",
				thresholds:  neutral(),
			},
				q(`node_memory_MemTotal_bytes{`+inst+`} - node_memory_MemAvailable_bytes{`+inst+`}`, "used"),
				q(`node_memory_Cached_bytes{`+inst+`} + node_memory_Buffers_bytes{`+inst+`}`, "cache + buffers"),
				q(`node_memory_MemTotal_bytes{`+inst+`}`, "total"),
			),
			timeSeries(panelSpec{
				title:       "Pressure (PSI)",
				description: "Share of time some tasks waited for CPU, memory or IO (waiting), or all tasks stalled (stalled). Above 10% work is delayed; memory stalls mean thrashing.",
				unit:        "percentunit",
				thresholds:  stall(),
			},
				q(rate("node_pressure_cpu_waiting_seconds_total", inst), "CPU waiting"),
				q(rate("node_pressure_memory_waiting_seconds_total", inst), "memory waiting"),
				q(rate("node_pressure_memory_stalled_seconds_total", inst), "memory stalled"),
				q(rate("node_pressure_io_waiting_seconds_total", inst), "IO waiting"),
				q(rate("node_pressure_io_stalled_seconds_total", inst), "IO stalled"),
			),
			timeSeries(panelSpec{
				title:       "Disk throughput",
				description: "Bytes read and written per second, per disk.",
				unit:        "Bps",
				thresholds:  neutral(),
			},
				q(`sum by (device) (`+rate("node_disk_read_bytes_total", inst)+`)`, "{{device}} read"),
				q(`sum by (device) (`+rate("node_disk_written_bytes_total", inst)+`)`, "{{device}} written"),
			),
			timeSeries(panelSpec{
				title:       "Disk busy",
				description: "Share of time each disk had IO in flight. Near 100% a rotating disk is saturated; SSDs and NVMe serve parallel IO and can go further.",
				unit:        "percentunit",
				thresholds:  thresholds("green", step{0.8, "orange"}, step{0.95, "red"}),
				max:         ptr(1),
			}, q(`sum by (device) (`+rate("node_disk_io_time_seconds_total", inst)+`)`, "{{device}}")),
			tablePanel(panelSpec{
				title:       "Filesystems",
				description: "Used share and available bytes of each filesystem. Orange from 85% used, red from 90%.",
				unit:        "percentunit",
				thresholds:  fullness(),
				noValue:     "No filesystem reported by this node",
			}, []string{"mountpoint"},
				column{target: q(`max by (mountpoint) (1 - node_filesystem_avail_bytes{`+inst+`} / node_filesystem_size_bytes{`+inst+`})`, ""), title: "Used"},
				column{target: q(`max by (mountpoint) (node_filesystem_avail_bytes{`+inst+`})`, ""), title: "Available", unit: "bytes"},
			),
			timeSeries(panelSpec{
				title:       "Network",
				description: "Bytes received and transmitted per second, per interface (loopback and container veths excluded by the exporter).",
				unit:        "Bps",
				thresholds:  neutral(),
			},
				q(`sum by (device) (`+rate("node_network_receive_bytes_total", inst)+`)`, "{{device}} received"),
				q(`sum by (device) (`+rate("node_network_transmit_bytes_total", inst)+`)`, "{{device}} transmitted"),
			),
		},
	}
}
