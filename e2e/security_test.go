package e2e

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// TestReceiverWebConfigBasicAuth: --web.config.file (exporter-toolkit)
// guards every route of the receiver, writes and queries alike, and the
// credentials never reach the log.
func TestReceiverWebConfigBasicAuth(t *testing.T) {
	dir := t.TempDir()
	hash, err := bcrypt.GenerateFromPassword([]byte("rw-s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webConfig := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(webConfig, []byte("basic_auth_users:\n  sender: "+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	p := startProcess(t, "receiver", addr, filepath.Join(binDir, "nexclipper-receiver"),
		"--web.listen-address="+addr, "--storage.path="+filepath.Join(dir, "data"), "--web.config.file="+webConfig)
	do := func(method, path string, user, pass string, body []byte) int {
		req, _ := http.NewRequest(method, "http://"+addr+path, bytes.NewReader(body))
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	eventually(t, 30*time.Second, "receiver listening", func() bool {
		return do(http.MethodGet, "/-/ready", "sender", "rw-s3cret", nil) == http.StatusOK
	})
	for _, path := range []string{"/api/v1/query?query=up", "/metrics", "/-/ready"} {
		if code := do(http.MethodGet, path, "", "", nil); code != http.StatusUnauthorized {
			t.Errorf("GET %s without credentials: %d, want 401", path, code)
		}
		if code := do(http.MethodGet, path, "sender", "wrong", nil); code != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong password: %d, want 401", path, code)
		}
	}
	if code := do(http.MethodPost, "/api/v1/write", "", "", []byte("x")); code != http.StatusUnauthorized {
		t.Errorf("write without credentials: %d, want 401", code)
	}
	if code := do(http.MethodGet, "/api/v1/query?query=up", "sender", "rw-s3cret", nil); code != http.StatusOK {
		t.Errorf("query with credentials: %d, want 200", code)
	}
	if strings.Contains(p.log.String(), "rw-s3cret") {
		t.Error("the receiver's log contains the password")
	}
}
