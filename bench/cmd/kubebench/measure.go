package main

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// baseline is the exporter synced on a cluster with nodes only.
type baseline struct {
	RSS, Anon float64
}

// result is the exporter on the full cluster.
type result struct {
	Pods, Series, KubeSeries    int
	Payload                     int // bytes of the last text scrape
	SyncTook                    time.Duration
	AfterSync, AfterScrapes     map[string]float64 // /proc/PID/status, bytes
	Scrapes, GzipScrapes        []time.Duration
	CPUPerScrape, CPUDuringSync float64 // seconds
}

func measureBaseline(cfg config, logger *slog.Logger) (baseline, error) {
	e, err := startExporter(cfg)
	if err != nil {
		return baseline{}, err
	}
	defer e.stop()
	if _, err := e.waitSynced(0, time.Now(), logger); err != nil {
		return baseline{}, err
	}
	for i := 0; i < 5; i++ {
		if _, _, err := e.scrape(false); err != nil {
			return baseline{}, err
		}
	}
	st, err := e.procStatus()
	if err != nil {
		return baseline{}, err
	}
	return baseline{RSS: st["VmRSS"], Anon: st["RssAnon"]}, nil
}

func measureFull(cfg config, logger *slog.Logger) (result, error) {
	r := result{Pods: cfg.Deployments * cfg.PodsPerDep}
	began := time.Now()
	e, err := startExporter(cfg)
	if err != nil {
		return r, err
	}
	defer e.stop()
	if r.SyncTook, err = e.waitSynced(r.Pods, began, logger); err != nil {
		return r, err
	}
	if r.CPUDuringSync, err = e.cpuSeconds(); err != nil {
		return r, err
	}
	logger.Info("synced", "took", r.SyncTook.Round(time.Millisecond))
	if r.AfterSync, err = e.procStatus(); err != nil {
		return r, err
	}
	cpu0 := r.CPUDuringSync
	var body string
	for i := 0; i < cfg.Scrapes; i++ {
		b, took, err := e.scrape(false)
		if err != nil {
			return r, err
		}
		body = b
		r.Scrapes = append(r.Scrapes, took)
	}
	cpu1, err := e.cpuSeconds()
	if err != nil {
		return r, err
	}
	r.CPUPerScrape = (cpu1 - cpu0) / float64(max(cfg.Scrapes, 1))
	if r.AfterScrapes, err = e.procStatus(); err != nil {
		return r, err
	}
	for i := 0; i < cfg.GzipScrapes; i++ {
		_, took, err := e.scrape(true)
		if err != nil {
			return r, err
		}
		r.GzipScrapes = append(r.GzipScrapes, took)
	}
	r.Payload = len(body)
	for _, l := range strings.Split(body, "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		r.Series++
		if strings.HasPrefix(l, "kube_") {
			r.KubeSeries++
		}
	}
	if r.Series == 0 {
		return r, fmt.Errorf("last scrape had no series")
	}
	return r, nil
}
