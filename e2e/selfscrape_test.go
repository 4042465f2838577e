package e2e

import (
	"testing"
	"time"
)

// TestSelfScrape: the receiver scrapes the exporter itself from a standard
// scrape config; a PromQL query answers within a minute.
func TestSelfScrape(t *testing.T) {
	receiver := startSelfScrape(t)
	eventually(t, time.Minute, "self-scraped series", func() bool {
		return len(instantQuery(t, receiver.addr, `node_load1{job="nexclipper-exporter"}`)) == 1 &&
			len(instantQuery(t, receiver.addr, `up{job="nexclipper-exporter"} == 1`)) == 1
	})
}

// TestSelfScrapeRejectsUnsupportedSections: a config with rule_files fails
// at start with a message instead of being half applied.
func TestSelfScrapeRejectsUnsupportedSections(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "rules.yml", "groups: []\n")
	cfg := writeFile(t, dir, "scrape.yml", "rule_files: [rules.yml]\nscrape_configs: []\n")
	p := startProcess(t, "receiver", freeAddr(t), binDir+"/nexclipper-receiver", "--storage.path="+dir+"/data", "--scrape.config-file="+cfg)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("receiver kept running with an unsupported scrape config")
	}
	if code := p.cmd.ProcessState.ExitCode(); code == 0 {
		t.Errorf("exit code 0")
	}
	if log := p.log.String(); !contains(log, "rule_files is not supported") {
		t.Errorf("log does not say why:\n%s", log)
	}
}
