package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// unreachableKubeconfig points at a port nothing listens on.
const unreachableKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: t}
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`

// Mistakes in flags fail at start with a message naming the flag, not as
// silent ErrNoData at scrape time.
func TestBadFlagsFailAtStart(t *testing.T) {
	t.Setenv("NODE_NAME", "")
	// A kubeconfig for a server that does not exist: the client is built
	// without contacting it, so only the flags are checked.
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(unreachableKubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--collector.nosuch"}, []string{`unknown collector "nosuch"`, "known collectors: cgroup, cpu,"}},
		{[]string{"--no-collector.cpus"}, []string{`unknown collector "cpus"`}},
		{[]string{"--collector.netdev.bogus-option=x"}, []string{"unknown long flag '--collector.netdev.bogus-option'"}},
		{[]string{"--path.procfs=/nonexistent/proc"}, []string{"--path.procfs=/nonexistent/proc", "no such file or directory"}},
		{[]string{"--path.procfs=" + sysFixture}, []string{"does not look like a procfs mount"}},
		{[]string{"--path.cgroupfs=/nonexistent/cgroup"}, []string{"--path.cgroupfs=/nonexistent/cgroup"}},
		{[]string{"--path.rootfs=binary_test.go"}, []string{"--path.rootfs=binary_test.go: not a directory"}},
		{[]string{"--collector.diskstats.device-exclude=("}, []string{"invalid regexp"}},
		{[]string{"--collector.timeout=soon"}, []string{"collector.timeout"}},
		{[]string{"--kube.mode=yes"}, []string{"--kube.mode=yes: want one of off, cluster, node"}},
		{[]string{"--kube.mode=node"}, []string{"--kube.mode=node: node mode needs the node name", "NODE_NAME"}},
		{[]string{"--kubeconfig=" + kubeconfig}, []string{"has no effect with --kube.mode=off"}},
		{[]string{"--kube.resources=pods"}, []string{"--kube.resources applies to --kube.mode=cluster only"}},
		{[]string{"--kube.mode=cluster", "--kubeconfig=/nonexistent/kubeconfig"}, []string{"--kubeconfig=/nonexistent/kubeconfig"}},
		{[]string{"--kube.mode=cluster", "--kubeconfig=" + kubeconfig, "--kube.resources=pods,secrets"},
			[]string{`--kube.resources=pods,secrets: unknown resource "secrets"`, "known resources: nodes, namespaces, pods"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out := runExit(t, append(tc.args, "--web.listen-address=127.0.0.1:0")...)
			if code != 2 {
				t.Errorf("exit code %d, want 2; output:\n%s", code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestHelpListsEveryCollectorFlag(t *testing.T) {
	code, out := runExit(t, "--help")
	if code != 0 {
		t.Fatalf("--help exit %d:\n%s", code, out)
	}
	for _, name := range collectorTable(&config{enabled: map[string]*bool{}}).Names() {
		if !strings.Contains(out, "--[no-]collector."+name) {
			t.Errorf("--help lacks --[no-]collector.%s", name)
		}
	}
	for _, f := range []string{"--path.procfs", "--path.sysfs", "--path.rootfs", "--path.cgroupfs", "--web.listen-address", "--web.config.file", "--log.level", "--log.format", "--collector.timeout",
		"--kube.mode=off", "--kubeconfig", "--kube.node-name", "($NODE_NAME)", "--kube.resources"} {
		if !strings.Contains(out, f) {
			t.Errorf("--help lacks %s", f)
		}
	}
	if code, out := runExit(t, "--version"); code != 0 || !strings.Contains(out, "nexclipper-exporter, version") {
		t.Errorf("--version: exit %d\n%s", code, out)
	}
}

// --collector.disable-defaults (node_exporter's flag) runs only the
// collectors named by their own flags: the cluster-mode Deployment reads no host.
func TestDisableDefaults(t *testing.T) {
	e := start(t, "http", nil, append(fixtureArgs("v2"), "--collector.disable-defaults", "--collector.loadavg")...)
	var ran []string
	for _, m := range parseExposition(t, e.scrape(t))["nexclipper_scrape_collector_success"].GetMetric() {
		ran = append(ran, m.GetLabel()[0].GetValue())
	}
	if strings.Join(ran, ",") != "loadavg" {
		t.Errorf("collectors %v, want only loadavg", ran)
	}
}
