package kubefixture

import (
	"context"
	"fmt"
	"reflect"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Create creates obj and then writes its status through the status
// subresource (the API server ignores status on create). obj is updated in
// place to the stored object, with its UID and resourceVersion.
func Create(ctx context.Context, c kubernetes.Interface, obj any) error {
	var err error
	switch o := obj.(type) {
	case *corev1.Node:
		err = createWithStatus(ctx, o, c.CoreV1().Nodes().Create, c.CoreV1().Nodes().UpdateStatus)
	case *corev1.Namespace:
		err = createWithStatus(ctx, o, c.CoreV1().Namespaces().Create, nil)
	case *corev1.Pod:
		p := c.CoreV1().Pods(o.Namespace)
		err = createWithStatus(ctx, o, p.Create, p.UpdateStatus)
	case *corev1.PersistentVolumeClaim:
		p := c.CoreV1().PersistentVolumeClaims(o.Namespace)
		err = createWithStatus(ctx, o, p.Create, p.UpdateStatus)
	case *appsv1.Deployment:
		d := c.AppsV1().Deployments(o.Namespace)
		err = createWithStatus(ctx, o, d.Create, d.UpdateStatus)
	case *appsv1.ReplicaSet:
		r := c.AppsV1().ReplicaSets(o.Namespace)
		err = createWithStatus(ctx, o, r.Create, r.UpdateStatus)
	case *appsv1.DaemonSet:
		d := c.AppsV1().DaemonSets(o.Namespace)
		err = createWithStatus(ctx, o, d.Create, d.UpdateStatus)
	case *appsv1.StatefulSet:
		s := c.AppsV1().StatefulSets(o.Namespace)
		err = createWithStatus(ctx, o, s.Create, s.UpdateStatus)
	case *batchv1.Job:
		j := c.BatchV1().Jobs(o.Namespace)
		err = createWithStatus(ctx, o, j.Create, j.UpdateStatus)
	case *batchv1.CronJob:
		j := c.BatchV1().CronJobs(o.Namespace)
		err = createWithStatus(ctx, o, j.Create, j.UpdateStatus)
	default:
		return fmt.Errorf("kubefixture: cannot create %T", obj)
	}
	if err != nil {
		return fmt.Errorf("kubefixture: create %T %s: %w", obj, name(obj), err)
	}
	return nil
}

// UpdateStatus writes obj's status (obj as returned by Create, or a fresh
// Get); obj is updated in place.
func UpdateStatus(ctx context.Context, c kubernetes.Interface, obj any) error {
	var err error
	switch o := obj.(type) {
	case *corev1.Node:
		err = update(ctx, o, c.CoreV1().Nodes().UpdateStatus)
	case *corev1.Pod:
		err = update(ctx, o, c.CoreV1().Pods(o.Namespace).UpdateStatus)
	case *corev1.PersistentVolumeClaim:
		err = update(ctx, o, c.CoreV1().PersistentVolumeClaims(o.Namespace).UpdateStatus)
	case *appsv1.Deployment:
		err = update(ctx, o, c.AppsV1().Deployments(o.Namespace).UpdateStatus)
	case *appsv1.ReplicaSet:
		err = update(ctx, o, c.AppsV1().ReplicaSets(o.Namespace).UpdateStatus)
	case *appsv1.DaemonSet:
		err = update(ctx, o, c.AppsV1().DaemonSets(o.Namespace).UpdateStatus)
	case *appsv1.StatefulSet:
		err = update(ctx, o, c.AppsV1().StatefulSets(o.Namespace).UpdateStatus)
	case *batchv1.Job:
		err = update(ctx, o, c.BatchV1().Jobs(o.Namespace).UpdateStatus)
	case *batchv1.CronJob:
		err = update(ctx, o, c.BatchV1().CronJobs(o.Namespace).UpdateStatus)
	default:
		return fmt.Errorf("kubefixture: cannot update the status of %T", obj)
	}
	if err != nil {
		return fmt.Errorf("kubefixture: update status of %T %s: %w", obj, name(obj), err)
	}
	return nil
}

// object is a pointer to an API type whose status Create copies.
type object[T any] interface {
	*T
	metav1.Object
}

func createWithStatus[T any, P object[T]](ctx context.Context, obj P,
	create func(context.Context, P, metav1.CreateOptions) (P, error),
	updateStatus func(context.Context, P, metav1.UpdateOptions) (P, error)) error {
	status := reflect.ValueOf(obj).Elem().FieldByName("Status")
	wanted := reflect.New(status.Type()).Elem()
	wanted.Set(status)
	created, err := create(ctx, obj, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	*obj = *created
	if updateStatus == nil {
		return nil
	}
	// The stored object (defaulted spec, server metadata) with the wanted status.
	reflect.ValueOf(obj).Elem().FieldByName("Status").Set(wanted)
	return update(ctx, obj, updateStatus)
}

func update[T any, P object[T]](ctx context.Context, obj P, updateStatus func(context.Context, P, metav1.UpdateOptions) (P, error)) error {
	out, err := updateStatus(ctx, obj, metav1.UpdateOptions{})
	if err != nil {
		return err
	}
	*obj = *out
	return nil
}

func name(obj any) string {
	if o, ok := obj.(metav1.Object); ok {
		if o.GetNamespace() == "" {
			return o.GetName()
		}
		return o.GetNamespace() + "/" + o.GetName()
	}
	return "?"
}
