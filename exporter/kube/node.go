package kube

import (
	"strings"

	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// nodeState is what the node families read of a Node.
type nodeState struct {
	metav1.ObjectMeta
	node          *dto.LabelPair
	info          [9]string // nodeInfoLabels after "node", in order
	infoPairs     []*dto.LabelPair
	unschedulable bool
	conditions    []condition
	allocatable   []quantity
	capacity      []quantity
}

// condition is one status condition: its type (as a pair) and lowercased status.
type condition struct {
	typ    *dto.LabelPair
	status string
}

var (
	nodeLabels     = []string{"node"}
	nodeInfoLabels = withLabels(nodeLabels, "kernel_version", "os_image", "container_runtime_version", "kubelet_version",
		"kubeproxy_version", "provider_id", "pod_cidr", "system_uuid", "internal_ip")

	nodeInfo          = gauge("kube_node_info", "Information about a cluster node.", nodeInfoLabels...)
	nodeUnschedulable = gauge("kube_node_spec_unschedulable", "Whether a node can schedule new pods.", nodeLabels...)
	nodeCondition     = gauge("kube_node_status_condition", "The condition of a cluster node.", withLabels(nodeLabels, "condition", "status")...)
	nodeAllocatable   = gauge("kube_node_status_allocatable", "The allocatable for different resources of a node that are available for scheduling.", withLabels(nodeLabels, "resource", "unit")...)
	nodeCapacity      = gauge("kube_node_status_capacity", "The capacity for different resources of a node.", withLabels(nodeLabels, "resource", "unit")...)
)

var nodeResource = &resource{
	Name:      "nodes",
	object:    &corev1.Node{},
	list:      func() runtime.Object { return &corev1.NodeList{} },
	transform: trimmer(trimNode),
	emit:      emitter(emitNode),
}

func trimNode(n *corev1.Node) *nodeState {
	si := n.Status.NodeInfo
	//lint:ignore SA1019 kube-state-metrics keeps the label (empty from current kubelets) and so do we.
	kubeProxy := si.KubeProxyVersion
	s := &nodeState{
		ObjectMeta:    objectMeta(&n.ObjectMeta),
		info:          [9]string{si.KernelVersion, si.OSImage, si.ContainerRuntimeVersion, si.KubeletVersion, kubeProxy, n.Spec.ProviderID, n.Spec.PodCIDR, si.SystemUUID, ""},
		unschedulable: n.Spec.Unschedulable,
		allocatable:   quantities(n.Status.Allocatable, true),
		capacity:      quantities(n.Status.Capacity, true),
	}
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			s.info[8] = a.Address
			break
		}
	}
	s.node = pair("node", &s.Name)
	s.infoPairs = []*dto.LabelPair{s.node}
	for i, l := range nodeInfoLabels[1:] {
		s.info[i] = strings.ToValidUTF8(s.info[i], "\uFFFD") // reported by the kubelet
		s.infoPairs = append(s.infoPairs, pair(l, &s.info[i]))
	}
	for _, c := range n.Status.Conditions {
		s.conditions = append(s.conditions, condition{valuePair("condition", string(c.Type)), conditionStatus(c.Status)})
	}
	return s
}

func emitNode(b *batch, n *nodeState) {
	b.send(nodeInfo, 1, n.infoPairs...)
	b.send(nodeUnschedulable, boolValue(n.unschedulable), n.node)
	for _, c := range n.conditions {
		sendCondition(b, nodeCondition, statusPairs, c.status, n.node, c.typ)
	}
	for _, q := range n.allocatable {
		b.send(nodeAllocatable, q.value, n.node, q.resource, q.unit)
	}
	for _, q := range n.capacity {
		b.send(nodeCapacity, q.value, n.node, q.resource, q.unit)
	}
}
