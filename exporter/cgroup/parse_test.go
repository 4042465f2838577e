package cgroup

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

// wantErr checks err against a substring of its message, "" for no error.
func wantErr(t *testing.T, err error, sub string) {
	t.Helper()
	switch {
	case sub == "" && err != nil:
		t.Errorf("unexpected error %v", err)
	case sub != "" && err == nil:
		t.Errorf("no error, want one containing %q", sub)
	case sub != "" && !strings.Contains(err.Error(), sub):
		t.Errorf("error %q does not contain %q", err, sub)
	}
}

func TestParseUint(t *testing.T) {
	f := func(in string, want uint64, errSub string) {
		t.Helper()
		got, err := parseUint(in)
		wantErr(t, err, errSub)
		if err == nil && got != want {
			t.Errorf("parseUint(%q) = %d, want %d", in, got, want)
		}
	}
	f("43272324368\n", 43272324368, "")
	f("9223372036854771712\n", 9223372036854771712, "")
	f("0", 0, "")
	f("", 0, "empty file")
	f("\n", 0, "empty file")
	f("12ab\n", 0, "invalid syntax")
	f("-1\n", 0, "invalid syntax")
}

func TestParseInt(t *testing.T) {
	if v, err := parseInt("-1\n"); err != nil || v != -1 {
		t.Errorf("parseInt(-1) = %d, %v", v, err)
	}
	if v, err := parseInt("50000\n"); err != nil || v != 50000 {
		t.Errorf("parseInt(50000) = %d, %v", v, err)
	}
	_, err := parseInt("")
	wantErr(t, err, "empty file")
}

func TestParseMax(t *testing.T) {
	f := func(in string, want uint64, wantSet bool, errSub string) {
		t.Helper()
		got, set, err := parseMax(in)
		wantErr(t, err, errSub)
		if got != want || set != wantSet {
			t.Errorf("parseMax(%q) = %d, %v; want %d, %v", in, got, set, want, wantSet)
		}
	}
	f("max\n", 0, false, "")
	f("536870912\n", 536870912, true, "")
	f("", 0, false, "empty file")
	f("lots\n", 0, false, "invalid syntax")
}

func TestParseCPUMax(t *testing.T) {
	f := func(in string, want bool, errSub string) {
		t.Helper()
		got, err := parseCPUMax(in)
		wantErr(t, err, errSub)
		if got != want {
			t.Errorf("parseCPUMax(%q) = %v, want %v", in, got, want)
		}
	}
	f("max 100000\n", false, "")
	f("50000 100000\n", true, "")
	f("max\n", false, "")
	f("", false, "empty file")
	f("50000 100000 7\n", false, "malformed")
	f("half 100000\n", false, "invalid syntax")
	f("max 1e5\n", false, "invalid syntax")
}

func TestParseFlatKeyed(t *testing.T) {
	f := func(in string, want map[string]uint64, errSub string) {
		t.Helper()
		got, err := parseFlatKeyed(in)
		wantErr(t, err, errSub)
		if err == nil && !maps.Equal(got, want) {
			t.Errorf("parseFlatKeyed(%q) = %v, want %v", in, got, want)
		}
	}
	f("nr_periods 12000\nnr_throttled 340\nthrottled_time 17250000000\nnr_bursts 0\nburst_time 0\n",
		map[string]uint64{"nr_periods": 12000, "nr_throttled": 340, "throttled_time": 17250000000, "nr_bursts": 0, "burst_time": 0}, "")
	f("oom_kill_disable 0\nunder_oom 0\n", map[string]uint64{"oom_kill_disable": 0, "under_oom": 0}, "")
	f("hierarchical_memory_limit 9223372036854771712", map[string]uint64{"hierarchical_memory_limit": 9223372036854771712}, "")
	f("", nil, "empty file")
	f("usage_usec 2000000\nuser_usec 1500000\nsystem_u", nil, `line 3 "system_u": malformed`) // truncated
	f("anon 41943x04\nfile 2097152\n", nil, `line 1 "anon 41943x04": strconv.ParseUint`)
	f("anon 1 2\n", nil, "malformed")
	f("anon -5\n", nil, "invalid syntax")
}

func TestParseBlkio(t *testing.T) {
	f := func(in string, wantR, wantW uint64, wantDev bool, errSub string) {
		t.Helper()
		r, w, dev, err := parseBlkio(in)
		wantErr(t, err, errSub)
		if r != wantR || w != wantW || dev != wantDev {
			t.Errorf("parseBlkio(%q) = %d, %d, %v; want %d, %d, %v", in, r, w, dev, wantR, wantW, wantDev)
		}
	}
	full := "8:0 Read 1048576\n8:0 Write 2097152\n8:0 Sync 2097152\n8:0 Async 1048576\n8:0 Discard 0\n8:0 Total 3145728\n" +
		"253:0 Read 524288\n253:0 Write 0\n253:0 Sync 0\n253:0 Async 524288\n253:0 Discard 0\n253:0 Total 524288\nTotal 3670016\n"
	f(full, 1572864, 2097152, true, "")
	f("Total 0\n", 0, 0, false, "")
	f("", 0, 0, false, "")
	f("8:0 Read 1\n8:0 Write\n", 0, 0, false, "malformed")
	f("8:0 Read 1x\n", 0, 0, false, "invalid syntax")
	f("Read 1 2\n", 0, 0, false, "bad device")
	f("Sum 5\n", 0, 0, false, "malformed")
	f("Total x\n", 0, 0, false, "invalid syntax")
}

func TestParseIOStat(t *testing.T) {
	f := func(in string, want ioTotals, errSub string) {
		t.Helper()
		got, err := parseIOStat(in)
		wantErr(t, err, errSub)
		if got != want {
			t.Errorf("parseIOStat(%q) = %+v, want %+v", in, got, want)
		}
	}
	f("8:0 rbytes=1048576 wbytes=4194304 rios=256 wios=1024 dbytes=0 dios=0\n259:0 rbytes=2097152 wbytes=0 rios=128 wios=0 dbytes=0 dios=0\n",
		ioTotals{readBytes: 3145728, writeBytes: 4194304, reads: 384, writes: 1024}, "")
	f("", ioTotals{}, "")
	// iocost adds cost.* keys on some kernels; ignored.
	f("8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0 cost.vrate=100.00 cost.usage=7\n", ioTotals{1, 2, 3, 4}, "")
	f("8:0 rbytes=1 wbytes\n", ioTotals{}, "want key=value")
	f("8:0 rbytes=x\n", ioTotals{}, "invalid syntax")
	f("rbytes=1\n", ioTotals{}, "bad device")
}

func TestParsePSI(t *testing.T) {
	f := func(in string, want map[string]uint64, errSub string) {
		t.Helper()
		got, err := parsePSI(in)
		wantErr(t, err, errSub)
		if err == nil && !maps.Equal(got, want) {
			t.Errorf("parsePSI(%q) = %v, want %v", in, got, want)
		}
	}
	f("some avg10=1.50 avg60=0.80 avg300=0.20 total=2500000\nfull avg10=0.50 avg60=0.30 avg300=0.10 total=900000\n",
		map[string]uint64{"some": 2500000, "full": 900000}, "")
	f("some avg10=0.00 avg60=0.00 avg300=0.00 total=4710156\n", map[string]uint64{"some": 4710156}, "") // cpu before 5.13
	f("", nil, "empty file")
	f("some avg10=0.00 avg60=0.00 avg300=0.00\n", nil, "no total")
	f("some avg10=0.00 total=12x\n", nil, "invalid syntax")
	f("half total=1\n", nil, "want some or full")
	f("some total\n", nil, "want key=value")
}

func TestParseErrorsAreTyped(t *testing.T) {
	if _, err := parseFlatKeyed(""); !errors.Is(err, errEmpty) {
		t.Errorf("empty flat-keyed error %v is not errEmpty", err)
	}
	if _, err := parseFlatKeyed("a\n"); !errors.Is(err, errMalformed) {
		t.Errorf("malformed flat-keyed error %v is not errMalformed", err)
	}
}
