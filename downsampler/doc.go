// Package downsampler turns raw Prometheus TSDB blocks into downsampled blocks in
// Thanos's on-disk format, and 5m blocks into 1h blocks.
//
// Contract:
//
//   - Resolutions are in milliseconds: ResLevel0 (raw), ResLevel1 (5m), ResLevel2 (1h).
//     Windows are aligned to multiples of the resolution since the Unix epoch, and each
//     window's aggregate is stamped with the window's last millisecond (t - t%r + r - 1),
//     except the last window of a chunk, which is stamped with its last input sample so
//     that no aggregate lies beyond the data (as Thanos does).
//   - Every series of a downsampled block keeps five aggregates per window, in Thanos's
//     order: count, sum, min, max, counter. They are stored together in one AggrChunk
//     (encoding ChunkEncAggr = 0xff) per chunk; see aggr.go for the byte layout.
//   - The counter aggregate is a reset-adjusted running total, plus the first raw sample
//     and the true last raw sample of each chunk, so that rate()/increase() over the
//     tier, read through ApplyCounterResetsIterator, equal rate over raw. See
//     aggregate.go for the exact semantics of resets, stale markers and NaNs.
//   - Native histograms are raw-only: a series that holds any histogram sample is
//     skipped when downsampling (logged at debug) and stays queryable from the raw tier.
//   - Downsample writes the new block into a temporary directory and renames it into
//     place at the end; on any error the half-written directory is removed, so a block
//     directory named by a ULID under outDir is always complete.
//   - meta.json carries the standard TSDB fields plus the "thanos" section
//     (labels, downsample.resolution, source "compactor", segment_files, files) exactly
//     as Thanos's pkg/block/metadata/meta.go reads it.
//
// The format is Thanos's (pkg/compact/downsample/{aggr,downsample,pool,
// streamed_block_writer}.go); Thanos's packages cannot be imported into this module, so
// the encoding is written here from that code, with the source cited where it is used.
package downsampler

import "errors"

// Resolutions in milliseconds, as Thanos's pkg/compact/downsample/downsample.go.
const (
	ResLevel0 = int64(0)              // raw
	ResLevel1 = int64(5 * 60 * 1000)  // 5m
	ResLevel2 = int64(60 * 60 * 1000) // 1h
)

// Sentinel errors.
var (
	// ErrAggrNotExist is returned by AggrChunk.Get when the aggregate is not encoded.
	ErrAggrNotExist = errors.New("aggregate does not exist")
	// ErrResolution is returned when the target resolution is not coarser than the source.
	ErrResolution = errors.New("target resolution not lower than existing one")
	// ErrNotAggrChunk is returned when a downsampled block holds a non-empty chunk that is
	// not an AggrChunk.
	ErrNotAggrChunk = errors.New("chunk of a downsampled block is not an aggregate chunk")
)
