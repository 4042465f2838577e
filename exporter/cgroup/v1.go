package cgroup

import (
	"context"
	"path/filepath"
)

// v1Source reads cgroup v1 controllers, and in hybrid mode PSI from the
// unified (v2) tree mounted at <root>/unified.
//
// Each field is a controller's resolved directory ("" when not mounted).
// cpu and cpuacct are the same directory when the distro co-mounts them
// (cpu,cpuacct with cpu and cpuacct symlinks); resolving the links lets
// such a hierarchy be walked once.
type v1Source struct {
	cpu, cpuacct, memory, blkio string
	unified                     string // hybrid only
}

func newV1Source(root string, hybrid bool) v1Source {
	s := v1Source{
		cpu:     controllerDir(root, "cpu", "cpu,cpuacct", "cpuacct,cpu"),
		cpuacct: controllerDir(root, "cpuacct", "cpu,cpuacct", "cpuacct,cpu"),
		memory:  controllerDir(root, "memory"),
		blkio:   controllerDir(root, "blkio"),
	}
	if hybrid {
		s.unified = controllerDir(root, "unified")
	}
	return s
}

// controllerDir returns the first of root/names that is a directory, with
// symlinks resolved: the only links the collector follows.
func controllerDir(root string, names ...string) string {
	for _, name := range names {
		p, err := filepath.EvalSymlinks(filepath.Join(root, name))
		if err == nil && isDir(p) {
			return p
		}
	}
	return ""
}

// discover walks each distinct controller hierarchy and merges containers by
// ID. In hybrid mode the unified tree only contributes PSI to containers
// already found in a v1 controller: a container with no v1 stats would be a
// series set of PSI alone.
func (s v1Source) discover(ctx context.Context) ([]*container, []error, error) {
	found := map[string]*container{}
	var walkErrs []error
	seen := map[string]bool{}
	for _, h := range []string{s.cpuacct, s.cpu, s.memory, s.blkio} {
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		errs, err := findContainers(ctx, h, found)
		if err != nil {
			return nil, nil, err
		}
		walkErrs = append(walkErrs, errs...)
	}
	if s.unified != "" && len(found) > 0 {
		unified := map[string]*container{}
		errs, err := findContainers(ctx, s.unified, unified)
		if err != nil {
			return nil, nil, err
		}
		walkErrs = append(walkErrs, errs...)
		for cid, u := range unified {
			if ct := found[cid]; ct != nil {
				ct.dirs[s.unified] = u.dirs[s.unified]
			}
		}
	}
	return sortedContainers(found), walkErrs, nil
}

// v1Memory names the v1 memory files. The total_ keys of memory.stat include
// child cgroups, matching memory.usage_in_bytes, which is hierarchical too.
var v1Memory = memoryFiles{
	usage:        "memory.usage_in_bytes",
	rss:          "total_rss",
	cache:        "total_cache",
	inactiveFile: "total_inactive_file",
}

// v1Unlimited is the bound above which memory.limit_in_bytes means "no
// limit": the kernel reports PAGE_COUNTER_MAX rounded down to a page
// (9223372036854771712 with 4 KiB pages, other values with larger pages),
// and no real limit comes near 2^62 bytes.
const v1Unlimited = 1 << 62

func (s v1Source) read(r *reading, ct *container) {
	if dir := ct.dir(s.cpuacct); dir != "" {
		if ns, ok := r.uint(dir, "cpuacct.usage"); ok {
			r.add(cpuUsage, float64(ns)/nsPerSecond)
		}
	}
	if dir := ct.dir(s.cpu); dir != "" {
		readV1Throttling(r, dir)
	}
	if dir := ct.dir(s.memory); dir != "" {
		readMemory(r, dir, v1Memory)
		if limit, ok := r.uint(dir, "memory.limit_in_bytes"); ok && limit < v1Unlimited {
			r.add(memLimit, float64(limit))
		}
		readOOM(r, dir, "memory.oom_control")
	}
	if dir := ct.dir(s.blkio); dir != "" {
		if read, write, ok := readBlkio(r, dir, "blkio.throttle.io_service_bytes"); ok {
			r.add(fsReadBytes, float64(read))
			r.add(fsWriteBytes, float64(write))
		}
		if read, write, ok := readBlkio(r, dir, "blkio.throttle.io_serviced"); ok {
			r.add(fsReads, float64(read))
			r.add(fsWrites, float64(write))
		}
	}
	readPSI(r, ct.dir(s.unified))
}

// readV1Throttling adds the CFS counters, only when a quota is set: without
// one they stay 0 forever, and cAdvisor omits them too.
func readV1Throttling(r *reading, dir string) {
	data, path, ok := r.file(dir, "cpu.cfs_quota_us")
	if !ok {
		return
	}
	quota, err := parseInt(data)
	if err != nil {
		r.fail(path, err)
		return
	}
	if quota == -1 {
		return
	}
	if stat, ok := r.keyed(dir, "cpu.stat"); ok {
		r.addKey(stat, "nr_periods", cfsPeriods, 1)
		r.addKey(stat, "nr_throttled", cfsThrottled, 1)
		r.addKey(stat, "throttled_time", cfsThrottledTime, nsPerSecond)
	}
}

// readBlkio sums Read and Write over devices from a blkio.throttle file.
// When the file holds no device line (only "Total 0", or absent) the
// _recursive variant is tried: some kernels account a cgroup's I/O only
// there, and for a container cgroup its own I/O and its subtree's are the
// same thing. Both without device lines means no I/O yet: zeros.
func readBlkio(r *reading, dir, name string) (read, write uint64, ok bool) {
	read, write, devices, st := readBlkioFile(r, dir, name)
	if st == fileBad || devices {
		return read, write, st == fileRead
	}
	rread, rwrite, _, rst := readBlkioFile(r, dir, name+"_recursive")
	switch rst {
	case fileRead:
		return rread, rwrite, true
	case fileBad:
		return 0, 0, false
	}
	return read, write, st == fileRead
}

func readBlkioFile(r *reading, dir, name string) (read, write uint64, devices bool, st fileState) {
	data, path, st := r.readFile(dir, name)
	if st != fileRead {
		return 0, 0, false, st
	}
	read, write, devices, err := parseBlkio(data)
	if err != nil {
		r.fail(path, err)
		return 0, 0, false, fileBad
	}
	return read, write, devices, fileRead
}
