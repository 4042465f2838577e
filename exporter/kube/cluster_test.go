package kube

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/nexclipper/nexclipper/exporter/kube/kubefixture"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden (review the diff)")

// fixedTime replaces the fixtures' "now": golden output must not change.
var fixedTime = metav1.NewTime(time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC))

// fakeCluster is kubefixture's Cluster as objects for the fake clientset,
// with UIDs and times fixed.
func fakeCluster() []runtime.Object {
	const ns = "shop"
	node := kubefixture.Node("node-a", 1)
	web := kubefixture.Deployment(ns, "web", 3, 2)
	web.UID, web.Generation = "00000000-0000-0000-0000-000000000001", 1
	rs := kubefixture.ReplicaSet(web, "5d8f7c9b6")
	rs.UID = "00000000-0000-0000-0000-000000000002"
	pod := kubefixture.Pod(ns, rs.Name+"-x7k2p", node.Name)
	pod.UID = "00000000-0000-0000-0000-000000000003"
	kubefixture.OwnedBy(pod, kubefixture.ReplicaSetKind, rs)
	crash := kubefixture.Pod(ns, rs.Name+"-q4m9z", node.Name)
	crash.UID = "00000000-0000-0000-0000-000000000004"
	kubefixture.OwnedBy(crash, kubefixture.ReplicaSetKind, rs)
	kubefixture.CrashLoop(crash, "app", 4, "OOMKilled")
	pulling := kubefixture.Pod(ns, "pulling", node.Name)
	pulling.UID = "00000000-0000-0000-0000-000000000005"
	kubefixture.Pending(pulling, "app", "ImagePullBackOff")
	nightly := kubefixture.CronJob(ns, "nightly", "0 3 * * *")
	nightly.UID = "00000000-0000-0000-0000-000000000006"
	nightly.Status.LastScheduleTime, nightly.Status.LastSuccessfulTime = &fixedTime, &fixedTime
	done := kubefixture.Job(ns, "nightly-29000000", 5, 0)
	kubefixture.Finish(done, "")
	kubefixture.OwnedBy(done, kubefixture.CronJobKind, nightly)
	failed := kubefixture.Job(ns, "migrate", 0, 6)
	kubefixture.Finish(failed, "BackoffLimitExceeded")
	for _, j := range [...]*struct{ start, end **metav1.Time }{
		{&done.Status.StartTime, &done.Status.CompletionTime}, {&failed.Status.StartTime, &failed.Status.CompletionTime},
	} {
		*j.start = &fixedTime
		if *j.end != nil {
			*j.end = &fixedTime
		}
	}
	return []runtime.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}, Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}},
		node, web, rs, pod, crash, pulling, nightly, done, failed,
		kubefixture.DaemonSet(ns, "agent", 3, 2), kubefixture.StatefulSet(ns, "db", 2, 1),
		kubefixture.PVC(ns, "data", "10Gi", corev1.ClaimBound), kubefixture.PVC(ns, "claim", "1Gi", corev1.ClaimPending),
	}
}

// TestClusterGolden runs every resource's collector over the fake cluster
// and diffs the exposition against testdata/cluster.golden.
func TestClusterGolden(t *testing.T) {
	cs := startCluster(t, fake.NewClientset(fakeCluster()...))
	waitSynced(t, cs)
	reg, errs := gather(t, cs)
	if len(errs) > 0 {
		t.Fatal(errNames(errs))
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			t.Fatal(err)
		}
	}
	const golden = "testdata/cluster.golden"
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./exporter/kube -run TestClusterGolden -update writes it)", err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("exposition differs from %s (rerun with -update and review the diff):\n%s", golden, diffLines(string(want), got))
	}
}

func diffLines(want, got string) string {
	w, g := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(want, "\n") {
		w[l] = true
	}
	var b strings.Builder
	for _, l := range strings.Split(got, "\n") {
		g[l] = true
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	return b.String()
}

// A resource the ServiceAccount may not list reports the API's error from
// its own collector, sends nothing, and leaves the others working.
func TestForbiddenResourceFailsAlone(t *testing.T) {
	c := fake.NewClientset(fakeCluster()...)
	c.PrependReactor("list", "cronjobs", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Group: "batch", Resource: "cronjobs"}, "",
			errorString(`User "system:serviceaccount:nexclipper:exporter" cannot list resource "cronjobs"`))
	})
	cs := startCluster(t, c)
	var errs map[string]error
	var reg *prometheus.Registry
	waitFor(t, "every resource but cronjobs to sync", func() bool {
		reg, errs = gather(t, cs)
		return len(errs) == 1
	})
	err := errs["kube_cronjobs"]
	if err == nil || !strings.Contains(err.Error(), "forbidden") || !strings.Contains(err.Error(), "not synced") {
		t.Fatalf("kube_cronjobs error = %v, want not synced: ...forbidden...; all: %s", err, errNames(errs))
	}
	if n, _ := testutil.GatherAndCount(reg, "kube_cronjob_info"); n != 0 {
		t.Errorf("%d kube_cronjob_info series from a forbidden resource", n)
	}
	if n, _ := testutil.GatherAndCount(reg, "kube_job_status_failed"); n == 0 {
		t.Error("jobs, which are allowed, report nothing")
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// Series follow updates and deletes of the objects.
func TestSeriesFollowChanges(t *testing.T) {
	c := fake.NewClientset(fakeCluster()...)
	cs := startCluster(t, c, "pods", "deployments")
	waitSynced(t, cs)
	ctx := context.Background()
	pods := c.CoreV1().Pods("shop")
	crash, err := pods.Get(ctx, "web-5d8f7c9b6-q4m9z", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	crash.Status.ContainerStatuses[0].RestartCount = 9
	if _, err := pods.UpdateStatus(ctx, crash, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := pods.Delete(ctx, "pulling", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.AppsV1().Deployments("shop").Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP kube_pod_container_status_restarts_total The number of container restarts per container.
# TYPE kube_pod_container_status_restarts_total counter
kube_pod_container_status_restarts_total{container="app",namespace="shop",pod="web-5d8f7c9b6-q4m9z",uid="00000000-0000-0000-0000-000000000004"} 9
kube_pod_container_status_restarts_total{container="app",namespace="shop",pod="web-5d8f7c9b6-x7k2p",uid="00000000-0000-0000-0000-000000000003"} 0
`
	var last error
	waitFor(t, "restarts 9, pod pulling and deployment web gone", func() bool {
		reg, _ := gather(t, cs)
		last = testutil.GatherAndCompare(reg, strings.NewReader(want), "kube_pod_container_status_restarts_total")
		n, _ := testutil.GatherAndCount(reg, "kube_deployment_spec_replicas")
		return last == nil && n == 0
	})
}

// The transform keeps none of an object's labels, annotations or
// managedFields, so a pod with a huge label set costs no more memory and no
// more series than one without; and it is idempotent.
func TestTransformBoundsObjects(t *testing.T) {
	plain := kubefixture.Pod("shop", "p", "node-a")
	huge := kubefixture.Pod("shop", "p", "node-a")
	huge.Labels, huge.Annotations = map[string]string{}, map[string]string{}
	for i := 0; i < 200; i++ {
		k := strings.Repeat("k", 50) + string(rune('a'+i%26)) + strings.Repeat("x", i)
		huge.Labels[k] = strings.Repeat("v", 63)
		huge.Annotations[k] = strings.Repeat("a", 4096)
	}
	huge.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubectl", FieldsV1: metav1.NewFieldsV1(strings.Repeat("{}", 1<<14))}}
	trimmed, err := podResource.transform(huge)
	if err != nil {
		t.Fatal(err)
	}
	s := trimmed.(*podState)
	if s.Labels != nil || s.Annotations != nil || s.ManagedFields != nil || s.OwnerReferences != nil {
		t.Errorf("trimmed pod keeps metadata: %+v", s.ObjectMeta)
	}
	again, _ := podResource.transform(trimmed)
	if again != trimmed {
		t.Error("transform of a trimmed pod is not the identity")
	}
	count := func(obj *corev1.Pod) int {
		b := newBatch(nil)
		p, _ := podResource.transform(obj)
		podResource.emit(b, []any{p})
		n := 0
		for _, ms := range b.byFamily {
			n += len(ms)
		}
		return n
	}
	if a, b := count(plain), count(huge); a != b {
		t.Errorf("pod with 200 labels has %d series, plain pod %d", b, a)
	}
}
