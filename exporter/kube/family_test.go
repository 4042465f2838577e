package kube

import (
	"fmt"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiresource "k8s.io/apimachinery/pkg/api/resource"
)

func TestQuantities(t *testing.T) {
	f := func(withPods bool, want []string, kv ...string) {
		t.Helper()
		l := corev1.ResourceList{}
		for i := 0; i < len(kv); i += 2 {
			l[corev1.ResourceName(kv[i])] = apiresource.MustParse(kv[i+1])
		}
		var got []string
		for _, q := range quantities(l, withPods) {
			got = append(got, fmt.Sprintf("%s %s %g", q.resource.GetValue(), q.unit.GetValue(), q.value))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("quantities(%v) = %q, want %q", kv, got, want)
		}
	}
	f(false, []string{"cpu core 0.25", "memory byte 6.7108864e+07"}, "cpu", "250m", "memory", "64Mi")
	f(true, []string{"ephemeral_storage byte 1e+09", "hugepages_2Mi byte 4.194304e+06", "nvidia_com_gpu integer 2", "pods integer 110"},
		"pods", "110", "hugepages-2Mi", "4Mi", "nvidia.com/gpu", "2", "ephemeral-storage", "1G")
	// Pods only count for nodes; kubernetes.io-domain names are not vendor resources.
	f(false, nil, "pods", "110", "kubernetes.io/something", "1", "requests.cpu", "1")
	f(false, nil)
}
