package downsampler

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"

	"github.com/oklog/ulid/v2"
	"github.com/prometheus/prometheus/model/labels"
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

	uid, err := ulid.New(ulid.Now(), rand.Reader)
	if err != nil {
		return id, fmt.Errorf("new ULID: %w", err)
	}
	tmpDir := filepath.Join(outDir, uid.String()+tmpSuffix)
	if err := os.MkdirAll(tmpDir, 0o750); err != nil {
		return id, fmt.Errorf("create block dir: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, os.RemoveAll(tmpDir))
		}
	}()

	newMeta := *srcMeta
	newMeta.ULID = uid
	newMeta.Version = tsdbMetaV1
	newMeta.Stats = tsdb.BlockStats{}
	newMeta.Thanos = ThanosMeta{
		Version:    1,
		Labels:     srcMeta.Thanos.Labels,
		Downsample: ThanosDownsample{Resolution: resolution},
		Source:     sourceCompactr,
	}
	if err := writeBlock(ctx, logger, b, srcMeta.Thanos.Downsample.Resolution, resolution, tmpDir, &newMeta); err != nil {
		return id, err
	}
	if err := writeMeta(tmpDir, &newMeta); err != nil {
		return id, err
	}
	if err := syncDir(tmpDir); err != nil {
		return id, err
	}
	if err := fileutil.Rename(tmpDir, filepath.Join(outDir, uid.String())); err != nil {
		return id, fmt.Errorf("rename block into place: %w", err)
	}
	logger.Info("downsampled block", "source", blockDir, "ulid", uid, "resolution", resolution,
		"series", newMeta.Stats.NumSeries, "chunks", newMeta.Stats.NumChunks)
	return uid, nil
}

// writeBlock streams every series of b, downsampled, into dir with the TSDB's own
// chunk and index writers (as Thanos streamed_block_writer.go) and fills meta.Stats.
func writeBlock(ctx context.Context, logger *slog.Logger, b *tsdb.Block, inRes, outRes int64, dir string, meta *Meta) (err error) {
	ir, err := b.Index()
	if err != nil {
		return fmt.Errorf("open index reader: %w", err)
	}
	defer func() { err = errors.Join(err, ir.Close()) }()
	cr, err := b.Chunks()
	if err != nil {
		return fmt.Errorf("open chunk reader: %w", err)
	}
	defer func() { err = errors.Join(err, cr.Close()) }()

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

	// The source's symbols are a superset of what the new block uses; the index format
	// allows unused symbols and Thanos copies them the same way.
	syms := ir.Symbols()
	for syms.Next() {
		if err := iw.AddSymbol(syms.At()); err != nil {
			return fmt.Errorf("add symbol: %w", err)
		}
	}
	if err := syms.Err(); err != nil {
		return fmt.Errorf("read symbols: %w", err)
	}

	allKey, allValue := index.AllPostingsKey()
	postings, err := ir.Postings(ctx, allKey, allValue)
	if err != nil {
		return fmt.Errorf("all postings: %w", err)
	}
	var (
		builder labels.ScratchBuilder
		chks    []chunks.Meta
		raw     []Sample
		ref     storage.SeriesRef
		reuseIt chunkenc.Iterator
	)
	for n := 0; postings.Next(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := ir.Series(postings.At(), &builder, &chks); err != nil {
			return fmt.Errorf("read series %d: %w", postings.At(), err)
		}
		lset := builder.Labels()
		for i := range chks {
			if i > 0 && chks[i-1].MaxTime >= chks[i].MinTime {
				return fmt.Errorf("series %s: overlapping chunks", lset)
			}
			c, _, err := cr.ChunkOrIterable(chks[i])
			if err != nil {
				return fmt.Errorf("series %s: read chunk: %w", lset, err)
			}
			chks[i].Chunk = c
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
	if err := postings.Err(); err != nil {
		return fmt.Errorf("iterate postings: %w", err)
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
