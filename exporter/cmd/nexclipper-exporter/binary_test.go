package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// binaryPath is the exporter built once for the tests in this package.
var binaryPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nexclipper-exporter-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binaryPath = filepath.Join(dir, "nexclipper-exporter")
	build := exec.Command("go", "build", "-o", binaryPath, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build exporter:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Fixture trees shared with the collector packages' unit tests.
const (
	procFixture   = "../../node/testdata/proc"
	sysFixture    = "../../node/testdata/sys"
	rootfsFixture = "../../node/testdata/rootfs"
	cgroupFixture = "../../cgroup/testdata/"
)

func fixtureArgs(cgroupTree string) []string {
	return []string{
		"--path.procfs=" + procFixture, "--path.sysfs=" + sysFixture,
		"--path.rootfs=" + rootfsFixture, "--path.cgroupfs=" + cgroupFixture + cgroupTree,
	}
}

// exporter is a running binary.
type exporter struct {
	url string // http://127.0.0.1:port
	log *bytes.Buffer
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs the binary on a free 127.0.0.1 port and waits for /-/ready over
// scheme; it is stopped by PID when the test ends.
func start(t *testing.T, scheme string, client *http.Client, args ...string) *exporter {
	t.Helper()
	addr := freePort(t)
	var log bytes.Buffer
	cmd := exec.Command(binaryPath, append([]string{"--web.listen-address=" + addr}, args...)...)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	e := &exporter{url: scheme + "://" + addr, log: &log}
	if client == nil {
		client = http.DefaultClient
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("exporter exited early: %v\n%s", err, log.String())
		default:
		}
		resp, err := client.Get(e.url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return e
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("exporter not ready at %s:\n%s", e.url, log.String())
	return nil
}

func (e *exporter) scrape(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(e.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %d %v\n%s", resp.StatusCode, err, body)
	}
	return string(body)
}

func parseExposition(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse exposition: %v", err)
	}
	return families
}

// runExit runs the binary expecting it to exit by itself.
func runExit(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binaryPath, args...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}
