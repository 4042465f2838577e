// Package kubetest starts a real kube-apiserver (v1.37.2) backed by a real etcd
// (v3.6.16) for one test, on 127.0.0.1 ports chosen by the kernel.
//
// Contract:
//   - The binaries are built once per machine, outside the checkout, with
//     `bash e2e/kubeapi/kubeapi.sh build` from the repository root. Start does not
//     build them and does not skip: without them the test fails with that command.
//   - Start runs `kubeapi.sh start` in a fresh t.TempDir and returns once /readyz
//     answers ok (about 3 s). t.Cleanup stops exactly the processes it started.
//     If the test binary dies before its cleanups run (a -timeout panic, a kill),
//     a watchdog started with the servers stops them within a second.
//   - The server authenticates bearer tokens only (anonymous requests get 401):
//     AdminToken belongs to a user in system:masters; ServiceAccount tokens come
//     from the TokenRequest API. Authorization is RBAC.
//   - There is no controller-manager, scheduler or kubelet: tests create objects
//     and set their status themselves. Namespaces are never finalized, so use a
//     fresh namespace per test.
//   - Every Start is an independent server; tests calling it may run in parallel
//     (each costs about 300 MB of memory).
package kubetest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// BuildCommand builds the binaries that Start needs; run it from the repository root.
const BuildCommand = "bash e2e/kubeapi/kubeapi.sh build"

// script is the helper that starts and stops the servers, relative to the repository root.
const script = "e2e/kubeapi/kubeapi.sh"

// exitMissingBinaries is kubeapi.sh's exit status when a binary is not built.
const exitMissingBinaries = 3

// Server is a running kube-apiserver with its etcd.
type Server struct {
	// URL is the apiserver's base URL, https://127.0.0.1:PORT.
	URL string
	// AdminToken is a bearer token of user "admin" in group system:masters.
	AdminToken string
	// CAFile is the PEM file of the self-signed serving certificate; trust it to
	// reach URL.
	CAFile string
	// KubeconfigPath is a kubeconfig for URL with AdminToken.
	KubeconfigPath string
	// Dir holds the servers' data, certificates and logs (etcd.log, kube-apiserver.log).
	Dir string
}

// Start starts etcd and kube-apiserver for t and stops them in t.Cleanup.
// It calls t.Fatalf when they cannot start, with BuildCommand when the binaries are missing.
func Start(t testing.TB) *Server {
	t.Helper()
	sh, err := findScript()
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("bash", sh, "start", dir)
	cmd.Env = append(os.Environ(), "KUBEAPI_OWNER_PID="+strconv.Itoa(os.Getpid()))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.ExitCode() == exitMissingBinaries {
		t.Fatalf("kubetest: kube-apiserver/etcd are not built; run from the repository root:\n\t%s\n%s",
			BuildCommand, stderr.String())
	}
	// Registered even after a failed start: stop is a no-op once nothing is left.
	t.Cleanup(func() {
		out, err := exec.Command("bash", sh, "stop", dir).CombinedOutput()
		if err != nil {
			t.Errorf("kubetest: %s stop %s: %v\n%s", sh, dir, err, out)
		}
	})
	if err != nil {
		t.Fatalf("kubetest: %s start %s: %v\n%s", sh, dir, err, stderr.String())
	}
	env, err := readEnv(filepath.Join(dir, "env"))
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	s := &Server{
		URL:            env["KUBE_APISERVER_URL"],
		AdminToken:     env["KUBE_ADMIN_TOKEN"],
		CAFile:         env["KUBE_CA_FILE"],
		KubeconfigPath: env["KUBECONFIG"],
		Dir:            dir,
	}
	if s.URL == "" || s.AdminToken == "" || s.CAFile == "" || s.KubeconfigPath == "" {
		t.Fatalf("kubetest: %s/env lacks a value: %v", dir, env)
	}
	return s
}

// KubeconfigFor writes a kubeconfig for the server with the bearer token token
// (a ServiceAccount token, say) into t.TempDir and returns its path.
func (s *Server) KubeconfigFor(t testing.TB, token string) string {
	t.Helper()
	admin, err := os.ReadFile(s.KubeconfigPath)
	if err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	// The admin kubeconfig names its token once, on the line "    token: TOKEN".
	old := "token: " + s.AdminToken + "\n"
	if strings.Count(string(admin), old) != 1 {
		t.Fatalf("kubetest: %s: admin token line not found", s.KubeconfigPath)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := strings.Replace(string(admin), old, "token: "+strconv.Quote(token)+"\n", 1)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatalf("kubetest: %v", err)
	}
	return path
}

// findScript finds kubeapi.sh by walking up from the working directory, which is
// the package directory of the running test, to the repository root.
func findScript() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		path := filepath.Join(dir, script)
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("%s not found in %s or any parent directory", script, wd)
		}
	}
}

// readEnv parses the KEY='value' lines that kubeapi.sh writes to DIR/env.
func readEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		env[key] = strings.Trim(value, "'")
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return env, nil
}
