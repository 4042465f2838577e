package node

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// osInfoKeys are the os-release(5) keys node_exporter exports as labels of
// node_os_info, in its label order.
var osInfoKeys = []string{"BUILD_ID", "ID", "ID_LIKE", "IMAGE_ID", "IMAGE_VERSION", "NAME", "PRETTY_NAME", "VARIANT", "VARIANT_ID", "VERSION", "VERSION_CODENAME", "VERSION_ID"}

// osVersionRe takes the leading numeric part of VERSION_ID ("22.04", "12").
var osVersionRe = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?`)

type osCollector struct {
	opts    *Options
	info    *prometheus.Desc
	version *prometheus.Desc
}

func newOSCollector(opts *Options) (*osCollector, error) {
	labels := make([]string, len(osInfoKeys))
	for i, k := range osInfoKeys {
		labels[i] = strings.ToLower(k)
	}
	return &osCollector{
		opts:    opts,
		info:    desc("os", "info", "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.", labels...),
		version: desc("os", "version", "Metric containing the major.minor part of the OS version.", "id", "id_like", "name"),
	}, nil
}

func (c *osCollector) Update(_ context.Context, ch chan<- prometheus.Metric) error {
	var data []byte
	var err error
	for _, p := range []string{"etc/os-release", "usr/lib/os-release"} {
		data, err = os.ReadFile(filepath.Join(c.opts.RootPath, p))
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if err != nil {
		return noData(fmt.Errorf("read os-release: %w", err))
	}
	release := parseOSRelease(data)
	values := make([]string, len(osInfoKeys))
	for i, k := range osInfoKeys {
		values[i] = release[k]
	}
	ch <- prometheus.MustNewConstMetric(c.info, prometheus.GaugeValue, 1, values...)
	if v := osVersionRe.FindString(release["VERSION_ID"]); v != "" {
		f, _ := strconv.ParseFloat(v, 64) // the regexp guarantees a number
		ch <- prometheus.MustNewConstMetric(c.version, prometheus.GaugeValue, f, release["ID"], release["ID_LIKE"], release["NAME"])
	}
	return nil
}

// parseOSRelease reads KEY=value lines, unquoting single or double quoted
// values as os-release(5) allows. Lines that are not assignments are skipped.
func parseOSRelease(data []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		if u, err := strconv.Unquote(value); err == nil && strings.HasPrefix(value, `"`) {
			value = u
		} else if len(value) >= 2 && value[0] == '\'' && value[len(value)-1] == '\'' {
			value = value[1 : len(value)-1]
		}
		out[key] = value
	}
	return out
}
