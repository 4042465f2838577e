package kubetest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestServer(t *testing.T) {
	s := Start(t)
	client := httpClient(t, s.CAFile)

	t.Run("version", func(t *testing.T) {
		status, body := do(t, client, "GET", s.URL+"/version", s.AdminToken, "")
		if status != http.StatusOK {
			t.Fatalf("GET /version: status %d, want 200: %s", status, body)
		}
		var v struct {
			GitVersion string `json:"gitVersion"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("GET /version: %v: %s", err, body)
		}
		if v.GitVersion != "v1.37.2" {
			t.Errorf("gitVersion = %q, want v1.37.2", v.GitVersion)
		}
	})

	t.Run("authentication", func(t *testing.T) {
		for _, tc := range []struct {
			name, token string
			want        int
		}{
			{"admin", s.AdminToken, http.StatusOK},
			{"no token", "", http.StatusUnauthorized},
			{"bogus token", "bogus-" + s.AdminToken, http.StatusUnauthorized},
		} {
			status, body := do(t, client, "GET", s.URL+"/api/v1/namespaces", tc.token, "")
			if status != tc.want {
				t.Errorf("%s: GET /api/v1/namespaces: status %d, want %d: %s", tc.name, status, tc.want, body)
			}
		}
	})

	// A ServiceAccount token from the TokenRequest API authenticates (so RBAC
	// answers 403 rather than 401), and KubeconfigFor carries it.
	t.Run("service account token", func(t *testing.T) {
		ns := s.URL + "/api/v1/namespaces"
		mustDo(t, client, "POST", ns, s.AdminToken,
			`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kubetest-sa"}}`, http.StatusCreated)
		mustDo(t, client, "POST", ns+"/kubetest-sa/serviceaccounts", s.AdminToken,
			`{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"reader"}}`, http.StatusCreated)
		body := mustDo(t, client, "POST", ns+"/kubetest-sa/serviceaccounts/reader/token", s.AdminToken,
			`{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":3600}}`,
			http.StatusCreated)
		var tr struct {
			Status struct {
				Token string `json:"token"`
			} `json:"status"`
		}
		if err := json.Unmarshal(body, &tr); err != nil || tr.Status.Token == "" {
			t.Fatalf("TokenRequest: no token (%v): %s", err, body)
		}
		status, body := do(t, client, "GET", ns, tr.Status.Token, "")
		if status != http.StatusForbidden || !strings.Contains(string(body), "system:serviceaccount:kubetest-sa:reader") {
			t.Errorf("GET /api/v1/namespaces as the ServiceAccount: status %d, want 403 naming it: %s", status, body)
		}

		cfg, err := os.ReadFile(s.KubeconfigFor(t, tr.Status.Token))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"server: " + s.URL + "\n", tr.Status.Token, "certificate-authority: " + s.CAFile} {
			if !strings.Contains(string(cfg), want) {
				t.Errorf("KubeconfigFor: missing %q in:\n%s", want, cfg)
			}
		}
		if strings.Contains(string(cfg), s.AdminToken) {
			t.Errorf("KubeconfigFor: still holds the admin token:\n%s", cfg)
		}
	})
}

func httpClient(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s: no certificate", caFile)
	}
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
}

// do sends a request with an optional bearer token and JSON body and returns
// the status and body.
func do(t *testing.T, client *http.Client, method, url, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp.StatusCode, b
}

func mustDo(t *testing.T, client *http.Client, method, url, token, body string, want int) []byte {
	t.Helper()
	status, b := do(t, client, method, url, token, body)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, status, want, b)
	}
	return b
}
