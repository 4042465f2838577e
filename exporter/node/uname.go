package node

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sys/unix"
)

type unameCollector struct {
	opts *Options
	info *prometheus.Desc
}

func newUnameCollector(opts *Options) (*unameCollector, error) {
	return &unameCollector{opts: opts, info: desc("uname", "info",
		"Labeled system information as provided by the uname system call.",
		"sysname", "release", "version", "machine", "nodename", "domainname")}, nil
}

// Update reads the kernel identity from /proc/sys/kernel (so fixture trees
// work) and the machine from uname(2), which /proc does not hold.
func (c *unameCollector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	read := func(name string) (string, error) {
		b, err := os.ReadFile(filepath.Join(c.opts.ProcPath, "sys", "kernel", name))
		if err != nil {
			return "", noData(err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	values := make([]string, 0, 6)
	for _, name := range []string{"ostype", "osrelease", "version"} {
		v, err := read(name)
		if err != nil {
			return err
		}
		values = append(values, v)
	}
	var uts unix.Utsname
	if err := unix.Uname(&uts); err != nil {
		return fmt.Errorf("uname: %w", err)
	}
	values = append(values, unix.ByteSliceToString(uts.Machine[:]))
	for _, name := range []string{"hostname", "domainname"} {
		v, err := read(name)
		if err != nil {
			return err
		}
		values = append(values, v)
	}
	ch <- prometheus.MustNewConstMetric(c.info, prometheus.GaugeValue, 1, values...)
	return nil
}
