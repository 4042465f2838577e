package kube

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

var daemonSetLabels = []string{"namespace", "daemonset"}

var daemonSetScalars = []scalar[appsv1.DaemonSet]{
	{gauge("kube_daemonset_status_current_number_scheduled", "The number of nodes running at least one daemon pod and are supposed to.", daemonSetLabels...),
		func(d *appsv1.DaemonSet) (float64, bool) { return count(d.Status.CurrentNumberScheduled) }},
	{gauge("kube_daemonset_status_desired_number_scheduled", "The number of nodes that should be running the daemon pod.", daemonSetLabels...),
		func(d *appsv1.DaemonSet) (float64, bool) { return count(d.Status.DesiredNumberScheduled) }},
	{gauge("kube_daemonset_status_number_available", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.", daemonSetLabels...),
		func(d *appsv1.DaemonSet) (float64, bool) { return count(d.Status.NumberAvailable) }},
	{gauge("kube_daemonset_status_number_misscheduled", "The number of nodes running a daemon pod but are not supposed to.", daemonSetLabels...),
		func(d *appsv1.DaemonSet) (float64, bool) { return count(d.Status.NumberMisscheduled) }},
	{gauge("kube_daemonset_status_number_ready", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.", daemonSetLabels...),
		func(d *appsv1.DaemonSet) (float64, bool) { return count(d.Status.NumberReady) }},
	{gauge("kube_daemonset_status_number_unavailable", "The number of nodes that should be running the daemon pod and have none of the daemon pod running and available.", daemonSetLabels...),
		func(d *appsv1.DaemonSet) (float64, bool) { return count(d.Status.NumberUnavailable) }},
	{gauge("kube_daemonset_status_updated_number_scheduled", "The total number of nodes that are running updated daemon pod.", daemonSetLabels...),
		func(d *appsv1.DaemonSet) (float64, bool) { return count(d.Status.UpdatedNumberScheduled) }},
	{gauge("kube_daemonset_metadata_generation", "Sequence number representing a specific generation of the desired state.", daemonSetLabels...),
		func(d *appsv1.DaemonSet) (float64, bool) { return count64(d.Generation) }},
	{gauge("kube_daemonset_status_observed_generation", "The most recent generation observed by the daemon set controller.", daemonSetLabels...),
		func(d *appsv1.DaemonSet) (float64, bool) { return count64(d.Status.ObservedGeneration) }},
}

var daemonSetResource = &resource{
	Name:   "daemonsets",
	Group:  "apps",
	object: &appsv1.DaemonSet{},
	list:   func() runtime.Object { return &appsv1.DaemonSetList{} },
	transform: trimmer(func(d *appsv1.DaemonSet) *scalarState {
		return newScalarState(&d.ObjectMeta, "daemonset", daemonSetScalars, d)
	}),
	emit: emitter(func(b *batch, s *scalarState) {
		sendScalars(b, daemonSetScalars, s)
	}),
}
