package kube

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/tools/cache"

	"github.com/nexclipper/nexclipper/exporter/cgroup"
)

// podIdentity is what node mode keeps of a pod: its names and the runtime
// ID of each container (init and ephemeral containers included).
type podIdentity struct {
	metav1.ObjectMeta // namespace, name, uid
	containers        []containerIdentity
}

type containerIdentity struct{ name, id string }

// Store indexes of the node-mode informer.
const (
	byUID         = "uid"
	byContainerID = "containerID"
)

// podIdentityResource watches pods like podResource, but keeps identities.
var podIdentityResource = &resource{
	Name:      "pods",
	object:    &corev1.Pod{},
	list:      podResource.list,
	transform: trimmer(trimPodIdentity),
	emit:      func(*batch, []any) {},
}

func trimPodIdentity(p *corev1.Pod) *podIdentity {
	s := &podIdentity{ObjectMeta: objectMeta(&p.ObjectMeta)}
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses, p.Status.EphemeralContainerStatuses} {
		for _, cs := range list {
			if cs.ContainerID != "" {
				s.containers = append(s.containers, containerIdentity{cs.Name, containerID(cs.ContainerID)})
			}
		}
	}
	return s
}

// PodLookup is node mode: the pods bound to one node, looked up by UID or
// container ID. It implements cgroup.PodLookup.
type PodLookup struct {
	inf *informer
}

var _ cgroup.PodLookup = (*PodLookup)(nil)

// NewPodLookup builds the informer of the pods on node nodeName. It makes
// no API call; Start does.
func NewPodLookup(src Source, nodeName string) (*PodLookup, error) {
	if nodeName == "" {
		return nil, ErrNoNodeName
	}
	selector := fields.OneTermEqualSelector("spec.nodeName", nodeName).String()
	inf, err := newInformer(src, podIdentityResource, func(o *metav1.ListOptions) { o.FieldSelector = selector }, cache.Indexers{
		byUID: func(obj any) ([]string, error) {
			if p, ok := obj.(*podIdentity); ok {
				return []string{string(p.UID)}, nil
			}
			return nil, nil
		},
		byContainerID: func(obj any) ([]string, error) {
			p, ok := obj.(*podIdentity)
			if !ok {
				return nil, nil
			}
			ids := make([]string, len(p.containers))
			for i, c := range p.containers {
				ids[i] = c.id
			}
			return ids, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return &PodLookup{inf: inf}, nil
}

// Start runs the informer until ctx is done.
func (l *PodLookup) Start(ctx context.Context) { l.inf.run(ctx) }

// LookupContainer implements cgroup.PodLookup.
func (l *PodLookup) LookupContainer(podUID, id string) (namespace, pod, container string, ok bool) {
	index, key := byUID, podUID
	if podUID == "" {
		index, key = byContainerID, id
	}
	if key == "" {
		return "", "", "", false
	}
	objs, err := l.inf.inf.GetIndexer().ByIndex(index, key)
	if err != nil || len(objs) == 0 {
		return "", "", "", false
	}
	p, ok := objs[0].(*podIdentity)
	if !ok {
		return "", "", "", false
	}
	for _, c := range p.containers {
		if c.id == id {
			return p.Namespace, p.Name, c.name, true
		}
	}
	return p.Namespace, p.Name, "", true
}

// Collector reports the state of the pod informer as the "kube" collector:
// success 0 until the first list arrived or while the API server is
// unreachable. It sends no metrics: node mode adds labels to the cgroup
// series, the object state is cluster mode's job.
func (l *PodLookup) Collector() *LookupCollector { return &LookupCollector{inf: l.inf} }

// LookupCollector is the collector returned by PodLookup.Collector.
type LookupCollector struct{ inf *informer }

func (c *LookupCollector) Update(context.Context, chan<- prometheus.Metric) error {
	synced, err := c.inf.state()
	switch {
	case !synced && err == nil:
		return fmt.Errorf("pods on this node: waiting for the first list from the API server")
	case !synced:
		return fmt.Errorf("pods on this node: not synced: %w", err)
	case err != nil:
		return fmt.Errorf("pods on this node: serving the last synced state: %w", err)
	}
	return nil
}
