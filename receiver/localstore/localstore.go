// Package localstore opens the receiver's local Prometheus TSDB: a WAL, an
// in-memory head cut into 2h blocks, compaction and retention, all from
// github.com/prometheus/prometheus/tsdb.
//
// Durability contract: an appender's Commit returns only after its samples
// are written to the WAL segment file (write(2), not fsync), so a sample
// whose write request was answered 2xx survives kill -9 of the process; it
// does not survive a power loss before the kernel flushes the page cache,
// exactly as with Prometheus itself.
package localstore

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/util/compression"
)

// Options configure the local TSDB.
type Options struct {
	// Path is the data directory (--storage.path).
	Path string
	// Retention deletes raw blocks older than this (--retention.raw); 0 keeps
	// them forever.
	Retention time.Duration
	// OutOfOrderWindow accepts samples up to this much older than a series'
	// newest sample (--storage.out-of-order-window); 0 rejects them, as
	// Prometheus does by default.
	OutOfOrderWindow time.Duration
	// MaxExemplars bounds the in-memory exemplar ring; 0 disables exemplars.
	MaxExemplars int64
	// KeepTwoHourBlocks turns off compaction of blocks into longer ones, as
	// Thanos Receive does when it ships: a compacted block would overlap the
	// 2h blocks already in object storage.
	KeepTwoHourBlocks bool
	// BlocksToDelete, when set, replaces the time-based retention: it decides
	// which blocks go (the downsampler's tier-aware retention).
	BlocksToDelete tsdb.BlocksToDeleteFunc
}

// maxBlockDuration is how far blocks are compacted, Prometheus's rule: a tenth
// of the retention, between 2h and 31d (31d when data is kept forever).
func maxBlockDuration(retention time.Duration) time.Duration {
	const limit = 31 * 24 * time.Hour
	if retention == 0 {
		return limit
	}
	return min(max(retention/10, 2*time.Hour), limit)
}

// Open opens (and, after a crash, replays) the TSDB at opts.Path.
func Open(opts Options, logger *slog.Logger, reg prometheus.Registerer) (*tsdb.DB, error) {
	if opts.Path == "" {
		return nil, fmt.Errorf("storage path is empty")
	}
	tsdbOpts := tsdb.DefaultOptions()
	tsdbOpts.RetentionDuration = opts.Retention.Milliseconds()
	tsdbOpts.MaxBlockDuration = maxBlockDuration(opts.Retention).Milliseconds()
	if opts.KeepTwoHourBlocks {
		tsdbOpts.MaxBlockDuration = tsdbOpts.MinBlockDuration
	}
	tsdbOpts.BlocksToDelete = opts.BlocksToDelete
	tsdbOpts.OutOfOrderTimeWindow = opts.OutOfOrderWindow.Milliseconds()
	tsdbOpts.EnableExemplarStorage = opts.MaxExemplars > 0
	tsdbOpts.MaxExemplars = opts.MaxExemplars
	tsdbOpts.WALCompression = compression.Snappy
	// A remote-write 2.0 start (created) timestamp is stored as a zero
	// sample at that time, Prometheus's created-timestamp-zero-ingestion:
	// rate() then sees counter starts without the experimental ST chunk
	// encodings, which older readers of our blocks (Thanos) cannot decode.
	tsdbOpts.EnableSTAsZeroSample = true
	db, err := tsdb.Open(opts.Path, logger.With("component", "tsdb"), reg, tsdbOpts, nil)
	if err != nil {
		return nil, fmt.Errorf("open TSDB at %s: %w", opts.Path, err)
	}
	return db, nil
}
