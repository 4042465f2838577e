package kube

import (
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// jobState is what the job families read of a Job.
type jobState struct {
	scalarState
	failed   int32
	complete string // status of the Complete condition, "" when absent
	// failedCondition is the status of the Failed condition ("" when
	// absent) and failedReason its reason.
	failedCondition, failedReason string
}

var jobLabels = []string{"namespace", "job_name"}

// jobFailureReasons are the reasons kube_job_status_failed names; any other
// reason is reported as "" with the failed pod count.
var (
	jobFailureReasons     = [...]string{"BackoffLimitExceeded", "DeadlineExceeded", "Evicted"}
	jobFailureReasonPairs = valuePairs("reason", jobFailureReasons[:]...)
	noReason              = valuePair("reason", "")
)

var jobScalars = []scalar[batchv1.Job]{
	{gauge("kube_job_status_active", "The number of actively running pods.", jobLabels...),
		func(j *batchv1.Job) (float64, bool) { return count(j.Status.Active) }},
	{gauge("kube_job_status_succeeded", "The number of pods which reached Phase Succeeded.", jobLabels...),
		func(j *batchv1.Job) (float64, bool) { return count(j.Status.Succeeded) }},
	{gauge("kube_job_status_start_time", "StartTime represents time when the job was acknowledged by the Job Manager.", jobLabels...),
		func(j *batchv1.Job) (float64, bool) { return timestamp(j.Status.StartTime) }},
	{gauge("kube_job_status_completion_time", "CompletionTime represents time when the job was completed.", jobLabels...),
		func(j *batchv1.Job) (float64, bool) { return timestamp(j.Status.CompletionTime) }},
}

var (
	jobOwner = gauge("kube_job_owner", "Information about the Job's owner.",
		withLabels(jobLabels, "owner_kind", "owner_name", "owner_is_controller")...)
	jobStatusFailed = gauge("kube_job_status_failed", "The number of pods which reached Phase Failed and the reason for failure.",
		withLabels(jobLabels, "reason")...)
	jobComplete = gauge("kube_job_complete", "The job has completed its execution.", withLabels(jobLabels, "condition")...)
	jobFailed   = gauge("kube_job_failed", "The job has failed its execution.", withLabels(jobLabels, "condition")...)
)

var jobResource = &resource{
	Name:      "jobs",
	Group:     "batch",
	object:    &batchv1.Job{},
	list:      func() runtime.Object { return &batchv1.JobList{} },
	transform: trimmer(trimJob),
	emit:      emitter(emitJob),
}

func trimJob(j *batchv1.Job) *jobState {
	s := &jobState{
		scalarState: scalarState{ObjectMeta: objectMeta(&j.ObjectMeta), values: readScalars(jobScalars, j), owners: owners(j.OwnerReferences)},
		failed:      j.Status.Failed,
	}
	s.id = metaPairs(&s.ObjectMeta, "job_name")
	for _, c := range j.Status.Conditions {
		switch c.Type {
		case batchv1.JobComplete:
			s.complete = conditionStatus(corev1.ConditionStatus(c.Status))
		case batchv1.JobFailed:
			s.failedCondition, s.failedReason = conditionStatus(corev1.ConditionStatus(c.Status)), c.Reason
		}
	}
	return s
}

func emitJob(b *batch, j *jobState) {
	ns, name := j.id[0], j.id[1]
	sendOwners(b, jobOwner, j.owners, noOwnerEmpty, ns, name)
	sendScalars(b, jobScalars, &j.scalarState)
	if j.complete != "" {
		sendCondition(b, jobComplete, conditionPairs, j.complete, ns, name)
	}
	if j.failedCondition != "" {
		sendCondition(b, jobFailed, conditionPairs, j.failedCondition, ns, name)
	}
	emitJobFailed(b, j)
}

// emitJobFailed follows kube-state-metrics: 0 without a reason while no pod
// failed; with a Failed condition, one 0/1 series per known reason; the
// failed pod count under reason "" when the reason is none of those.
func emitJobFailed(b *batch, j *jobState) {
	ns, name := j.id[0], j.id[1]
	if j.failed == 0 {
		b.send(jobStatusFailed, 0, ns, name, noReason)
		return
	}
	known := false
	if j.failedCondition != "" {
		for i, r := range jobFailureReasons {
			known = known || r == j.failedReason
			b.send(jobStatusFailed, boolValue(r == j.failedReason), ns, name, jobFailureReasonPairs[i])
		}
	}
	if !known {
		b.send(jobStatusFailed, float64(j.failed), ns, name, noReason)
	}
}
