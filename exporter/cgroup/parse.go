package cgroup

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Parsers for the cgroup file formats, on plain strings so they can be
// tested without a filesystem. Each rejects the whole file when any line is
// malformed: a file we cannot fully parse is likely truncated or of a format
// we do not know, and half of it is not trustworthy.

// Sentinel errors of the parsers.
var (
	errEmpty     = errors.New("empty file")
	errMalformed = errors.New("malformed")
)

// parseUint parses a single-value file: cpuacct.usage, memory.current,
// memory.usage_in_bytes, memory.limit_in_bytes.
func parseUint(data string) (uint64, error) {
	s := strings.TrimSpace(data)
	if s == "" {
		return 0, errEmpty
	}
	return strconv.ParseUint(s, 10, 64)
}

// parseInt parses a signed single-value file: cpu.cfs_quota_us is -1 when
// no quota is set.
func parseInt(data string) (int64, error) {
	s := strings.TrimSpace(data)
	if s == "" {
		return 0, errEmpty
	}
	return strconv.ParseInt(s, 10, 64)
}

// parseMax parses a v2 limit file (memory.max): a number, or "max" for
// none.
func parseMax(data string) (limit uint64, set bool, err error) {
	s := strings.TrimSpace(data)
	if s == "max" {
		return 0, false, nil
	}
	v, err := parseUint(s)
	return v, err == nil, err
}

// parseCPUMax parses v2 cpu.max, "$QUOTA $PERIOD" with QUOTA "max" when no
// quota is set, and reports whether a quota is set.
func parseCPUMax(data string) (quotaSet bool, err error) {
	fields := strings.Fields(data)
	if len(fields) == 0 {
		return false, errEmpty
	}
	if len(fields) > 2 {
		return false, fmt.Errorf("%w: want \"$QUOTA $PERIOD\", got %q", errMalformed, strings.TrimSpace(data))
	}
	for i, f := range fields {
		if i == 0 && f == "max" {
			continue
		}
		if _, err := strconv.ParseUint(f, 10, 64); err != nil {
			return false, err
		}
	}
	return fields[0] != "max", nil
}

// parseFlatKeyed parses "key value" lines: cpu.stat, memory.stat,
// memory.events, memory.oom_control.
func parseFlatKeyed(data string) (map[string]uint64, error) {
	if strings.TrimSpace(data) == "" {
		return nil, errEmpty
	}
	m := make(map[string]uint64, 64)
	for i, line := range strings.Split(data, "\n") {
		if line == "" {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("line %d %q: %w: want \"key value\"", i+1, line, errMalformed)
		}
		v, err := strconv.ParseUint(fields[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d %q: %w", i+1, line, err)
		}
		m[fields[0]] = v
	}
	return m, nil
}

// ioTotals are I/O counters summed over all block devices.
type ioTotals struct {
	readBytes, writeBytes, reads, writes uint64
}

// parseBlkio parses a v1 blkio.throttle.* file and sums the Read and Write
// lines over devices, ignoring the Sync/Async/Discard/Total breakdowns and
// the trailing "Total N". read and write are the sums; devices says whether
// any per-device line was present (a file with only "Total 0" is empty).
func parseBlkio(data string) (read, write uint64, devices bool, err error) {
	for i, line := range strings.Split(data, "\n") {
		fields := strings.Fields(line)
		switch len(fields) {
		case 0:
			continue
		case 2:
			if fields[0] != "Total" {
				return 0, 0, false, fmt.Errorf("line %d %q: %w", i+1, line, errMalformed)
			}
			if _, err := strconv.ParseUint(fields[1], 10, 64); err != nil {
				return 0, 0, false, fmt.Errorf("line %d %q: %w", i+1, line, err)
			}
			continue
		case 3:
		default:
			return 0, 0, false, fmt.Errorf("line %d %q: %w: want \"MAJ:MIN Op N\"", i+1, line, errMalformed)
		}
		if !strings.Contains(fields[0], ":") {
			return 0, 0, false, fmt.Errorf("line %d %q: %w: bad device", i+1, line, errMalformed)
		}
		v, err := strconv.ParseUint(fields[2], 10, 64)
		if err != nil {
			return 0, 0, false, fmt.Errorf("line %d %q: %w", i+1, line, err)
		}
		devices = true
		switch fields[1] {
		case "Read":
			read += v
		case "Write":
			write += v
		}
	}
	return read, write, devices, nil
}

// parseIOStat parses v2 io.stat, "MAJ:MIN rbytes=N wbytes=N rios=N wios=N
// dbytes=N dios=N" per device, summed over devices. Keys other than the four
// we use (dbytes, dios, iocost's cost.*) are ignored. An empty file is a
// cgroup that has done no I/O yet, not an error.
func parseIOStat(data string) (ioTotals, error) {
	var t ioTotals
	for i, line := range strings.Split(data, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if !strings.Contains(fields[0], ":") {
			return ioTotals{}, fmt.Errorf("line %d %q: %w: bad device", i+1, line, errMalformed)
		}
		for _, kv := range fields[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return ioTotals{}, fmt.Errorf("line %d %q: %w: want key=value", i+1, line, errMalformed)
			}
			var dst *uint64
			switch k {
			case "rbytes":
				dst = &t.readBytes
			case "wbytes":
				dst = &t.writeBytes
			case "rios":
				dst = &t.reads
			case "wios":
				dst = &t.writes
			default:
				continue
			}
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return ioTotals{}, fmt.Errorf("line %d %q: %w", i+1, line, err)
			}
			*dst += n
		}
	}
	return t, nil
}

// parsePSI parses a *.pressure file, "some|full avg10=F avg60=F avg300=F
// total=N" lines, into the total (microseconds) of each line kind.
func parsePSI(data string) (map[string]uint64, error) {
	if strings.TrimSpace(data) == "" {
		return nil, errEmpty
	}
	totals := make(map[string]uint64, 2)
	for i, line := range strings.Split(data, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if fields[0] != "some" && fields[0] != "full" {
			return nil, fmt.Errorf("line %d %q: %w: want some or full", i+1, line, errMalformed)
		}
		found := false
		for _, kv := range fields[1:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("line %d %q: %w: want key=value", i+1, line, errMalformed)
			}
			if k != "total" {
				continue
			}
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("line %d %q: %w", i+1, line, err)
			}
			totals[fields[0]] = n
			found = true
		}
		if !found {
			return nil, fmt.Errorf("line %d %q: %w: no total", i+1, line, errMalformed)
		}
	}
	return totals, nil
}
