package kube

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/nexclipper/nexclipper/exporter/kube/kubefixture"
)

func TestPodLookup(t *testing.T) {
	web := kubefixture.Pod("shop", "web-0", "node-a", "nginx", "sidecar")
	web.UID = "11111111-2222-3333-4444-555555555555"
	web.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "init", ContainerID: "cri-o://" + kubefixture.ContainerID("init", 0)}}
	c := fake.NewClientset(web)
	l, err := NewPodLookup(fakeSource{c}, "node-a")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l.Start(ctx)
	waitFor(t, "the pod informer to sync", func() bool { return l.Collector().Update(ctx, nil) == nil })

	f := func(podUID, id, wantNS, wantPod, wantContainer string, wantOK bool) {
		t.Helper()
		ns, pod, container, ok := l.LookupContainer(podUID, id)
		if ns != wantNS || pod != wantPod || container != wantContainer || ok != wantOK {
			t.Errorf("LookupContainer(%q, %q) = %q, %q, %q, %v; want %q, %q, %q, %v",
				podUID, id, ns, pod, container, ok, wantNS, wantPod, wantContainer, wantOK)
		}
	}
	uid := string(web.UID)
	f(uid, kubefixture.ContainerID("web-0", 0), "shop", "web-0", "nginx", true)
	f(uid, kubefixture.ContainerID("web-0", 1), "shop", "web-0", "sidecar", true)
	f(uid, kubefixture.ContainerID("init", 0), "shop", "web-0", "init", true)
	f(uid, strings.Repeat("ab", 32), "shop", "web-0", "", true) // the sandbox
	f("", kubefixture.ContainerID("web-0", 1), "shop", "web-0", "sidecar", true)
	f("", strings.Repeat("cd", 32), "", "", "", false)
	f("99999999-2222-3333-4444-555555555555", kubefixture.ContainerID("web-0", 0), "", "", "", false)
	f("", "", "", "", "", false)
}

// Node mode asks the API server only for the pods of its node.
func TestPodLookupSelectsOwnNode(t *testing.T) {
	c := fake.NewClientset()
	var selectors []string
	c.PrependReactor("list", "pods", func(a k8stesting.Action) (bool, runtime.Object, error) {
		selectors = append(selectors, a.(k8stesting.ListAction).GetListRestrictions().Fields.String())
		return true, &corev1.PodList{ListMeta: metav1.ListMeta{ResourceVersion: "1"}}, nil
	})
	l, err := NewPodLookup(fakeSource{c}, "node-a")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l.Start(ctx)
	waitFor(t, "the pod informer to sync", func() bool { return l.Collector().Update(ctx, nil) == nil })
	if len(selectors) == 0 || selectors[0] != "spec.nodeName=node-a" {
		t.Errorf("list field selectors %q, want spec.nodeName=node-a", selectors)
	}
	if _, err := NewPodLookup(fakeSource{c}, ""); err != ErrNoNodeName {
		t.Errorf("NewPodLookup without node name: %v, want ErrNoNodeName", err)
	}
}
