package cgroup

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// fakePods knows one pod of the v1 fixture with its container, and a second
// pod whose container ID it has not seen yet.
type fakePods struct{ calls int }

const (
	v1BurstablePod  = "6a1f0c2e-8d4b-4f7a-9c3e-2b5d7e9f1a04"
	v1BestEffortPod = "b2c4e6f8-1a3c-4e5f-8a7b-9c0d1e2f3a4b"
)

func (f *fakePods) LookupContainer(podUID, containerID string) (string, string, string, bool) {
	f.calls++
	switch podUID {
	case v1BurstablePod:
		if containerID == v1Burstable {
			return "shop", "web-0", "nginx", true
		}
		return "shop", "web-0", "", true
	case v1BestEffortPod:
		return "batch", "job-x", "", true
	}
	return "", "", "", false
}

// With a PodLookup every container series carries namespace, pod and
// container; a container outside any pod keeps empty values, and the lookup
// runs once per container, not once per series.
func TestPodLookupLabels(t *testing.T) {
	pods := &fakePods{}
	c, err := NewCollector(Options{Root: "testdata/v1", Pods: pods})
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan prometheus.Metric)
	errc := make(chan error, 1)
	go func() {
		errc <- c.Update(context.Background(), ch)
		close(ch)
	}()
	got := map[string][3]string{} // container_id -> namespace, pod, container
	series := 0
	for m := range ch {
		var pb dto.Metric
		if err := m.Write(&pb); err != nil {
			t.Fatal(err)
		}
		l := map[string]string{}
		for _, lp := range pb.GetLabel() {
			l[lp.GetName()] = lp.GetValue()
		}
		if len(l) != len(podLabelNames) {
			t.Fatalf("series with labels %v, want %v", l, podLabelNames)
		}
		ids := [3]string{l["namespace"], l["pod"], l["container"]}
		if prev, seen := got[l["container_id"]]; seen && prev != ids {
			t.Errorf("container %s: labels %v and %v in one scrape", l["container_id"], prev, ids)
		}
		got[l["container_id"]] = ids
		series++
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	want := map[string][3]string{
		v1Burstable:  {"shop", "web-0", "nginx"},
		v1BestEffort: {"batch", "job-x", ""},
		v1Docker:     {"", "", ""},
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("container %s: namespace, pod, container = %q, want %q", id, got[id], w)
		}
	}
	if pods.calls != len(want) {
		t.Errorf("%d lookups for %d containers (%d series)", pods.calls, len(want), series)
	}
}
