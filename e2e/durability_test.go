package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"
)

// postRW1 sends one remote-write 1.0 request and returns the status.
func postRW1(t *testing.T, addr string, req *prompb.WriteRequest) (int, string) {
	t.Helper()
	raw, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	httpReq, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/write", bytes.NewReader(snappy.Encode(nil, raw)))
	httpReq.Header.Set("Content-Type", "application/x-protobuf")
	httpReq.Header.Set("Content-Encoding", "snappy")
	httpReq.Header.Set("X-Prometheus-Remote-Write-Version", "0.1.0")
	resp, err := http.DefaultClient.Do(httpReq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestAcceptedSamplesSurviveKill9 sends remote-write requests, kills the
// receiver with SIGKILL right after the last 204, restarts it on the same
// storage and finds every accepted sample.
func TestAcceptedSamplesSurviveKill9(t *testing.T) {
	storage := t.TempDir()
	receiver := startReceiver(t, storage)
	const requests, series, samples = 20, 50, 10
	base := time.Now().Add(-10 * time.Minute).UnixMilli()
	for r := 0; r < requests; r++ {
		req := &prompb.WriteRequest{}
		for s := 0; s < series; s++ {
			ts := prompb.TimeSeries{Labels: []prompb.Label{
				{Name: "__name__", Value: "durability_test_value"},
				{Name: "request", Value: fmt.Sprint(r)},
				{Name: "series", Value: fmt.Sprint(s)},
			}}
			for i := 0; i < samples; i++ {
				ts.Samples = append(ts.Samples, prompb.Sample{Timestamp: base + int64(i)*1000, Value: float64(i)})
			}
			req.Timeseries = append(req.Timeseries, ts)
		}
		if code, body := postRW1(t, receiver.addr, req); code != http.StatusNoContent {
			t.Fatalf("request %d: %d %s", r, code, body)
		}
	}
	receiver.kill9(t)

	restarted := startReceiver(t, storage)
	got := instantQuery(t, restarted.addr, `count(count_over_time(durability_test_value[15m]) == 10)`)
	if len(got) != 1 || sampleValue(got[0]) != fmt.Sprint(requests*series) {
		t.Fatalf("after kill -9 and restart: %v series with all %d samples, want %d", got, samples, requests*series)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
