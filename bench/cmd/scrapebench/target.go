package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// config is everything one run needs, built from the flags.
type config struct {
	Targets []target
	Warmup  int
	Scrapes int
	Timeout time.Duration
	Out     string
}

// target is one exporter under test: where to scrape it, which process to
// read memory from, and optionally its binary for the size column.
type target struct {
	Name   string
	URL    string
	PID    int
	Binary string // empty when no --binary was given for this name
}

// targetFlag collects repeated --target name=URL=PID flags.
type targetFlag []target

func (f *targetFlag) String() string { return fmt.Sprint(*f) }

// Set parses name=URL=PID. The name ends at the first '=' and the PID starts
// after the last one, so a URL may itself contain '=' (a query string).
func (f *targetFlag) Set(s string) error {
	first, last := strings.Index(s, "="), strings.LastIndex(s, "=")
	if first <= 0 || last == first {
		return fmt.Errorf("target %q: want name=URL=PID", s)
	}
	t := target{Name: s[:first], URL: s[first+1 : last]}
	pid, err := strconv.Atoi(s[last+1:])
	if err != nil || pid <= 0 {
		return fmt.Errorf("target %q: PID %q is not a positive integer", t.Name, s[last+1:])
	}
	t.PID = pid
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("target %q: %q is not an http(s) URL", t.Name, t.URL)
	}
	for _, have := range *f {
		if have.Name == t.Name {
			return fmt.Errorf("target %q given twice", t.Name)
		}
	}
	*f = append(*f, t)
	return nil
}

// binaryFlag collects repeated --binary name=PATH flags.
type binaryFlag map[string]string

func (f *binaryFlag) String() string { return fmt.Sprint(map[string]string(*f)) }

func (f *binaryFlag) Set(s string) error {
	name, path, ok := strings.Cut(s, "=")
	if !ok || name == "" || path == "" {
		return fmt.Errorf("binary %q: want name=PATH", s)
	}
	if *f == nil {
		*f = binaryFlag{}
	}
	if _, dup := (*f)[name]; dup {
		return fmt.Errorf("binary %q given twice", name)
	}
	(*f)[name] = path
	return nil
}

// attachBinaries sets Binary on the targets; a --binary naming no target is
// an error because it is almost always a typo that would silently drop a column.
func attachBinaries(targets []target, binaries binaryFlag) error {
	for name, path := range binaries {
		found := false
		for i := range targets {
			if targets[i].Name == name {
				targets[i].Binary = path
				found = true
			}
		}
		if !found {
			return fmt.Errorf("--binary %s=%s: no --target named %q", name, path, name)
		}
	}
	return nil
}
