package tier

import (
	"errors"
	"fmt"

	"github.com/nexclipper/nexclipper/downsampler"
	"github.com/oklog/ulid/v2"
	"github.com/prometheus/prometheus/tsdb"
)

// covers reports whether sorted, merged intervals hold all of [mint, maxt).
func covers(ivs []Interval, mint, maxt int64) bool {
	for _, iv := range ivs {
		if iv.MinTime <= mint && maxt <= iv.MaxTime {
			return true
		}
	}
	return false
}

// applyRetention deletes 5m blocks past their retention that the 1h tier holds,
// and 1h blocks past theirs.
func (r *Runner) applyRetention(now int64, st map[int64]*TierStats) error {
	var errs []error
	del := func(res int64, b *tsdb.Block) {
		if err := r.store.remove(res, b.Meta().ULID); err != nil {
			errs = append(errs, fmt.Errorf("retention: %w", err))
			return
		}
		st[res].Deleted++
		r.metrics.deleted.WithLabelValues(ResolutionName(res)).Inc()
		r.opts.Logger.Info("deleted block past retention", "resolution", ResolutionName(res), "ulid", b.Meta().ULID,
			"min_time", fmtTime(b.Meta().MinTime), "max_time", fmtTime(b.Meta().MaxTime))
	}
	if ret := r.opts.RetentionFiveMin.Milliseconds(); ret > 0 {
		oneHour := r.store.Intervals(downsampler.ResLevel2)
		for _, b := range r.store.Blocks(downsampler.ResLevel1) {
			m := b.Meta()
			if m.MaxTime <= now-ret && covers(oneHour, m.MinTime, m.MaxTime) {
				del(downsampler.ResLevel1, b)
			}
		}
	}
	if ret := r.opts.RetentionOneHour.Milliseconds(); ret > 0 {
		for _, b := range r.store.Blocks(downsampler.ResLevel2) {
			if b.Meta().MaxTime <= now-ret {
				del(downsampler.ResLevel2, b)
			}
		}
	}
	return errors.Join(errs...)
}

// RawBlocksToDelete is the TSDB's block deletion policy (tsdb.Options.BlocksToDelete)
// when tiers are on: blocks already compacted into others, and blocks past
// RetentionRaw whose whole range the 5m tier holds. Raw data never goes before it
// is downsampled, however late the downsampler runs.
func (r *Runner) RawBlocksToDelete(blocks []*tsdb.Block) map[ulid.ULID]struct{} {
	out := map[ulid.ULID]struct{}{}
	ret := r.opts.RetentionRaw.Milliseconds()
	cutoff := r.opts.Now().UnixMilli() - ret
	fiveMin := r.store.Intervals(downsampler.ResLevel1)
	for _, b := range blocks {
		m := b.Meta()
		switch {
		case m.Compaction.Deletable:
			out[m.ULID] = struct{}{}
		case ret > 0 && m.MaxTime <= cutoff && covers(fiveMin, m.MinTime, m.MaxTime):
			out[m.ULID] = struct{}{}
			r.metrics.deleted.WithLabelValues(ResolutionName(downsampler.ResLevel0)).Inc()
		}
	}
	return out
}
