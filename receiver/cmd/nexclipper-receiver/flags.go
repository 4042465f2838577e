package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/nexclipper/nexclipper/downsampler/tier"
	"github.com/nexclipper/nexclipper/receiver/localstore"
	"github.com/nexclipper/nexclipper/receiver/query"
	"github.com/nexclipper/nexclipper/receiver/remotewrite"
	"github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"
)

// downsampleFlags are the downsampler's flags that need converting.
type downsampleFlags struct {
	disable                       bool
	interval                      time.Duration
	rawWindow, fiveMinWindow      model.Duration
	retentionFiveMin, retention1h model.Duration
}

// objstoreFlags configure block shipping to object storage.
type objstoreFlags struct {
	configFile     string
	externalLabels []string
	interval       time.Duration
	labels         map[string]string
}

// config holds everything the flags set.
type config struct {
	store            localstore.Options
	write            remotewrite.Options
	query            query.Options
	scrapeConfigFile string
	bearerTokenFile  string
	retention        model.Duration
	tiers            tier.Options
	objstore         objstoreFlags
	downsample       downsampleFlags
	oooWindow        model.Duration
	web              *web.FlagConfig
	log              *promslog.Config
}

func newConfig() *config { return &config{log: &promslog.Config{}} }

func newApp(cfg *config) *kingpin.Application {
	app := kingpin.New(programName, "Prometheus remote-write receiver with a local TSDB and the Prometheus query API.")
	app.Version(version.Print(programName))
	app.HelpFlag.Short('h')

	app.Flag("storage.path", "Directory of the TSDB (WAL and blocks).").Default("data/").StringVar(&cfg.store.Path)
	app.Flag("storage.out-of-order-window", "Accept samples up to this much older than a series' newest one; older ones are rejected with 400. 0 rejects all out-of-order samples.").Default("0s").SetValue(&cfg.oooWindow)
	app.Flag("storage.max-exemplars", "Exemplars kept in memory (0 disables exemplar storage).").Default("100000").Int64Var(&cfg.store.MaxExemplars)
	app.Flag("retention.raw", "How long raw samples are kept (0 keeps them forever). With downsampling on, raw blocks go only once the 5m tier holds them.").Default("15d").SetValue(&cfg.retention)
	app.Flag("retention.5m", "How long the 5m tier is kept (0 keeps it forever); its blocks go only once the 1h tier holds them.").Default("30d").SetValue(&cfg.downsample.retentionFiveMin)
	app.Flag("retention.1h", "How long the 1h tier is kept (0 keeps it forever).").Default("0").SetValue(&cfg.downsample.retention1h)
	app.Flag("downsample.disable", "Do not downsample in this process (run nexclipper-downsampler instead, or keep raw only). Tiers already on disk are still queried.").BoolVar(&cfg.downsample.disable)
	app.Flag("downsample.raw-window", "Age after which a day of raw data is downsampled to 5m.").Default("40h").SetValue(&cfg.downsample.rawWindow)
	app.Flag("downsample.5m-window", "Age after which ten days of 5m data are downsampled to 1h.").Default("10d").SetValue(&cfg.downsample.fiveMinWindow)
	app.Flag("downsample.interval", "How often the downsampler looks for windows to build.").Default("5m").DurationVar(&cfg.downsample.interval)
	app.Flag("downsample.concurrency", "Windows downsampled at once.").Default("1").IntVar(&cfg.tiers.Concurrency)
	app.Flag("scrape.config-file", "Prometheus configuration file whose scrape_configs the receiver scrapes itself (optional).").StringVar(&cfg.scrapeConfigFile)

	app.Flag("objstore.config-file", "Object storage configuration (Thanos's format; S3, GCS, AZURE or FILESYSTEM): ship raw 2h blocks and the tiers there for Thanos Store + Query. Raw blocks are then kept at 2h.").StringVar(&cfg.objstore.configFile)
	app.Flag("objstore.external-label", "Label name=value identifying this receiver's blocks in the bucket (repeatable), e.g. cluster=prod.").StringsVar(&cfg.objstore.externalLabels)
	app.Flag("objstore.sync-interval", "How often new blocks are uploaded.").Default("1m").DurationVar(&cfg.objstore.interval)

	app.Flag("write.max-body-bytes", "Largest compressed remote-write body; larger ones get 413.").Default(fmt.Sprint(remotewrite.DefaultMaxBodyBytes)).Int64Var(&cfg.write.MaxBodyBytes)
	app.Flag("write.max-decoded-bytes", "Largest decompressed remote-write body; larger ones get 413.").Default(fmt.Sprint(remotewrite.DefaultMaxDecodedBytes)).Int64Var(&cfg.write.MaxDecodedBytes)
	app.Flag("write.max-samples-per-request", "Most samples (plus histograms and exemplars) in one request; more get 413. 0: no limit.").Default(fmt.Sprint(remotewrite.DefaultMaxSamplesPerRequest)).IntVar(&cfg.write.MaxSamplesPerRequest)
	app.Flag("write.max-series-per-request", "Most series in one request; more get 413. 0: no limit.").Default(fmt.Sprint(remotewrite.DefaultMaxSeriesPerRequest)).IntVar(&cfg.write.MaxSeriesPerRequest)
	app.Flag("write.max-label-names-per-series", "Series with more labels are rejected with 400.").Default(fmt.Sprint(remotewrite.DefaultMaxLabelNamesPerSeries)).IntVar(&cfg.write.MaxLabelNamesPerSeries)
	app.Flag("write.max-label-name-length", "Series with a longer label name are rejected with 400.").Default(fmt.Sprint(remotewrite.DefaultMaxLabelNameLength)).IntVar(&cfg.write.MaxLabelNameLength)
	app.Flag("write.max-label-value-length", "Series with a longer label value are rejected with 400.").Default(fmt.Sprint(remotewrite.DefaultMaxLabelValueLength)).IntVar(&cfg.write.MaxLabelValueLength)
	app.Flag("write.max-inflight-requests", "Remote-write requests processed at once; beyond it the receiver sheds load with 429.").Default(fmt.Sprint(remotewrite.DefaultMaxInflightRequests)).IntVar(&cfg.write.MaxInflightRequests)
	app.Flag("write.retry-after", "Retry-After sent with 429.").Default("5s").DurationVar(&cfg.write.RetryAfter)
	app.Flag("write.bearer-token-file", "File holding a bearer token that remote-write requests must present (optional).").StringVar(&cfg.bearerTokenFile)

	app.Flag("query.timeout", "Longest a query may run.").Default("2m").DurationVar(&cfg.query.Timeout)
	app.Flag("query.max-samples", "Most samples a query may load into memory.").Default("50000000").IntVar(&cfg.query.MaxSamples)
	app.Flag("query.max-concurrency", "Queries executed at once.").Default("20").IntVar(&cfg.query.MaxConcurrent)
	app.Flag("query.lookback-delta", "How far back an instant query looks for a sample.").Default("5m").DurationVar(&cfg.query.LookbackDelta)

	cfg.web = kingpinflag.AddFlags(app, ":9911")
	promslogflag.AddFlags(app, cfg.log)
	return app
}

// finish derives the values that need more than one flag or a file.
func (c *config) finish() error {
	c.store.Retention = time.Duration(c.retention)
	c.tiers.RetentionRaw = time.Duration(c.retention)
	c.tiers.RetentionFiveMin = time.Duration(c.downsample.retentionFiveMin)
	c.tiers.RetentionOneHour = time.Duration(c.downsample.retention1h)
	c.tiers.RawWindow = time.Duration(c.downsample.rawWindow)
	c.tiers.FiveMinWindow = time.Duration(c.downsample.fiveMinWindow)
	if c.tiers.Concurrency < 1 {
		return fmt.Errorf("--downsample.concurrency must be at least 1, got %d", c.tiers.Concurrency)
	}
	c.objstore.labels = map[string]string{}
	for _, l := range c.objstore.externalLabels {
		name, value, ok := strings.Cut(l, "=")
		if !ok || name == "" || value == "" {
			return fmt.Errorf("--objstore.external-label=%q: want name=value", l)
		}
		c.objstore.labels[name] = value
	}
	if len(c.objstore.externalLabels) > 0 && c.objstore.configFile == "" {
		return fmt.Errorf("--objstore.external-label needs --objstore.config-file")
	}
	c.store.KeepTwoHourBlocks = c.objstore.configFile != ""
	if c.downsample.interval <= 0 {
		return fmt.Errorf("--downsample.interval must be positive, got %s", c.downsample.interval)
	}
	c.store.OutOfOrderWindow = time.Duration(c.oooWindow)
	c.query.Version = version.Version
	if c.bearerTokenFile != "" {
		b, err := os.ReadFile(c.bearerTokenFile)
		if err != nil {
			return fmt.Errorf("--write.bearer-token-file: %w", err)
		}
		c.write.BearerToken = strings.TrimSpace(string(b))
		if c.write.BearerToken == "" {
			return fmt.Errorf("--write.bearer-token-file=%s is empty", c.bearerTokenFile)
		}
	}
	return nil
}
