package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"
)

// sendRequest sends one remote-write 1.0 request and returns the status.
func sendRequest(addr string, req *prompb.WriteRequest) (int, error) {
	raw, err := req.Marshal()
	if err != nil {
		return 0, err
	}
	httpReq, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/write", bytes.NewReader(snappy.Encode(nil, raw)))
	httpReq.Header.Set("Content-Type", "application/x-protobuf")
	httpReq.Header.Set("Content-Encoding", "snappy")
	httpReq.Header.Set("X-Prometheus-Remote-Write-Version", "0.1.0")
	resp, err := http.DefaultClient.Do(httpReq)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// TestAcceptedSamplesSurviveKill9 runs concurrent senders against the
// receiver, kills it with SIGKILL while requests are in flight, restarts it on
// the same storage and finds every sample of every request answered 204.
// Requests cut off by the kill may or may not be stored; they are not
// checked.
func TestAcceptedSamplesSurviveKill9(t *testing.T) {
	storage := t.TempDir()
	receiver := startReceiver(t, storage)
	const senders, series, samples = 4, 20, 10
	base := time.Now().Add(-10 * time.Minute).UnixMilli()
	var (
		mu       sync.Mutex
		accepted []string // request IDs answered 204
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	for s := 0; s < senders; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; ; r++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("s%d-r%d", s, r)
				code, err := sendRequest(receiver.addr, durabilityRequest(id, series, samples, base))
				if err != nil {
					return // the receiver is gone
				}
				if code == http.StatusNoContent {
					mu.Lock()
					accepted = append(accepted, id)
					mu.Unlock()
				}
			}
		}()
	}
	// Let the senders run, then kill mid-stream.
	eventually(t, 30*time.Second, "100 accepted requests", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(accepted) >= 100
	})
	receiver.kill9(t)
	close(stop)
	wg.Wait()

	restarted := startReceiver(t, storage)
	complete := map[string]bool{}
	for _, s := range instantQuery(t, restarted.addr, `count by (request) (count_over_time(durability_test_value[15m]) == 10)`) {
		if sampleValue(s) == fmt.Sprint(series) {
			complete[s.Metric["request"]] = true
		}
	}
	missing := 0
	for _, id := range accepted {
		if !complete[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d requests answered 204 are incomplete after kill -9 and restart", missing, len(accepted))
	}
	t.Logf("%d accepted requests (%d samples) all present after kill -9", len(accepted), len(accepted)*series*samples)
}

func durabilityRequest(id string, series, samples int, base int64) *prompb.WriteRequest {
	req := &prompb.WriteRequest{}
	for s := 0; s < series; s++ {
		ts := prompb.TimeSeries{Labels: []prompb.Label{
			{Name: "__name__", Value: "durability_test_value"},
			{Name: "request", Value: id},
			{Name: "series", Value: fmt.Sprint(s)},
		}}
		for i := 0; i < samples; i++ {
			ts.Samples = append(ts.Samples, prompb.Sample{Timestamp: base + int64(i)*1000, Value: float64(i)})
		}
		req.Timeseries = append(req.Timeseries, ts)
	}
	return req
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
