package kube

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

var replicaSetLabels = []string{"namespace", "replicaset"}

var replicaSetOwner = gauge("kube_replicaset_owner", "Information about the ReplicaSet's owner.",
	withLabels(replicaSetLabels, "owner_kind", "owner_name", "owner_is_controller")...)

var replicaSetScalars = []scalar[appsv1.ReplicaSet]{
	{gauge("kube_replicaset_spec_replicas", "Number of desired pods for a ReplicaSet.", replicaSetLabels...),
		func(r *appsv1.ReplicaSet) (float64, bool) { return optional(r.Spec.Replicas) }},
	{gauge("kube_replicaset_status_replicas", "The number of replicas per ReplicaSet.", replicaSetLabels...),
		func(r *appsv1.ReplicaSet) (float64, bool) { return count(r.Status.Replicas) }},
	{gauge("kube_replicaset_status_ready_replicas", "The number of ready replicas per ReplicaSet.", replicaSetLabels...),
		func(r *appsv1.ReplicaSet) (float64, bool) { return count(r.Status.ReadyReplicas) }},
}

var replicaSetResource = &resource{
	Name:   "replicasets",
	Group:  "apps",
	object: &appsv1.ReplicaSet{},
	list:   func() runtime.Object { return &appsv1.ReplicaSetList{} },
	transform: trimmer(func(r *appsv1.ReplicaSet) *scalarState {
		s := newScalarState(&r.ObjectMeta, "replicaset", replicaSetScalars, r)
		s.owners = owners(r.OwnerReferences)
		return s
	}),
	emit: emitter(func(b *batch, s *scalarState) {
		sendOwners(b, replicaSetOwner, s.owners, noOwnerNone, s.id...)
		sendScalars(b, replicaSetScalars, s)
	}),
}
