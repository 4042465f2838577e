package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// system is one query endpoint under test, started by the bench and stopped by PID.
type system struct {
	name string
	addr string
	cmd  *exec.Cmd
	log  *os.File
	// extra form values for every query (VictoriaMetrics: nocache=1).
	extra url.Values
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// start runs bin with args (addrFlag gets the address appended) and waits for
// readyPath to answer 200.
func start(name, dir, bin, addrFlag, readyPath string, args ...string) (*system, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append(args, addrFlag+addr)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &system{name: name, addr: addr, cmd: cmd, log: logf}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + readyPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("%s did not become ready at %s%s (log %s)", name, addr, readyPath, logf.Name())
}

// stop sends SIGTERM, then SIGKILL after 30s, and waits.
func (s *system) stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.log.Close()
}

// peakRSS is VmHWM of the process in bytes.
func (s *system) peakRSS() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// queryResult is one query_range answer: its wall time, points and header.
type queryResult struct {
	took   time.Duration
	series int
	points int
	values []float64 // of the first series
	tiers  string
}

func (s *system) queryRange(ctx context.Context, q string, start, end time.Time, step time.Duration) (queryResult, error) {
	form := url.Values{
		"query": {q},
		"start": {strconv.FormatInt(start.Unix(), 10)},
		"end":   {strconv.FormatInt(end.Unix(), 10)},
		"step":  {strconv.FormatInt(int64(step/time.Second), 10)},
	}
	for k, v := range s.extra {
		form[k] = v
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+s.addr+"/api/v1/query_range", strings.NewReader(form.Encode()))
	if err != nil {
		return queryResult{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	t0 := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return queryResult{}, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(t0)
	if err != nil {
		return queryResult{}, err
	}
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Values [][2]any `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.Status != "success" {
		return queryResult{}, fmt.Errorf("%s: %d %.300s", s.name, resp.StatusCode, body)
	}
	res := queryResult{took: took, series: len(r.Data.Result), tiers: resp.Header.Get("X-Nexclipper-Tiers")}
	for i, ser := range r.Data.Result {
		res.points += len(ser.Values)
		if i == 0 {
			for _, v := range ser.Values {
				s, _ := v[1].(string)
				f, _ := strconv.ParseFloat(s, 64)
				res.values = append(res.values, f)
			}
		}
	}
	return res, nil
}

// dirBytes sums file sizes under dir, skipping names that match skip.
func dirBytes(dir string, skip func(rel string) bool) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		if skip != nil && skip(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func copyDir(src, dst string) error {
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		return fmt.Errorf("cp -a %s %s: %v %s", src, dst, err, out)
	}
	return nil
}
