package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// The exposition formats Prometheus negotiates: text, OpenMetrics, protobuf,
// each optionally gzipped.
func TestExpositionFormats(t *testing.T) {
	e := start(t, "http", nil, fixtureArgs("v2")...)
	transport := &http.Transport{DisableCompression: true}
	client := &http.Client{Transport: transport}
	cases := []struct {
		accept, encoding, wantType, wantEncoding, wantBody string
	}{
		{"text/plain;version=0.0.4", "", "text/plain; version=0.0.4", "", "# TYPE node_load1 gauge"},
		{"application/openmetrics-text;version=1.0.0", "", "application/openmetrics-text; version=1.0.0", "", "# EOF"},
		{"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", "", "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited", "", "node_load1"},
		{"text/plain;version=0.0.4", "gzip", "text/plain; version=0.0.4", "gzip", "\x1f\x8b"},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(http.MethodGet, e.url+"/metrics", nil)
		req.Header.Set("Accept", tc.accept)
		if tc.encoding != "" {
			req.Header.Set("Accept-Encoding", tc.encoding)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.wantType) {
			t.Errorf("Accept %s: Content-Type %q, want %q", tc.accept, ct, tc.wantType)
		}
		if ce := resp.Header.Get("Content-Encoding"); ce != tc.wantEncoding {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q", tc.encoding, ce)
		}
		if !strings.Contains(string(body), tc.wantBody) {
			t.Errorf("Accept %s: body lacks %q", tc.accept, tc.wantBody)
		}
	}
}

// --web.config.file brings TLS and basic auth from exporter-toolkit.
func TestWebConfigTLSAndBasicAuth(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := selfSignedCert(t)
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"cert.pem": certPEM, "key.pem": keyPEM,
		"web.yml": []byte("tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  prometheus: " + string(hash) + "\n"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	e := start(t, "https", client, append(fixtureArgs("v2"), "--web.config.file="+filepath.Join(dir, "web.yml"))...)

	get := func(user, pass string) int {
		req, _ := http.NewRequest(http.MethodGet, e.url+"/metrics", nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("", ""); code != http.StatusUnauthorized {
		t.Errorf("no credentials: %d, want 401", code)
	}
	if code := get("prometheus", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", code)
	}
	if code := get("prometheus", "s3cret"); code != http.StatusOK {
		t.Errorf("right password: %d, want 200", code)
	}
	if strings.Contains(e.log.String(), "s3cret") {
		t.Error("log contains the password")
	}
	// Plain HTTP to a TLS listener is refused.
	if resp, err := http.Get(strings.Replace(e.url, "https", "http", 1) + "/metrics"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP served metrics on a TLS listener")
		}
	}
}

func selfSignedCert(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}
