package e2e

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nexclipper/nexclipper/e2e/kubetest"
	"github.com/prometheus/prometheus/config"
	// Registers kubernetes_sd_configs with the config loader, as promtool does.
	_ "github.com/prometheus/prometheus/discovery/kubernetes"
	"sigs.k8s.io/yaml"
)

// tool returns the path of a pinned tool the Makefile installs and names in env.
func tool(t *testing.T, env string) string {
	t.Helper()
	p := os.Getenv(env)
	if p == "" {
		t.Fatalf("%s is not set: `make test` builds the tool and sets it", env)
	}
	return p
}

func run(t *testing.T, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Dir = ".."
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.Bytes()
}

// renders are every kustomize overlay and helm values example, rendered.
func renders(t *testing.T) map[string][]byte {
	t.Helper()
	kustomize, helm := tool(t, "NEXCLIPPER_KUSTOMIZE"), tool(t, "NEXCLIPPER_HELM")
	out := map[string][]byte{}
	overlays, _ := filepath.Glob("../deploy/kubernetes/overlays/*")
	for _, o := range overlays {
		out["kustomize "+filepath.Base(o)] = run(t, nil, kustomize, "build", strings.TrimPrefix(o, "../"))
	}
	values, _ := filepath.Glob("../deploy/helm/nexclipper/ci/*-values.yaml")
	for _, v := range values {
		out["helm "+filepath.Base(v)] = run(t, nil, helm, "template", "nexclipper", "deploy/helm/nexclipper",
			"--namespace", "nexclipper-helm", "--kube-version", "1.37.2", "--values", strings.TrimPrefix(v, "../"))
	}
	if len(overlays) < 2 || len(values) < 3 {
		t.Fatalf("found %d overlays and %d values examples; expected the shipped ones", len(overlays), len(values))
	}
	return out
}

// The manifests render, the real API server accepts each of them (dry run,
// then for real; each render is an alternative install, so each gets its own
// API server), and the exporters' ServiceAccounts can read what they watch and
// nothing else.
func TestDeployManifestsAgainstAPIServer(t *testing.T) {
	for name, y := range renders(t) {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			if !bytes.Contains(y, []byte("kind: ")) {
				t.Fatalf("%s rendered nothing", name)
			}
			srv := kubetest.Start(t)
			kubectl := func(stdin []byte, args ...string) []byte {
				t.Helper()
				return run(t, stdin, "kubectl", append([]string{"--kubeconfig", srv.KubeconfigPath}, args...)...)
			}
			// A server-side dry run of a fresh install cannot create the namespace
			// its objects go into: the namespaces exist first, as after `kubectl create ns`.
			kubectl(nil, "create", "namespace", "nexclipper")
			kubectl(nil, "create", "namespace", "nexclipper-helm")
			kubectl(nil, "apply", "-f", "e2e/testdata/servicemonitor-crd.yaml")
			kubectl(nil, "wait", "--for=condition=Established", "crd/servicemonitors.monitoring.coreos.com", "--timeout=60s")
			kubectl(y, "apply", "--dry-run=server", "-f", "-")
			kubectl(y, "apply", "-f", "-")
			ns := "nexclipper"
			if strings.HasPrefix(name, "helm") {
				ns = "nexclipper-helm"
			}
			cluster := bytes.Contains(y, []byte("name: nexclipper-exporter-cluster\n"))
			node := bytes.Contains(y, []byte("name: nexclipper-exporter-node\n"))
			if cluster {
				checkClusterRBAC(t, srv.KubeconfigPath, ns+":nexclipper-exporter-cluster")
			}
			if node {
				checkNodeRBAC(t, srv.KubeconfigPath, ns+":nexclipper-exporter-node")
			}
			if !strings.Contains(name, "receiver-only") && !(cluster && node) {
				t.Errorf("%s: exporter ServiceAccounts not found (cluster %v, node %v); their RBAC went unchecked", name, cluster, node)
			}
		})
	}
}

// canI asks the API server whether ServiceAccount sa (namespace:name) may verb resource.
func canI(t *testing.T, kubeconfig, sa, verb, resource string) bool {
	t.Helper()
	out, _ := exec.Command("kubectl", "--kubeconfig", kubeconfig, "auth", "can-i", verb, resource, "--all-namespaces",
		"--as=system:serviceaccount:"+sa).Output() // exit status 1 means "no"
	return strings.TrimSpace(string(out)) == "yes"
}

// forbidden are requests neither exporter mode may make.
var forbidden = [][2]string{{"list", "secrets"}, {"get", "configmaps"}, {"create", "pods"}, {"delete", "pods"},
	{"update", "deployments.apps"}, {"list", "services"}, {"list", "endpoints"}, {"create", "serviceaccounts/token"}}

func checkClusterRBAC(t *testing.T, kubeconfig, sa string) {
	t.Helper()
	for _, res := range []string{"nodes", "namespaces", "pods", "persistentvolumeclaims", "deployments.apps", "replicasets.apps",
		"daemonsets.apps", "statefulsets.apps", "jobs.batch", "cronjobs.batch"} {
		for _, verb := range []string{"list", "watch", "get"} {
			if !canI(t, kubeconfig, sa, verb, res) {
				t.Errorf("%s cannot %s %s; cluster mode watches it", sa, verb, res)
			}
		}
	}
	for _, f := range forbidden {
		if canI(t, kubeconfig, sa, f[0], f[1]) {
			t.Errorf("%s may %s %s; it must not", sa, f[0], f[1])
		}
	}
}

func checkNodeRBAC(t *testing.T, kubeconfig, sa string) {
	t.Helper()
	if !canI(t, kubeconfig, sa, "watch", "pods") || !canI(t, kubeconfig, sa, "list", "pods") {
		t.Errorf("%s cannot list/watch pods; node mode watches its node's pods", sa)
	}
	for _, f := range append(forbidden, [2]string{"list", "nodes"}, [2]string{"list", "deployments.apps"}) {
		if canI(t, kubeconfig, sa, f[0], f[1]) {
			t.Errorf("%s may %s %s; it must not", sa, f[0], f[1])
		}
	}
}

// The Prometheus snippets are valid configurations: Prometheus's own loader, and
// promtool check config of Prometheus 3.16.
func TestPrometheusSnippets(t *testing.T) {
	for _, f := range []string{"prometheus-rw1.yml", "prometheus-rw2.yml"} {
		path := filepath.Join("..", "deploy", "prometheus", f)
		cfg, err := config.LoadFile(path, false, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(cfg.RemoteWriteConfigs) != 1 || !strings.Contains(cfg.RemoteWriteConfigs[0].URL.String(), "nexclipper-receiver.nexclipper.svc:9911/api/v1/write") {
			t.Errorf("%s: remote_write does not point at the receiver Service", f)
		}
		wantMsg := map[string]string{"prometheus-rw1.yml": "prometheus.WriteRequest", "prometheus-rw2.yml": "io.prometheus.write.v2.Request"}[f]
		if got := string(cfg.RemoteWriteConfigs[0].ProtobufMessage); got != wantMsg {
			t.Errorf("%s: remote-write message %q, want %q", f, got, wantMsg)
		}
		if len(cfg.ScrapeConfigs) != 1 || cfg.ScrapeConfigs[0].JobName != "nexclipper-exporter" {
			t.Errorf("%s: want the one nexclipper-exporter scrape job", f)
		}
	}
	// Debian's promtool is built without Kubernetes discovery: use 3.16's.
	promtool := tool(t, "NEXCLIPPER_PROMTOOL3")
	for _, f := range []string{"prometheus-rw1.yml", "prometheus-rw2.yml"} {
		out, err := exec.Command(promtool, "check", "config", "../deploy/prometheus/"+f).CombinedOutput()
		if err != nil {
			t.Errorf("promtool check config %s: %v\n%s", f, err, out)
		}
	}
}

// The Grafana provisioning files parse and name the plugin and data source right.
func TestGrafanaProvisioning(t *testing.T) {
	var plugin struct{ ID, Type string }
	b, err := os.ReadFile("../grafana-plugin/src/plugin.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &plugin); err != nil {
		t.Fatal(err)
	}
	var apps struct {
		APIVersion int `json:"apiVersion"`
		Apps       []struct {
			Type     string         `json:"type"`
			JSONData map[string]any `json:"jsonData"`
		} `json:"apps"`
	}
	readYAML(t, "../deploy/grafana/provisioning/plugins/nexclipper.yaml", &apps)
	if apps.APIVersion != 1 || len(apps.Apps) != 1 || apps.Apps[0].Type != plugin.ID || plugin.Type != "app" {
		t.Errorf("plugin provisioning names %+v; plugin.json is %s (%s)", apps, plugin.ID, plugin.Type)
	}
	var ds struct {
		APIVersion  int `json:"apiVersion"`
		Datasources []struct {
			UID, Type, URL, Access string
		} `json:"datasources"`
	}
	for _, f := range []string{"../deploy/grafana/provisioning/datasources/nexclipper.yaml", "../deploy/docker/grafana-datasource.yaml"} {
		readYAML(t, f, &ds)
		if ds.APIVersion != 1 || len(ds.Datasources) != 1 || ds.Datasources[0].Type != "prometheus" || !strings.Contains(ds.Datasources[0].URL, ":9911") {
			t.Errorf("%s: %+v; want one prometheus data source on the receiver's port", f, ds)
		}
		if uid, _ := apps.Apps[0].JSONData["datasourceUid"].(string); uid != ds.Datasources[0].UID {
			t.Errorf("%s: data source uid %q, the app is provisioned with %q", f, ds.Datasources[0].UID, uid)
		}
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(b, v); err != nil {
		// Fields we do not model are fine; only syntax errors are not.
		if err := yaml.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}

// Every container of ours in the rendered manifests runs with flags our binaries
// accept: each binary parses them (kingpin rejects an unknown flag or a bad
// value before --version prints).
func TestManifestArgsAreValidFlags(t *testing.T) {
	binaries := map[string]string{
		"nexclipper/nexclipper-exporter": filepath.Join(binDir, "nexclipper-exporter"),
		"nexclipper/nexclipper-receiver": filepath.Join(binDir, "nexclipper-receiver"),
	}
	checked := 0
	for name, y := range renders(t) {
		for _, doc := range bytes.Split(y, []byte("\n---\n")) {
			var obj struct {
				Kind string `json:"kind"`
				Spec struct {
					Template struct {
						Spec struct {
							Containers []struct {
								Name  string   `json:"name"`
								Image string   `json:"image"`
								Args  []string `json:"args"`
							} `json:"containers"`
						} `json:"spec"`
					} `json:"template"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal(doc, &obj); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, c := range obj.Spec.Template.Spec.Containers {
				// registry.example.com/nexclipper/nexclipper-receiver:0.1.0 → nexclipper/nexclipper-receiver
				i := strings.Index(c.Image, "nexclipper/nexclipper-")
				if i < 0 {
					continue
				}
				repo, _, _ := strings.Cut(c.Image[i:], ":")
				bin, ok := binaries[repo]
				if !ok {
					continue
				}
				out, err := exec.Command(bin, append(c.Args, "--version")...).CombinedOutput()
				if err != nil {
					t.Errorf("%s: %s %s: flags rejected: %v\n%s", name, obj.Kind, c.Name, err, out)
				}
				checked++
			}
		}
	}
	if checked < 10 {
		t.Errorf("checked %d containers; expected every exporter and receiver of every render", checked)
	}
}
