package main

import (
	"strings"
	"testing"
)

func TestTargetFlagSet(t *testing.T) {
	f := func(in string, want target, wantErr string) {
		t.Helper()
		var tf targetFlag
		err := tf.Set(in)
		if wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Fatalf("Set(%q) error = %v, want it to contain %q", in, err, wantErr)
			}
			return
		}
		if err != nil {
			t.Fatalf("Set(%q): %v", in, err)
		}
		if tf[0] != want {
			t.Fatalf("Set(%q) = %+v, want %+v", in, tf[0], want)
		}
	}
	f("ours=http://127.0.0.1:9910/metrics=42",
		target{Name: "ours", URL: "http://127.0.0.1:9910/metrics", PID: 42}, "")
	f("q=http://h:1/metrics?collect[]=cpu&x=y=7",
		target{Name: "q", URL: "http://h:1/metrics?collect[]=cpu&x=y", PID: 7}, "")
	f("ours=http://h/metrics", target{}, "want name=URL=PID")
	f("ours=http://h/metrics=abc", target{}, "not a positive integer")
	f("ours=http://h/metrics=0", target{}, "not a positive integer")
	f("=http://h/metrics=1", target{}, "want name=URL=PID")
	f("ours", target{}, "want name=URL=PID")
	f("ours=h:1/metrics=1", target{}, "not an http(s) URL")
}

func TestParseFlags(t *testing.T) {
	f := func(args []string, wantErr string) {
		t.Helper()
		_, err := parseFlags(args)
		if wantErr == "" && err != nil {
			t.Fatalf("parseFlags(%q): %v", args, err)
		}
		if wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
			t.Fatalf("parseFlags(%q) error = %v, want it to contain %q", args, err, wantErr)
		}
	}
	a := "--target=a=http://h:1/metrics=1"
	b := "--target=b=http://h:2/metrics=2"
	f([]string{a, b}, "")
	f([]string{a, b, "--binary=a=/bin/true"}, "")
	f([]string{a}, "at least 2")
	f([]string{a, a}, "given twice")
	f([]string{a, b, "--binary=c=/bin/true"}, `no --target named "c"`)
	f([]string{a, b, "--scrapes=0"}, "--scrapes >= 1")
	f([]string{a, b, "extra"}, "unexpected arguments")
}

func TestCommandLine(t *testing.T) {
	f := func(args []string, want string) {
		t.Helper()
		if got := commandLine(args); got != want {
			t.Fatalf("commandLine(%q) = %q, want %q", args, got, want)
		}
	}
	f([]string{"/tmp/go-build123/b001/exe/scrapebench", "--target", "a=http://h:1/metrics=1"},
		"go run ./bench/cmd/scrapebench --target a=http://h:1/metrics=1")
	f([]string{"scrapebench", "--out", "my file", "it's"},
		`scrapebench --out 'my file' 'it'\''s'`)
}
