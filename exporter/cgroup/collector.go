// Package cgroup is a per-container collector for cgroup v1, v2 and hybrid
// hierarchies, a lean replacement for cAdvisor's container metrics: the same
// metric names and units, so dashboards keep working, but series keyed by
// container (labels container_id and pod_uid) instead of by cgroup path.
//
// Contract of Update, on top of collector.Collector's:
//   - The layout at Options.Root is detected on every call (DetectMode); no
//     hierarchy at all returns collector.ErrNoData. A hierarchy with no
//     containers returns nil and sends nothing.
//   - A container is a cgroup whose last path element ParseIdentity accepts.
//     Cgroups of one container in several v1 controllers are merged by
//     container ID; an ID seen twice in one hierarchy (nested) is read at the
//     shallowest path.
//   - A missing file skips the metrics read from it for that container only,
//     silently: controllers differ between hosts, and containers come and go
//     during the walk. Likewise a cgroup that vanishes while being walked.
//   - A file that cannot be read or parsed skips its metrics for that
//     container and makes Update return an error naming the file and what was
//     wrong; every metric that could be read is still sent.
//   - ctx is checked between directories and between containers; once it is
//     done Update returns ctx.Err().
//
// Metric names, units and sources (v1 / v2) are in the family table below
// and in v1.go / v2.go.
package cgroup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/nexclipper/nexclipper/exporter/collector"
)

// Options configure the cgroup collector.
type Options struct {
	// Root is the cgroup filesystem mount point, /sys/fs/cgroup on a host (flag --path.cgroupfs).
	Root string
	// Pods, when set, names the pod and container of each container: every
	// series then also carries namespace, pod and container ("" for a
	// container the lookup does not know). Nil keeps the two ID labels only.
	Pods PodLookup
}

// PodLookup finds the Kubernetes pod a container belongs to. The kube
// package implements it from the pods on this node (--kube.mode=node); this
// package knows nothing of Kubernetes beyond the interface.
//
// Implementations must be safe for concurrent use and must not block: the
// answer comes from memory.
type PodLookup interface {
	// LookupContainer returns the namespace and name of the pod with UID
	// podUID ("" when the cgroup path names no pod, in which case the
	// container ID alone is looked up) and the name of its container whose
	// runtime ID is containerID. ok is false when no pod is known; container
	// is "" when the pod is known but the ID is not (the pod's sandbox, or a
	// container whose status the kubelet has not reported yet).
	LookupContainer(podUID, containerID string) (namespace, pod, container string, ok bool)
}

// Collector reads per-container metrics from the cgroup filesystem at
// Options.Root. It holds no state between calls, so concurrent Updates are
// safe, though the Runner never makes them.
type Collector struct {
	root string
	pods PodLookup
}

// NewCollector returns a collector over opts.Root. It fails only on
// unusable options; a Root without cgroups is found out by Update.
func NewCollector(opts Options) (*Collector, error) {
	if opts.Root == "" {
		return nil, errors.New("cgroup: Options.Root is empty")
	}
	return &Collector{root: filepath.Clean(opts.Root), pods: opts.Pods}, nil
}

// Hierarchy layouts reported by DetectMode.
const (
	modeV1     = "v1"
	modeV2     = "v2"
	modeHybrid = "hybrid"
)

// DetectMode reports which hierarchy layout is at root: "v1", "v2",
// "hybrid" or "" (none found).
//
// The check is by files only, so fixture trees of plain directories work:
// cgroup.controllers at the root is the unified (v2) hierarchy; a memory,
// cpuacct or cpu,cpuacct directory is v1, and hybrid when unified/ also
// holds a cgroup.controllers.
func DetectMode(root string) string {
	if isFile(filepath.Join(root, "cgroup.controllers")) {
		return modeV2
	}
	for _, name := range []string{"memory", "cpuacct", "cpu,cpuacct"} {
		if isDir(filepath.Join(root, name)) {
			if isFile(filepath.Join(root, "unified", "cgroup.controllers")) {
				return modeHybrid
			}
			return modeV1
		}
	}
	return ""
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// isDir follows symlinks: v1 controller dirs are often links (cpu ->
// cpu,cpuacct).
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// source is one hierarchy layout: how to find containers and read them.
type source interface {
	// discover walks the hierarchies. walkErrs are unreadable directories
	// (reported, walk goes on); err is ctx.Err() only.
	discover(ctx context.Context) (containers []*container, walkErrs []error, err error)
	// read appends the container's samples and errors to r.
	read(r *reading, ct *container)
}

// Update sends the metrics of every container found at Root; see the
// package doc for the contract.
func (c *Collector) Update(ctx context.Context, ch chan<- prometheus.Metric) error {
	var src source
	switch DetectMode(c.root) {
	case modeV2:
		src = v2Source{root: controllerDir(c.root, ".")}
	case modeV1:
		src = newV1Source(c.root, false)
	case modeHybrid:
		src = newV1Source(c.root, true)
	default:
		return collector.ErrNoData
	}
	containers, errs, err := src.discover(ctx)
	if err != nil {
		return err
	}
	for _, ct := range containers {
		if err := ctx.Err(); err != nil {
			return err
		}
		var r reading
		src.read(&r, ct)
		labels := []string{ct.id.ContainerID, ct.id.PodUID}
		if c.pods != nil {
			ns, pod, name, _ := c.pods.LookupContainer(ct.id.PodUID, ct.id.ContainerID)
			labels = append(labels, ns, pod, name)
		}
		for _, s := range r.samples {
			desc := s.f.desc
			if c.pods != nil {
				desc = s.f.podDesc
			}
			ch <- prometheus.MustNewConstMetric(desc, s.f.typ, s.v, labels...)
		}
		errs = append(errs, r.errs...)
	}
	return joinErrors(errs)
}

// maxErrors bounds the errors quoted in Update's error: it is logged once
// per scrape, and a systematic problem (a kernel format we do not parse)
// would otherwise repeat for every container.
const maxErrors = 5

func joinErrors(errs []error) error {
	if len(errs) > maxErrors {
		more := fmt.Errorf("and %d more errors", len(errs)-maxErrors)
		errs = append(errs[:maxErrors:maxErrors], more)
	}
	return errors.Join(errs...)
}

// family is one metric family: its descriptors and type.
type family struct {
	desc    *prometheus.Desc // labelNames
	podDesc *prometheus.Desc // podLabelNames, when Options.Pods is set
	typ     prometheus.ValueType
}

// labelNames are the labels of every family. pod_uid is "" outside pods but
// always present, so all series of a family share one label set.
var labelNames = []string{"container_id", "pod_uid"}

// podLabelNames add the pod's identity, cAdvisor's label names, when a
// PodLookup is configured. They are "" for containers it does not know.
var podLabelNames = []string{"container_id", "pod_uid", "namespace", "pod", "container"}

func newFamily(name, help string, typ prometheus.ValueType) *family {
	return &family{
		desc:    prometheus.NewDesc(name, help, labelNames, nil),
		podDesc: prometheus.NewDesc(name, help, podLabelNames, nil),
		typ:     typ,
	}
}

// The families, with cAdvisor's names and help strings. A container emits at
// most all 17 (v2 or hybrid, with CPU quota, memory limit and PSI).
var (
	cpuUsage          = newFamily("container_cpu_usage_seconds_total", "Cumulative cpu time consumed in seconds.", prometheus.CounterValue)
	cfsPeriods        = newFamily("container_cpu_cfs_periods_total", "Number of elapsed enforcement period intervals.", prometheus.CounterValue)
	cfsThrottled      = newFamily("container_cpu_cfs_throttled_periods_total", "Number of throttled period intervals.", prometheus.CounterValue)
	cfsThrottledTime  = newFamily("container_cpu_cfs_throttled_seconds_total", "Total time duration the container has been throttled.", prometheus.CounterValue)
	memUsage          = newFamily("container_memory_usage_bytes", "Current memory usage in bytes, including all memory regardless of when it was accessed.", prometheus.GaugeValue)
	memWorkingSet     = newFamily("container_memory_working_set_bytes", "Current working set in bytes.", prometheus.GaugeValue)
	memRSS            = newFamily("container_memory_rss", "Size of RSS in bytes.", prometheus.GaugeValue)
	memCache          = newFamily("container_memory_cache", "Number of bytes of page cache memory.", prometheus.GaugeValue)
	memLimit          = newFamily("container_spec_memory_limit_bytes", "Memory limit for the container.", prometheus.GaugeValue)
	oomEvents         = newFamily("container_oom_events_total", "Count of out of memory events observed for the container.", prometheus.CounterValue)
	fsReadBytes       = newFamily("container_fs_reads_bytes_total", "Cumulative count of bytes read.", prometheus.CounterValue)
	fsWriteBytes      = newFamily("container_fs_writes_bytes_total", "Cumulative count of bytes written.", prometheus.CounterValue)
	fsReads           = newFamily("container_fs_reads_total", "Cumulative count of reads completed.", prometheus.CounterValue)
	fsWrites          = newFamily("container_fs_writes_total", "Cumulative count of writes completed.", prometheus.CounterValue)
	cpuPressureWait   = newFamily("container_pressure_cpu_waiting_seconds_total", "Total time duration tasks in the container have waited due to CPU congestion.", prometheus.CounterValue)
	memPressureStall  = newFamily("container_pressure_memory_stalled_seconds_total", "Total time duration no tasks in the container could make progress due to memory congestion.", prometheus.CounterValue)
	ioPressureStalled = newFamily("container_pressure_io_stalled_seconds_total", "Total time duration no tasks in the container could make progress due to IO congestion.", prometheus.CounterValue)
)

// Units of the kernel counters.
const (
	nsPerSecond = 1e9 // v1 cpuacct.usage, cpu.stat throttled_time
	usPerSecond = 1e6 // v2 cpu.stat *_usec, PSI total=
)
