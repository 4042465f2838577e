package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/version"
	"k8s.io/klog/v2"

	"github.com/nexclipper/nexclipper/exporter/collector"
	"github.com/nexclipper/nexclipper/exporter/kube"
)

// kubeFlags declares the Kubernetes flags.
func kubeFlags(app *kingpin.Application, cfg *config) {
	app.Flag("kube.mode", "Kubernetes: off; cluster (one replica per cluster: kube_* object state, as kube-state-metrics); "+
		"node (the DaemonSet: namespace, pod and container labels on container series, from the pods on --kube.node-name).").
		Default(kube.ModeOff).SetValue(&enumValue{name: "kube.mode", values: kube.Modes, dst: &cfg.kube.Mode})
	app.Flag("kubeconfig", "Kubeconfig file, to run outside the cluster (default: the pod's in-cluster ServiceAccount).").
		IsSetByUser(&cfg.kubeconfigSet).StringVar(&cfg.kube.Kubeconfig)
	app.Flag("kube.node-name", "This node's name, for --kube.mode=node (set NODE_NAME from the downward API's spec.nodeName).").
		Envar("NODE_NAME").StringVar(&cfg.kube.NodeName)
	app.Flag("kube.resources", "Comma-separated resources to watch in --kube.mode=cluster (default: all): "+strings.Join(kube.ResourceNames(), ", ")+".").
		StringVar(&cfg.kubeResources)
}

// enumValue is a flag that takes one of values; unlike kingpin's Enum, its
// error names the flag.
type enumValue struct {
	name   string
	values []string
	dst    *string
}

func (v *enumValue) Set(s string) error {
	if !slices.Contains(v.values, s) {
		return fmt.Errorf("--%s=%s: want one of %s", v.name, s, strings.Join(v.values, ", "))
	}
	*v.dst = s
	return nil
}

func (v *enumValue) String() string { return *v.dst }

// checkKubeFlags rejects flag combinations that cannot be meant, naming the flag.
func checkKubeFlags(cfg *config) error {
	mode := cfg.kube.Mode
	switch {
	case mode == kube.ModeOff && cfg.kubeconfigSet:
		return fmt.Errorf("--kubeconfig=%s has no effect with --kube.mode=off; set --kube.mode=cluster or node", cfg.kube.Kubeconfig)
	case mode == kube.ModeNode && cfg.kube.NodeName == "":
		return fmt.Errorf("--kube.mode=node: %w", kube.ErrNoNodeName)
	case mode != kube.ModeCluster && cfg.kubeResources != "":
		return fmt.Errorf("--kube.resources applies to --kube.mode=cluster only (mode is %s)", mode)
	}
	return nil
}

// startKube starts the informers of the configured mode and returns the
// collectors to add to the Runner (none with --kube.mode=off). In node mode
// it also hands the pod lookup to the cgroup collector's options, so it must
// run before the collector table is built. Errors are about configuration
// (a bad kubeconfig, no in-cluster config); an unreachable API server is not
// one: the collectors report it until the informers sync.
func startKube(ctx context.Context, cfg *config, logger *slog.Logger) (map[string]collector.Collector, error) {
	if cfg.kube.Mode == kube.ModeOff {
		return nil, nil
	}
	// client-go logs through klog; send it to our logger and format.
	klog.SetSlogLogger(logger.With("component", "client-go"))
	cfg.kube.UserAgent = programName + "/" + version.Version
	client, err := kube.NewClient(cfg.kube)
	if err != nil {
		return nil, fmt.Errorf("--kube.mode=%s: %w", cfg.kube.Mode, err)
	}
	switch cfg.kube.Mode {
	case kube.ModeNode:
		lookup, err := kube.NewPodLookup(client, cfg.kube.NodeName)
		if err != nil {
			return nil, fmt.Errorf("--kube.mode=node: %w", err)
		}
		lookup.Start(ctx)
		cfg.cgroup.Pods = lookup
		logger.Info("kube: node mode, watching the pods of this node", "node", cfg.kube.NodeName)
		return map[string]collector.Collector{"kube": lookup.Collector()}, nil
	default:
		var names []string
		if cfg.kubeResources != "" {
			for _, n := range strings.Split(cfg.kubeResources, ",") {
				names = append(names, strings.TrimSpace(n))
			}
		}
		cluster, err := kube.NewCluster(client, names)
		if err != nil {
			return nil, fmt.Errorf("--kube.resources=%s: %w", cfg.kubeResources, err)
		}
		cluster.Start(ctx)
		collectors := cluster.Collectors()
		logger.Info("kube: cluster mode", "collectors", len(collectors))
		return collectors, nil
	}
}
