package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// userHZ is the unit of the tick counts in /proc/stat and /proc/PID/stat:
// fixed at 100 in Linux's user-space ABI, whatever the kernel's HZ.
const userHZ = 100

// cpuSeconds is this process's user + system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// cpuSnapshot is what the CPUs had done at one moment: this process, the
// watched one (the receiver under test, --watch-pid) and the whole machine.
// The machine's figure tells how much CPU other processes took, which on a
// shared machine explains a slow run.
type cpuSnapshot struct {
	self, watched, machine float64 // CPU seconds
	ok                     bool    // watched and machine were readable
}

func takeCPUSnapshot(watchPID int) cpuSnapshot {
	snap := cpuSnapshot{self: cpuSeconds()}
	if watchPID <= 0 {
		return snap
	}
	stat, err1 := os.ReadFile(fmt.Sprintf("/proc/%d/stat", watchPID))
	all, err2 := os.ReadFile("/proc/stat")
	if err1 != nil || err2 != nil {
		return snap
	}
	w, err1 := parsePIDStat(string(stat))
	m, err2 := parseMachineStat(string(all))
	if err1 != nil || err2 != nil {
		return snap
	}
	snap.watched, snap.machine, snap.ok = w, m, true
	return snap
}

// parsePIDStat returns utime + stime in seconds from /proc/PID/stat. The
// command name (field 2) may hold spaces and parentheses, so fields are
// counted from its last ')'.
func parsePIDStat(s string) (float64, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("no command name in %q", s)
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/PID/stat: %q", s)
	}
	u, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("utime/stime %q %q not numbers", f[11], f[12])
	}
	return float64(u+st) / userHZ, nil
}

// parseMachineStat returns the busy CPU seconds of all CPUs from /proc/stat:
// user, nice, system, irq, softirq and steal (all but idle and iowait).
func parseMachineStat(s string) (float64, error) {
	for line := range strings.Lines(s) {
		f := strings.Fields(line)
		if len(f) < 9 || f[0] != "cpu" {
			continue
		}
		var busy uint64
		for _, i := range []int{1, 2, 3, 6, 7, 8} {
			n, err := strconv.ParseUint(f[i], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/stat field %d %q: %w", i, f[i], err)
			}
			busy += n
		}
		return float64(busy) / userHZ, nil
	}
	return 0, fmt.Errorf("no cpu line in /proc/stat")
}

// cpuUse is how the CPU time of the timed part split up, in CPU seconds.
type cpuUse struct {
	Self, Watched, Others float64
	Known                 bool // Watched and Others are known
}

func cpuBetween(a, b cpuSnapshot) cpuUse {
	u := cpuUse{Self: b.self - a.self}
	if a.ok && b.ok {
		u.Watched = b.watched - a.watched
		u.Others = max(0, (b.machine-a.machine)-u.Watched-u.Self)
		u.Known = true
	}
	return u
}
