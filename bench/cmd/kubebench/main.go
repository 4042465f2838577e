// Command kubebench measures nexclipper-exporter's cluster mode against a
// real kube-apiserver holding a large cluster: 5,000 pods in 200 deployments
// (and their replica sets) by default. It reports the exporter's memory after
// the informers synced and after the timed scrapes, per pod, the scrape
// latency (text, and gzip as Prometheus asks for it), the series count and
// the time to sync, as markdown. bench/kube.sh starts the API server and runs
// it; see there for the usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

type config struct {
	Kubeconfig  string
	Exporter    string
	Deployments int
	PodsPerDep  int
	Nodes       int
	Workers     int
	Scrapes     int
	GzipScrapes int
	Out         string
	Reference   string // what to compare with, for the report
}

func main() {
	if err := run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "kubebench:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	var cfg config
	fs := flag.NewFlagSet("kubebench", flag.ContinueOnError)
	fs.StringVar(&cfg.Kubeconfig, "kubeconfig", "", "admin kubeconfig of the API server to fill (required)")
	fs.StringVar(&cfg.Exporter, "exporter", "", "nexclipper-exporter binary (required)")
	fs.IntVar(&cfg.Deployments, "deployments", 200, "deployments to create, each with one replica set")
	fs.IntVar(&cfg.PodsPerDep, "pods-per-deployment", 25, "pods per deployment")
	fs.IntVar(&cfg.Nodes, "nodes", 20, "nodes to spread the pods over")
	fs.IntVar(&cfg.Workers, "workers", 16, "parallel API requests while filling the cluster")
	fs.IntVar(&cfg.Scrapes, "scrapes", 50, "timed scrapes (text, no compression)")
	fs.IntVar(&cfg.GzipScrapes, "gzip-scrapes", 10, "timed scrapes with Accept-Encoding: gzip, after the others")
	fs.StringVar(&cfg.Out, "out", "", "also write the markdown report to this file")
	fs.StringVar(&cfg.Reference, "reference", "", "a line on the peer to compare with, copied into the report")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if cfg.Kubeconfig == "" || cfg.Exporter == "" {
		return fmt.Errorf("--kubeconfig and --exporter are required")
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	restCfg, err := clientcmd.BuildConfigFromFlags("", cfg.Kubeconfig)
	if err != nil {
		return err
	}
	// Filling the cluster is tens of thousands of requests: no client-side limit.
	restCfg.QPS, restCfg.Burst = 10000, 10000
	client, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		return err
	}
	ctx := context.Background()

	if err := createNodes(ctx, client, cfg.Nodes); err != nil {
		return err
	}
	logger.Info("baseline: the exporter on an empty cluster", "nodes", cfg.Nodes)
	base, err := measureBaseline(cfg, logger)
	if err != nil {
		return err
	}
	began := time.Now()
	if err := fillCluster(ctx, client, cfg, logger); err != nil {
		return err
	}
	fill := time.Since(began)
	logger.Info("cluster filled", "pods", cfg.Deployments*cfg.PodsPerDep, "took", fill.Round(time.Second))
	loadStart := loadavg()
	res, err := measureFull(cfg, logger)
	if err != nil {
		return err
	}
	md := render(cfg, header{When: time.Now().UTC(), Command: "go run ./bench/cmd/kubebench " + strings.Join(args[1:], " "), Fill: fill, LoadStart: loadStart, LoadEnd: loadavg()}, base, res)
	fmt.Print(md)
	if cfg.Out != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.Out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(cfg.Out, []byte(md), 0o644)
	}
	return nil
}
