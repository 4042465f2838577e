package kube

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/nexclipper/nexclipper/exporter/collector"
	"github.com/nexclipper/nexclipper/exporter/kube/kubefixture"
)

func exposition(t *testing.T, g prometheus.Gatherer) string {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	var buf bytes.Buffer
	for _, mf := range mfs {
		if mf.GetName() == "nexclipper_scrape_collector_duration_seconds" {
			continue // the one value that differs between runs
		}
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}

// The Gatherer's fast path serves exactly what a pedantic registry serves
// for the same collectors (which checks what the fast path trusts: label
// names, UTF-8, sorting, no duplicates), merged with the other collectors'.
func TestGathererMatchesRegistry(t *testing.T) {
	objs := fakeCluster()
	// An owner listed twice and a reason that is not UTF-8: the registry
	// drops or rejects neither silently, and the fast path must agree.
	twice := kubefixture.Pod("shop", "twice", "node-a")
	twice.UID = "00000000-0000-0000-0000-000000000009"
	ref := metav1.OwnerReference{APIVersion: "v1", Kind: "Node", Name: "node-a", UID: "n"}
	twice.OwnerReferences = []metav1.OwnerReference{ref, ref}
	kubefixture.CrashLoop(twice, "app", 1, "Bad\xffReason")
	objs = append(objs, twice)
	cs := startCluster(t, fake.NewClientset(objs...))
	waitSynced(t, cs)
	opts := collector.RunnerOptions{Namespace: "nexclipper", Timeout: 10 * time.Second}

	// Another collector's family, between kube_* and nexclipper_* by name.
	other := prometheus.NewGauge(prometheus.GaugeOpts{Name: "node_load1", Help: "1m load average."})
	other.Set(0.5)

	pedantic := prometheus.NewPedanticRegistry()
	pedantic.MustRegister(collector.NewRunner(opts, cs), other)
	want := exposition(t, pedantic)

	rest := prometheus.NewRegistry()
	rest.MustRegister(other)
	got := exposition(t, NewGatherer(collector.NewRunner(opts, cs), rest))
	if got != want {
		t.Errorf("fast path differs from the registry:\n%s", diffLines(want, got))
	}
	for _, s := range []string{`pod="twice",uid="00000000-0000-0000-0000-000000000009"} 1`, "Bad\uFFFDReason",
		`nexclipper_scrape_collector_success{collector="kube_pods"} 1`, "node_load1 0.5"} {
		if !strings.Contains(got, s) {
			t.Errorf("fast path output lacks %q", s)
		}
	}
}

// Concurrent scrapes while the informers apply updates share the objects'
// label pairs read-only (run with -race).
func TestGathererConcurrentScrapes(t *testing.T) {
	c := fake.NewClientset(fakeCluster()...)
	cs := startCluster(t, c)
	waitSynced(t, cs)
	g := NewGatherer(collector.NewRunner(collector.RunnerOptions{Namespace: "nexclipper", Timeout: 10 * time.Second}, cs), prometheus.NewRegistry())
	done := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() {
			var err error
			for j := 0; j < 20 && err == nil; j++ {
				var mfs []*dto.MetricFamily
				if mfs, err = g.Gather(); err == nil {
					var buf bytes.Buffer
					for _, mf := range mfs {
						_, err = expfmt.MetricFamilyToText(&buf, mf)
					}
				}
			}
			done <- err
		}()
	}
	pods := c.CoreV1().Pods("shop")
	for i := int32(0); i < 20; i++ {
		p, err := pods.Get(context.Background(), "web-5d8f7c9b6-q4m9z", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p.Status.ContainerStatuses[0].RestartCount = 10 + i
		if _, err := pods.UpdateStatus(context.Background(), p, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 4; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
