package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/nexclipper/nexclipper/exporter/collector"
	"github.com/nexclipper/nexclipper/exporter/node"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"
)

// newApp declares every flag; values land in cfg when the app parses.
func newApp(cfg *config, table collector.Table) *kingpin.Application {
	app := kingpin.New(programName, "Node, per-container and (with --kube.mode) Kubernetes object metrics for Prometheus, a lean replacement for node_exporter + cAdvisor + kube-state-metrics.")
	app.Version(version.Print(programName))
	app.HelpFlag.Short('h')

	app.Flag("path.procfs", "procfs mount point.").Default("/proc").StringVar(&cfg.node.ProcPath)
	app.Flag("path.sysfs", "sysfs mount point.").Default("/sys").StringVar(&cfg.node.SysPath)
	app.Flag("path.rootfs", "Root filesystem mount point (for statfs and /etc/os-release).").Default("/").StringVar(&cfg.node.RootPath)
	app.Flag("path.cgroupfs", "cgroup filesystem mount point.").Default("/sys/fs/cgroup").IsSetByUser(&cfg.cgroupPathSet).StringVar(&cfg.cgroup.Root)

	durationFlag(app, "collector.timeout", "Longest time one collector may take in a scrape; a slower one reports success 0.", "3s", &cfg.collectorTimeout)
	for _, s := range table {
		set := new(bool)
		cfg.enabled[s.Name] = app.Flag("collector."+s.Name, fmt.Sprintf("Enable the %s collector: %s (default: %s).", s.Name, s.Help, enabledWord(s.DefaultEnabled))).
			Default(fmt.Sprint(s.DefaultEnabled)).IsSetByUser(set).Bool()
		cfg.enabledSet[s.Name] = set
	}
	app.Flag("collector.disable-defaults", "Disable every collector not enabled by its own --collector.<name> flag, as node_exporter "+
		"(the cluster-mode Deployment, which reads no host).").BoolVar(&cfg.disableDefaults)
	regexpFlag(app, "collector.diskstats.device-include", "Regexp of disk devices to include (default: all not excluded).", "", &cfg.node.DiskDeviceInclude)
	regexpFlag(app, "collector.diskstats.device-exclude", "Regexp of disk devices to exclude.", node.DefaultDiskDeviceExclude, &cfg.node.DiskDeviceExclude)
	regexpFlag(app, "collector.filesystem.mount-points-exclude", "Regexp of mount points to exclude.", node.DefaultFSMountPointsExclude, &cfg.node.FSMountPointsExclude)
	regexpFlag(app, "collector.filesystem.fs-types-exclude", "Regexp of filesystem types to exclude (network filesystems are excluded by default).", node.DefaultFSTypesExclude, &cfg.node.FSTypesExclude)
	durationFlag(app, "collector.filesystem.mount-timeout", "Longest wait for statfs on one mount point before it is reported with device_error 1.", "1s", &cfg.node.FSMountTimeout)
	regexpFlag(app, "collector.netdev.device-include", "Regexp of network devices to include (default: all not excluded).", "", &cfg.node.NetDeviceInclude)
	regexpFlag(app, "collector.netdev.device-exclude", "Regexp of network devices to exclude.", node.DefaultNetDeviceExclude, &cfg.node.NetDeviceExclude)

	kubeFlags(app, cfg)

	app.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").StringVar(&cfg.telemetryPath)
	app.Flag("web.max-requests", "Maximum number of parallel scrape requests. 0 disables the limit.").Default("40").IntVar(&cfg.maxRequests)
	app.Flag("web.disable-exporter-metrics", "Leave out the exporter's own metrics (process_*, go_*, promhttp_*).").BoolVar(&cfg.disableSelf)
	cfg.web = kingpinflag.AddFlags(app, ":9910")
	promslogflag.AddFlags(app, cfg.log)
	return app
}

func enabledWord(on bool) string {
	if on {
		return "enabled"
	}
	return "disabled"
}

// regexpFlag declares a flag holding an anchored-by-the-user regexp; an
// empty value means no filter.
func regexpFlag(app *kingpin.Application, name, help, def string, dst **regexp.Regexp) {
	app.Flag(name, help).Default(def).SetValue(&regexpValue{dst: dst})
	*dst = mustRegexp(def)
}

type regexpValue struct{ dst **regexp.Regexp }

func (v *regexpValue) Set(s string) error {
	if s == "" {
		*v.dst = nil
		return nil
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return fmt.Errorf("invalid regexp %q: %w", s, err)
	}
	*v.dst = re
	return nil
}

func (v *regexpValue) String() string {
	if *v.dst == nil {
		return ""
	}
	return (*v.dst).String()
}

// applyDisableDefaults turns off, with --collector.disable-defaults, every
// collector whose flag was not given.
func applyDisableDefaults(cfg *config) {
	if !cfg.disableDefaults {
		return
	}
	for name, on := range cfg.enabled {
		if set := cfg.enabledSet[name]; set == nil || !*set {
			*on = false
		}
	}
}

// checkCollectorFlags rejects --collector.<name> and --no-collector.<name>
// for names that are not collectors, listing the known ones. Sub-options
// (--collector.<name>.<option>) and --collector.timeout are left to kingpin.
func checkCollectorFlags(args []string, table collector.Table) error {
	for _, arg := range args {
		if arg == "--" {
			return nil
		}
		name, ok := strings.CutPrefix(arg, "--collector.")
		if !ok {
			name, ok = strings.CutPrefix(arg, "--no-collector.")
		}
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, "=")
		if strings.Contains(name, ".") || name == "timeout" || name == "disable-defaults" {
			continue
		}
		if _, known := table.Lookup(name); !known {
			return fmt.Errorf("unknown collector %q in %s; known collectors: %s", name, arg, strings.Join(table.Names(), ", "))
		}
	}
	return nil
}

// checkPaths fails fast on --path.* flags that cannot be right, so a typo in
// a DaemonSet shows at start and not as silent ErrNoData later.
func checkPaths(cfg *config) error {
	dirs := []struct{ flag, path, mustHave string }{
		{"path.procfs", cfg.node.ProcPath, "stat"},
		{"path.sysfs", cfg.node.SysPath, ""},
		{"path.rootfs", cfg.node.RootPath, ""},
	}
	if cfg.cgroupPathSet {
		dirs = append(dirs, struct{ flag, path, mustHave string }{"path.cgroupfs", cfg.cgroup.Root, ""})
	}
	for _, d := range dirs {
		fi, err := os.Stat(d.path)
		if err != nil {
			return fmt.Errorf("--%s=%s: %w", d.flag, d.path, err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("--%s=%s: not a directory", d.flag, d.path)
		}
		if d.mustHave != "" {
			if _, err := os.Stat(filepath.Join(d.path, d.mustHave)); err != nil {
				return fmt.Errorf("--%s=%s does not look like a procfs mount (no %s): %w", d.flag, d.path, d.mustHave, err)
			}
		}
	}
	return nil
}

func mustRegexp(s string) *regexp.Regexp {
	if s == "" {
		return nil
	}
	return regexp.MustCompile(s)
}

// durationFlag declares a positive duration flag whose parse error names the
// flag (kingpin's own says only "invalid duration").
func durationFlag(app *kingpin.Application, name, help, def string, dst *time.Duration) {
	app.Flag(name, help).Default(def).SetValue(&durationValue{name: name, dst: dst})
}

type durationValue struct {
	name string
	dst  *time.Duration
}

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("--%s=%s: want a positive duration such as 3s or 500ms", v.name, s)
	}
	*v.dst = d
	return nil
}

func (v *durationValue) String() string { return v.dst.String() }
