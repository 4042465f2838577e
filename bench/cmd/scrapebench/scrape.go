package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// acceptText asks for the classic text format, so every exporter answers with
// the same encoding whatever formats it could negotiate.
const acceptText = "text/plain;version=0.0.4"

// result is what was measured for one target.
type result struct {
	Target      target
	Durations   []time.Duration // timed scrapes, in the order they ran
	RSS         rssSample       // right after the last timed scrape
	Series      seriesCount     // of the last timed scrape
	TextBytes   int             // body of the last timed scrape
	GzipBytes   int             // body of one extra request with Accept-Encoding: gzip
	GzipEncoded bool            // false when the server ignored Accept-Encoding: gzip
	BinaryBytes int64           // -1 without --binary
}

// measure runs warm-up and timed scrapes alternating across targets, then reads
// memory, and only then does the extra gzip request, so RSS is exactly "after
// warmup+scrapes scrapes".
func measure(cfg config, logger *slog.Logger) ([]result, error) {
	results := make([]result, len(cfg.Targets))
	for i, t := range cfg.Targets {
		results[i] = result{Target: t, BinaryBytes: -1}
		// Fail before spending minutes on scrapes if a PID is wrong.
		if _, err := readRSS(t.PID); err != nil {
			return nil, fmt.Errorf("target %s: %w", t.Name, err)
		}
		if t.Binary != "" {
			st, err := os.Stat(t.Binary)
			if err != nil {
				return nil, fmt.Errorf("target %s: binary: %w", t.Name, err)
			}
			results[i].BinaryBytes = st.Size()
		}
	}

	// DisableCompression keeps Go from adding Accept-Encoding: gzip and
	// decompressing behind our back: the plain scrapes ask for identity and
	// the gzip request sees the compressed bytes on the wire.
	client := &http.Client{
		Timeout:   cfg.Timeout,
		Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 2},
	}

	logger.Info("warming up", "targets", len(cfg.Targets), "scrapes_per_target", cfg.Warmup)
	for round := 0; round < cfg.Warmup; round++ {
		for _, t := range cfg.Targets {
			if _, err := scrape(client, t.URL, ""); err != nil {
				return nil, fmt.Errorf("target %s: warm-up scrape %d: %w", t.Name, round+1, err)
			}
		}
	}

	logger.Info("timing", "targets", len(cfg.Targets), "scrapes_per_target", cfg.Scrapes)
	var last = make([][]byte, len(cfg.Targets))
	for round := 0; round < cfg.Scrapes; round++ {
		for i, t := range cfg.Targets {
			start := time.Now()
			body, err := scrape(client, t.URL, "")
			elapsed := time.Since(start)
			if err != nil {
				return nil, fmt.Errorf("target %s: timed scrape %d: %w", t.Name, round+1, err)
			}
			results[i].Durations = append(results[i].Durations, elapsed)
			last[i] = body
		}
	}

	for i, t := range cfg.Targets {
		rss, err := readRSS(t.PID)
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", t.Name, err)
		}
		results[i].RSS = rss
		results[i].TextBytes = len(last[i])
		results[i].Series = countSeries(last[i])
	}

	for i, t := range cfg.Targets {
		n, encoded, err := scrapeGzipSize(client, t.URL)
		if err != nil {
			return nil, fmt.Errorf("target %s: gzip scrape: %w", t.Name, err)
		}
		results[i].GzipBytes, results[i].GzipEncoded = n, encoded
	}
	return results, nil
}

// scrape GETs url and returns the whole body; a non-2xx status is an error.
func scrape(client *http.Client, url, acceptEncoding string) ([]byte, error) {
	body, _, err := get(client, url, acceptEncoding)
	return body, err
}

// scrapeGzipSize returns the size of the body as sent over the wire when gzip
// is accepted, and whether the server did compress it.
func scrapeGzipSize(client *http.Client, url string) (int, bool, error) {
	body, hdr, err := get(client, url, "gzip")
	if err != nil {
		return 0, false, err
	}
	return len(body), strings.EqualFold(hdr.Get("Content-Encoding"), "gzip"), nil
}

func get(client *http.Client, url, acceptEncoding string) ([]byte, http.Header, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", url, err)
	}
	req.Header.Set("Accept", acceptText)
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: read body: %w", url, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, fmt.Errorf("GET %s: status %s: %s", url, resp.Status, snippet(body))
	}
	return body, resp.Header, nil
}

// snippet is the start of an error body, enough to recognise the error.
func snippet(body []byte) string {
	const max = 200
	s := strings.TrimSpace(string(body))
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strconv.Quote(s)
}

// rssSample is resident memory from one read of /proc/PID/status, in bytes.
// VmRSS = RssAnon + RssFile + RssShmem, so Anon + File may fall short of Total
// by the shared-memory part (and by rounding to kB).
type rssSample struct {
	Total int64 // VmRSS, the same figure as `ps -o rss=`
	Anon  int64 // RssAnon: heap, stacks, other private anonymous pages
	File  int64 // RssFile: file-backed pages, mostly the mapped executable
	Split bool  // false when the kernel (< 4.5) reports no RssAnon/RssFile
}

// readRSS reads VmRSS, RssAnon and RssFile of pid in one read of
// /proc/PID/status, so the three figures are from the same moment.
func readRSS(pid int) (rssSample, error) {
	path := fmt.Sprintf("/proc/%d/status", pid)
	data, err := os.ReadFile(path)
	if err != nil {
		return rssSample{}, fmt.Errorf("read RSS: %w", err)
	}
	return parseRSS(data, path)
}

// parseRSS parses the VmRSS, RssAnon and RssFile lines of a /proc/PID/status
// file; /proc reports them in kB meaning KiB. A missing VmRSS is an error, a
// missing RssAnon or RssFile (kernels before 4.5) only leaves Split false.
func parseRSS(status []byte, path string) (rssSample, error) {
	fields := map[string]*int64{"VmRSS": nil, "RssAnon": nil, "RssFile": nil}
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		if _, want := fields[key]; !ok || !want || fields[key] != nil {
			continue
		}
		v := strings.Fields(rest)
		if len(v) != 2 || v[1] != "kB" {
			return rssSample{}, fmt.Errorf("%s: unexpected %s line %q", path, key, sc.Text())
		}
		kib, err := strconv.ParseInt(v[0], 10, 64)
		if err != nil || kib < 0 {
			return rssSample{}, fmt.Errorf("%s: unexpected %s line %q", path, key, sc.Text())
		}
		n := kib * 1024
		fields[key] = &n
	}
	if err := sc.Err(); err != nil {
		return rssSample{}, fmt.Errorf("%s: %w", path, err)
	}
	if fields["VmRSS"] == nil {
		// Kernel threads and zombies have no VmRSS line.
		return rssSample{}, fmt.Errorf("%s: no VmRSS line (zombie or kernel thread?)", path)
	}
	r := rssSample{Total: *fields["VmRSS"], Anon: -1, File: -1}
	if fields["RssAnon"] != nil && fields["RssFile"] != nil {
		r.Anon, r.File, r.Split = *fields["RssAnon"], *fields["RssFile"], true
	}
	return r, nil
}
