package kube

import (
	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// namespaceState is what the namespace family reads of a Namespace.
type namespaceState struct {
	metav1.ObjectMeta
	namespace *dto.LabelPair
	phase     corev1.NamespacePhase
}

// namespacePhases are the values of kube_namespace_status_phase's phase label.
var (
	namespacePhases     = [...]corev1.NamespacePhase{corev1.NamespaceActive, corev1.NamespaceTerminating}
	namespacePhasePairs = valuePairs("phase", string(namespacePhases[0]), string(namespacePhases[1]))
)

var namespacePhase = gauge("kube_namespace_status_phase", "kubernetes namespace status phase.", "namespace", "phase")

var namespaceResource = &resource{
	Name:   "namespaces",
	object: &corev1.Namespace{},
	list:   func() runtime.Object { return &corev1.NamespaceList{} },
	transform: trimmer(func(n *corev1.Namespace) *namespaceState {
		s := &namespaceState{ObjectMeta: objectMeta(&n.ObjectMeta), phase: n.Status.Phase}
		s.namespace = pair("namespace", &s.Name)
		return s
	}),
	emit: emitter(func(b *batch, n *namespaceState) {
		for i, ph := range namespacePhases {
			b.send(namespacePhase, boolValue(ph == n.phase), n.namespace, namespacePhasePairs[i])
		}
	}),
}
