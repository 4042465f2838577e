package kube

import (
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

var cronJobLabels = []string{"namespace", "cronjob"}

var cronJobInfo = gauge("kube_cronjob_info", "Info about cronjob.",
	withLabels(cronJobLabels, "schedule", "concurrency_policy", "timezone")...)

var cronJobScalars = []scalar[batchv1.CronJob]{
	{gauge("kube_cronjob_spec_suspend", "Suspend flag tells the controller to suspend subsequent executions.", cronJobLabels...),
		func(c *batchv1.CronJob) (float64, bool) {
			return boolValue(c.Spec.Suspend != nil && *c.Spec.Suspend), true
		}},
	{gauge("kube_cronjob_status_active", "Active holds pointers to currently running jobs.", cronJobLabels...),
		func(c *batchv1.CronJob) (float64, bool) { return float64(len(c.Status.Active)), true }},
	{gauge("kube_cronjob_status_last_schedule_time", "LastScheduleTime keeps information of when was the last time the job was successfully scheduled.", cronJobLabels...),
		func(c *batchv1.CronJob) (float64, bool) { return timestamp(c.Status.LastScheduleTime) }},
	{gauge("kube_cronjob_status_last_successful_time", "LastSuccessfulTime keeps information of when was the last time the job was completed successfully.", cronJobLabels...),
		func(c *batchv1.CronJob) (float64, bool) { return timestamp(c.Status.LastSuccessfulTime) }},
}

var cronJobResource = &resource{
	Name:   "cronjobs",
	Group:  "batch",
	object: &batchv1.CronJob{},
	list:   func() runtime.Object { return &batchv1.CronJobList{} },
	transform: trimmer(func(c *batchv1.CronJob) *scalarState {
		tz := ""
		if c.Spec.TimeZone != nil {
			tz = *c.Spec.TimeZone
		}
		s := newScalarState(&c.ObjectMeta, "cronjob", cronJobScalars, c)
		// kube_cronjob_info's labels: namespace, cronjob, schedule, concurrency_policy, timezone.
		s.extra = append(s.id[:len(s.id):len(s.id)], valuePair("schedule", c.Spec.Schedule),
			valuePair("concurrency_policy", string(c.Spec.ConcurrencyPolicy)), valuePair("timezone", tz))
		return s
	}),
	emit: emitter(func(b *batch, s *scalarState) {
		b.send(cronJobInfo, 1, s.extra...)
		sendScalars(b, cronJobScalars, s)
	}),
}
