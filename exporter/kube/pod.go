package kube

import (
	"slices"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// podState is what the pod families read of a Pod: about a kilobyte with
// its label pairs, instead of the tens of kilobytes of a decoded Pod.
type podState struct {
	metav1.ObjectMeta // namespace, name, uid
	info              [7]string
	phase             corev1.PodPhase
	ready             string // status of the Ready condition, "" when absent
	owners            []*owner
	containers        []containerState

	id        [3]*dto.LabelPair // namespace, pod, uid: the first labels of every series
	node      *dto.LabelPair
	infoPairs []*dto.LabelPair // kube_pod_info's labels
}

// Indexes in podState.info, in kube_pod_info's label order after uid.
const (
	infoHostIP = iota
	infoPodIP
	infoNode
	infoCreatedByKind
	infoCreatedByName
	infoPriorityClass
	infoHostNetwork
)

// containerState is one container of a pod: spec resources and status.
type containerState struct {
	name             string
	container        *dto.LabelPair
	requests, limits []quantity
	hasStatus        bool // the kubelet reported a status for it
	restarts         int32
	waiting          *dto.LabelPair // reason, when waiting
	lastTerminated   *dto.LabelPair // reason, when it terminated before
}

var (
	podLabels       = []string{"namespace", "pod", "uid"}
	podInfoLabels   = withLabels(podLabels, "host_ip", "pod_ip", "node", "created_by_kind", "created_by_name", "priority_class", "host_network")
	containerLabels = withLabels(podLabels, "container")

	podInfo  = gauge("kube_pod_info", "Information about pod.", podInfoLabels...)
	podOwner = gauge("kube_pod_owner", "Information about the Pod's owner.",
		withLabels(podLabels, "owner_kind", "owner_name", "owner_is_controller")...)
	podPhase = gauge("kube_pod_status_phase", "The pods current phase.", withLabels(podLabels, "phase")...)
	podReady = gauge("kube_pod_status_ready", "Describes whether the pod is ready to serve requests.", withLabels(podLabels, "condition")...)

	containerRestarts = counter("kube_pod_container_status_restarts_total", "The number of container restarts per container.", containerLabels...)
	containerWaiting  = gauge("kube_pod_container_status_waiting_reason", "Describes the reason the container is currently in waiting state.",
		withLabels(containerLabels, "reason")...)
	containerLastTerminated = gauge("kube_pod_container_status_last_terminated_reason", "Describes the last reason the container was in terminated state.",
		withLabels(containerLabels, "reason")...)
	containerRequests = gauge("kube_pod_container_resource_requests", "The number of requested request resource by a container.",
		withLabels(containerLabels, "node", "resource", "unit")...)
	containerLimits = gauge("kube_pod_container_resource_limits", "The number of requested limit resource by a container.",
		withLabels(containerLabels, "node", "resource", "unit")...)
)

var podResource = &resource{
	Name:      "pods",
	object:    &corev1.Pod{},
	list:      func() runtime.Object { return &corev1.PodList{} },
	transform: trimmer(trimPod),
	emit:      emitPods,
}

func trimPod(p *corev1.Pod) *podState {
	s := &podState{
		ObjectMeta: objectMeta(&p.ObjectMeta),
		phase:      p.Status.Phase,
		owners:     owners(p.OwnerReferences),
		containers: make([]containerState, 0, len(p.Spec.Containers)),
	}
	createdByKind, createdByName := "<none>", "<none>"
	if o := controllerOf(s.owners); o != nil {
		createdByKind, createdByName = nonEmpty(o.kind), nonEmpty(o.name)
	}
	s.info = [7]string{p.Status.HostIP, p.Status.PodIP, p.Spec.NodeName, createdByKind, createdByName,
		p.Spec.PriorityClassName, strconv.FormatBool(p.Spec.HostNetwork)}
	s.id = [3]*dto.LabelPair{pair("namespace", &s.Namespace), pair("pod", &s.Name), pair("uid", (*string)(&s.UID))}
	s.infoPairs = append(make([]*dto.LabelPair, 0, len(podInfoLabels)), s.id[:]...)
	for i, l := range podInfoLabels[len(podLabels):] {
		s.infoPairs = append(s.infoPairs, pair(l, &s.info[i]))
	}
	s.node = s.infoPairs[len(podLabels)+infoNode]
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			s.ready = conditionStatus(c.Status)
		}
	}
	for _, c := range p.Spec.Containers {
		s.containers = append(s.containers, containerState{
			name:     c.Name,
			requests: sortedQuantities(c.Resources.Requests),
			limits:   sortedQuantities(c.Resources.Limits),
		})
	}
	for _, cs := range p.Status.ContainerStatuses {
		c := s.container(cs.Name)
		c.hasStatus, c.restarts = true, cs.RestartCount
		if w := cs.State.Waiting; w != nil {
			c.waiting = valuePair("reason", w.Reason)
		}
		if t := cs.LastTerminationState.Terminated; t != nil {
			c.lastTerminated = valuePair("reason", t.Reason)
		}
	}
	for i := range s.containers {
		s.containers[i].container = pair("container", &s.containers[i].name)
	}
	return s
}

// sortedQuantities are a container's resources ordered by name, the order
// of their series.
func sortedQuantities(l corev1.ResourceList) []quantity {
	qs := quantities(l, false)
	slices.SortFunc(qs, func(a, b quantity) int { return strings.Compare(*a.resource.Value, *b.resource.Value) })
	return qs
}

// container returns the entry named name, adding one for a status whose
// container is not in the spec.
func (s *podState) container(name string) *containerState {
	for i := range s.containers {
		if s.containers[i].name == name {
			return &s.containers[i]
		}
	}
	s.containers = append(s.containers, containerState{name: name})
	return &s.containers[len(s.containers)-1]
}

// emitPods sends the pod families. Pods come sorted by namespace and name;
// the big families are sent in the order of their label values (phase,
// condition and container names first where they sort first), so that the
// batch finds them sorted and does not have to sort 100,000 series.
func emitPods(b *batch, objs []any) {
	pods := typed[podState](objs)
	for _, p := range pods {
		b.send(podInfo, 1, p.infoPairs...)
		sendOwners(b, podOwner, p.owners, noOwnerNone, p.id[:]...)
	}
	// kube_pod_status_phase: namespace, phase, pod, uid.
	for start := 0; start < len(pods); {
		end := start + 1
		for end < len(pods) && pods[end].Namespace == pods[start].Namespace {
			end++
		}
		for i, ph := range podPhasesSorted {
			for _, p := range pods[start:end] {
				if p.phase != "" {
					b.send(podPhase, boolValue(ph == p.phase), p.id[0], p.id[1], p.id[2], podPhasePairsSorted[i])
				}
			}
		}
		start = end
	}
	// kube_pod_status_ready: condition, namespace, pod, uid.
	for i, st := range conditionStatusesSorted {
		for _, p := range pods {
			if p.ready != "" {
				b.send(podReady, boolValue(st == p.ready), p.id[0], p.id[1], p.id[2], conditionPairsSorted[i])
			}
		}
	}
	// Container families: container, namespace, [node,] pod, ...
	names := containerNames(pods)
	for _, name := range names {
		for _, p := range pods {
			c := p.containerNamed(name)
			if c == nil || !c.hasStatus {
				continue
			}
			b.send(containerRestarts, float64(c.restarts), p.id[0], p.id[1], p.id[2], c.container)
			if c.waiting != nil {
				b.send(containerWaiting, 1, p.id[0], p.id[1], p.id[2], c.container, c.waiting)
			}
			if c.lastTerminated != nil {
				b.send(containerLastTerminated, 1, p.id[0], p.id[1], p.id[2], c.container, c.lastTerminated)
			}
		}
	}
	byNode := slices.Clone(pods)
	slices.SortStableFunc(byNode, func(a, b *podState) int {
		if c := strings.Compare(a.Namespace, b.Namespace); c != 0 {
			return c
		}
		return strings.Compare(a.info[infoNode], b.info[infoNode])
	})
	for _, name := range names {
		for _, p := range byNode {
			c := p.containerNamed(name)
			if c == nil {
				continue
			}
			for _, q := range c.requests {
				b.send(containerRequests, q.value, p.id[0], p.id[1], p.id[2], c.container, p.node, q.resource, q.unit)
			}
			for _, q := range c.limits {
				b.send(containerLimits, q.value, p.id[0], p.id[1], p.id[2], c.container, p.node, q.resource, q.unit)
			}
		}
	}
}

// Phases and condition statuses in the order of their label values.
var (
	podPhasesSorted         = [...]corev1.PodPhase{corev1.PodFailed, corev1.PodPending, corev1.PodRunning, corev1.PodSucceeded, corev1.PodUnknown}
	podPhasePairsSorted     = valuePairs("phase", "Failed", "Pending", "Running", "Succeeded", "Unknown")
	conditionStatusesSorted = [...]string{"false", "true", "unknown"}
	conditionPairsSorted    = valuePairs("condition", conditionStatusesSorted[:]...)
)

// containerNames returns the distinct container names of pods, sorted.
func containerNames(pods []*podState) []string {
	seen := map[string]bool{}
	var names []string
	for _, p := range pods {
		for i := range p.containers {
			if n := p.containers[i].name; !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return names
}

func (s *podState) containerNamed(name string) *containerState {
	for i := range s.containers {
		if s.containers[i].name == name {
			return &s.containers[i]
		}
	}
	return nil
}

func nonEmpty(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

// containerID strips the runtime prefix of a status's containerID
// ("containerd://<id>") to the bare ID found in cgroup paths.
func containerID(s string) string {
	if _, id, ok := strings.Cut(s, "://"); ok {
		return id
	}
	return s
}
