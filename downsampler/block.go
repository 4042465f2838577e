package downsampler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"

	"github.com/oklog/ulid/v2"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/tsdb/chunks"
	"github.com/prometheus/prometheus/tsdb/fileutil"
	"github.com/prometheus/prometheus/tsdb/index"
)

// tmpSuffix marks a block still being written; Prometheus's tsdb removes directories
// with this suffix when it opens, and the downsampler's callers must ignore them.
const tmpSuffix = ".tmp-for-creation"

// Downsample reads the block in blockDir (raw, or already downsampled to a finer
// resolution) and writes a block at resolution under outDir/<ULID>, returning the
// ULID. The new block keeps the source's time range, compaction info and Thanos
// labels. It is written under outDir/<ULID>.tmp-for-creation and renamed into place
// when complete; on any error (including ctx cancellation) nothing is left behind.
func Downsample(ctx context.Context, logger *slog.Logger, blockDir string, resolution int64, outDir string) (id ulid.ULID, err error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	srcMeta, err := ReadMeta(blockDir)
	if err != nil {
		return id, err
	}
	if srcMeta.Thanos.Downsample.Resolution >= resolution {
		return id, fmt.Errorf("%w: block %s at %d ms, target %d ms", ErrResolution, blockDir, srcMeta.Thanos.Downsample.Resolution, resolution)
	}
	b, err := tsdb.OpenBlock(logger, blockDir, NewPool(), nil)
	if err != nil {
		return id, fmt.Errorf("open block %s: %w", blockDir, err)
	}
	defer func() { err = errors.Join(err, b.Close()) }()
	newMeta, err := DownsampleWindow(ctx, logger, WindowOptions{
		Blocks:           []tsdb.BlockReader{b},
		SourceResolution: srcMeta.Thanos.Downsample.Resolution,
		Resolution:       resolution,
		MinTime:          srcMeta.MinTime,
		MaxTime:          srcMeta.MaxTime,
		OutDir:           outDir,
		Compaction:       &srcMeta.Compaction,
		Labels:           srcMeta.Thanos.Labels,
	})
	if err != nil {
		return id, err
	}
	logger.Info("downsampled block", "source", blockDir, "ulid", newMeta.ULID, "resolution", resolution,
		"series", newMeta.Stats.NumSeries, "chunks", newMeta.Stats.NumChunks)
	return newMeta.ULID, nil
}

// writeBlock streams every series of src, downsampled from inRes to outRes, into dir
// with the TSDB's own chunk and index writers (as Thanos streamed_block_writer.go) and
// fills meta.Stats. symbols must hold every label name and value of src, sorted.
func writeBlock(ctx context.Context, logger *slog.Logger, symbols index.StringIter, src storage.ChunkSeriesSet, inRes, outRes int64, dir string, meta *Meta) (err error) {
	cw, err := chunks.NewWriter(filepath.Join(dir, chunksDirname))
	if err != nil {
		return fmt.Errorf("create chunk writer: %w", err)
	}
	defer func() { err = errors.Join(err, cw.Close()) }()
	iw, err := index.NewWriter(ctx, filepath.Join(dir, indexFilename))
	if err != nil {
		return fmt.Errorf("create index writer: %w", err)
	}
	defer func() { err = errors.Join(err, iw.Close()) }()

	// The sources' symbols are a superset of what the new block uses; the index
	// format allows unused symbols and Thanos copies them the same way.
	for symbols.Next() {
		if err := iw.AddSymbol(symbols.At()); err != nil {
			return fmt.Errorf("add symbol: %w", err)
		}
	}
	if err := symbols.Err(); err != nil {
		return fmt.Errorf("read symbols: %w", err)
	}

	var (
		chks    []chunks.Meta
		raw     []Sample
		ref     storage.SeriesRef
		reuseIt chunkenc.Iterator
		chkIt   chunks.Iterator
	)
	for n := 0; src.Next(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		series := src.At()
		lset := series.Labels()
		chks = chks[:0]
		chkIt = series.Iterator(chkIt)
		for chkIt.Next() {
			chks = append(chks, chkIt.At())
		}
		if err := chkIt.Err(); err != nil {
			return fmt.Errorf("series %s: read chunks: %w", lset, err)
		}
		for i := 1; i < len(chks); i++ {
			if chks[i-1].MaxTime >= chks[i].MinTime {
				return fmt.Errorf("series %s: overlapping chunks", lset)
			}
		}

		var out []chunks.Meta
		if inRes == ResLevel0 {
			var ok bool
			raw, ok, err = expandRaw(chks, raw[:0], &reuseIt)
			if err != nil {
				return fmt.Errorf("series %s: %w", lset, err)
			}
			if !ok {
				logger.Debug("skipping native histogram series: histograms are raw-only", "series", lset)
				continue
			}
			out = downsampleRaw(raw, outRes)
		} else {
			aggrs := make([]*AggrChunk, 0, len(chks))
			for _, c := range chks {
				ac, ok := c.Chunk.(*AggrChunk)
				if !ok {
					// Thanos issue 5272: downsampled blocks may hold empty XOR chunks.
					if c.Chunk.NumSamples() == 0 {
						continue
					}
					return fmt.Errorf("series %s: %w (encoding %s)", lset, ErrNotAggrChunk, c.Chunk.Encoding())
				}
				aggrs = append(aggrs, ac)
			}
			if len(aggrs) == 0 {
				continue
			}
			out, err = downsampleAggr(aggrs, chks[0].MinTime, chks[len(chks)-1].MaxTime, inRes, outRes)
			if err != nil {
				return fmt.Errorf("series %s: %w", lset, err)
			}
		}
		if len(out) == 0 {
			continue // e.g. only stale markers
		}
		if err := cw.WriteChunks(out...); err != nil {
			return fmt.Errorf("series %s: write chunks: %w", lset, err)
		}
		if err := iw.AddSeries(ref, lset, out...); err != nil {
			return fmt.Errorf("series %s: add to index: %w", lset, err)
		}
		ref++
		meta.Stats.NumChunks += uint64(len(out))
		for _, c := range out {
			meta.Stats.NumSamples += uint64(c.Chunk.NumSamples())
		}
	}
	if err := src.Err(); err != nil {
		return fmt.Errorf("read series: %w", err)
	}
	meta.Stats.NumSeries = uint64(ref)
	return nil
}

// expandRaw appends the float samples of a raw series' chunks to buf, dropping stale
// markers and samples that go back in time. ok is false when the series holds any
// native histogram sample: histograms are raw-only.
func expandRaw(chks []chunks.Meta, buf []Sample, reuseIt *chunkenc.Iterator) (_ []Sample, ok bool, _ error) {
	lastT := int64(math.MinInt64)
	for _, c := range chks {
		it := c.Chunk.Iterator(*reuseIt)
		*reuseIt = it
		for typ := it.Next(); typ != chunkenc.ValNone; typ = it.Next() {
			if typ != chunkenc.ValFloat {
				return buf, false, nil
			}
			t, v := it.At()
			// Stale markers are dropped here, before the chunk sizing counts
			// samples, as Thanos's expandXorChunkIterator does; keeping them
			// would cut our 5m chunks at other places than Thanos's.
			if t < lastT || value.IsStaleNaN(v) {
				continue
			}
			buf = append(buf, Sample{t, v})
			lastT = t
		}
		if err := it.Err(); err != nil {
			return buf, false, fmt.Errorf("iterate chunk: %w", err)
		}
	}
	return buf, true, nil
}

func syncDir(dir string) error {
	df, err := fileutil.OpenDir(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	if err := fileutil.Fdatasync(df); err != nil {
		return errors.Join(fmt.Errorf("sync %s: %w", dir, err), df.Close())
	}
	return df.Close()
}
