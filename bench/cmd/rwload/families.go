package main

import writev2 "github.com/prometheus/prometheus/prompb/io/prometheus/write/v2"

// valueKind says how a series' value moves from one scrape to the next.
type valueKind uint8

const (
	// counter grows every scrape by about rate × interval, with noise; the
	// value is an integer count of units (ticks, bytes, nanoseconds) divided
	// by the family's divisor, as the kernel files it is read from hold it.
	counter valueKind = iota
	// rareCounter (errors, drops, throttling) stays flat most scrapes and
	// now and then grows by a few units.
	rareCounter
	// gauge walks randomly around a per-series level, in steps of the
	// family's granularity (4096 for page-sized memory figures).
	gauge
	// constant never changes (sizes, limits, start times), as many real
	// series do; XOR-compressed chunks make them nearly free.
	constant
	// clock is the scrape time in seconds (node_time_seconds, container_last_seen).
	clock
)

// family is one metric name: its metadata (sent with remote-write 2.0) and
// how its series' values behave. scale is the mean increase per second of a
// counter, the mean level of a gauge or constant, and the chance per scrape
// that a rareCounter moves; both in the family's units (before div).
type family struct {
	name  string
	typ   writev2.Metadata_MetricType
	help  string
	kind  valueKind
	scale float64
	div   float64 // value = units / div
	gran  int64   // gauges move in multiples of this many units
}

var (
	typCounter = writev2.Metadata_METRIC_TYPE_COUNTER
	typGauge   = writev2.Metadata_METRIC_TYPE_GAUGE
)

// nodeCPUModes are node_exporter's cpu modes, with the share of a CPU each
// typically takes (ticks per second at USER_HZ 100).
var nodeCPUModes = []struct {
	mode  string
	ticks float64
}{
	{"idle", 70}, {"iowait", 2}, {"irq", 0.5}, {"nice", 0.2},
	{"softirq", 1}, {"steal", 0.3}, {"system", 8}, {"user", 18},
}

var nodeCPU = family{"node_cpu_seconds_total", typCounter, "Seconds the CPUs spent in each mode.", counter, 0, 100, 1}

// nodeFamilies are node_exporter's per-host series without extra labels.
var nodeFamilies = []family{
	{"node_load1", typGauge, "1m load average.", gauge, 150, 100, 1},
	{"node_load5", typGauge, "5m load average.", gauge, 140, 100, 1},
	{"node_load15", typGauge, "15m load average.", gauge, 130, 100, 1},
	{"node_memory_MemTotal_bytes", typGauge, "Memory information field MemTotal_bytes.", constant, 32 << 30, 1, 1},
	{"node_memory_MemFree_bytes", typGauge, "Memory information field MemFree_bytes.", gauge, 4 << 30, 1, 4096},
	{"node_memory_MemAvailable_bytes", typGauge, "Memory information field MemAvailable_bytes.", gauge, 12 << 30, 1, 4096},
	{"node_memory_Buffers_bytes", typGauge, "Memory information field Buffers_bytes.", gauge, 300 << 20, 1, 4096},
	{"node_memory_Cached_bytes", typGauge, "Memory information field Cached_bytes.", gauge, 8 << 30, 1, 4096},
	{"node_memory_Active_bytes", typGauge, "Memory information field Active_bytes.", gauge, 14 << 30, 1, 4096},
	{"node_memory_Inactive_bytes", typGauge, "Memory information field Inactive_bytes.", gauge, 9 << 30, 1, 4096},
	{"node_memory_Dirty_bytes", typGauge, "Memory information field Dirty_bytes.", gauge, 2 << 20, 1, 4096},
	{"node_memory_SwapTotal_bytes", typGauge, "Memory information field SwapTotal_bytes.", constant, 0, 1, 1},
	{"node_context_switches_total", typCounter, "Total number of context switches.", counter, 12000, 1, 1},
	{"node_intr_total", typCounter, "Total number of interrupts serviced.", counter, 8000, 1, 1},
	{"node_forks_total", typCounter, "Total number of forks.", counter, 40, 1, 1},
	{"node_procs_running", typGauge, "Number of processes in runnable state.", gauge, 3, 1, 1},
	{"node_procs_blocked", typGauge, "Number of processes blocked waiting for I/O to complete.", gauge, 1, 1, 1},
	{"node_boot_time_seconds", typGauge, "Node boot time, in unixtime.", constant, 1_790_000_000, 1, 1},
	{"node_time_seconds", typGauge, "System time in seconds since epoch (1970).", clock, 0, 1, 1},
	{"node_pressure_cpu_waiting_seconds_total", typCounter, "Total time in seconds that processes have waited for CPU time.", counter, 20_000, 1e6, 1},
	{"node_pressure_memory_waiting_seconds_total", typCounter, "Total time in seconds that processes have waited for memory.", counter, 500, 1e6, 1},
	{"node_pressure_io_waiting_seconds_total", typCounter, "Total time in seconds that processes have waited due to IO congestion.", counter, 8_000, 1e6, 1},
}

// nodeNetworkDevices and nodeNetworkFamilies make node_network_*{device}.
var (
	nodeNetworkDevices  = []string{"eth0", "eth1", "lo"}
	nodeNetworkFamilies = []family{
		{"node_network_receive_bytes_total", typCounter, "Network device statistic receive_bytes.", counter, 2e6, 1, 1},
		{"node_network_transmit_bytes_total", typCounter, "Network device statistic transmit_bytes.", counter, 1.5e6, 1, 1},
		{"node_network_receive_packets_total", typCounter, "Network device statistic receive_packets.", counter, 2000, 1, 1},
		{"node_network_transmit_packets_total", typCounter, "Network device statistic transmit_packets.", counter, 1800, 1, 1},
		{"node_network_receive_errs_total", typCounter, "Network device statistic receive_errs.", rareCounter, 0.01, 1, 1},
		{"node_network_transmit_errs_total", typCounter, "Network device statistic transmit_errs.", rareCounter, 0.005, 1, 1},
		{"node_network_receive_drop_total", typCounter, "Network device statistic receive_drop.", rareCounter, 0.05, 1, 1},
		{"node_network_transmit_drop_total", typCounter, "Network device statistic transmit_drop.", rareCounter, 0.01, 1, 1},
	}
)

// nodeDiskDevices and nodeDiskFamilies make node_disk_*{device}.
var (
	nodeDiskDevices  = []string{"nvme0n1", "nvme1n1"}
	nodeDiskFamilies = []family{
		{"node_disk_read_bytes_total", typCounter, "The total number of bytes read successfully.", counter, 3e6, 1, 512},
		{"node_disk_written_bytes_total", typCounter, "The total number of bytes written successfully.", counter, 5e6, 1, 512},
		{"node_disk_reads_completed_total", typCounter, "The total number of reads completed successfully.", counter, 150, 1, 1},
		{"node_disk_writes_completed_total", typCounter, "The total number of writes completed successfully.", counter, 300, 1, 1},
		{"node_disk_io_time_seconds_total", typCounter, "Total seconds spent doing I/Os.", counter, 80, 1000, 1},
	}
)

// nodeFilesystems and nodeFilesystemFamilies make node_filesystem_*{device,fstype,mountpoint}.
var (
	nodeFilesystems = []struct{ device, fstype, mountpoint string }{
		{"/dev/nvme0n1p1", "ext4", "/"},
		{"/dev/nvme0n1p15", "vfat", "/boot/efi"},
		{"/dev/nvme1n1", "xfs", "/var/lib/containerd"},
	}
	nodeFilesystemFamilies = []family{
		{"node_filesystem_size_bytes", typGauge, "Filesystem size in bytes.", constant, 200 << 30, 1, 4096},
		{"node_filesystem_avail_bytes", typGauge, "Filesystem space available to non-root users in bytes.", gauge, 80 << 30, 1, 4096},
		{"node_filesystem_free_bytes", typGauge, "Filesystem free space in bytes.", gauge, 90 << 30, 1, 4096},
	}
)

// containerFamilies are cAdvisor's per-container series (labels
// container_id, pod_uid, namespace, pod, container).
var containerFamilies = []family{
	{"container_cpu_usage_seconds_total", typCounter, "Cumulative cpu time consumed in seconds.", counter, 0.15e9, 1e9, 1},
	{"container_cpu_user_seconds_total", typCounter, "Cumulative user cpu time consumed in seconds.", counter, 0.1e9, 1e9, 1},
	{"container_cpu_system_seconds_total", typCounter, "Cumulative system cpu time consumed in seconds.", counter, 0.05e9, 1e9, 1},
	{"container_cpu_cfs_periods_total", typCounter, "Number of elapsed enforcement period intervals.", counter, 10, 1, 1},
	{"container_cpu_cfs_throttled_periods_total", typCounter, "Number of throttled period intervals.", rareCounter, 0.05, 1, 1},
	{"container_cpu_cfs_throttled_seconds_total", typCounter, "Total time duration the container has been throttled.", rareCounter, 0.05, 1e9, 1},
	{"container_memory_usage_bytes", typGauge, "Current memory usage in bytes, including all memory regardless of when it was accessed.", gauge, 300 << 20, 1, 4096},
	{"container_memory_working_set_bytes", typGauge, "Current working set in bytes.", gauge, 250 << 20, 1, 4096},
	{"container_memory_rss", typGauge, "Size of RSS in bytes.", gauge, 200 << 20, 1, 4096},
	{"container_memory_cache", typGauge, "Number of bytes of page cache memory.", gauge, 60 << 20, 1, 4096},
	{"container_memory_mapped_file", typGauge, "Size of memory mapped files in bytes.", gauge, 10 << 20, 1, 4096},
	{"container_memory_swap", typGauge, "Container swap usage in bytes.", constant, 0, 1, 1},
	{"container_memory_failcnt", typCounter, "Number of memory usage hits limits.", rareCounter, 0.001, 1, 1},
	{"container_spec_memory_limit_bytes", typGauge, "Memory limit for the container.", constant, 512 << 20, 1, 1 << 20},
	{"container_spec_cpu_quota", typGauge, "CPU quota of the container.", constant, 50_000, 1, 10_000},
	{"container_spec_cpu_period", typGauge, "CPU period of the container.", constant, 100_000, 1, 100_000},
	{"container_spec_cpu_shares", typGauge, "CPU share of the container.", constant, 512, 1, 2},
	{"container_fs_reads_bytes_total", typCounter, "Cumulative count of bytes read.", counter, 20_000, 1, 4096},
	{"container_fs_writes_bytes_total", typCounter, "Cumulative count of bytes written.", counter, 60_000, 1, 4096},
	{"container_fs_usage_bytes", typGauge, "Number of bytes that are consumed by the container on this filesystem.", gauge, 40 << 20, 1, 4096},
	{"container_threads", typGauge, "Number of threads running inside the container.", gauge, 30, 1, 1},
	{"container_processes", typGauge, "Number of processes running inside the container.", gauge, 4, 1, 1},
	{"container_start_time_seconds", typGauge, "Start time of the container since unix epoch in seconds.", constant, 1_795_000_000, 1, 1},
	{"container_last_seen", typGauge, "Last time a container was seen by the exporter.", clock, 0, 1, 1},
}

// containerNetworkFamilies are cAdvisor's container_network_*{interface}.
var containerNetworkFamilies = []family{
	{"container_network_receive_bytes_total", typCounter, "Cumulative count of bytes received.", counter, 50_000, 1, 1},
	{"container_network_transmit_bytes_total", typCounter, "Cumulative count of bytes transmitted.", counter, 40_000, 1, 1},
	{"container_network_receive_packets_total", typCounter, "Cumulative count of packets received.", counter, 60, 1, 1},
	{"container_network_transmit_packets_total", typCounter, "Cumulative count of packets transmitted.", counter, 50, 1, 1},
	{"container_network_receive_errors_total", typCounter, "Cumulative count of errors encountered while receiving.", rareCounter, 0.001, 1, 1},
	{"container_network_transmit_errors_total", typCounter, "Cumulative count of errors encountered while transmitting.", rareCounter, 0.001, 1, 1},
	{"container_network_receive_packets_dropped_total", typCounter, "Cumulative count of packets dropped while receiving.", rareCounter, 0.005, 1, 1},
	{"container_network_transmit_packets_dropped_total", typCounter, "Cumulative count of packets dropped while transmitting.", rareCounter, 0.002, 1, 1},
}

// namespaces and apps name the generated pods: "<app>-<replicaset>-<pod>".
var (
	namespaces = []string{"kube-system", "monitoring", "default", "payments", "checkout", "search", "ingress-nginx", "logging"}
	apps       = []string{"api", "web", "worker", "cache", "db-proxy", "auth", "cart", "search", "indexer", "mailer", "scheduler", "gateway"}
	sidecars   = []string{"istio-proxy", "fluent-bit", "config-reloader"}
)
