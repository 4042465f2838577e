package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// prometheusConfig scrapes the exporter every second and remote-writes to
// the receiver with a short batch deadline, so data arrives within seconds,
// through one shard, so samples arrive in scrape order.
func prometheusConfig(exporterAddr, receiverAddr, protobufMessage string) string {
	msg := ""
	if protobufMessage != "" {
		msg = "\n    protobuf_message: " + protobufMessage
	}
	return fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: exporter
    static_configs:
      - targets: [%q]
remote_write:
  - url: http://%s/api/v1/write%s
    queue_config:
      batch_send_deadline: 1s
      max_shards: 1
      min_backoff: 100ms
      max_backoff: 1s
`, exporterAddr, receiverAddr, msg)
}

// startPrometheus runs the Prometheus binary at path with cfg.
func startPrometheus(t *testing.T, path, cfg string) *process {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	p := startProcess(t, "prometheus", addr, path,
		"--config.file="+writeFile(t, dir, "prometheus.yml", cfg),
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
	)
	p.waitHTTP(t, "/-/ready", 60*time.Second)
	return p
}

// checkPipeline waits until the receiver holds what Prometheus scraped from
// the exporter, then compares series counts of a few families between the
// two at one instant.
func checkPipeline(t *testing.T, prom, receiver *process, protocol string) {
	t.Helper()
	eventually(t, 90*time.Second, "exporter series in the receiver", func() bool {
		return len(instantQuery(t, receiver.addr, `up{job="exporter"} == 1`)) == 1 &&
			len(instantQuery(t, receiver.addr, `node_cpu_seconds_total{job="exporter"}`)) > 0
	})
	for _, q := range []string{
		`count(node_cpu_seconds_total{job="exporter"})`,
		`count(node_memory_MemTotal_bytes{job="exporter"})`,
		`count(nexclipper_scrape_collector_success{job="exporter"} == 1)`,
	} {
		want := instantQuery(t, prom.addr, q)
		got := instantQuery(t, receiver.addr, q)
		if len(want) != 1 || len(got) != 1 || sampleValue(want[0]) != sampleValue(got[0]) {
			t.Errorf("%s: Prometheus %v, receiver %v", q, want, got)
		}
	}
	// Values agree too: the memory total is the same number in both.
	mem := `node_memory_MemTotal_bytes{job="exporter"}`
	if w, g := instantQuery(t, prom.addr, mem), instantQuery(t, receiver.addr, mem); len(w) != 1 || len(g) != 1 || sampleValue(w[0]) != sampleValue(g[0]) {
		t.Errorf("%s: Prometheus %v, receiver %v", mem, w, g)
	}
	// The sender spoke the protocol we meant it to, and every request it
	// sent was answered 204.
	answered := writeRequestsByCode(t, receiver, protocol)
	if answered["204"] == 0 {
		t.Errorf("no remote-write %s request answered 204: %v", protocol, answered)
	}
	for code, n := range answered {
		if code != "204" && n > 0 {
			t.Errorf("%v remote-write %s requests answered %s", n, protocol, code)
		}
	}
}

// writeRequestsByCode reads nexclipper_receiver_write_requests_total for one
// protocol from the receiver's own /metrics.
func writeRequestsByCode(t *testing.T, receiver *process, protocol string) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + receiver.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, m := range families["nexclipper_receiver_write_requests_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["protocol"] == protocol {
			out[labels["code"]] += m.GetCounter().GetValue()
		}
	}
	return out
}

// TestPrometheus2RemoteWriteV1: Debian's Prometheus 2.x scrapes the exporter
// and remote-writes (1.0) to the receiver; the receiver's query API answers
// what Prometheus's does.
func TestPrometheus2RemoteWriteV1(t *testing.T) {
	path, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatal("prometheus not found: `make deps` installs Debian's prometheus package")
	}
	exporter := startExporter(t)
	receiver := startReceiver(t, t.TempDir())
	prom := startPrometheus(t, path, prometheusConfig(exporter.addr, receiver.addr, ""))
	checkPipeline(t, prom, receiver, "1.0")
	compareQueries(t, prom, receiver)
}

// TestPrometheus3RemoteWriteV2: Prometheus 3.16 sends remote-write 2.0
// (io.prometheus.write.v2.Request) to the receiver.
func TestPrometheus3RemoteWriteV2(t *testing.T) {
	path := os.Getenv("NEXCLIPPER_PROMETHEUS3")
	if path == "" {
		t.Fatal("NEXCLIPPER_PROMETHEUS3 is not set: `make test` builds Prometheus v0.316.0 and sets it")
	}
	exporter := startExporter(t)
	receiver := startReceiver(t, t.TempDir())
	prom := startPrometheus(t, path, prometheusConfig(exporter.addr, receiver.addr, "io.prometheus.write.v2.Request"))
	checkPipeline(t, prom, receiver, "2.0")
	compareQueries(t, prom, receiver)
}
