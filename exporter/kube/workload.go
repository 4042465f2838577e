package kube

import (
	"math"

	dto "github.com/prometheus/client_model/go"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// scalar is a family with one value per object (kube_deployment_spec_replicas
// and most workload families): how to read the value from the typed object.
type scalar[T any] struct {
	f     *family
	value func(*T) (v float64, ok bool)
}

// scalarState is the trimmed state of an object whose families are scalars:
// one value per family of its resource's table, NaN when absent.
type scalarState struct {
	metav1.ObjectMeta
	values []float64
	id     []*dto.LabelPair // namespace and name: the first labels of every series
	owners []*owner         // replicasets and jobs
	extra  []*dto.LabelPair // resource-specific labels (revisions, schedule, ...)
}

// newScalarState trims an object of a resource whose name label is
// nameLabel ("deployment", "job_name", ...) and whose scalars are table.
func newScalarState[T any](m *metav1.ObjectMeta, nameLabel string, table []scalar[T], obj *T) *scalarState {
	s := &scalarState{ObjectMeta: objectMeta(m), values: readScalars(table, obj)}
	s.id = metaPairs(&s.ObjectMeta, nameLabel)
	return s
}

// readScalars reads every scalar of table from obj.
func readScalars[T any](table []scalar[T], obj *T) []float64 {
	out := make([]float64, len(table))
	for i, s := range table {
		v, ok := s.value(obj)
		if !ok {
			v = math.NaN()
		}
		out[i] = v
	}
	return out
}

// sendScalars emits the present values of s with the object's labels.
func sendScalars[T any](b *batch, table []scalar[T], s *scalarState) {
	for i, sc := range table {
		if i < len(s.values) && !math.IsNaN(s.values[i]) {
			b.send(sc.f, s.values[i], s.id...)
		}
	}
}

func count(v int32) (float64, bool) { return float64(v), true }

func count64(v int64) (float64, bool) { return float64(v), true }

func optional(p *int32) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return float64(*p), true
}

func timestamp(t *metav1.Time) (float64, bool) {
	if t == nil || t.IsZero() {
		return 0, false
	}
	return float64(t.Unix()), true
}
