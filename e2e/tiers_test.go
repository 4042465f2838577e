package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nexclipper/nexclipper/downsampler/tier/tiertest"
)

// tierResponse is a query_range answer with the tiers header and annotations.
type tierResponse struct {
	code     int
	tiers    string
	status   string
	series   int
	warnings []string
	infos    []string
	err      string
}

func queryRangeTiers(t *testing.T, addr string, form url.Values) tierResponse {
	t.Helper()
	resp, err := http.PostForm("http://"+addr+"/api/v1/query_range", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []json.RawMessage `json:"result"`
		} `json:"data"`
		Warnings []string `json:"warnings"`
		Infos    []string `json:"infos"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("query_range: %d %s", resp.StatusCode, body)
	}
	return tierResponse{resp.StatusCode, resp.Header.Get("X-Nexclipper-Tiers"), r.Status, len(r.Data.Result), r.Warnings, r.Infos, r.Error}
}

func metricValue(t *testing.T, addr, series string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

// The receiver downsamples old raw data in the background, serves long-range
// queries from the tiers saying so, honours max_source_resolution, and after a
// restart finds the work done.
func TestReceiverDownsamplesAndServesTiers(t *testing.T) {
	storage := t.TempDir()
	end := time.Now().UTC().Truncate(24 * time.Hour).Add(-48 * time.Hour)
	start := end.Add(-20 * 24 * time.Hour)
	if _, err := tiertest.WriteBlocks(context.Background(), tiertest.Options{
		Dir: storage, Start: start, End: end, Hosts: 1, Containers: 2, Seed: 3,
	}); err != nil {
		t.Fatal(err)
	}
	r := startReceiver(t, storage, "--retention.raw=0", "--downsample.interval=1s")
	eventually(t, time.Minute, "20 days downsampled to 5m", func() bool {
		return metricValue(t, r.addr, `nexclipper_tier_blocks{resolution="5m"}`) == 20
	})
	if ok := metricValue(t, r.addr, `nexclipper_downsample_windows_total{resolution="5m",result="ok"}`); ok != 20 {
		t.Errorf("5m windows built: %v, want 20", ok)
	}
	if n := metricValue(t, r.addr, `nexclipper_tier_blocks{resolution="1h"}`); n < 1 {
		t.Errorf("1h blocks: %v, want at least one ten-day window", n)
	}

	form := func(step, res string) url.Values {
		v := url.Values{
			"query": {"max_over_time(node_load1[" + step + "])"},
			"start": {strconv.FormatInt(start.Add(24*time.Hour).Unix(), 10)},
			"end":   {strconv.FormatInt(end.Add(-time.Hour).Unix(), 10)},
			"step":  {step},
		}
		if res != "" {
			v.Set("max_source_resolution", res)
		}
		return v
	}
	got := queryRangeTiers(t, r.addr, form("1h", ""))
	if got.status != "success" || got.series != 1 || got.tiers != "5m" {
		t.Errorf("step 1h: status %s, %d series, tiers %q; want success, 1, 5m", got.status, got.series, got.tiers)
	}
	if !strings.Contains(strings.Join(got.infos, "\n"), "5m downsampled tier") {
		t.Errorf("step 1h: infos %q do not name the tier", got.infos)
	}
	got = queryRangeTiers(t, r.addr, form("1d", ""))
	if !strings.Contains(got.tiers, "1h") {
		t.Errorf("step 1d: tiers %q, want the 1h tier among them", got.tiers)
	}
	got = queryRangeTiers(t, r.addr, form("1h", "raw"))
	if got.tiers != "raw" || got.series != 1 {
		t.Errorf("max_source_resolution=raw: tiers %q, %d series; want raw, 1", got.tiers, got.series)
	}
	got = queryRangeTiers(t, r.addr, form("1h", "sometimes"))
	if got.code != http.StatusBadRequest || !strings.Contains(got.err, "max_source_resolution") {
		t.Errorf("bad max_source_resolution: %d %q, want 400 naming the parameter", got.code, got.err)
	}

	// Restart: the tiers are found complete, nothing is rebuilt.
	r.signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(20 * time.Second):
		t.Fatal("receiver did not stop on SIGTERM")
	}
	r = startReceiver(t, storage, "--retention.raw=0", "--downsample.interval=1s")
	eventually(t, 30*time.Second, "the tiers loaded", func() bool {
		return metricValue(t, r.addr, `nexclipper_tier_blocks{resolution="5m"}`) == 20
	})
	eventually(t, 30*time.Second, "a pass after restart", func() bool {
		return metricValue(t, r.addr, "nexclipper_downsample_last_success_timestamp_seconds") > 0
	})
	if ok := metricValue(t, r.addr, `nexclipper_downsample_windows_total{resolution="5m",result="ok"}`); ok != 0 {
		t.Errorf("after restart %v windows were rebuilt, want 0", ok)
	}
}

// With --objstore.config-file the receiver ships its raw blocks and tiers to the
// bucket in Thanos's layout, labelled with its external labels.
func TestReceiverShipsBlocksToObjectStorage(t *testing.T) {
	storage, bucket := t.TempDir(), t.TempDir()
	end := time.Now().UTC().Truncate(24 * time.Hour).Add(-48 * time.Hour)
	if _, err := tiertest.WriteBlocks(context.Background(), tiertest.Options{
		Dir: storage, Start: end.Add(-3 * 24 * time.Hour), End: end, Hosts: 1, Containers: 1, Seed: 5,
	}); err != nil {
		t.Fatal(err)
	}
	conf := writeFile(t, t.TempDir(), "objstore.yml", "type: FILESYSTEM\nconfig:\n  directory: "+bucket+"\n")
	r := startReceiver(t, storage, "--retention.raw=0", "--downsample.interval=1s",
		"--objstore.config-file="+conf, "--objstore.external-label=cluster=e2e", "--objstore.sync-interval=1s")
	eventually(t, time.Minute, "3 raw + 3 5m blocks in the bucket", func() bool {
		return metricValue(t, r.addr, `nexclipper_shipper_uploads_total{resolution="raw",result="ok"}`) == 3 &&
			metricValue(t, r.addr, `nexclipper_shipper_uploads_total{resolution="5m",result="ok"}`) == 3
	})
	entries, err := os.ReadDir(bucket)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(bucket, e.Name(), "meta.json"))
		if err != nil {
			t.Fatalf("block %s in the bucket: %v", e.Name(), err)
		}
		var m struct {
			Thanos struct {
				Labels map[string]string `json:"labels"`
			} `json:"thanos"`
		}
		if err := json.Unmarshal(b, &m); err != nil || m.Thanos.Labels["cluster"] != "e2e" {
			t.Errorf("block %s: meta.json thanos labels %v (err %v), want cluster=e2e", e.Name(), m.Thanos.Labels, err)
		}
	}
	if len(entries) < 6 {
		t.Errorf("bucket holds %d blocks, want at least 6", len(entries))
	}

	// A bad configuration stops the receiver at start with a reason.
	bad := writeFile(t, t.TempDir(), "objstore.yml", "type: SWIFT\nconfig: {}\n")
	out, err := exec.Command(filepath.Join(binDir, "nexclipper-receiver"), "--storage.path="+t.TempDir(), "--web.listen-address=127.0.0.1:0", "--objstore.config-file="+bad).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "not supported") {
		t.Errorf("unsupported object storage type: err %v, output %s; want a failure naming it", err, out)
	}
}
