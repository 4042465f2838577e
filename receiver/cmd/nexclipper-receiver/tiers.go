package main

import (
	"context"
	"log/slog"
	"math"
	"time"

	"github.com/nexclipper/nexclipper/downsampler/tier"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

// sampleAndChunkQueryable serves PromQL from the tiers; chunk queries (remote
// read, which the receiver does not serve) would go to raw.
type sampleAndChunkQueryable struct {
	storage.Queryable
	storage.ChunkQueryable
}

// blockReaders lists the TSDB's persisted blocks; nil before the TSDB is open.
func blockReaders(db *tsdb.DB) []tsdb.BlockReader {
	if db == nil {
		return nil
	}
	blocks := db.Blocks()
	out := make([]tsdb.BlockReader, len(blocks))
	for i, b := range blocks {
		out[i] = b
	}
	return out
}

// rawMinTime is the oldest time the TSDB holds (math.MaxInt64 when empty).
func rawMinTime(db *tsdb.DB) int64 {
	if blocks := db.Blocks(); len(blocks) > 0 {
		return blocks[0].Meta().MinTime
	}
	if t := db.Head().MinTime(); t != math.MaxInt64 {
		return t
	}
	return math.MaxInt64
}

// reloadTiers picks up blocks another process (nexclipper-downsampler) writes,
// when this receiver does not downsample itself.
func reloadTiers(ctx context.Context, store *tier.Store, interval time.Duration, logger *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
		if err := store.Reload(); err != nil {
			logger.Error("reload downsampled tiers", "err", err)
		}
	}
}
