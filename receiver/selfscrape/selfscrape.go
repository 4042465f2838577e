// Package selfscrape lets the receiver scrape targets itself from a standard
// Prometheus configuration file (its scrape_configs, with every service
// discovery Prometheus has), appending straight into local storage, so one
// machine needs no Prometheus. It wires Prometheus's own discovery and
// scrape managers; nothing of the scrape protocol is reimplemented.
//
// Contract: New validates and applies the file; Run blocks until ctx is
// done, then stops scraping and discovery before it returns. Sections other
// than global and scrape_configs (rule_files, alerting, remote_write) are
// rejected at start rather than silently ignored.
package selfscrape

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/discovery"
	_ "github.com/prometheus/prometheus/discovery/install" // every SD mechanism Prometheus has
	"github.com/prometheus/prometheus/scrape"
	"github.com/prometheus/prometheus/storage"
)

// Scraper runs discovery and scraping for one configuration file.
type Scraper struct {
	logger    *slog.Logger
	discovery *discovery.Manager
	scrape    *scrape.Manager
	cancel    context.CancelFunc
	ctx       context.Context
}

// New loads the scrape configuration file and prepares the managers.
func New(configFile string, app storage.Appendable, logger *slog.Logger, reg prometheus.Registerer) (*Scraper, error) {
	cfg, err := config.LoadFile(configFile, false, logger)
	if err != nil {
		return nil, fmt.Errorf("load scrape config %s: %w", configFile, err)
	}
	if err := checkSections(cfg); err != nil {
		return nil, fmt.Errorf("scrape config %s: %w", configFile, err)
	}
	scrapeConfigs, err := cfg.GetScrapeConfigs()
	if err != nil {
		return nil, fmt.Errorf("scrape config %s: %w", configFile, err)
	}
	sdMetrics, err := discovery.CreateAndRegisterSDMetrics(reg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	dm := discovery.NewManager(ctx, logger.With("component", "discovery"), reg, sdMetrics)
	if dm == nil {
		cancel()
		return nil, errors.New("create discovery manager")
	}
	sm, err := scrape.NewManager(&scrape.Options{}, logger.With("component", "scrape"), nil, app, nil, reg)
	if err != nil {
		cancel()
		return nil, err
	}
	sdConfigs := map[string]discovery.Configs{}
	for _, sc := range scrapeConfigs {
		sdConfigs[sc.JobName] = sc.ServiceDiscoveryConfigs
	}
	if err := dm.ApplyConfig(sdConfigs); err != nil {
		cancel()
		return nil, fmt.Errorf("apply discovery config: %w", err)
	}
	if err := sm.ApplyConfig(cfg); err != nil {
		cancel()
		return nil, fmt.Errorf("apply scrape config: %w", err)
	}
	return &Scraper{logger: logger, discovery: dm, scrape: sm, ctx: ctx, cancel: cancel}, nil
}

// checkSections rejects configuration the receiver would otherwise ignore.
func checkSections(cfg *config.Config) error {
	switch {
	case len(cfg.RuleFiles) > 0:
		return errors.New("rule_files is not supported by the receiver; evaluate rules in Prometheus or Grafana")
	case len(cfg.AlertingConfig.AlertmanagerConfigs) > 0:
		return errors.New("alerting is not supported by the receiver")
	case len(cfg.RemoteWriteConfigs) > 0 || len(cfg.RemoteReadConfigs) > 0:
		return errors.New("remote_write/remote_read are not supported in the receiver's scrape config")
	}
	return nil
}

// Manager returns the scrape manager; it serves targets and their metadata
// to the query API.
func (s *Scraper) Manager() *scrape.Manager { return s.scrape }

// Run scrapes until ctx is done.
func (s *Scraper) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := s.discovery.Run(); err != nil && !errors.Is(err, context.Canceled) {
			s.logger.Error("discovery stopped", "err", err)
		}
	}()
	errc := make(chan error, 1)
	go func() {
		defer wg.Done()
		errc <- s.scrape.Run(s.discovery.SyncCh())
	}()
	select {
	case <-ctx.Done():
	case err := <-errc:
		s.cancel()
		wg.Wait()
		return err
	}
	s.scrape.Stop()
	s.cancel()
	wg.Wait()
	return nil
}
