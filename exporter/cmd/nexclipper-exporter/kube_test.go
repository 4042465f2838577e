package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/nexclipper/nexclipper/e2e/kubetest"
	"github.com/nexclipper/nexclipper/exporter/kube/kubefixture"
)

// Pods and containers of the v1 cgroup fixture (exporter/cgroup/testdata/v1).
const (
	v1BurstablePodUID   = "6a1f0c2e-8d4b-4f7a-9c3e-2b5d7e9f1a04"
	v1BurstableID       = "b8225c1845d6306705e3e075acc01bd7ca9cadaac02f07f627edbf7c7cbe939f"
	v1BestEffortPodUID  = "b2c4e6f8-1a3c-4e5f-8a7b-9c0d1e2f3a4b"
	v1DockerContainerID = "44b317d826b2d53c344ee49e3fe4686613870c72d811dfd8ec1645d4579f6a47"
	hybridPodUID        = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
)

// kubeCluster is a real kube-apiserver holding kubefixture's Cluster in
// namespace "shop" on node "node-a", plus pod "cache-0" whose container
// "redis" is the v1 fixture's burstable container.
type kubeCluster struct {
	srv     *kubetest.Server
	fixture *kubefixture.Cluster
	cache   *corev1.Pod
}

func startKubeCluster(t *testing.T) *kubeCluster {
	t.Helper()
	srv := kubetest.Start(t)
	cfg, err := clientcmd.BuildConfigFromFlags("", srv.KubeconfigPath)
	if err != nil {
		t.Fatal(err)
	}
	client := kubernetes.NewForConfigOrDie(cfg)
	ctx := context.Background()
	f, err := kubefixture.NewCluster(ctx, client, "shop", "node-a")
	if err != nil {
		t.Fatal(err)
	}
	cache := kubefixture.Pod("shop", "cache-0", "node-a", "redis")
	if err := kubefixture.SetContainerID(cache, "redis", "containerd", v1BurstableID); err != nil {
		t.Fatal(err)
	}
	if err := kubefixture.Create(ctx, client, cache); err != nil {
		t.Fatal(err)
	}
	return &kubeCluster{srv: srv, fixture: f, cache: cache}
}

// clusterArgs run the binary in cluster mode as admin.
func (k *kubeCluster) clusterArgs() []string {
	return []string{"--kube.mode=cluster", "--kubeconfig=" + k.srv.KubeconfigPath}
}

// nodeArgs run the binary in node mode for node-a on a copy of a cgroup
// fixture tree whose pods are ours: in v1, the burstable pod is cache-0 and
// the best-effort pod is "pulling" (which reports no container ID), the
// Docker container is in no pod; in hybrid, the pod is cache-0 (a container
// it does not report).
func (k *kubeCluster) nodeArgs(t *testing.T, tree string) []string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cgroup")
	err := kubefixture.CgroupTree(dir, cgroupFixture+tree, map[string]string{
		v1BurstablePodUID:  string(k.cache.UID),
		v1BestEffortPodUID: string(k.fixture.Pulling.UID),
		hybridPodUID:       string(k.cache.UID),
	})
	if err != nil {
		t.Fatal(err)
	}
	args := fixtureArgs(tree)
	args[len(args)-1] = "--path.cgroupfs=" + dir
	return append(args, "--kube.mode=node", "--kube.node-name=node-a", "--kubeconfig="+k.srv.KubeconfigPath)
}

// scrapeWhenSynced scrapes until every kube collector reports success 1.
func scrapeWhenSynced(t *testing.T, e *exporter) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		text := e.scrape(t)
		if strings.Contains(text, `collector="kube`) && !kubeFailed(text) {
			return text
		}
		if time.Now().After(deadline) {
			t.Fatalf("kube collectors not synced after 30s:\n%s\n%s", grepLines(text, "collector_success"), e.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func kubeFailed(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, `nexclipper_scrape_collector_success{collector="kube`) && strings.HasSuffix(l, " 0") {
			return true
		}
	}
	return false
}

func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestKubeModes runs the binary in both modes against the real API server:
// cluster mode serves every resource, node mode labels the containers of
// pods it knows and leaves the others with their IDs only.
func TestKubeModes(t *testing.T) {
	k := startKubeCluster(t)
	cluster := parseExposition(t, scrapeWhenSynced(t, start(t, "http", nil, k.clusterArgs()...)))
	for _, name := range []string{"kube_pod_status_phase", "kube_node_status_condition", "kube_job_status_failed", "kube_cronjob_info", "kube_persistentvolumeclaim_status_phase"} {
		if cluster[name] == nil {
			t.Errorf("cluster mode lacks %s", name)
		}
	}
	node := parseExposition(t, scrapeWhenSynced(t, start(t, "http", nil, k.nodeArgs(t, "v1")...)))
	if node["kube_pod_status_phase"] != nil {
		t.Error("node mode serves object state, which is cluster mode's job")
	}
	want := map[string]string{
		v1BurstableID: "shop/cache-0/redis",
		"8402bfd873a39ffbc3a61c24c4769b80fbc7b929bec46d1d8f49f181306747b3": "shop/pulling/",
		v1DockerContainerID: "//",
	}
	got := map[string]string{}
	for _, m := range node["container_memory_usage_bytes"].GetMetric() {
		l := map[string]string{}
		for _, lp := range m.GetLabel() {
			l[lp.GetName()] = lp.GetValue()
		}
		got[l["container_id"]] = l["namespace"] + "/" + l["pod"] + "/" + l["container"]
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("container %s: namespace/pod/container %q, want %q", id[:12], got[id], w)
		}
	}
}

// With the API server unreachable at start the exporter serves the node and
// container metrics, and every kube collector reports success 0 with the
// connection error, until the server answers.
func TestKubeAPIServerDownAtStart(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(unreachableKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	e := start(t, "http", nil, append(fixtureArgs("v2"), "--kube.mode=cluster", "--kubeconfig="+kubeconfig)...)
	families := parseExposition(t, e.scrape(t))
	for _, name := range []string{"node_load1", "container_cpu_usage_seconds_total"} {
		if families[name] == nil {
			t.Errorf("%s missing while the API server is down", name)
		}
	}
	kube := 0
	for _, m := range families["nexclipper_scrape_collector_success"].GetMetric() {
		name, v := m.GetLabel()[0].GetValue(), m.GetGauge().GetValue()
		switch {
		case strings.HasPrefix(name, "kube_"):
			kube++
			if v != 0 {
				t.Errorf("collector %s reports success %v without an API server", name, v)
			}
		case v != 1:
			t.Errorf("collector %s failed", name)
		}
	}
	if kube != 10 {
		t.Errorf("%d kube collectors, want 10", kube)
	}
	for name := range families {
		if strings.HasPrefix(name, "kube_") {
			t.Errorf("%s served before any list succeeded", name)
		}
	}
}
