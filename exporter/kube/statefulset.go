package kube

import (
	dto "github.com/prometheus/client_model/go"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

var statefulSetLabels = []string{"namespace", "statefulset"}

var statefulSetScalars = []scalar[appsv1.StatefulSet]{
	{gauge("kube_statefulset_replicas", "Number of desired pods for a StatefulSet.", statefulSetLabels...),
		func(s *appsv1.StatefulSet) (float64, bool) { return optional(s.Spec.Replicas) }},
	{gauge("kube_statefulset_status_replicas", "The number of replicas per StatefulSet.", statefulSetLabels...),
		func(s *appsv1.StatefulSet) (float64, bool) { return count(s.Status.Replicas) }},
	{gauge("kube_statefulset_status_replicas_available", "The number of available replicas per StatefulSet.", statefulSetLabels...),
		func(s *appsv1.StatefulSet) (float64, bool) { return count(s.Status.AvailableReplicas) }},
	{gauge("kube_statefulset_status_replicas_current", "The number of current replicas per StatefulSet.", statefulSetLabels...),
		func(s *appsv1.StatefulSet) (float64, bool) { return count(s.Status.CurrentReplicas) }},
	{gauge("kube_statefulset_status_replicas_ready", "The number of ready replicas per StatefulSet.", statefulSetLabels...),
		func(s *appsv1.StatefulSet) (float64, bool) { return count(s.Status.ReadyReplicas) }},
	{gauge("kube_statefulset_status_replicas_updated", "The number of updated replicas per StatefulSet.", statefulSetLabels...),
		func(s *appsv1.StatefulSet) (float64, bool) { return count(s.Status.UpdatedReplicas) }},
	{gauge("kube_statefulset_metadata_generation", "Sequence number representing a specific generation of the desired state for the StatefulSet.", statefulSetLabels...),
		func(s *appsv1.StatefulSet) (float64, bool) { return count64(s.Generation) }},
	{gauge("kube_statefulset_status_observed_generation", "The generation observed by the StatefulSet controller.", statefulSetLabels...),
		func(s *appsv1.StatefulSet) (float64, bool) { return count64(s.Status.ObservedGeneration) }},
}

var (
	statefulSetCurrentRevision = gauge("kube_statefulset_status_current_revision",
		"Indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas).", withLabels(statefulSetLabels, "revision")...)
	statefulSetUpdateRevision = gauge("kube_statefulset_status_update_revision",
		"Indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas)", withLabels(statefulSetLabels, "revision")...)
)

var statefulSetResource = &resource{
	Name:   "statefulsets",
	Group:  "apps",
	object: &appsv1.StatefulSet{},
	list:   func() runtime.Object { return &appsv1.StatefulSetList{} },
	transform: trimmer(func(ss *appsv1.StatefulSet) *scalarState {
		s := newScalarState(&ss.ObjectMeta, "statefulset", statefulSetScalars, ss)
		s.extra = []*dto.LabelPair{valuePair("revision", ss.Status.CurrentRevision), valuePair("revision", ss.Status.UpdateRevision)}
		return s
	}),
	emit: emitter(func(b *batch, s *scalarState) {
		sendScalars(b, statefulSetScalars, s)
		b.send(statefulSetCurrentRevision, 1, s.id[0], s.id[1], s.extra[0])
		b.send(statefulSetUpdateRevision, 1, s.id[0], s.id[1], s.extra[1])
	}),
}
