package node

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/procfs"
	"golang.org/x/sys/unix"
)

// StatfsFunc is statfs(2) on a path.
type StatfsFunc func(path string) (unix.Statfs_t, error)

type filesystemCollector struct {
	procfs procfs.FS
	opts   *Options

	size, free, avail, files, filesFree, readonly, deviceError *prometheus.Desc

	mu sync.Mutex
	// stuck holds mount points whose statfs has not returned yet; they are
	// skipped until it does, so a dead NFS server costs one goroutine, not one
	// per scrape.
	stuck map[string]bool
}

func newFilesystemCollector(opts *Options) (*filesystemCollector, error) {
	pfs, err := procfs.NewFS(opts.ProcPath)
	if err != nil {
		return nil, err
	}
	labels := []string{"device", "fstype", "mountpoint"}
	return &filesystemCollector{
		procfs:      pfs,
		opts:        opts,
		size:        desc("filesystem", "size_bytes", "Filesystem size in bytes.", labels...),
		free:        desc("filesystem", "free_bytes", "Filesystem free space in bytes.", labels...),
		avail:       desc("filesystem", "avail_bytes", "Filesystem space available to non-root users in bytes.", labels...),
		files:       desc("filesystem", "files", "Filesystem total file nodes.", labels...),
		filesFree:   desc("filesystem", "files_free", "Filesystem total free file nodes.", labels...),
		readonly:    desc("filesystem", "readonly", "Filesystem read-only status.", labels...),
		deviceError: desc("filesystem", "device_error", "Whether an error occurred while getting statistics for the given device.", labels...),
		stuck:       map[string]bool{},
	}, nil
}

type mount struct{ device, fstype, mountpoint string }

// mounts lists the mounts of PID 1 (the host's, when the host's /proc is
// mounted at --path.procfs) after the exclude filters, one per mount point:
// where mounts are stacked the last one is what statfs sees.
func (c *filesystemCollector) mounts() ([]mount, error) {
	infos, err := c.procfs.GetProcMounts(1)
	if errors.Is(err, fs.ErrNotExist) {
		// No PID 1 in this procfs (a container's own /proc without hostPID
		// shows it, but a fixture may not): fall back to our own view.
		infos, err = c.procfs.GetMounts()
	}
	if err != nil {
		return nil, noData(fmt.Errorf("read mountinfo: %w", err))
	}
	index := map[string]int{}
	var out []mount
	for _, m := range infos {
		if !filter(nil, c.opts.FSMountPointsExclude, m.MountPoint) || !filter(nil, c.opts.FSTypesExclude, m.FSType) {
			continue
		}
		mt := mount{device: m.Source, fstype: m.FSType, mountpoint: m.MountPoint}
		if i, ok := index[m.MountPoint]; ok {
			out[i] = mt
			continue
		}
		index[m.MountPoint] = len(out)
		out = append(out, mt)
	}
	return out, nil
}

func (c *filesystemCollector) Update(ctx context.Context, ch chan<- prometheus.Metric) error {
	mounts, err := c.mounts()
	if err != nil {
		return err
	}
	for _, m := range mounts {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		labels := []string{m.device, m.fstype, m.mountpoint}
		st, err := c.statfs(m.mountpoint)
		if err != nil {
			// A mount that cannot be read is a fact about the host, not a
			// failure of the collector: report it in device_error.
			ch <- prometheus.MustNewConstMetric(c.deviceError, prometheus.GaugeValue, 1, labels...)
			continue
		}
		bsize := float64(st.Bsize)
		ro := 0.0
		if st.Flags&unix.ST_RDONLY != 0 {
			ro = 1
		}
		ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(st.Blocks)*bsize, labels...)
		ch <- prometheus.MustNewConstMetric(c.free, prometheus.GaugeValue, float64(st.Bfree)*bsize, labels...)
		ch <- prometheus.MustNewConstMetric(c.avail, prometheus.GaugeValue, float64(st.Bavail)*bsize, labels...)
		ch <- prometheus.MustNewConstMetric(c.files, prometheus.GaugeValue, float64(st.Files), labels...)
		ch <- prometheus.MustNewConstMetric(c.filesFree, prometheus.GaugeValue, float64(st.Ffree), labels...)
		ch <- prometheus.MustNewConstMetric(c.readonly, prometheus.GaugeValue, ro, labels...)
		ch <- prometheus.MustNewConstMetric(c.deviceError, prometheus.GaugeValue, 0, labels...)
	}
	return nil
}

// statfs calls Statfs on the mount point below --path.rootfs, giving up after
// FSMountTimeout. The call itself cannot be cancelled; it is left running and
// the mount point is skipped until it returns.
func (c *filesystemCollector) statfs(mountpoint string) (unix.Statfs_t, error) {
	c.mu.Lock()
	if c.stuck[mountpoint] {
		c.mu.Unlock()
		return unix.Statfs_t{}, fmt.Errorf("statfs %s: an earlier call has not returned", mountpoint)
	}
	c.stuck[mountpoint] = true
	c.mu.Unlock()

	statfs := c.opts.Statfs
	if statfs == nil {
		statfs = func(path string) (unix.Statfs_t, error) {
			var st unix.Statfs_t
			err := unix.Statfs(path, &st)
			return st, err
		}
	}
	type result struct {
		st  unix.Statfs_t
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := statfs(filepath.Join(c.opts.RootPath, mountpoint))
		c.mu.Lock()
		delete(c.stuck, mountpoint)
		c.mu.Unlock()
		done <- result{st, err}
	}()
	timer := time.NewTimer(c.opts.FSMountTimeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.st, r.err
	case <-timer.C:
		return unix.Statfs_t{}, fmt.Errorf("statfs %s: no answer after %s", mountpoint, c.opts.FSMountTimeout)
	}
}
