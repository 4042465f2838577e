package kube

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// The kube families pass `promtool check metrics` without findings (the
// exposition of testdata/cluster.golden has every family).
func TestPromtoolClean(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatal("promtool not found: `make deps` installs it (Debian package prometheus)")
	}
	golden, err := os.Open("testdata/cluster.golden")
	if err != nil {
		t.Fatal(err)
	}
	defer golden.Close()
	cmd := exec.Command(promtool, "check", "metrics")
	var out bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = golden, &out, &out
	if err := cmd.Run(); err != nil || out.Len() > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out.String())
	}
}
