package kube

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

var deploymentLabels = []string{"namespace", "deployment"}

var deploymentScalars = []scalar[appsv1.Deployment]{
	{gauge("kube_deployment_spec_replicas", "Number of desired pods for a deployment.", deploymentLabels...),
		func(d *appsv1.Deployment) (float64, bool) { return optional(d.Spec.Replicas) }},
	{gauge("kube_deployment_status_replicas", "The number of replicas per deployment.", deploymentLabels...),
		func(d *appsv1.Deployment) (float64, bool) { return count(d.Status.Replicas) }},
	{gauge("kube_deployment_status_replicas_ready", "The number of ready replicas per deployment.", deploymentLabels...),
		func(d *appsv1.Deployment) (float64, bool) { return count(d.Status.ReadyReplicas) }},
	{gauge("kube_deployment_status_replicas_available", "The number of available replicas per deployment.", deploymentLabels...),
		func(d *appsv1.Deployment) (float64, bool) { return count(d.Status.AvailableReplicas) }},
	{gauge("kube_deployment_status_replicas_unavailable", "The number of unavailable replicas per deployment.", deploymentLabels...),
		func(d *appsv1.Deployment) (float64, bool) { return count(d.Status.UnavailableReplicas) }},
	{gauge("kube_deployment_status_replicas_updated", "The number of updated replicas per deployment.", deploymentLabels...),
		func(d *appsv1.Deployment) (float64, bool) { return count(d.Status.UpdatedReplicas) }},
	{gauge("kube_deployment_metadata_generation", "Sequence number representing a specific generation of the desired state.", deploymentLabels...),
		func(d *appsv1.Deployment) (float64, bool) { return count64(d.Generation) }},
	{gauge("kube_deployment_status_observed_generation", "The generation observed by the deployment controller.", deploymentLabels...),
		func(d *appsv1.Deployment) (float64, bool) { return count64(d.Status.ObservedGeneration) }},
}

var deploymentResource = &resource{
	Name:   "deployments",
	Group:  "apps",
	object: &appsv1.Deployment{},
	list:   func() runtime.Object { return &appsv1.DeploymentList{} },
	transform: trimmer(func(d *appsv1.Deployment) *scalarState {
		return newScalarState(&d.ObjectMeta, "deployment", deploymentScalars, d)
	}),
	emit: emitter(func(b *batch, s *scalarState) {
		sendScalars(b, deploymentScalars, s)
	}),
}
