package kube

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// family is one metric family: kube-state-metrics's name, help and label
// names. The object's own labels (namespace, pod, ...) come first.
type family struct {
	desc       *prometheus.Desc
	name, help string
	typ        prometheus.ValueType
	perm       []int // perm[i]: index in the declared order of the i-th label by name
}

func newFamily(name, help string, typ prometheus.ValueType, labels []string) *family {
	f := &family{desc: prometheus.NewDesc(name, help, labels, nil), name: name, help: help, typ: typ, perm: make([]int, len(labels))}
	for i := range f.perm {
		f.perm[i] = i
	}
	slices.SortFunc(f.perm, func(a, b int) int { return strings.Compare(labels[a], labels[b]) })
	return f
}

func gauge(name, help string, labels ...string) *family {
	return newFamily(name, help, prometheus.GaugeValue, labels)
}

func counter(name, help string, labels ...string) *family {
	return newFamily(name, help, prometheus.CounterValue, labels)
}

// withLabels appends extra label names to base without sharing its array.
func withLabels(base []string, extra ...string) []string {
	return append(append(make([]string, 0, len(base)+len(extra)), base...), extra...)
}

// Label pairs. A series is sent as the *dto.LabelPair of each of its labels.
// The transforms build an object's pairs once, when the informer stores it,
// with values that point into the trimmed state; every series of the object
// and every scrape share them, so a scrape allocates no label at all. The
// registry and the encoders only read pairs.

var labelNames sync.Map // label name -> *string, shared by all pairs

func labelName(n string) *string {
	if p, ok := labelNames.Load(n); ok {
		return p.(*string)
	}
	p, _ := labelNames.LoadOrStore(n, &n)
	return p.(*string)
}

// pair is the label name=*value.
func pair(name string, value *string) *dto.LabelPair {
	return &dto.LabelPair{Name: labelName(name), Value: value}
}

// valuePair is the label name=value, for a value no state holds. Free
// text from the API (reasons, condition types) is made valid UTF-8, which
// the exposition formats require.
func valuePair(name, value string) *dto.LabelPair {
	value = strings.ToValidUTF8(value, "\uFFFD")
	return pair(name, &value)
}

// valuePairs are the pairs name=v for each of values, in order.
func valuePairs(name string, values ...string) []*dto.LabelPair {
	out := make([]*dto.LabelPair, len(values))
	for i, v := range values {
		out[i] = valuePair(name, v)
	}
	return out
}

// metaPairs are namespace (when namespaced) and name pairs of an object.
func metaPairs(m *metav1.ObjectMeta, nameLabel string) []*dto.LabelPair {
	if m.Namespace == "" {
		return []*dto.LabelPair{pair(nameLabel, &m.Name)}
	}
	return []*dto.LabelPair{pair("namespace", &m.Namespace), pair(nameLabel, &m.Name)}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// conditionStatuses are the values of kube-state-metrics's status/condition
// label for a Kubernetes condition: one series each, 1 for the current one.
var conditionStatuses = [...]string{"true", "false", "unknown"}

var (
	conditionPairs = valuePairs("condition", conditionStatuses[:]...)
	statusPairs    = valuePairs("status", conditionStatuses[:]...)
)

// conditionStatus lowercases a ConditionStatus as kube-state-metrics does;
// anything but True/False is "unknown".
func conditionStatus(s corev1.ConditionStatus) string {
	switch s {
	case corev1.ConditionTrue:
		return "true"
	case corev1.ConditionFalse:
		return "false"
	}
	return "unknown"
}

// sendCondition emits the three series of one condition: labels, then one
// of statuses (conditionPairs or statusPairs).
func sendCondition(b *batch, f *family, statuses []*dto.LabelPair, status string, labels ...*dto.LabelPair) {
	values := append(labels, nil)
	for i, s := range conditionStatuses {
		values[len(values)-1] = statuses[i]
		b.send(f, boolValue(s == status), values...)
	}
}

// owner is one owner reference as the *_owner families report it:
// owner_kind, owner_name, owner_is_controller.
type owner struct {
	kind, name, controller string
	pairs                  [3]*dto.LabelPair
	isController           bool
}

func owners(refs []metav1.OwnerReference) []*owner {
	if len(refs) == 0 {
		return nil
	}
	out := make([]*owner, len(refs))
	for i, r := range refs {
		isController := r.Controller != nil && *r.Controller
		o := &owner{kind: r.Kind, name: r.Name, controller: strconv.FormatBool(isController), isController: isController}
		o.pairs = [3]*dto.LabelPair{pair("owner_kind", &o.kind), pair("owner_name", &o.name), pair("owner_is_controller", &o.controller)}
		out[i] = o
	}
	return out
}

// controllerOf returns the owner that is the controller, if any.
func controllerOf(os []*owner) *owner {
	for _, o := range os {
		if o.isController {
			return o
		}
	}
	return nil
}

// The owner labels of an object without owners: kube-state-metrics writes
// "<none>" for pods and replicasets, "" for jobs.
var (
	noOwnerNone  = [3]*dto.LabelPair{valuePair("owner_kind", "<none>"), valuePair("owner_name", "<none>"), valuePair("owner_is_controller", "<none>")}
	noOwnerEmpty = [3]*dto.LabelPair{valuePair("owner_kind", ""), valuePair("owner_name", ""), valuePair("owner_is_controller", "")}
)

// sendOwners emits one series per owner, or one with none when there is
// no owner.
func sendOwners(b *batch, f *family, os []*owner, none [3]*dto.LabelPair, labels ...*dto.LabelPair) {
	values := append(labels, nil, nil, nil)
	n := len(labels)
	if len(os) == 0 {
		copy(values[n:], none[:])
		b.send(f, 1, values...)
		return
	}
	for _, o := range os {
		copy(values[n:], o.pairs[:])
		b.send(f, 1, values...)
	}
}

// quantity is one entry of a resource list (requests, limits, allocatable)
// with kube-state-metrics's resource and unit labels.
type quantity struct {
	resource, unit *dto.LabelPair
	value          float64
}

// Units of the unit label.
var (
	unitCore    = valuePair("unit", "core")
	unitByte    = valuePair("unit", "byte")
	unitInteger = valuePair("unit", "integer")
)

// quantities converts a resource list the way kube-state-metrics does: CPU
// in cores, memory, storage and hugepages in bytes, pods and extended
// resources (vendor-domain names such as nvidia.com/gpu) as integers. Other
// names are dropped, which keeps the resource label bounded.
func quantities(list corev1.ResourceList, withPods bool) []quantity {
	if len(list) == 0 {
		return nil
	}
	out := make([]quantity, 0, len(list))
	for name, q := range list {
		n := string(name)
		switch {
		case name == corev1.ResourceCPU:
			out = append(out, quantity{valuePair("resource", "cpu"), unitCore, float64(q.MilliValue()) / 1000})
		case name == corev1.ResourceMemory || name == corev1.ResourceStorage || name == corev1.ResourceEphemeralStorage ||
			strings.HasPrefix(n, corev1.ResourceHugePagesPrefix):
			out = append(out, quantity{valuePair("resource", sanitize(n)), unitByte, float64(q.Value())})
		case withPods && name == corev1.ResourcePods:
			out = append(out, quantity{valuePair("resource", "pods"), unitInteger, float64(q.Value())})
		case isExtendedResource(n):
			out = append(out, quantity{valuePair("resource", sanitize(n)), unitInteger, float64(q.Value())})
		}
	}
	return out
}

// isExtendedResource reports a vendor resource: a domain-qualified name
// outside kubernetes.io, as the scheduler defines it.
func isExtendedResource(name string) bool {
	domain, _, ok := strings.Cut(name, "/")
	return ok && domain != "kubernetes.io" && !strings.HasSuffix(domain, ".kubernetes.io") && !strings.HasPrefix(name, corev1.ResourceDefaultNamespacePrefix)
}

// sanitize turns a resource name into a label value the way
// kube-state-metrics does: every character outside [a-zA-Z0-9_] becomes _.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '_'
	}, s)
}
