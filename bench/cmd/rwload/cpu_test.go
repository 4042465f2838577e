package main

import (
	"os"
	"testing"
)

func TestParsePIDStat(t *testing.T) {
	f := func(stat string, want float64, wantErr bool) {
		t.Helper()
		got, err := parsePIDStat(stat)
		if (err != nil) != wantErr || got != want {
			t.Fatalf("parsePIDStat(%q) = %v, %v; want %v, error %v", stat, got, err, want, wantErr)
		}
	}
	// utime 1500 and stime 250 ticks; a command name with spaces and ')'.
	f("4242 (victoria metrics) S 1 4242 4242 0 -1 4194560 100 0 0 0 1500 250 0 0 20 0 12 0 300 1000000 5000", 17.5, false)
	f("7 (a) b)) R 1 7 7 0 -1 0 0 0 0 0 3 1 0 0 20 0 1 0 1 1 1", 0.04, false)
	f("7 (x) R 1 2", 0, true)
	f("no parenthesis", 0, true)
	f("7 (x) R 1 7 7 0 -1 0 0 0 0 0 u s 0", 0, true)
}

func TestParseMachineStat(t *testing.T) {
	stat := "cpu  532276 10 86586 1524166 3171 20 1541 316 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n"
	got, err := parseMachineStat(stat)
	// user + nice + system + irq + softirq + steal; idle and iowait are not busy.
	if want := float64(532276+10+86586+20+1541+316) / 100; err != nil || got != want {
		t.Fatalf("parseMachineStat = %v, %v; want %v", got, err, want)
	}
	if _, err := parseMachineStat("intr 1\n"); err == nil {
		t.Fatal("no cpu line: no error")
	}
}

func TestCPUSnapshotOfSelf(t *testing.T) {
	a := takeCPUSnapshot(os.Getpid())
	for i := 0; i < 3e7; i++ { // burn a little CPU so the counters move
		_ = i * i
	}
	b := takeCPUSnapshot(os.Getpid())
	u := cpuBetween(a, b)
	if !u.Known {
		t.Skip("/proc not readable here")
	}
	if u.Watched < 0 || u.Self < 0 || u.Others < 0 {
		t.Fatalf("negative CPU time: %+v", u)
	}
	if none := cpuBetween(takeCPUSnapshot(0), takeCPUSnapshot(0)); none.Known {
		t.Fatal("no PID watched, yet Known")
	}
}
