package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/nexclipper/nexclipper/exporter/kube/kubefixture"
)

// Namespace holds the benchmark's workloads.
const namespace = "bench"

func nodeName(i int) string { return fmt.Sprintf("node-%03d", i) }

func createNodes(ctx context.Context, c kubernetes.Interface, n int) error {
	for i := 0; i < n; i++ {
		if err := kubefixture.Create(ctx, c, kubefixture.Node(nodeName(i), i+1)); err != nil {
			return err
		}
	}
	return nil
}

// fillCluster creates the namespace and cfg.Deployments deployments, each
// with a replica set and cfg.PodsPerDep pods (two containers, statuses set
// as a kubelet would), with cfg.Workers requests in flight.
func fillCluster(ctx context.Context, c kubernetes.Interface, cfg config, logger *slog.Logger) error {
	if err := kubefixture.Namespace(ctx, c, namespace); err != nil {
		return err
	}
	jobs := make(chan int)
	errs := make(chan error, cfg.Workers)
	var wg sync.WaitGroup
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range jobs {
				if err := createDeployment(ctx, c, cfg, d); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
feed:
	for d := 0; d < cfg.Deployments; d++ {
		select {
		case jobs <- d:
		case err = <-errs:
			break feed
		}
		if (d+1)%50 == 0 {
			logger.Info("filling", "deployments", d+1)
		}
	}
	close(jobs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}

// createDeployment creates deployment d, its replica set and its pods.
func createDeployment(ctx context.Context, c kubernetes.Interface, cfg config, d int) error {
	dep := kubefixture.Deployment(namespace, fmt.Sprintf("app-%03d", d), int32(cfg.PodsPerDep), int32(cfg.PodsPerDep))
	if err := kubefixture.Create(ctx, c, dep); err != nil {
		return err
	}
	rs := kubefixture.ReplicaSet(dep, "7f9c8d6b5")
	if err := kubefixture.Create(ctx, c, rs); err != nil {
		return err
	}
	for p := 0; p < cfg.PodsPerDep; p++ {
		if err := kubefixture.Create(ctx, c, pod(rs, p, nodeName((d*cfg.PodsPerDep+p)%cfg.Nodes))); err != nil {
			return err
		}
	}
	return nil
}

// pod is a typical pod of a deployment: an app container and a sidecar,
// labels as a chart sets them, owned by rs.
func pod(rs *appsv1.ReplicaSet, i int, node string) *corev1.Pod {
	p := kubefixture.Pod(namespace, fmt.Sprintf("%s-%05d", rs.Name, i), node, "app", "sidecar")
	for k, v := range map[string]string{
		"app.kubernetes.io/name": rs.Name, "app.kubernetes.io/instance": "bench", "app.kubernetes.io/version": "1.2.3",
		"app.kubernetes.io/managed-by": "Helm", "pod-template-hash": "7f9c8d6b5",
	} {
		p.Labels[k] = v
	}
	p.Annotations = map[string]string{"kubectl.kubernetes.io/default-container": "app"}
	kubefixture.OwnedBy(p, kubefixture.ReplicaSetKind, rs)
	return p
}
