// Command nexclipper-downsampler builds the 5m and 1h tiers of a receiver's
// storage directory once and exits: for a receiver run with
// --downsample.disable, or for storage copied off a machine. It reads the raw
// blocks read-only, writes the tiers under <storage.path>/downsampled, applies
// the 5m and 1h retentions (raw retention stays with the receiver, which owns
// the raw blocks), draws a progress bar on stderr and prints a summary.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/nexclipper/nexclipper/downsampler/tier"
	"github.com/oklog/ulid/v2"
	"github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"
	promslogflag "github.com/prometheus/common/promslog/flag"
	"github.com/prometheus/common/version"
	"github.com/prometheus/prometheus/tsdb"
)

const programName = "nexclipper-downsampler"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type config struct {
	path                                               string
	rawWindow, fiveMinWindow, retention5m, retention1h model.Duration
	concurrency                                        int
	progress                                           bool
	log                                                *promslog.Config
}

func newApp(cfg *config) *kingpin.Application {
	app := kingpin.New(programName, "Build the 5m and 1h downsampled tiers of a nexclipper-receiver storage directory, then exit.")
	app.Version(version.Print(programName))
	app.HelpFlag.Short('h')
	app.Flag("storage.path", "The receiver's storage directory (its --storage.path).").Default("data/").StringVar(&cfg.path)
	app.Flag("downsample.raw-window", "Age after which a day of raw data is downsampled to 5m.").Default("40h").SetValue(&cfg.rawWindow)
	app.Flag("downsample.5m-window", "Age after which ten days of 5m data are downsampled to 1h.").Default("10d").SetValue(&cfg.fiveMinWindow)
	app.Flag("downsample.concurrency", "Windows downsampled at once.").Default("1").IntVar(&cfg.concurrency)
	app.Flag("retention.5m", "How long the 5m tier is kept (0 keeps it forever); its blocks go only once the 1h tier holds them.").Default("30d").SetValue(&cfg.retention5m)
	app.Flag("retention.1h", "How long the 1h tier is kept (0 keeps it forever).").Default("0").SetValue(&cfg.retention1h)
	app.Flag("progress", "Draw a progress bar on stderr.").Default("true").BoolVar(&cfg.progress)
	promslogflag.AddFlags(app, cfg.log)
	return app
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg := &config{log: &promslog.Config{}}
	if _, err := newApp(cfg).Parse(args); err != nil {
		fmt.Fprintf(stderr, "%s: error: %v, try --help\n", programName, err)
		return 2
	}
	if cfg.concurrency < 1 {
		fmt.Fprintf(stderr, "%s: error: --downsample.concurrency must be at least 1, got %d\n", programName, cfg.concurrency)
		return 2
	}
	cfg.log.Writer = stderr
	logger := promslog.New(cfg.log)
	if fi, err := os.Stat(cfg.path); err != nil || !fi.IsDir() {
		fmt.Fprintf(stderr, "%s: error: --storage.path=%s is not a directory\n", programName, cfg.path)
		return 2
	}

	blocks, err := openRawBlocks(cfg.path, logger)
	defer func() {
		for _, b := range blocks {
			_ = b.Close()
		}
	}()
	if err != nil {
		fmt.Fprintf(stderr, "%s: error: %v\n", programName, err)
		return 1
	}
	store, err := tier.OpenStore(tier.StoreOptions{Path: cfg.path, Writer: true, Logger: logger})
	if err != nil {
		fmt.Fprintf(stderr, "%s: error: %v\n", programName, err)
		return 1
	}
	defer store.Close()

	bar := &progressBar{w: stderr, on: cfg.progress}
	runner := tier.NewRunner(tier.Options{
		RawWindow:        time.Duration(cfg.rawWindow),
		FiveMinWindow:    time.Duration(cfg.fiveMinWindow),
		RetentionFiveMin: time.Duration(cfg.retention5m),
		RetentionOneHour: time.Duration(cfg.retention1h),
		Concurrency:      cfg.concurrency,
		Progress:         bar.update,
		Logger:           logger,
	}, store, func() []tsdb.BlockReader {
		out := make([]tsdb.BlockReader, len(blocks))
		for i, b := range blocks {
			out[i] = b
		}
		return out
	}, nil)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	stats, err := runner.RunOnce(ctx)
	bar.finish()
	printSummary(stdout, cfg.path, len(blocks), stats, store)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", programName, err)
		return 1
	}
	return 0
}

// openRawBlocks opens every complete raw block directly under dir, read-only.
func openRawBlocks(dir string, logger *slog.Logger) ([]*tsdb.Block, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var blocks []*tsdb.Block
	for _, e := range entries {
		if _, err := ulid.ParseStrict(e.Name()); err != nil || !e.IsDir() {
			continue
		}
		b, err := tsdb.OpenBlock(logger, filepath.Join(dir, e.Name()), nil, nil)
		if err != nil {
			return blocks, fmt.Errorf("open raw block: %w", err)
		}
		blocks = append(blocks, b)
	}
	if len(blocks) == 0 {
		return nil, errors.New("no raw blocks under " + dir + " (is it a receiver's --storage.path? the head is cut into blocks every 2h)")
	}
	return blocks, nil
}

// progressBar draws one line per tier: "5m [#####-----] 12/28 windows".
type progressBar struct {
	w       io.Writer
	on      bool
	current int64
	drawn   bool
}

func (p *progressBar) update(res int64, done, total int) {
	if !p.on {
		return
	}
	if p.drawn && res != p.current {
		fmt.Fprintln(p.w)
	}
	p.current, p.drawn = res, true
	const width = 30
	filled := width * done / total
	fmt.Fprintf(p.w, "\r%-3s [%s%s] %d/%d windows", tier.ResolutionName(res), strings.Repeat("#", filled), strings.Repeat("-", width-filled), done, total)
}

func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

func printSummary(w io.Writer, path string, rawBlocks int, stats tier.PassStats, store *tier.Store) {
	fmt.Fprintf(w, "storage %s: %d raw blocks read, pass took %s\n", path, rawBlocks, stats.Duration.Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "tier\tbuilt\tfailed\tseries\tsamples\tdeleted\tblocks\tbytes\toldest\t")
	for _, res := range tier.Resolutions {
		st := stats.Tiers[res]
		blocks := store.Blocks(res)
		var size int64
		oldest := "-"
		for _, b := range blocks {
			size += b.Size()
		}
		if len(blocks) > 0 {
			oldest = time.UnixMilli(blocks[0].Meta().MinTime).UTC().Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", tier.ResolutionName(res), st.Windows, st.Failed, st.Series, st.Samples, st.Deleted, len(blocks), size, oldest)
	}
	_ = tw.Flush()
}
