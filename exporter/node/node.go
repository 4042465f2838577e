// Package node holds the host-level collectors of nexclipper-exporter: CPU,
// load, memory, vmstat, pressure, disk IO, filesystems, network, boot time,
// uname, OS release and time. It is a curated subset of node_exporter: where
// node_exporter exports the same quantity the metric keeps its exact name and
// labels, so existing alert rules and dashboards keep working.
//
// Every file is read below the paths in Options, so fixture trees stand in
// for /proc, /sys and / in tests. A collector whose source does not exist on
// this host returns collector.ErrNoData.
package node

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"time"

	"github.com/nexclipper/nexclipper/exporter/collector"
	"github.com/prometheus/client_golang/prometheus"
)

const namespace = "node"

// Options configure the node collectors. Main fills it from flags before the
// collectors are built.
type Options struct {
	ProcPath string // --path.procfs, /proc on a host
	SysPath  string // --path.sysfs, /sys on a host
	RootPath string // --path.rootfs, / on a host

	DiskDeviceInclude *regexp.Regexp // nil: every device not excluded
	DiskDeviceExclude *regexp.Regexp

	FSMountPointsExclude *regexp.Regexp
	FSTypesExclude       *regexp.Regexp
	// FSMountTimeout bounds one statfs call; a mount that does not answer in
	// time is reported with node_filesystem_device_error 1 and skipped on
	// later scrapes until the stuck call returns.
	FSMountTimeout time.Duration
	// Statfs is the statfs(2) call; tests replace it. Nil means the real one.
	Statfs StatfsFunc

	NetDeviceInclude *regexp.Regexp
	NetDeviceExclude *regexp.Regexp

	// Now returns the current time; tests replace it. Nil means time.Now.
	Now func() time.Time
}

// Defaults for the filter flags, chosen so a Kubernetes node reports the
// devices a person looks at and not the per-pod noise.
const (
	// Partitions, loop, ram/zram and floppy devices, as node_exporter.
	DefaultDiskDeviceExclude = `^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$`
	// Virtual mounts, container runtime and kubelet volume mounts.
	DefaultFSMountPointsExclude = `^/(dev|proc|sys|run/credentials/.+|run/containerd/.+|run/netns/.+|var/lib/docker/.+|var/lib/containers/storage/.+|var/lib/kubelet/.+)($|/)`
	// Pseudo filesystems (as node_exporter) plus network filesystems, whose
	// statfs can hang when the server is gone.
	DefaultFSTypesExclude = `^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs|nfs4?|cifs|smb3|smbfs|ceph|glusterfs|fuse\.glusterfs|fuse\.sshfs|fuse\.s3fs|fuse\.rclone|lustre|9p|afs|davfs)$`
	// Loopback and the virtual interfaces of container networking.
	DefaultNetDeviceExclude = `^(lo|veth.*|cali.*|cilium.*|lxc.*|cni.*|flannel.*|vxlan.*|genev_sys_.*|tunl\d+|kube-ipvs\d+|kube-bridge|nodelocaldns|docker\d+|br-[0-9a-f]+|virbr\d+.*|weave|vethwe.*|datapath|ifb\d+|dummy\d+|tap.*)$`
)

// Specs returns the node collectors. opts is read when a collector is built,
// after flag parsing.
func Specs(opts *Options) collector.Table {
	return collector.Table{
		{Name: "cpu", Help: "CPU seconds per CPU and mode from /proc/stat", DefaultEnabled: true, New: func() (collector.Collector, error) { return newCPUCollector(opts) }},
		{Name: "stat", Help: "Boot time, context switches, forks, running and blocked processes from /proc/stat", DefaultEnabled: true, New: func() (collector.Collector, error) { return newStatCollector(opts) }},
		{Name: "loadavg", Help: "Load averages from /proc/loadavg", DefaultEnabled: true, New: func() (collector.Collector, error) { return newLoadavgCollector(opts) }},
		{Name: "meminfo", Help: "Memory from /proc/meminfo", DefaultEnabled: true, New: func() (collector.Collector, error) { return newMeminfoCollector(opts) }},
		{Name: "vmstat", Help: "Paging, swapping and OOM kills from /proc/vmstat", DefaultEnabled: true, New: func() (collector.Collector, error) { return newVmstatCollector(opts) }},
		{Name: "pressure", Help: "Pressure stall information from /proc/pressure", DefaultEnabled: true, New: func() (collector.Collector, error) { return newPressureCollector(opts) }},
		{Name: "diskstats", Help: "Disk IO from /proc/diskstats", DefaultEnabled: true, New: func() (collector.Collector, error) { return newDiskstatsCollector(opts) }},
		{Name: "filesystem", Help: "Filesystem size, free space and inodes via statfs", DefaultEnabled: true, New: func() (collector.Collector, error) { return newFilesystemCollector(opts) }},
		{Name: "netdev", Help: "Network interface traffic from /proc/net/dev", DefaultEnabled: true, New: func() (collector.Collector, error) { return newNetdevCollector(opts) }},
		{Name: "uname", Help: "Kernel identity from /proc/sys/kernel", DefaultEnabled: true, New: func() (collector.Collector, error) { return newUnameCollector(opts) }},
		{Name: "os", Help: "OS release from /etc/os-release", DefaultEnabled: true, New: func() (collector.Collector, error) { return newOSCollector(opts) }},
		{Name: "time", Help: "System time and time zone", DefaultEnabled: true, New: func() (collector.Collector, error) { return newTimeCollector(opts) }},
	}
}

// noData turns a missing source file into collector.ErrNoData.
func noData(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %w", collector.ErrNoData, err)
	}
	return err
}

func desc(subsystem, name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, subsystem, name), help, labels, nil)
}

// filter keeps a name when it matches include (if set) and not exclude (if set).
func filter(include, exclude *regexp.Regexp, name string) bool {
	if include != nil && !include.MatchString(name) {
		return false
	}
	return exclude == nil || !exclude.MatchString(name)
}
