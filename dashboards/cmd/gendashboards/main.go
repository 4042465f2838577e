// Command gendashboards writes NexClipper's dashboards (package dashboards)
// as JSON into a directory, by default grafana-plugin/src/dashboards of the
// repository it runs in:
//
//	go run ./dashboards/cmd/gendashboards            # from the repository root
//	go generate ./dashboards/                        # the same
//
// Files of that directory that are no longer generated are removed, so a
// renamed dashboard does not linger in the plugin.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nexclipper/nexclipper/dashboards"
)

func main() {
	out := flag.String("out", filepath.Join("grafana-plugin", "src", "dashboards"), "directory to write the dashboards' JSON into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gendashboards:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	files, err := dashboards.Files()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, f := range files {
		keep[f.Name] = true
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.JSON, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", filepath.Join(dir, f.Name))
	}
	old, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	for _, p := range old {
		if !keep[filepath.Base(p)] {
			if err := os.Remove(p); err != nil {
				return err
			}
			fmt.Println("removed", p)
		}
	}
	return nil
}
