// Package e2e runs the built binaries against real peers: Debian's
// Prometheus 2.x (remote-write 1.0 sender), Prometheus 3.16 built from its Go
// module (remote-write 2.0 sender), and each other. Every process listens on
// 127.0.0.1 on a free port and is stopped by PID when its test ends.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the binaries built once for this package.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "nexclipper-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	for _, pkg := range []string{"exporter/cmd/nexclipper-exporter", "receiver/cmd/nexclipper-receiver"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, filepath.Base(pkg)), "./"+pkg)
		cmd.Dir = ".."
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build", pkg, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// syncBuffer is a log sink safe for the process's writer and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is a started binary.
type process struct {
	name   string
	addr   string
	cmd    *exec.Cmd
	log    *syncBuffer
	exited chan struct{}
}

// startProcess runs path with args, stopping it by PID at the end of the
// test. It does not wait for readiness.
func startProcess(t *testing.T, name, addr, path string, args ...string) *process {
	t.Helper()
	p := &process{name: name, addr: addr, log: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(path, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			p.signal(syscall.SIGKILL)
			<-p.exited
		}
		if t.Failed() {
			t.Logf("--- log of %s:\n%s", name, p.log.String())
		}
	})
	return p
}

func (p *process) signal(sig syscall.Signal) {
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Signal(sig)
	}
}

// kill9 kills the process with SIGKILL and waits for it to be gone.
func (p *process) kill9(t *testing.T) {
	t.Helper()
	p.signal(syscall.SIGKILL)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not die on SIGKILL", p.name)
	}
}

// waitHTTP polls url until it answers 200 or the deadline passes.
func (p *process) waitHTTP(t *testing.T, path string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			t.Fatalf("%s exited early:\n%s", p.name, p.log.String())
		default:
		}
		resp, err := http.Get("http://" + p.addr + path)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s not ready at %s after %s:\n%s", p.name, path, timeout, p.log.String())
}

func startExporter(t *testing.T, args ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	p := startProcess(t, "exporter", addr, filepath.Join(binDir, "nexclipper-exporter"), append([]string{"--web.listen-address=" + addr}, args...)...)
	p.waitHTTP(t, "/-/ready", 20*time.Second)
	return p
}

func startReceiver(t *testing.T, storage string, args ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	p := startProcess(t, "receiver", addr, filepath.Join(binDir, "nexclipper-receiver"),
		append([]string{"--web.listen-address=" + addr, "--storage.path=" + storage}, args...)...)
	p.waitHTTP(t, "/-/ready", 60*time.Second)
	return p
}

// apiResponse is Prometheus's JSON envelope.
type apiResponse struct {
	Status    string          `json:"status"`
	Data      json.RawMessage `json:"data"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
}

type vectorSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// queryAPI POSTs a query form to a Prometheus-compatible API endpoint at
// addr (query or query_range), requires the success envelope and the result
// type, and decodes the result into result.
func queryAPI(t *testing.T, addr, endpoint string, form url.Values, resultType string, result any) {
	t.Helper()
	resp, err := http.PostForm("http://"+addr+"/api/v1/"+endpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r apiResponse
	if err := json.Unmarshal(body, &r); err != nil || r.Status != "success" {
		t.Fatalf("%s %q at %s: %d %s", endpoint, form.Get("query"), addr, resp.StatusCode, body)
	}
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatal(err)
	}
	if data.ResultType != resultType {
		t.Fatalf("%s %q: result type %s, want %s", endpoint, form.Get("query"), data.ResultType, resultType)
	}
	if err := json.Unmarshal(data.Result, result); err != nil {
		t.Fatal(err)
	}
}

// instantQuery runs a PromQL instant query at addr and returns the vector.
func instantQuery(t *testing.T, addr, q string) []vectorSample {
	t.Helper()
	var out []vectorSample
	queryAPI(t, addr, "query", url.Values{"query": {q}}, "vector", &out)
	return out
}

// eventually polls cond until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func sampleValue(s vectorSample) string {
	v, _ := s.Value[1].(string)
	return strings.TrimSpace(v)
}

// startSelfScrape starts an exporter and a receiver that scrapes it every second
// from a standard scrape config (job nexclipper-exporter); it returns the receiver.
func startSelfScrape(t *testing.T) *process {
	t.Helper()
	exporter := startExporter(t)
	cfg := writeFile(t, t.TempDir(), "scrape.yml", fmt.Sprintf(`global:
  scrape_interval: 1s
scrape_configs:
  - job_name: nexclipper-exporter
    static_configs:
      - targets: [%q]
`, exporter.addr))
	return startReceiver(t, t.TempDir(), "--scrape.config-file="+cfg)
}
