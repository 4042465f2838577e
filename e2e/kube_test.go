package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"

	"github.com/nexclipper/nexclipper/e2e/kubetest"
	"github.com/nexclipper/nexclipper/exporter/kube/kubefixture"
)

// kubeEnv is a real kube-apiserver with the shipped RBAC manifests applied.
type kubeEnv struct {
	srv   *kubetest.Server
	admin kubernetes.Interface
}

func startKube(t *testing.T) *kubeEnv {
	t.Helper()
	srv := kubetest.Start(t)
	cfg, err := clientcmd.BuildConfigFromFlags("", srv.KubeconfigPath)
	if err != nil {
		t.Fatal(err)
	}
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Fatal("kubectl not found (Debian package kubernetes-client)")
	}
	out, err := exec.Command(kubectl, "--kubeconfig", srv.KubeconfigPath, "apply", "-k", "../deploy/kubernetes/rbac").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl apply -k deploy/kubernetes/rbac: %v\n%s", err, out)
	}
	return &kubeEnv{srv: srv, admin: kubernetes.NewForConfigOrDie(cfg)}
}

// exporter starts the exporter with a token of ServiceAccount sa (in
// namespace nexclipper), never as admin.
func (k *kubeEnv) exporter(t *testing.T, sa string, args ...string) *process {
	t.Helper()
	tr, err := k.admin.CoreV1().ServiceAccounts("nexclipper").CreateToken(context.Background(), sa,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(3600))}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("TokenRequest for %s: %v", sa, err)
	}
	return startExporter(t, append([]string{"--kubeconfig=" + k.srv.KubeconfigFor(t, tr.Status.Token)}, args...)...)
}

// families scrapes p's /metrics.
func families(t *testing.T, p *process) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + p.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

func labelMap(m *dto.Metric) map[string]string {
	l := map[string]string{}
	for _, lp := range m.GetLabel() {
		l[lp.GetName()] = lp.GetValue()
	}
	return l
}

// matching returns the series of name whose labels include kv (name, value pairs).
func matching(fams map[string]*dto.MetricFamily, name string, kv ...string) []*dto.Metric {
	var out []*dto.Metric
	for _, m := range fams[name].GetMetric() {
		l, ok := labelMap(m), true
		for i := 0; i+1 < len(kv); i += 2 {
			ok = ok && l[kv[i]] == kv[i+1]
		}
		if ok {
			out = append(out, m)
		}
	}
	return out
}

func seriesValue(m *dto.Metric) float64 {
	if m.GetCounter() != nil {
		return m.GetCounter().GetValue()
	}
	return m.GetGauge().GetValue()
}

// expect is one series the scrape must hold with a value; absent expects
// that no series matches.
type expect struct {
	name   string
	labels []string
	value  float64
	absent bool
}

func (e expect) String() string {
	if e.absent {
		return fmt.Sprintf("no %s%v", e.name, e.labels)
	}
	return fmt.Sprintf("%s%v = %v", e.name, e.labels, e.value)
}

// unmet returns the expectations the scrape does not meet, with what it has.
func unmet(fams map[string]*dto.MetricFamily, want []expect) []string {
	var out []string
	for _, e := range want {
		ms := matching(fams, e.name, e.labels...)
		switch {
		case e.absent && len(ms) > 0:
			out = append(out, fmt.Sprintf("%v: found %d series", e, len(ms)))
		case e.absent:
		case len(ms) != 1:
			out = append(out, fmt.Sprintf("%v: %d series match", e, len(ms)))
		case seriesValue(ms[0]) != e.value:
			out = append(out, fmt.Sprintf("%v: value %v", e, seriesValue(ms[0])))
		}
	}
	return out
}

// waitFor scrapes until every expectation holds, failing after 30 s with
// what is still unmet.
func waitFor(t *testing.T, p *process, what string, want []expect) map[string]*dto.MetricFamily {
	t.Helper()
	var last []string
	var fams map[string]*dto.MetricFamily
	eventuallyOr(t, 30*time.Second, func() bool {
		fams = families(t, p)
		last = unmet(fams, want)
		return len(last) == 0
	}, func() string { return what + ":\n  " + strings.Join(last, "\n  ") })
	return fams
}

func eventuallyOr(t *testing.T, timeout time.Duration, cond func() bool, why func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, why())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func collectorsUp(names ...string) []expect {
	var out []expect
	for _, n := range names {
		out = append(out, expect{name: "nexclipper_scrape_collector_success", labels: []string{"collector", n}, value: 1})
	}
	return out
}

var kubeCollectors = []string{"kube_nodes", "kube_namespaces", "kube_pods", "kube_deployments", "kube_replicasets",
	"kube_daemonsets", "kube_statefulsets", "kube_jobs", "kube_cronjobs", "kube_persistentvolumeclaims"}

// TestKubeClusterMode runs the exporter in cluster mode under the shipped
// ClusterRole's ServiceAccount: the series of every kind of object with the
// values the objects hold, then the series following updates and deletes.
func TestKubeClusterMode(t *testing.T) {
	k := startKube(t)
	ctx := context.Background()
	f, err := kubefixture.NewCluster(ctx, k.admin, "shop", "node-a")
	if err != nil {
		t.Fatal(err)
	}
	// Two identical pods, one with 300 labels and 200 KB of annotations.
	plain, huge := kubefixture.Pod("shop", "plain", "node-a"), kubefixture.Pod("shop", "huge", "node-a")
	huge.Annotations = map[string]string{}
	for i := 0; i < 300; i++ {
		huge.Labels[fmt.Sprintf("example.com/key-%03d", i)] = strings.Repeat("v", 63)
		if i < 40 { // the API server takes at most 256 KiB of annotations
			huge.Annotations[fmt.Sprintf("example.com/note-%03d", i)] = strings.Repeat("a", 5000)
		}
	}
	doomed := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "doomed"}}
	for _, obj := range []any{plain, huge, doomed} {
		if err := kubefixture.Create(ctx, k.admin, obj); err != nil {
			t.Fatal(err)
		}
	}
	p := k.exporter(t, "nexclipper-exporter-cluster", "--kube.mode=cluster")
	crash, pulling, web := f.Crash.Name, f.Pulling.Name, f.WebPod.Name
	fams := waitFor(t, p, "the fixture's series", append(collectorsUp(kubeCollectors...), []expect{
		{name: "kube_node_status_condition", labels: []string{"node", "node-a", "condition", "Ready", "status", "true"}, value: 1},
		{name: "kube_node_status_allocatable", labels: []string{"node", "node-a", "resource", "cpu", "unit", "core"}, value: 3.5},
		{name: "kube_node_status_allocatable", labels: []string{"node", "node-a", "resource", "memory"}, value: 15 << 30},
		{name: "kube_node_info", labels: []string{"node", "node-a", "kubelet_version", "v1.37.2", "internal_ip", "10.0.0.1"}, value: 1},
		{name: "kube_namespace_status_phase", labels: []string{"namespace", "shop", "phase", "Active"}, value: 1},
		{name: "kube_pod_status_phase", labels: []string{"pod", crash, "phase", "Running"}, value: 1},
		{name: "kube_pod_status_phase", labels: []string{"pod", pulling, "phase", "Pending"}, value: 1},
		{name: "kube_pod_status_ready", labels: []string{"pod", crash, "condition", "false"}, value: 1},
		{name: "kube_pod_status_ready", labels: []string{"pod", web, "condition", "true"}, value: 1},
		{name: "kube_pod_container_status_restarts_total", labels: []string{"pod", crash, "container", "app", "uid", string(f.Crash.UID)}, value: 4},
		{name: "kube_pod_container_status_waiting_reason", labels: []string{"pod", crash, "reason", "CrashLoopBackOff"}, value: 1},
		{name: "kube_pod_container_status_waiting_reason", labels: []string{"pod", pulling, "reason", "ImagePullBackOff"}, value: 1},
		{name: "kube_pod_container_status_waiting_reason", labels: []string{"pod", web}, absent: true},
		{name: "kube_pod_container_status_last_terminated_reason", labels: []string{"pod", crash, "reason", "OOMKilled"}, value: 1},
		{name: "kube_pod_container_resource_requests", labels: []string{"pod", web, "resource", "cpu", "unit", "core", "node", "node-a"}, value: 0.25},
		{name: "kube_pod_container_resource_requests", labels: []string{"pod", web, "resource", "memory", "unit", "byte"}, value: 64 << 20},
		{name: "kube_pod_container_resource_limits", labels: []string{"pod", web, "resource", "cpu"}, value: 0.5},
		{name: "kube_pod_owner", labels: []string{"pod", web, "owner_kind", "ReplicaSet", "owner_name", f.WebRS.Name, "owner_is_controller", "true"}, value: 1},
		{name: "kube_pod_info", labels: []string{"pod", web, "created_by_kind", "ReplicaSet", "node", "node-a"}, value: 1},
		{name: "kube_replicaset_owner", labels: []string{"replicaset", f.WebRS.Name, "owner_kind", "Deployment", "owner_name", "web"}, value: 1},
		{name: "kube_deployment_spec_replicas", labels: []string{"namespace", "shop", "deployment", "web"}, value: 3},
		{name: "kube_deployment_status_replicas_available", labels: []string{"deployment", "web"}, value: 2},
		{name: "kube_deployment_status_replicas_updated", labels: []string{"deployment", "web"}, value: 3},
		{name: "kube_daemonset_status_desired_number_scheduled", labels: []string{"daemonset", "agent"}, value: 3},
		{name: "kube_daemonset_status_number_available", labels: []string{"daemonset", "agent"}, value: 2},
		{name: "kube_daemonset_status_updated_number_scheduled", labels: []string{"daemonset", "agent"}, value: 3},
		{name: "kube_statefulset_replicas", labels: []string{"statefulset", "db"}, value: 2},
		{name: "kube_statefulset_status_replicas_ready", labels: []string{"statefulset", "db"}, value: 1},
		{name: "kube_statefulset_status_replicas_updated", labels: []string{"statefulset", "db"}, value: 2},
		{name: "kube_job_status_succeeded", labels: []string{"job_name", f.Done.Name}, value: 5},
		{name: "kube_job_status_failed", labels: []string{"job_name", "migrate", "reason", "BackoffLimitExceeded"}, value: 1},
		{name: "kube_job_owner", labels: []string{"job_name", f.Done.Name, "owner_kind", "CronJob", "owner_name", "nightly"}, value: 1},
		{name: "kube_cronjob_info", labels: []string{"cronjob", "nightly", "schedule", "0 3 * * *", "concurrency_policy", "Forbid"}, value: 1},
		{name: "kube_persistentvolumeclaim_status_phase", labels: []string{"persistentvolumeclaim", "data", "phase", "Bound"}, value: 1},
		{name: "kube_persistentvolumeclaim_status_phase", labels: []string{"persistentvolumeclaim", "claim", "phase", "Pending"}, value: 1},
		{name: "kube_persistentvolumeclaim_resource_requests_storage_bytes", labels: []string{"persistentvolumeclaim", "data"}, value: 10 << 30},
	}...))
	// Bounded output: the pod with 300 labels has exactly the plain pod's series.
	count := func(pod string) (n int) {
		for name := range fams {
			n += len(matching(fams, name, "pod", pod))
		}
		return n
	}
	if a, b := count("plain"), count("huge"); a == 0 || a != b {
		t.Errorf("pod with 300 labels has %d series, the plain pod %d", b, a)
	}

	// Updates and deletes, as a kubelet and the controllers would make them.
	f.Crash.Status.ContainerStatuses[0].RestartCount = 5
	kubefixture.SetNodeCondition(f.Node, corev1.NodeReady, corev1.ConditionFalse)
	f.Claim.Status.Phase = corev1.ClaimBound
	for _, obj := range []any{f.Crash, f.Node, f.Claim} {
		if err := kubefixture.UpdateStatus(ctx, k.admin, obj); err != nil {
			t.Fatal(err)
		}
	}
	f.Web.Spec.Replicas = ptr.To(int32(5))
	if _, err := k.admin.AppsV1().Deployments("shop").Update(ctx, f.Web, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := kubefixture.DeletePod(ctx, k.admin, f.Pulling); err != nil {
		t.Fatal(err)
	}
	// Background: the default for jobs (orphan) adds a finalizer that only
	// the garbage collector, absent here, would remove.
	background := metav1.DeletePropagationBackground
	if err := k.admin.BatchV1().Jobs("shop").Delete(ctx, "migrate", metav1.DeleteOptions{PropagationPolicy: &background}); err != nil {
		t.Fatal(err)
	}
	// Without a namespace controller the namespace stays Terminating.
	if err := k.admin.CoreV1().Namespaces().Delete(ctx, "doomed", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, p, "the series after updates and deletes", []expect{
		{name: "kube_pod_container_status_restarts_total", labels: []string{"pod", crash, "container", "app"}, value: 5},
		{name: "kube_node_status_condition", labels: []string{"node", "node-a", "condition", "Ready", "status", "false"}, value: 1},
		{name: "kube_persistentvolumeclaim_status_phase", labels: []string{"persistentvolumeclaim", "claim", "phase", "Bound"}, value: 1},
		{name: "kube_deployment_spec_replicas", labels: []string{"deployment", "web"}, value: 5},
		{name: "kube_namespace_status_phase", labels: []string{"namespace", "doomed", "phase", "Terminating"}, value: 1},
		{name: "kube_pod_info", labels: []string{"pod", pulling}, absent: true},
		{name: "kube_pod_status_phase", labels: []string{"pod", pulling}, absent: true},
		{name: "kube_job_status_failed", labels: []string{"job_name", "migrate"}, absent: true},
	})
}

// TestKubeForbiddenResource takes cronjobs out of the shipped ClusterRole:
// that collector reports success 0 and serves nothing, the others work.
func TestKubeForbiddenResource(t *testing.T) {
	k := startKube(t)
	ctx := context.Background()
	if _, err := kubefixture.NewCluster(ctx, k.admin, "shop", "node-a"); err != nil {
		t.Fatal(err)
	}
	role, err := k.admin.RbacV1().ClusterRoles().Get(ctx, "nexclipper-exporter-cluster", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	limited := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "no-cronjobs"}}
	for _, r := range role.Rules {
		r.Resources = slices.DeleteFunc(slices.Clone(r.Resources), func(s string) bool { return s == "cronjobs" })
		limited.Rules = append(limited.Rules, r)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "nexclipper", Name: "no-cronjobs"}}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "no-cronjobs"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "no-cronjobs"},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: "nexclipper", Name: "no-cronjobs"}},
	}
	if _, err := k.admin.RbacV1().ClusterRoles().Create(ctx, limited, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.admin.CoreV1().ServiceAccounts("nexclipper").Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.admin.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p := k.exporter(t, "no-cronjobs", "--kube.mode=cluster")
	others := slices.DeleteFunc(slices.Clone(kubeCollectors), func(s string) bool { return s == "kube_cronjobs" })
	fams := waitFor(t, p, "every resource but cronjobs", append(collectorsUp(others...),
		expect{name: "nexclipper_scrape_collector_success", labels: []string{"collector", "kube_cronjobs"}, value: 0},
		expect{name: "kube_job_status_succeeded", labels: []string{"job_name", "nightly-29000000"}, value: 5},
		expect{name: "kube_cronjob_info", absent: true},
	))
	for name := range fams {
		if strings.HasPrefix(name, "kube_cronjob_") {
			t.Errorf("forbidden resource serves %s", name)
		}
	}
	if log := p.log.String(); !strings.Contains(log, "forbidden") {
		t.Errorf("log does not name the RBAC error:\n%s", log)
	}
}

// TestKubeAPIServerRestart stops the API server under a synced exporter:
// the cached state stays served with success 0, and once the same server
// is back the informers reconnect and follow new objects.
func TestKubeAPIServerRestart(t *testing.T) {
	k := startKube(t)
	ctx := context.Background()
	f, err := kubefixture.NewCluster(ctx, k.admin, "shop", "node-a")
	if err != nil {
		t.Fatal(err)
	}
	p := k.exporter(t, "nexclipper-exporter-cluster", "--kube.mode=cluster")
	web := []string{"pod", f.WebPod.Name}
	waitFor(t, p, "sync", append(collectorsUp(kubeCollectors...), expect{name: "kube_pod_info", labels: web, value: 1}))

	cmdline := stopAPIServer(t, k.srv.Dir)
	waitFor(t, p, "pods to report the lost server while serving the cache", []expect{
		{name: "nexclipper_scrape_collector_success", labels: []string{"collector", "kube_pods"}, value: 0},
		{name: "kube_pod_info", labels: web, value: 1},
	})
	restartAPIServer(t, k.srv.Dir, cmdline, k.admin)
	late := kubefixture.Pod("shop", "late", "node-a")
	if err := kubefixture.Create(ctx, k.admin, late); err != nil {
		t.Fatal(err)
	}
	waitFor(t, p, "reconnect", append(collectorsUp(kubeCollectors...),
		expect{name: "kube_pod_info", labels: []string{"pod", "late"}, value: 1}))
}

// stopAPIServer stops the kube-apiserver that kubetest started in dir and
// returns its command line.
func stopAPIServer(t *testing.T, dir string) []string {
	t.Helper()
	pid := apiServerPID(t, dir)
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatal(err)
	}
	cmdline := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
	// As kubeapi.sh stop: SIGTERM, SIGKILL when open watches keep it
	// draining for long.
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	gone := func() bool { return syscall.Kill(pid, 0) != nil || isZombie(pid) }
	for deadline := time.Now().Add(10 * time.Second); !gone() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if !gone() {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	eventuallyOr(t, 30*time.Second, gone, func() string { return "kube-apiserver to exit" })
	return cmdline
}

func isZombie(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(stat)
	return strings.Contains(s[strings.LastIndex(s, ")"):], ") Z")
}

// restartAPIServer starts cmdline again (same port, certificates, etcd) and
// records the new PID in dir/pids so that kubetest's cleanup stops it.
func restartAPIServer(t *testing.T, dir string, cmdline []string, admin kubernetes.Interface) {
	t.Helper()
	log, err := os.OpenFile(filepath.Join(dir, "kube-apiserver.log"), os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(cmdline[0], cmdline[1:]...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait() }()
	pids, err := os.OpenFile(filepath.Join(dir, "pids"), os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(pids, "kube-apiserver %d\n", cmd.Process.Pid)
	pids.Close()
	eventuallyOr(t, 60*time.Second, func() bool {
		body, err := admin.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(context.Background())
		return err == nil && string(body) == "ok"
	}, func() string { return "the restarted kube-apiserver to be ready" })
}

func apiServerPID(t *testing.T, dir string) int {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "pids"))
	if err != nil {
		t.Fatal(err)
	}
	pid := 0
	for _, line := range strings.Split(string(raw), "\n") {
		if name, p, ok := strings.Cut(line, " "); ok && name == "kube-apiserver" {
			pid, _ = strconv.Atoi(p)
		}
	}
	if pid == 0 {
		t.Fatalf("no kube-apiserver in %s/pids", dir)
	}
	return pid
}

// TestKubeNodeMode runs the exporter as the DaemonSet of node-a on a cgroup
// fixture tree whose pods exist in the API server: containers of pods bound
// to node-a get namespace, pod and container; the pod bound to node-b is not
// watched (field selector), and a container outside pods keeps its ID only.
func TestKubeNodeMode(t *testing.T) {
	k := startKube(t)
	ctx := context.Background()
	if err := kubefixture.Namespace(ctx, k.admin, "shop"); err != nil {
		t.Fatal(err)
	}
	const (
		fixtureBurstablePod  = "6a1f0c2e-8d4b-4f7a-9c3e-2b5d7e9f1a04"
		fixtureBurstableID   = "b8225c1845d6306705e3e075acc01bd7ca9cadaac02f07f627edbf7c7cbe939f"
		fixtureBestEffortPod = "b2c4e6f8-1a3c-4e5f-8a7b-9c0d1e2f3a4b"
		fixtureBestEffortID  = "8402bfd873a39ffbc3a61c24c4769b80fbc7b929bec46d1d8f49f181306747b3"
		fixtureDockerID      = "44b317d826b2d53c344ee49e3fe4686613870c72d811dfd8ec1645d4579f6a47"
	)
	mine := kubefixture.Pod("shop", "cache-0", "node-a", "redis")
	elsewhere := kubefixture.Pod("shop", "batch-0", "node-b", "worker")
	if err := kubefixture.SetContainerID(mine, "redis", "containerd", fixtureBurstableID); err != nil {
		t.Fatal(err)
	}
	if err := kubefixture.SetContainerID(elsewhere, "worker", "containerd", fixtureBestEffortID); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*corev1.Pod{mine, elsewhere} {
		if err := kubefixture.Create(ctx, k.admin, p); err != nil {
			t.Fatal(err)
		}
	}
	tree := filepath.Join(t.TempDir(), "cgroup")
	err := kubefixture.CgroupTree(tree, "../exporter/cgroup/testdata/v1",
		map[string]string{fixtureBurstablePod: string(mine.UID), fixtureBestEffortPod: string(elsewhere.UID)})
	if err != nil {
		t.Fatal(err)
	}
	p := k.exporter(t, "nexclipper-exporter-node", "--kube.mode=node", "--kube.node-name=node-a", "--path.cgroupfs="+tree)
	const usage = "container_memory_usage_bytes"
	waitFor(t, p, "pod labels on container series", append(collectorsUp("kube", "cgroup"), []expect{
		{name: usage, labels: []string{"container_id", fixtureBurstableID, "pod_uid", string(mine.UID), "namespace", "shop", "pod", "cache-0", "container", "redis"}, value: 200 << 20},
		{name: usage, labels: []string{"container_id", fixtureBestEffortID, "pod_uid", string(elsewhere.UID), "namespace", "", "pod", "", "container", ""}, value: 20 << 20},
		{name: usage, labels: []string{"container_id", fixtureDockerID, "pod_uid", "", "namespace", "", "pod", "", "container", ""}, value: 100 << 20},
		{name: "kube_pod_info", absent: true},
	}...))
}
