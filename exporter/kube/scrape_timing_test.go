package kube

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/nexclipper/nexclipper/exporter/collector"
	"github.com/nexclipper/nexclipper/exporter/kube/kubefixture"
)

// BenchmarkScrape5000Pods serves /metrics for 5,000 pods in 200
// deployments, two containers each (the bench/kube.sh cluster), through the
// Runner, the Gatherer and promhttp as the exporter does: text format, no
// compression.
func BenchmarkScrape5000Pods(b *testing.B) {
	var objs []runtime.Object
	for d := 0; d < 200; d++ {
		dep := kubefixture.Deployment("bench", fmt.Sprintf("app-%03d", d), 25, 25)
		dep.UID = types.UID(fmt.Sprintf("dep-%d", d))
		rs := kubefixture.ReplicaSet(dep, "7f9c8d6b5")
		rs.UID = types.UID(fmt.Sprintf("rs-%d", d))
		objs = append(objs, dep, rs)
		for p := 0; p < 25; p++ {
			pod := kubefixture.Pod("bench", fmt.Sprintf("%s-%05d", rs.Name, p), fmt.Sprintf("node-%02d", p%20), "app", "sidecar")
			pod.UID = types.UID(fmt.Sprintf("pod-%d-%d", d, p))
			kubefixture.OwnedBy(pod, kubefixture.ReplicaSetKind, rs)
			objs = append(objs, pod)
		}
	}
	cl, err := NewCluster(fakeSource{fake.NewClientset(objs...)}, []string{"pods", "deployments", "replicasets"})
	if err != nil {
		b.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	ctx, cancel := contextUntil(stop)
	defer cancel()
	cl.Start(ctx)
	cs := cl.Collectors()
	deadline := time.Now().Add(time.Minute)
	for !synced(cs) {
		if time.Now().After(deadline) {
			b.Fatal("not synced")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// As the binary: the kube collectors under their own Runner, served by
	// the Gatherer next to an (empty here) registry.
	runner := collector.NewRunner(collector.RunnerOptions{Namespace: "nexclipper", Timeout: 10 * time.Second}, cs)
	h := promhttp.HandlerFor(NewGatherer(runner, prometheus.NewRegistry()), promhttp.HandlerOpts{})
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	b.ResetTimer()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		w := &countingWriter{header: http.Header{}}
		h.ServeHTTP(w, req)
		if i == 0 {
			b.ReportMetric(float64(w.n)/1e6, "MB/scrape")
		}
	}
}

func synced(cs map[string]collector.Collector) bool {
	for _, c := range cs {
		if err := c.Update(contextBackground(), make(chan prometheus.Metric, 1<<20)); err != nil {
			return false
		}
	}
	return true
}

type countingWriter struct {
	header http.Header
	n      int
}

func (w *countingWriter) Header() http.Header { return w.header }
func (w *countingWriter) WriteHeader(int)     {}
func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

func contextBackground() context.Context { return context.Background() }

func contextUntil(stop <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-stop
		cancel()
	}()
	return ctx, cancel
}
