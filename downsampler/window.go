package downsampler

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"github.com/oklog/ulid/v2"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/fileutil"
	"github.com/prometheus/prometheus/tsdb/index"
)

// WindowOptions say what DownsampleWindow reads and writes.
type WindowOptions struct {
	// Blocks are the sources, all at SourceResolution, in any order. Their index
	// and chunk readers are held for the duration of the call, so a *tsdb.Block
	// that its DB wants to delete meanwhile stays readable until the call returns.
	Blocks           []tsdb.BlockReader
	SourceResolution int64
	// Resolution is the target, coarser than SourceResolution.
	Resolution int64
	// MinTime and MaxTime bound the window [MinTime, MaxTime) in milliseconds; they
	// become the new block's meta.json range. Raw samples outside it are not read.
	// Downsampled sources must lie wholly inside it: their chunks are copied, not cut.
	MinTime, MaxTime int64
	// OutDir receives the block as OutDir/<ULID>.
	OutDir string
	// Compaction is copied into the new block's meta; nil records level 1 with the
	// union of the sources' compaction sources.
	Compaction *tsdb.BlockMetaCompaction
	// Labels are the Thanos external labels written into meta.json.
	Labels map[string]string
}

// DownsampleWindow downsamples every series of opts.Blocks within the window into
// one new block at opts.Resolution and returns its meta. A window whose series are
// all raw-only (histograms) or stale still gets a block, with no series, so that
// "the tier holds this window" is always answered by the blocks on disk.
//
// Like Downsample, the block is written under OutDir/<ULID>.tmp-for-creation and
// renamed into place only when complete; on error nothing is left behind.
func DownsampleWindow(ctx context.Context, logger *slog.Logger, opts WindowOptions) (_ *Meta, err error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if len(opts.Blocks) == 0 {
		return nil, errors.New("downsample window: no source blocks")
	}
	if opts.SourceResolution >= opts.Resolution {
		return nil, fmt.Errorf("%w: source at %d ms, target %d ms", ErrResolution, opts.SourceResolution, opts.Resolution)
	}
	if opts.MinTime >= opts.MaxTime {
		return nil, fmt.Errorf("downsample window: empty range [%d, %d)", opts.MinTime, opts.MaxTime)
	}
	comp := tsdb.BlockMetaCompaction{Level: 1}
	for _, b := range opts.Blocks {
		m := b.Meta()
		if opts.SourceResolution != ResLevel0 && (m.MinTime < opts.MinTime || m.MaxTime > opts.MaxTime) {
			return nil, fmt.Errorf("downsample window [%d, %d): source block %s [%d, %d) crosses it", opts.MinTime, opts.MaxTime, m.ULID, m.MinTime, m.MaxTime)
		}
		comp.Sources = append(comp.Sources, m.Compaction.Sources...)
	}
	slices.SortFunc(comp.Sources, func(a, b ulid.ULID) int { return a.Compare(b) })
	comp.Sources = slices.Compact(comp.Sources)
	if opts.Compaction != nil {
		comp = *opts.Compaction
	}

	symbols, series, closeAll, err := openSources(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, closeAll()) }()

	uid, err := ulid.New(ulid.Now(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("new ULID: %w", err)
	}
	tmpDir := filepath.Join(opts.OutDir, uid.String()+tmpSuffix)
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return nil, fmt.Errorf("create block dir: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, os.RemoveAll(tmpDir))
		}
	}()

	meta := &Meta{
		BlockMeta: tsdb.BlockMeta{
			ULID:       uid,
			MinTime:    opts.MinTime,
			MaxTime:    opts.MaxTime,
			Version:    tsdbMetaV1,
			Compaction: comp,
		},
		Thanos: ThanosMeta{
			Version:    1,
			Labels:     opts.Labels,
			Downsample: ThanosDownsample{Resolution: opts.Resolution},
			Source:     sourceCompactr,
		},
	}
	if meta.Thanos.Labels == nil {
		meta.Thanos.Labels = map[string]string{}
	}
	if err := writeBlock(ctx, logger, symbols, series, opts.SourceResolution, opts.Resolution, tmpDir, meta); err != nil {
		return nil, err
	}
	if err := writeMeta(tmpDir, meta); err != nil {
		return nil, err
	}
	if err := syncDir(tmpDir); err != nil {
		return nil, err
	}
	if err := fileutil.Rename(tmpDir, filepath.Join(opts.OutDir, uid.String())); err != nil {
		return nil, fmt.Errorf("rename block into place: %w", err)
	}
	return meta, nil
}

// openSources returns the merged symbols and the merged, label-sorted series of the
// window over all source blocks, and a func closing every reader it opened.
func openSources(ctx context.Context, opts WindowOptions) (index.StringIter, storage.ChunkSeriesSet, func() error, error) {
	var (
		closers []func() error
		symbols index.StringIter
		sets    []storage.ChunkSeriesSet
	)
	closeAll := func() error {
		var errs []error
		for _, c := range closers {
			errs = append(errs, c())
		}
		return errors.Join(errs...)
	}
	// Raw chunks are cut at the window's edges (re-encoded); downsampled ones are
	// copied whole, since an aggregate chunk cannot be cut sample by sample.
	hints := &storage.SelectHints{Start: opts.MinTime, End: opts.MaxTime - 1, DisableTrimming: opts.SourceResolution != ResLevel0}
	all := labels.MustNewMatcher(labels.MatchRegexp, model.MetricNameLabel, ".*")
	for _, b := range opts.Blocks {
		ir, err := b.Index()
		if err != nil {
			return nil, nil, nil, errors.Join(fmt.Errorf("open index of %s: %w", b.Meta().ULID, err), closeAll())
		}
		closers = append(closers, ir.Close)
		if symbols == nil {
			symbols = ir.Symbols()
		} else {
			symbols = tsdb.NewMergedStringIter(symbols, ir.Symbols())
		}
		q, err := tsdb.NewBlockChunkQuerier(b, opts.MinTime, opts.MaxTime-1)
		if err != nil {
			return nil, nil, nil, errors.Join(fmt.Errorf("query block %s: %w", b.Meta().ULID, err), closeAll())
		}
		closers = append(closers, q.Close)
		sets = append(sets, q.Select(ctx, true, hints, all))
	}
	merged := storage.NewMergeChunkSeriesSet(sets, 0, storage.NewCompactingChunkSeriesMerger(storage.ChainedSeriesMerge))
	return symbols, merged, closeAll, nil
}
