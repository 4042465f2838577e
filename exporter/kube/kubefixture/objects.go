// Package kubefixture builds Kubernetes objects with their status filled in
// and creates them in an API server, for the tests of the kube collector:
// the test API server has no kubelet or controller to set any status.
//
// Builders return objects ready for Create; their values are the ones the
// tests assert (a Pod's container "app" requests 250m CPU, ...). Objects that
// reference an owner by UID (a ReplicaSet's Deployment) take the created
// owner. Nothing here is used by the exporter binary.
package kubefixture

import (
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
)

// Image is the image of every container; nothing pulls it.
const Image = "registry.k8s.io/pause:3.10"

// Node is a Ready node with 4 CPUs (3.5 allocatable), 16 GiB of memory and
// room for 110 pods, whose InternalIP is 10.0.0.<n>.
func Node(name string, n int) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       corev1.NodeSpec{PodCIDR: fmt.Sprintf("10.244.%d.0/24", n), ProviderID: "fixture://" + name},
		Status: corev1.NodeStatus{
			Capacity:    resources("cpu", "4", "memory", "16Gi", "pods", "110", "ephemeral-storage", "100Gi"),
			Allocatable: resources("cpu", "3500m", "memory", "15Gi", "pods", "110", "ephemeral-storage", "90Gi"),
			Conditions: []corev1.NodeCondition{
				nodeCondition(corev1.NodeReady, corev1.ConditionTrue),
				nodeCondition(corev1.NodeMemoryPressure, corev1.ConditionFalse),
				nodeCondition(corev1.NodeDiskPressure, corev1.ConditionFalse),
			},
			Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("10.0.0.%d", n)}},
			NodeInfo: corev1.NodeSystemInfo{
				KernelVersion: "6.1.0-fixture", OSImage: "Debian GNU/Linux 12 (bookworm)",
				ContainerRuntimeVersion: "containerd://1.7.24", KubeletVersion: "v1.37.2",
				SystemUUID: fmt.Sprintf("00000000-0000-0000-0000-%012d", n), OperatingSystem: "linux", Architecture: "amd64",
			},
		},
	}
}

func nodeCondition(t corev1.NodeConditionType, s corev1.ConditionStatus) corev1.NodeCondition {
	now := metav1.Now()
	return corev1.NodeCondition{Type: t, Status: s, LastHeartbeatTime: now, LastTransitionTime: now, Reason: "Fixture"}
}

// SetNodeCondition sets the status of condition t, adding it when absent.
func SetNodeCondition(n *corev1.Node, t corev1.NodeConditionType, s corev1.ConditionStatus) {
	for i := range n.Status.Conditions {
		if n.Status.Conditions[i].Type == t {
			n.Status.Conditions[i].Status = s
			return
		}
	}
	n.Status.Conditions = append(n.Status.Conditions, nodeCondition(t, s))
}

// resources builds a ResourceList from name, quantity pairs.
func resources(kv ...string) corev1.ResourceList {
	l := corev1.ResourceList{}
	for i := 0; i+1 < len(kv); i += 2 {
		l[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

// Container is a container named name requesting 250m CPU and 64Mi of
// memory, limited to 500m and 128Mi.
func Container(name string) corev1.Container {
	return corev1.Container{
		Name: name, Image: Image,
		Resources: corev1.ResourceRequirements{
			Requests: resources("cpu", "250m", "memory", "64Mi"),
			Limits:   resources("cpu", "500m", "memory", "128Mi"),
		},
	}
}

// ContainerID is the runtime ID a Pod's status gives container i of pod
// name: 64 hex digits, stable for a name.
func ContainerID(name string, i int) string {
	return fmt.Sprintf("%064x", fnv64(fmt.Sprintf("%s/%d", name, i)))
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// Pod is a Running, Ready pod on node with one container per name (default
// "app"), each Running and ready, restarted 0 times, with runtime ID
// "containerd://" + ContainerID(name, i).
func Pod(ns, name, node string, containers ...string) *corev1.Pod {
	if len(containers) == 0 {
		containers = []string{"app"}
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"app": name}},
		Spec:       corev1.PodSpec{NodeName: node, PriorityClassName: "", RestartPolicy: corev1.RestartPolicyAlways},
		Status: corev1.PodStatus{
			Phase:  corev1.PodRunning,
			HostIP: "10.0.0.1", HostIPs: []corev1.HostIP{{IP: "10.0.0.1"}},
			PodIP: "10.244.1.10", PodIPs: []corev1.PodIP{{IP: "10.244.1.10"}},
			StartTime: ptr.To(metav1.Now()),
			Conditions: []corev1.PodCondition{
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
				{Type: corev1.PodReady, Status: corev1.ConditionTrue},
			},
		},
	}
	for i, c := range containers {
		p.Spec.Containers = append(p.Spec.Containers, Container(c))
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{
			Name: c, Ready: true, Image: Image, ImageID: Image,
			ContainerID: "containerd://" + ContainerID(name, i),
			State:       corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}},
		})
	}
	return p
}

// CrashLoop makes container c of p wait in CrashLoopBackOff after
// restarts restarts, the last one terminated with lastReason (OOMKilled,
// Error, ...), and the pod not Ready.
func CrashLoop(p *corev1.Pod, c string, restarts int32, lastReason string) {
	for i := range p.Status.ContainerStatuses {
		cs := &p.Status.ContainerStatuses[i]
		if cs.Name != c {
			continue
		}
		cs.Ready, cs.RestartCount = false, restarts
		cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off restarting failed container"}}
		cs.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: 137, Reason: lastReason, StartedAt: metav1.Now(), FinishedAt: metav1.Now(),
		}}
	}
	setPodCondition(p, corev1.PodReady, corev1.ConditionFalse)
}

// Pending makes p a pod waiting for its image: phase Pending, container c
// waiting with reason (ImagePullBackOff, ContainerCreating, ...).
func Pending(p *corev1.Pod, c, reason string) {
	p.Status.Phase = corev1.PodPending
	for i := range p.Status.ContainerStatuses {
		cs := &p.Status.ContainerStatuses[i]
		if cs.Name == c {
			cs.Ready, cs.ContainerID = false, ""
			cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}
		}
	}
	setPodCondition(p, corev1.PodReady, corev1.ConditionFalse)
}

func setPodCondition(p *corev1.Pod, t corev1.PodConditionType, s corev1.ConditionStatus) {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == t {
			p.Status.Conditions[i].Status = s
			return
		}
	}
	p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: t, Status: s})
}

// OwnedBy makes owner (a created object, with its UID) the controller of obj.
func OwnedBy(obj metav1.Object, gvk schema.GroupVersionKind, owner metav1.Object) {
	obj.SetOwnerReferences(append(obj.GetOwnerReferences(), *metav1.NewControllerRef(owner, gvk)))
}

// Kinds of the owners the tests use.
var (
	DeploymentKind  = appsv1.SchemeGroupVersion.WithKind("Deployment")
	ReplicaSetKind  = appsv1.SchemeGroupVersion.WithKind("ReplicaSet")
	DaemonSetKind   = appsv1.SchemeGroupVersion.WithKind("DaemonSet")
	StatefulSetKind = appsv1.SchemeGroupVersion.WithKind("StatefulSet")
	JobKind         = batchv1.SchemeGroupVersion.WithKind("Job")
	CronJobKind     = batchv1.SchemeGroupVersion.WithKind("CronJob")
)

func podTemplate(app string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": app}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{Container("app")}},
	}
}

func selector(app string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: map[string]string{"app": app}}
}

// Deployment wants replicas pods and has available of them (all updated
// and ready).
func Deployment(ns, name string, replicas, available int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To(replicas), Selector: selector(name), Template: podTemplate(name)},
		Status: appsv1.DeploymentStatus{
			ObservedGeneration: 1, Replicas: replicas, UpdatedReplicas: replicas,
			ReadyReplicas: available, AvailableReplicas: available, UnavailableReplicas: replicas - available,
		},
	}
}

// ReplicaSet is the replica set of the created deployment d, named
// <d>-<hash>, with d's replicas, all ready.
func ReplicaSet(d *appsv1.Deployment, hash string) *appsv1.ReplicaSet {
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: d.Namespace, Name: d.Name + "-" + hash},
		Spec:       appsv1.ReplicaSetSpec{Replicas: d.Spec.Replicas, Selector: selector(d.Name), Template: podTemplate(d.Name)},
		Status:     appsv1.ReplicaSetStatus{Replicas: *d.Spec.Replicas, ReadyReplicas: *d.Spec.Replicas, AvailableReplicas: *d.Spec.Replicas, ObservedGeneration: 1},
	}
	OwnedBy(rs, DeploymentKind, d)
	return rs
}

// DaemonSet should run on desired nodes and is available on available.
func DaemonSet(ns, name string, desired, available int32) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       appsv1.DaemonSetSpec{Selector: selector(name), Template: podTemplate(name)},
		Status: appsv1.DaemonSetStatus{
			DesiredNumberScheduled: desired, CurrentNumberScheduled: desired, UpdatedNumberScheduled: desired,
			NumberReady: available, NumberAvailable: available, NumberUnavailable: desired - available, ObservedGeneration: 1,
		},
	}
}

// StatefulSet wants replicas pods and has ready of them, all current and
// updated to revision <name>-rev1.
func StatefulSet(ns, name string, replicas, ready int32) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       appsv1.StatefulSetSpec{Replicas: ptr.To(replicas), Selector: selector(name), Template: podTemplate(name), ServiceName: name},
		Status: appsv1.StatefulSetStatus{
			ObservedGeneration: 1, Replicas: replicas, ReadyReplicas: ready, AvailableReplicas: ready,
			CurrentReplicas: replicas, UpdatedReplicas: replicas, CurrentRevision: name + "-rev1", UpdateRevision: name + "-rev1",
		},
	}
}

// Job is a job with succeeded and failed pods, still running (no
// condition) unless Finish is applied.
func Job(ns, name string, succeeded, failed int32) *batchv1.Job {
	t := podTemplate(name)
	t.Spec.RestartPolicy = corev1.RestartPolicyNever
	t.ObjectMeta.Labels = nil // the API server adds the controller-uid labels
	start := metav1.NewTime(time.Now().Add(-time.Minute).Truncate(time.Second))
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       batchv1.JobSpec{Template: t, BackoffLimit: ptr.To(int32(6))},
		Status:     batchv1.JobStatus{Succeeded: succeeded, Failed: failed, Active: 1, StartTime: &start},
	}
}

// Finish ends job j: Complete when failedReason is "", else Failed with
// that reason, with the conditions the API server requires before them.
func Finish(j *batchv1.Job, failedReason string) {
	now := metav1.NewTime(time.Now().Truncate(time.Second))
	cond := func(t batchv1.JobConditionType, reason string) batchv1.JobCondition {
		return batchv1.JobCondition{Type: t, Status: corev1.ConditionTrue, Reason: reason, LastProbeTime: now, LastTransitionTime: now}
	}
	j.Status.Active, j.Status.Ready = 0, ptr.To(int32(0))
	if failedReason == "" {
		j.Status.CompletionTime = &now
		j.Status.Conditions = append(j.Status.Conditions, cond(batchv1.JobSuccessCriteriaMet, "CompletionsReached"), cond(batchv1.JobComplete, "CompletionsReached"))
		return
	}
	j.Status.Conditions = append(j.Status.Conditions, cond(batchv1.JobFailureTarget, failedReason), cond(batchv1.JobFailed, failedReason))
}

// CronJob runs on schedule and was last scheduled a minute ago.
func CronJob(ns, name, schedule string) *batchv1.CronJob {
	t := podTemplate(name)
	t.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
	last := metav1.NewTime(time.Now().Add(-time.Minute).Truncate(time.Second))
	return &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: batchv1.CronJobSpec{
			Schedule: schedule, ConcurrencyPolicy: batchv1.ForbidConcurrent,
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: t}},
		},
		Status: batchv1.CronJobStatus{LastScheduleTime: &last, LastSuccessfulTime: &last},
	}
}

// PVC requests size of storage class "standard" and is in phase.
func PVC(ns, name, size string, phase corev1.PersistentVolumeClaimPhase) *corev1.PersistentVolumeClaim {
	p := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:        corev1.VolumeResourceRequirements{Requests: resources("storage", size)},
			StorageClassName: ptr.To("standard"),
		},
		Status: corev1.PersistentVolumeClaimStatus{Phase: phase},
	}
	if phase == corev1.ClaimBound {
		p.Spec.VolumeName = "pv-" + name
		p.Status.AccessModes = p.Spec.AccessModes
		p.Status.Capacity = resources("storage", size)
	}
	return p
}
