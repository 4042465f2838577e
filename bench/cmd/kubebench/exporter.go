package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// exporter is a running nexclipper-exporter in cluster mode.
type exporter struct {
	cmd  *exec.Cmd
	url  string
	log  *bytes.Buffer
	done chan struct{}
}

// startExporter runs the binary in cluster mode with no host collectors,
// as the cluster-mode Deployment does, on a free 127.0.0.1 port.
func startExporter(cfg config) (*exporter, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	e := &exporter{url: "http://" + addr + "/metrics", log: &bytes.Buffer{}, done: make(chan struct{})}
	e.cmd = exec.Command(cfg.Exporter, "--web.listen-address="+addr, "--kube.mode=cluster",
		"--kubeconfig="+cfg.Kubeconfig, "--collector.disable-defaults")
	e.cmd.Stdout, e.cmd.Stderr = e.log, e.log
	if err := e.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		_ = e.cmd.Wait()
		close(e.done)
	}()
	return e, nil
}

// stop sends SIGTERM, then SIGKILL after 5 s.
func (e *exporter) stop() {
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.done:
	case <-time.After(5 * time.Second):
		_ = e.cmd.Process.Kill()
		<-e.done
	}
}

// scrape fetches /metrics once and returns the decoded body and the wall
// time to its last byte.
func (e *exporter) scrape(gz bool) (string, time.Duration, error) {
	req, _ := http.NewRequest(http.MethodGet, e.url, nil)
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	tr := &http.Transport{DisableCompression: true}
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	begin := time.Now()
	resp, err := (&http.Client{Transport: tr, Timeout: time.Minute}).Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	took := time.Since(begin)
	if err != nil {
		return "", 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return "", 0, fmt.Errorf("scrape: %s", resp.Status)
	}
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return "", 0, err
		}
		if body, err = io.ReadAll(zr); err != nil {
			return "", 0, err
		}
	}
	return string(body), took, nil
}

// waitSynced scrapes until every kube collector reports success 1 and
// kube_pod_info has pods series; it returns the time since start.
func (e *exporter) waitSynced(pods int, began time.Time, logger *slog.Logger) (time.Duration, error) {
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-e.done:
			return 0, fmt.Errorf("exporter exited:\n%s", e.log)
		default:
		}
		body, _, err := e.scrape(false)
		if err == nil && synced(body) && count(body, "kube_pod_info{") == pods {
			return time.Since(began), nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	logger.Error("not synced", "log", e.log.String())
	return 0, fmt.Errorf("exporter not synced after 5 minutes")
}

func synced(body string) bool {
	n := 0
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, `nexclipper_scrape_collector_success{collector="kube_`) {
			if !strings.HasSuffix(l, " 1") {
				return false
			}
			n++
		}
	}
	return n > 0
}

// count returns the lines of body that start with prefix.
func count(body, prefix string) int {
	n := 0
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// procStatus reads fields of /proc/PID/status in bytes (VmRSS, RssAnon, ...).
func (e *exporter) procStatus() (map[string]float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", e.cmd.Process.Pid))
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, l := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(l, ":")
		f := strings.Fields(v)
		if !ok || len(f) != 2 || f[1] != "kB" {
			continue
		}
		n, err := strconv.ParseFloat(f[0], 64)
		if err == nil {
			out[k] = n * 1024
		}
	}
	return out, nil
}

// cpuSeconds is the process's user + system CPU time.
func (e *exporter) cpuSeconds() (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", e.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	s := string(raw)
	f := strings.Fields(s[strings.LastIndex(s, ")")+2:])
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100, nil // USER_HZ is 100 on Linux
}

// percentile returns the p-th quantile (0..1), interpolating between ranks.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	pos := p * float64(len(s)-1)
	lo := int(pos)
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + time.Duration((pos-float64(lo))*float64(s[lo+1]-s[lo]))
}
