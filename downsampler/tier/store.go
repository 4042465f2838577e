package tier

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nexclipper/nexclipper/downsampler"
	"github.com/oklog/ulid/v2"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/fileutil"
)

// Window lengths in milliseconds: one 5m block holds one day, one 1h block ten days.
// Window1h is a multiple of Window5m, so a 1h window is built from whole 5m blocks.
const (
	Window5m = int64(24 * time.Hour / time.Millisecond)
	Window1h = 10 * Window5m
)

// Resolutions are the downsampled tiers, finest first.
var Resolutions = []int64{downsampler.ResLevel1, downsampler.ResLevel2}

// dirName is a tier's directory under <path>/downsampled.
const dirName = "downsampled"

// ResolutionName is "raw", "5m" or "1h": the tier's name in flags, metrics and headers.
func ResolutionName(res int64) string {
	switch res {
	case downsampler.ResLevel0:
		return "raw"
	case downsampler.ResLevel1:
		return "5m"
	case downsampler.ResLevel2:
		return "1h"
	}
	return fmt.Sprintf("%dms", res)
}

// ParseResolution reads a max_source_resolution value: raw, 0s, 5m, 1h, or any
// duration, which allows the coarsest tier not coarser than it. "auto" and "" give
// Auto (step/5).
func ParseResolution(s string) (int64, error) {
	switch s {
	case "", "auto":
		return Auto, nil
	case "raw":
		return downsampler.ResLevel0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("max_source_resolution must be raw, 5m, 1h, auto or a duration, got %q", s)
	}
	return d.Milliseconds(), nil
}

// Auto asks for the resolution to follow the query step (step/5).
const Auto = int64(-1)

// Interval is a half-open time range [MinTime, MaxTime) in milliseconds.
type Interval struct{ MinTime, MaxTime int64 }

// Store holds the blocks of the downsampled tiers of one storage directory. It is
// safe for concurrent use. Blocks handed out stay readable until their readers are
// closed, even when the block is deleted meanwhile (tsdb.Block.Close waits).
type Store struct {
	dir    string
	logger *slog.Logger
	lock   fileutil.Releaser

	mtx    sync.RWMutex
	blocks map[int64][]*tsdb.Block // by resolution, sorted by MinTime
}

// StoreOptions configure OpenStore.
type StoreOptions struct {
	// Path is the storage directory (--storage.path); tiers go under Path/downsampled.
	Path string
	// Writer takes the tiers' lock file, so that only one process downsamples and
	// deletes at a time, and removes the half-written blocks a killed run left.
	// Readers (a receiver that does not downsample) only load and reload blocks.
	Writer bool
	Logger *slog.Logger
}

// ErrLocked is returned by OpenStore when another writer holds the tiers.
var ErrLocked = errors.New("another process is downsampling this storage directory")

// OpenStore opens (creating if needed) the tiers under opts.Path and loads their blocks.
func OpenStore(opts StoreOptions) (*Store, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{dir: filepath.Join(opts.Path, dirName), logger: logger, blocks: map[int64][]*tsdb.Block{}}
	for _, res := range Resolutions {
		if err := os.MkdirAll(s.Dir(res), 0o750); err != nil {
			return nil, fmt.Errorf("create tier directory: %w", err)
		}
	}
	if opts.Writer {
		rel, existed, err := fileutil.Flock(filepath.Join(s.dir, "lock"))
		if err != nil {
			return nil, fmt.Errorf("%w (lock %s: %v); stop it, or run the receiver with --downsample.disable to downsample with nexclipper-downsampler", ErrLocked, filepath.Join(s.dir, "lock"), err)
		}
		if existed {
			logger.Debug("tier lock file existed; a previous run did not shut down cleanly")
		}
		s.lock = rel
		if err := s.removeLeftovers(); err != nil {
			return nil, errors.Join(err, rel.Release())
		}
	}
	if err := s.Reload(); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// Dir is the directory of one tier's blocks.
func (s *Store) Dir(res int64) string { return filepath.Join(s.dir, ResolutionName(res)) }

// removeLeftovers deletes blocks a killed writer did not finish or finish deleting.
func (s *Store) removeLeftovers() error {
	for _, res := range Resolutions {
		entries, err := os.ReadDir(s.Dir(res))
		if err != nil {
			return fmt.Errorf("list %s: %w", s.Dir(res), err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".tmp-for-creation") || strings.HasSuffix(e.Name(), ".tmp-for-deletion") {
				s.logger.Info("removing incomplete tier block left by an interrupted run", "dir", e.Name(), "resolution", ResolutionName(res))
				if err := os.RemoveAll(filepath.Join(s.Dir(res), e.Name())); err != nil {
					return fmt.Errorf("remove %s: %w", e.Name(), err)
				}
			}
		}
	}
	return nil
}

// Reload opens blocks that appeared on disk and closes those that disappeared.
func (s *Store) Reload() error {
	var errs []error
	for _, res := range Resolutions {
		entries, err := os.ReadDir(s.Dir(res))
		if err != nil {
			return fmt.Errorf("list %s: %w", s.Dir(res), err)
		}
		onDisk := map[ulid.ULID]bool{}
		for _, e := range entries {
			if id, err := ulid.ParseStrict(e.Name()); err == nil && e.IsDir() {
				onDisk[id] = true
			}
		}
		s.mtx.RLock()
		have := map[ulid.ULID]bool{}
		for _, b := range s.blocks[res] {
			have[b.Meta().ULID] = true
		}
		s.mtx.RUnlock()
		for id := range onDisk {
			if !have[id] {
				if err := s.add(res, filepath.Join(s.Dir(res), id.String())); err != nil {
					errs = append(errs, err)
				}
			}
		}
		for id := range have {
			if !onDisk[id] {
				errs = append(errs, s.forget(res, id))
			}
		}
	}
	return errors.Join(errs...)
}

// add opens the block in dir and makes it visible to queries.
func (s *Store) add(res int64, dir string) error {
	b, err := tsdb.OpenBlock(s.logger, dir, downsampler.NewPool(), nil)
	if err != nil {
		return fmt.Errorf("open %s block %s: %w", ResolutionName(res), dir, err)
	}
	s.mtx.Lock()
	defer s.mtx.Unlock()
	bs := append(s.blocks[res], b)
	slices.SortFunc(bs, func(a, b *tsdb.Block) int { return cmp.Compare(a.Meta().MinTime, b.Meta().MinTime) })
	s.blocks[res] = bs
	return nil
}

// forget closes a block that is no longer on disk.
func (s *Store) forget(res int64, id ulid.ULID) error {
	s.mtx.Lock()
	var gone *tsdb.Block
	s.blocks[res] = slices.DeleteFunc(s.blocks[res], func(b *tsdb.Block) bool {
		if b.Meta().ULID == id {
			gone = b
			return true
		}
		return false
	})
	s.mtx.Unlock()
	if gone == nil {
		return nil
	}
	return gone.Close()
}

// remove takes a block out of queries, waits for its readers and deletes it. The
// directory is first renamed, so a crash mid-delete never leaves a half block that
// looks whole.
func (s *Store) remove(res int64, id ulid.ULID) error {
	if err := s.forget(res, id); err != nil {
		return err
	}
	dir := filepath.Join(s.Dir(res), id.String())
	tmp := dir + ".tmp-for-deletion"
	if err := fileutil.Rename(dir, tmp); err != nil {
		return fmt.Errorf("delete block %s: %w", dir, err)
	}
	return os.RemoveAll(tmp)
}

// Blocks returns the blocks of one tier, sorted by MinTime.
func (s *Store) Blocks(res int64) []*tsdb.Block {
	s.mtx.RLock()
	defer s.mtx.RUnlock()
	return slices.Clone(s.blocks[res])
}

// Intervals returns the time one tier holds, as sorted, merged half-open intervals.
func (s *Store) Intervals(res int64) []Interval {
	var metas []tsdb.BlockMeta
	for _, b := range s.Blocks(res) {
		metas = append(metas, b.Meta())
	}
	return mergeIntervals(metas)
}

// mergeIntervals merges the ranges of blocks sorted by MinTime.
func mergeIntervals(metas []tsdb.BlockMeta) []Interval {
	var out []Interval
	for _, m := range metas {
		if n := len(out); n > 0 && m.MinTime <= out[n-1].MaxTime {
			out[n-1].MaxTime = max(out[n-1].MaxTime, m.MaxTime)
			continue
		}
		out = append(out, Interval{m.MinTime, m.MaxTime})
	}
	return out
}

// Close closes every block and releases the lock.
func (s *Store) Close() error {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	var errs []error
	for res, bs := range s.blocks {
		for _, b := range bs {
			errs = append(errs, b.Close())
		}
		delete(s.blocks, res)
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Release())
		s.lock = nil
	}
	return errors.Join(errs...)
}
