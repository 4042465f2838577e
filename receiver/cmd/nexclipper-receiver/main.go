// Command nexclipper-receiver is a Prometheus remote-write target (1.0 and
// 2.0) that stores into a local Prometheus TSDB and serves the Prometheus
// HTTP query API, so Grafana uses it as an ordinary Prometheus data source.
// With --scrape.config-file it also scrapes targets itself.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nexclipper/nexclipper/downsampler/tier"
	"github.com/nexclipper/nexclipper/receiver/localstore"
	"github.com/nexclipper/nexclipper/receiver/query"
	"github.com/nexclipper/nexclipper/receiver/remotewrite"
	"github.com/nexclipper/nexclipper/receiver/selfscrape"
	"github.com/nexclipper/nexclipper/receiver/shipper"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/prometheus/tsdb"
	v1 "github.com/prometheus/prometheus/web/api/v1"
)

const programName = "nexclipper-receiver"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cfg := newConfig()
	app := newApp(cfg)
	if _, err := app.Parse(args); err != nil {
		fmt.Fprintf(os.Stderr, "%s: error: %v, try --help\n", programName, err)
		return 2
	}
	logger := promslog.New(cfg.log)
	// Prometheus 3 runs with GOGC=75 for the same workload (a large, slowly
	// changing head); Go's default 100 lets the heap overshoot more. GOGC
	// still overrides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(75)
	}
	if err := cfg.finish(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: error: %v\n", programName, err)
		return 2
	}
	logger.Info("starting "+programName, "version", version.Info(), "storage", cfg.store.Path)

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector(),
		versioncollector.NewCollector("nexclipper_receiver"),
	)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var wg sync.WaitGroup

	store, err := tier.OpenStore(tier.StoreOptions{Path: cfg.store.Path, Writer: !cfg.downsample.disable, Logger: logger.With("component", "tiers")})
	if err != nil {
		logger.Error("cannot open downsampled tiers", "err", err)
		return 1
	}
	defer func() {
		if err := store.Close(); err != nil {
			logger.Error("close tiers", "err", err)
		}
	}()
	var dbRef atomic.Pointer[tsdb.DB]
	cfg.tiers.Logger = logger.With("component", "downsampler")
	cfg.tiers.RawPersistedBefore = func() int64 {
		db := dbRef.Load()
		if db == nil {
			return math.MinInt64
		}
		// An empty head reports the last block's end as its min time.
		if db.Head().NumSeries() == 0 {
			return math.MaxInt64
		}
		return db.Head().MinTime()
	}
	runner := tier.NewRunner(cfg.tiers, store, func() []tsdb.BlockReader { return blockReaders(dbRef.Load()) }, reg)
	if !cfg.downsample.disable {
		cfg.store.BlocksToDelete = runner.RawBlocksToDelete
	}
	db, err := localstore.Open(cfg.store, logger, reg)
	if err != nil {
		logger.Error("cannot open storage", "err", err)
		return 1
	}
	defer func() {
		if err := db.Close(); err != nil {
			logger.Error("close storage", "err", err)
		}
	}()
	dbRef.Store(db)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if cfg.downsample.disable {
			reloadTiers(ctx, store, cfg.downsample.interval, logger)
			return
		}
		runner.Run(ctx, cfg.downsample.interval)
	}()
	if cfg.objstore.configFile != "" {
		bkt, err := shipper.NewBucket(cfg.objstore.configFile)
		if err != nil {
			logger.Error("cannot open object storage", "err", err)
			return 2
		}
		ship := shipper.New(bkt, shipper.Options{Path: cfg.store.Path, ExternalLabels: cfg.objstore.labels, Logger: logger.With("component", "shipper")}, reg)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ship.Run(ctx, cfg.objstore.interval)
		}()
	}
	// Runs before the deferred closes of the TSDB and tiers (defers run last
	// first): background work stops before its storage goes.
	defer func() { stop(); wg.Wait() }()
	var targets func(context.Context) v1.TargetRetriever
	if cfg.scrapeConfigFile != "" {
		scraper, err := selfscrape.New(cfg.scrapeConfigFile, db, logger, reg)
		if err != nil {
			logger.Error("cannot start self-scrape", "err", err)
			return 2
		}
		targets = func(context.Context) v1.TargetRetriever { return scraper.Manager() }
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := scraper.Run(ctx); err != nil {
				logger.Error("self-scrape stopped", "err", err)
			}
		}()
	}

	engine := query.NewEngine(cfg.query, logger, reg)
	queryable := tier.NewQueryable(db, func() int64 { return rawMinTime(db) }, store, reg)
	api, err := query.NewHandler(cfg.query, engine, sampleAndChunkQueryable{queryable, db}, db, targets, logger, reg)
	if err != nil {
		logger.Error("cannot build query API", "err", err)
		return 1
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/write", remotewrite.NewHandler(cfg.write, db, logger, reg))
	mux.Handle("/api/v1/", tier.Middleware(api))
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg, EnableOpenMetrics: true}))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "Healthy") })
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "Ready") })

	server := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError)}
	serveErr := make(chan error, 1)
	go func() { serveErr <- web.ListenAndServe(server, cfg.web, logger) }()
	code := 0
	select {
	case err := <-serveErr:
		if !errors.Is(err, http.ErrServerClosed) {
			logger.Error("server stopped", "err", err)
			code = 1
		}
	case <-ctx.Done():
		logger.Info("shutting down")
	}
	stop()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = server.Shutdown(shutdownCtx)
	return code
}
