package kube

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/nexclipper/nexclipper/exporter/collector"
)

// fakeSource serves the resources from client-go's fake clientset.
type fakeSource struct{ c *fake.Clientset }

func lw[L runtime.Object](list func(context.Context, metav1.ListOptions) (L, error), w func(context.Context, metav1.ListOptions) (watch.Interface, error)) listWatchFuncs {
	return listWatchFuncs{
		list:  func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return list(ctx, o) },
		watch: w,
	}
}

func (f fakeSource) listWatch(r *resource) listWatchFuncs {
	core, apps, batch := f.c.CoreV1(), f.c.AppsV1(), f.c.BatchV1()
	switch r.Name {
	case "nodes":
		return lw(core.Nodes().List, core.Nodes().Watch)
	case "namespaces":
		return lw(core.Namespaces().List, core.Namespaces().Watch)
	case "pods":
		return lw(core.Pods("").List, core.Pods("").Watch)
	case "persistentvolumeclaims":
		return lw(core.PersistentVolumeClaims("").List, core.PersistentVolumeClaims("").Watch)
	case "deployments":
		return lw(apps.Deployments("").List, apps.Deployments("").Watch)
	case "replicasets":
		return lw(apps.ReplicaSets("").List, apps.ReplicaSets("").Watch)
	case "daemonsets":
		return lw(apps.DaemonSets("").List, apps.DaemonSets("").Watch)
	case "statefulsets":
		return lw(apps.StatefulSets("").List, apps.StatefulSets("").Watch)
	case "jobs":
		return lw(batch.Jobs("").List, batch.Jobs("").Watch)
	case "cronjobs":
		return lw(batch.CronJobs("").List, batch.CronJobs("").Watch)
	}
	panic("fakeSource: no resource " + r.Name)
}

func (f fakeSource) watchListClient() any { return f.c }

// startCluster runs cluster mode over the fake clientset until the test ends.
func startCluster(t *testing.T, c *fake.Clientset, names ...string) map[string]collector.Collector {
	t.Helper()
	cl, err := NewCluster(fakeSource{c}, names)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cl.Start(ctx)
	return cl.Collectors()
}

// updater adapts one collector to prometheus.Collector, keeping its error.
type updater struct {
	c   collector.Collector
	err error
}

func (u *updater) Describe(chan<- *prometheus.Desc) {}
func (u *updater) Collect(ch chan<- prometheus.Metric) {
	u.err = u.c.Update(context.Background(), ch)
}

// gather collects every collector into one registry (as the Runner does)
// and returns the errors by collector name.
func gather(t *testing.T, cs map[string]collector.Collector) (*prometheus.Registry, map[string]error) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	us := map[string]*updater{}
	for name, c := range cs {
		us[name] = &updater{c: c}
		reg.MustRegister(us[name])
	}
	if _, err := reg.Gather(); err != nil {
		t.Fatalf("gather: %v", err)
	}
	errs := map[string]error{}
	for name, u := range us {
		if u.err != nil {
			errs[name] = u.err
		}
	}
	return reg, errs
}

// waitFor polls cond every 20 ms until it holds, failing after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitSynced waits until every collector's Update succeeds.
func waitSynced(t *testing.T, cs map[string]collector.Collector) {
	t.Helper()
	var errs map[string]error
	waitFor(t, "informers to sync", func() bool {
		_, errs = gather(t, cs)
		return len(errs) == 0
	})
}

func errNames(errs map[string]error) string {
	var b strings.Builder
	for name, err := range errs {
		b.WriteString(name + ": " + err.Error() + "\n")
	}
	return b.String()
}
