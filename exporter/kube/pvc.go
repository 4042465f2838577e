package kube

import (
	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// pvcState is what the PVC families read of a PersistentVolumeClaim.
type pvcState struct {
	metav1.ObjectMeta
	id                                   []*dto.LabelPair // namespace, persistentvolumeclaim
	info                                 []*dto.LabelPair // id, storageclass, volumename, volumemode
	storageClass, volumeName, volumeMode string
	phase                                corev1.PersistentVolumeClaimPhase
	requested                            float64 // bytes, when hasRequest
	hasRequest                           bool
}

var pvcLabels = []string{"namespace", "persistentvolumeclaim"}

// pvcPhases are the values of kube_persistentvolumeclaim_status_phase's phase label.
var (
	pvcPhases     = [...]corev1.PersistentVolumeClaimPhase{corev1.ClaimLost, corev1.ClaimBound, corev1.ClaimPending}
	pvcPhasePairs = valuePairs("phase", "Lost", "Bound", "Pending")
)

var (
	pvcInfo = gauge("kube_persistentvolumeclaim_info", "Information about persistent volume claim.",
		withLabels(pvcLabels, "storageclass", "volumename", "volumemode")...)
	pvcPhase = gauge("kube_persistentvolumeclaim_status_phase", "The phase the persistent volume claim is currently in.",
		withLabels(pvcLabels, "phase")...)
	pvcRequest = gauge("kube_persistentvolumeclaim_resource_requests_storage_bytes",
		"The capacity of storage requested by the persistent volume claim.", pvcLabels...)
)

var pvcResource = &resource{
	Name:      "persistentvolumeclaims",
	object:    &corev1.PersistentVolumeClaim{},
	list:      func() runtime.Object { return &corev1.PersistentVolumeClaimList{} },
	transform: trimmer(trimPVC),
	emit:      emitter(emitPVC),
}

func trimPVC(p *corev1.PersistentVolumeClaim) *pvcState {
	s := &pvcState{ObjectMeta: objectMeta(&p.ObjectMeta), volumeName: p.Spec.VolumeName, phase: p.Status.Phase}
	if p.Spec.StorageClassName != nil {
		s.storageClass = *p.Spec.StorageClassName
	}
	if p.Spec.VolumeMode != nil {
		s.volumeMode = string(*p.Spec.VolumeMode)
	}
	if q, ok := p.Spec.Resources.Requests[corev1.ResourceStorage]; ok {
		s.requested, s.hasRequest = float64(q.Value()), true
	}
	s.id = metaPairs(&s.ObjectMeta, "persistentvolumeclaim")
	s.info = append(s.id[:2:2], pair("storageclass", &s.storageClass), pair("volumename", &s.volumeName), pair("volumemode", &s.volumeMode))
	return s
}

func emitPVC(b *batch, p *pvcState) {
	b.send(pvcInfo, 1, p.info...)
	if p.phase != "" {
		for i, ph := range pvcPhases {
			b.send(pvcPhase, boolValue(ph == p.phase), p.id[0], p.id[1], pvcPhasePairs[i])
		}
	}
	if p.hasRequest {
		b.send(pvcRequest, p.requested, p.id...)
	}
}
