package cgroup

import "context"

// v2Source reads the unified (v2) hierarchy at root. Every v2 stat is
// hierarchical, so a container's scope includes children such as crun's
// "container" subgroup.
type v2Source struct {
	root string
}

func (s v2Source) discover(ctx context.Context) ([]*container, []error, error) {
	found := map[string]*container{}
	walkErrs, err := findContainers(ctx, s.root, found)
	if err != nil {
		return nil, nil, err
	}
	return sortedContainers(found), walkErrs, nil
}

// v2Memory names the v2 memory files; anon and file are v1's rss and cache.
var v2Memory = memoryFiles{
	usage:        "memory.current",
	rss:          "anon",
	cache:        "file",
	inactiveFile: "inactive_file",
}

func (s v2Source) read(r *reading, ct *container) {
	dir := ct.dir(s.root)
	if dir == "" {
		return
	}
	readV2CPU(r, dir)
	readMemory(r, dir, v2Memory)
	if data, path, ok := r.file(dir, "memory.max"); ok {
		limit, set, err := parseMax(data)
		switch {
		case err != nil:
			r.fail(path, err)
		case set:
			r.add(memLimit, float64(limit))
		}
	}
	readOOM(r, dir, "memory.events")
	if data, path, ok := r.file(dir, "io.stat"); ok {
		t, err := parseIOStat(data)
		if err != nil {
			r.fail(path, err)
		} else {
			r.add(fsReadBytes, float64(t.readBytes))
			r.add(fsWriteBytes, float64(t.writeBytes))
			r.add(fsReads, float64(t.reads))
			r.add(fsWrites, float64(t.writes))
		}
	}
	readPSI(r, dir)
}

// readV2CPU adds usage from cpu.stat and, when cpu.max sets a quota, the
// CFS counters (cAdvisor omits them without a quota: they stay 0).
func readV2CPU(r *reading, dir string) {
	quota := false
	if data, path, ok := r.file(dir, "cpu.max"); ok {
		var err error
		if quota, err = parseCPUMax(data); err != nil {
			r.fail(path, err)
		}
	}
	stat, ok := r.keyed(dir, "cpu.stat")
	if !ok {
		return
	}
	r.addKey(stat, "usage_usec", cpuUsage, usPerSecond)
	if quota {
		r.addKey(stat, "nr_periods", cfsPeriods, 1)
		r.addKey(stat, "nr_throttled", cfsThrottled, 1)
		r.addKey(stat, "throttled_usec", cfsThrottledTime, usPerSecond)
	}
}
