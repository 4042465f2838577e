package cgroup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// container is one container and its cgroup directory in each hierarchy
// it was found in.
type container struct {
	id Identity
	// dirs maps a hierarchy root (resolved controller dir) to the container's
	// absolute cgroup dir in it.
	dirs map[string]string
	// depth is the path depth of each entry in dirs, to keep the shallowest.
	depth map[string]int
}

// dir returns the container's cgroup dir in hierarchy h, "" when the
// controller is not mounted or the container is not in it.
func (ct *container) dir(h string) string {
	if h == "" {
		return ""
	}
	return ct.dirs[h]
}

// findContainers walks the hierarchy at root and records every container
// cgroup in found, keyed by container ID. Only directories are visited and
// symlinks are not followed (root itself must already be resolved). A
// directory that vanishes during the walk is skipped; one that cannot be
// read for another reason is reported in walkErrs and the walk goes on.
func findContainers(ctx context.Context, root string, found map[string]*container) (walkErrs []error, err error) {
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			// Called for the root (d == nil) or a second time for a dir
			// whose entries could not be read.
			if !isAbsent(err) {
				walkErrs = append(walkErrs, err)
			}
			return nil
		}
		if !d.IsDir() {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel := strings.TrimPrefix(path, root)
		id, ok := ParseIdentity(rel)
		if !ok {
			return nil
		}
		depth := strings.Count(rel, "/")
		ct := found[id.ContainerID]
		if ct == nil {
			ct = &container{id: id, dirs: map[string]string{}, depth: map[string]int{}}
			found[id.ContainerID] = ct
		}
		if prev, seen := ct.depth[root]; !seen || depth < prev {
			ct.dirs[root] = path
			ct.depth[root] = depth
		}
		// Go on below: a container may hold other containers (kind nodes,
		// Docker-in-Docker) with their own IDs.
		return nil
	})
	return walkErrs, err
}

// sortedContainers returns the containers ordered by ID, so output and
// errors are stable between scrapes.
func sortedContainers(found map[string]*container) []*container {
	out := make([]*container, 0, len(found))
	for _, ct := range found {
		out = append(out, ct)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id.ContainerID < out[j].id.ContainerID })
	return out
}

// isAbsent reports errors that mean "this file is not there", which are
// not failures: ENOENT (controller not enabled, cgroup removed mid-walk),
// ENODEV (reading a cgroup being removed), EOPNOTSUPP (PSI files of a
// kernel booted with psi=0).
func isAbsent(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENODEV) || errors.Is(err, syscall.EOPNOTSUPP)
}

// sample is one value read for a container, before labels are attached.
type sample struct {
	f *family
	v float64
}

// reading gathers the samples and errors of one container.
type reading struct {
	samples []sample
	errs    []error
}

func (r *reading) add(f *family, v float64) {
	r.samples = append(r.samples, sample{f: f, v: v})
}

// addKey adds m[key]/div; a key missing from the file skips the metric
// silently, as a missing file does (fields differ between kernels).
func (r *reading) addKey(m map[string]uint64, key string, f *family, div float64) {
	if v, ok := m[key]; ok {
		r.add(f, float64(v)/div)
	}
}

func (r *reading) fail(path string, err error) {
	r.errs = append(r.errs, fmt.Errorf("parse %s: %w", path, err))
}

// fileState is the outcome of reading one cgroup file.
type fileState int

const (
	fileRead   fileState = iota
	fileAbsent           // not there: skipped silently
	fileBad              // unreadable or malformed: error recorded
)

// readFile reads dir/name, recording an error unless it is absent.
func (r *reading) readFile(dir, name string) (data, path string, st fileState) {
	path = filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		return string(b), path, fileRead
	case isAbsent(err):
		return "", path, fileAbsent
	}
	r.errs = append(r.errs, err) // *fs.PathError names the file
	return "", path, fileBad
}

// file is readFile for callers that only care whether there is data.
func (r *reading) file(dir, name string) (data, path string, ok bool) {
	data, path, st := r.readFile(dir, name)
	return data, path, st == fileRead
}

// uint reads a single-value file.
func (r *reading) uint(dir, name string) (uint64, bool) {
	data, path, ok := r.file(dir, name)
	if !ok {
		return 0, false
	}
	v, err := parseUint(data)
	if err != nil {
		r.fail(path, err)
		return 0, false
	}
	return v, true
}

// keyed reads a flat-keyed file.
func (r *reading) keyed(dir, name string) (map[string]uint64, bool) {
	data, path, ok := r.file(dir, name)
	if !ok {
		return nil, false
	}
	m, err := parseFlatKeyed(data)
	if err != nil {
		r.fail(path, err)
		return nil, false
	}
	return m, true
}

// memoryFiles names the memory files and memory.stat keys of one cgroup
// version; the metrics and their derivation are the same.
type memoryFiles struct {
	usage                    string // single value, bytes
	rss, cache, inactiveFile string // memory.stat keys
}

// readMemory adds usage, working set, RSS and cache.
//
// Working set is cAdvisor's: usage minus inactive file pages (the page cache
// the kernel would reclaim first), floored at 0 because the two are read at
// different moments and v1's total_ counters include children. A memory.stat
// without the inactive key counts it as 0, as cAdvisor does.
func readMemory(r *reading, dir string, f memoryFiles) {
	usage, haveUsage := r.uint(dir, f.usage)
	if haveUsage {
		r.add(memUsage, float64(usage))
	}
	stat, ok := r.keyed(dir, "memory.stat")
	if !ok {
		return
	}
	if haveUsage {
		ws := uint64(0)
		if inactive := stat[f.inactiveFile]; inactive < usage {
			ws = usage - inactive
		}
		r.add(memWorkingSet, float64(ws))
	}
	r.addKey(stat, f.rss, memRSS, 1)
	r.addKey(stat, f.cache, memCache, 1)
}

// readOOM adds the oom_kill count of a flat-keyed file (v1
// memory.oom_control, v2 memory.events). Kernels before 4.13 have no
// oom_kill field; they count as 0 rather than dropping the series, so
// alerts on increase() keep a baseline.
func readOOM(r *reading, dir, name string) {
	if m, ok := r.keyed(dir, name); ok {
		r.add(oomEvents, float64(m["oom_kill"]))
	}
}

// psiFiles are the PSI lines we export, cAdvisor's choice: CPU "some"
// (someone waited for a CPU; "full" is meaningless for CPU before 5.13),
// memory and I/O "full" (nobody could make progress).
var psiFiles = [...]struct {
	name, line string
	f          *family
}{
	{"cpu.pressure", "some", cpuPressureWait},
	{"memory.pressure", "full", memPressureStall},
	{"io.pressure", "full", ioPressureStalled},
}

// readPSI adds the PSI totals of a v2 cgroup dir, when the files exist.
func readPSI(r *reading, dir string) {
	if dir == "" {
		return
	}
	for _, p := range psiFiles {
		data, path, ok := r.file(dir, p.name)
		if !ok {
			continue
		}
		totals, err := parsePSI(data)
		if err != nil {
			r.fail(path, err)
			continue
		}
		v, ok := totals[p.line]
		if !ok {
			r.fail(path, fmt.Errorf("%w: no %q line", errMalformed, p.line))
			continue
		}
		r.add(p.f, float64(v)/usPerSecond)
	}
}
