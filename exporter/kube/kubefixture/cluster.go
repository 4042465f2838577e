package kubefixture

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Cluster is a small cluster's worth of objects in one namespace, with one
// object of every kind the cluster mode watches, in states that make every
// metric family of the catalogue appear.
type Cluster struct {
	Namespace *corev1.Namespace
	Node      *corev1.Node
	// Web is a Deployment of 3 replicas, 2 available, with its ReplicaSet
	// WebRS and two pods: WebPod (Running, Ready) and Crash, whose
	// container "app" waits in CrashLoopBackOff after 4 restarts, the last
	// one OOMKilled.
	Web    *appsv1.Deployment
	WebRS  *appsv1.ReplicaSet
	WebPod *corev1.Pod
	Crash  *corev1.Pod
	// Pulling is a pod without owner, Pending in ImagePullBackOff.
	Pulling *corev1.Pod
	Agent   *appsv1.DaemonSet   // desired 3, available 2
	DB      *appsv1.StatefulSet // 2 replicas, 1 ready
	// Nightly is a CronJob; Done a Job it owns that completed (5 succeeded),
	// Failed a Job that failed with BackoffLimitExceeded (6 failed).
	Nightly *batchv1.CronJob
	Done    *batchv1.Job
	Failed  *batchv1.Job
	Data    *corev1.PersistentVolumeClaim // 10Gi, Bound
	Claim   *corev1.PersistentVolumeClaim // 1Gi, Pending
}

// NewCluster creates a Cluster in a new namespace ns on a new node node.
func NewCluster(ctx context.Context, c kubernetes.Interface, ns, node string) (*Cluster, error) {
	f := &Cluster{
		Namespace: &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}},
		Node:      Node(node, 1),
		Web:       Deployment(ns, "web", 3, 2),
		Agent:     DaemonSet(ns, "agent", 3, 2),
		DB:        StatefulSet(ns, "db", 2, 1),
		Nightly:   CronJob(ns, "nightly", "0 3 * * *"),
		Failed:    Job(ns, "migrate", 0, 6),
		Data:      PVC(ns, "data", "10Gi", corev1.ClaimBound),
		Claim:     PVC(ns, "claim", "1Gi", corev1.ClaimPending),
	}
	Finish(f.Failed, "BackoffLimitExceeded")
	steps := []any{f.Namespace, f.Node, f.Web, f.Agent, f.DB, f.Nightly, f.Failed, f.Data, f.Claim}
	for _, obj := range steps {
		if err := Create(ctx, c, obj); err != nil {
			return nil, err
		}
	}
	// Objects that name a created owner by UID.
	f.WebRS = ReplicaSet(f.Web, "5d8f7c9b6")
	if err := Create(ctx, c, f.WebRS); err != nil {
		return nil, err
	}
	f.Done = Job(ns, "nightly-29000000", 5, 0)
	Finish(f.Done, "")
	OwnedBy(f.Done, CronJobKind, f.Nightly)
	f.WebPod = Pod(ns, f.WebRS.Name+"-x7k2p", node)
	OwnedBy(f.WebPod, ReplicaSetKind, f.WebRS)
	f.Crash = Pod(ns, f.WebRS.Name+"-q4m9z", node)
	OwnedBy(f.Crash, ReplicaSetKind, f.WebRS)
	CrashLoop(f.Crash, "app", 4, "OOMKilled")
	f.Pulling = Pod(ns, "pulling", node)
	Pending(f.Pulling, "app", "ImagePullBackOff")
	for _, obj := range []any{f.Done, f.WebPod, f.Crash, f.Pulling} {
		if err := Create(ctx, c, obj); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Namespace creates a namespace named name.
func Namespace(ctx context.Context, c kubernetes.Interface, name string) error {
	return Create(ctx, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
}

// DeletePod deletes a pod at once (grace period 0): without a kubelet, a
// graceful delete of a pod bound to a node would wait for it forever.
func DeletePod(ctx context.Context, c kubernetes.Interface, p *corev1.Pod) error {
	err := c.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: new(int64)})
	if err != nil {
		return fmt.Errorf("kubefixture: delete pod %s/%s: %w", p.Namespace, p.Name, err)
	}
	return nil
}
