package main

import (
	"strings"
	"testing"
)

// Mistakes in flags fail at start with a message naming the flag, not as
// silent ErrNoData at scrape time.
func TestBadFlagsFailAtStart(t *testing.T) {
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--collector.nosuch"}, []string{`unknown collector "nosuch"`, "known collectors: cgroup, cpu,"}},
		{[]string{"--no-collector.cpus"}, []string{`unknown collector "cpus"`}},
		{[]string{"--collector.netdev.bogus-option=x"}, []string{"unknown long flag '--collector.netdev.bogus-option'"}},
		{[]string{"--path.procfs=/nonexistent/proc"}, []string{"--path.procfs=/nonexistent/proc", "no such file or directory"}},
		{[]string{"--path.procfs=" + sysFixture}, []string{"does not look like a procfs mount"}},
		{[]string{"--path.cgroupfs=/nonexistent/cgroup"}, []string{"--path.cgroupfs=/nonexistent/cgroup"}},
		{[]string{"--path.rootfs=binary_test.go"}, []string{"--path.rootfs=binary_test.go: not a directory"}},
		{[]string{"--collector.diskstats.device-exclude=("}, []string{"invalid regexp"}},
		{[]string{"--collector.timeout=soon"}, []string{"collector.timeout"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out := runExit(t, append(tc.args, "--web.listen-address=127.0.0.1:0")...)
			if code != 2 {
				t.Errorf("exit code %d, want 2; output:\n%s", code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestHelpListsEveryCollectorFlag(t *testing.T) {
	code, out := runExit(t, "--help")
	if code != 0 {
		t.Fatalf("--help exit %d:\n%s", code, out)
	}
	for _, name := range collectorTable(&config{enabled: map[string]*bool{}}).Names() {
		if !strings.Contains(out, "--[no-]collector."+name) {
			t.Errorf("--help lacks --[no-]collector.%s", name)
		}
	}
	for _, f := range []string{"--path.procfs", "--path.sysfs", "--path.rootfs", "--path.cgroupfs", "--web.listen-address", "--web.config.file", "--log.level", "--log.format", "--collector.timeout"} {
		if !strings.Contains(out, f) {
			t.Errorf("--help lacks %s", f)
		}
	}
	if code, out := runExit(t, "--version"); code != 0 || !strings.Contains(out, "nexclipper-exporter, version") {
		t.Errorf("--version: exit %d\n%s", code, out)
	}
}
