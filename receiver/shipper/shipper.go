// Package shipper uploads the receiver's complete blocks, raw and downsampled, to
// object storage in Thanos's bucket layout (<ULID>/chunks/..., index, meta.json),
// so that Thanos Store + Query can serve them when one receiver is not enough.
//
// Contract:
//   - A block is uploaded once, its files first and meta.json last: a reader that
//     sees meta.json sees the whole block (Thanos's shipper does the same).
//   - Raw blocks are shipped only at compaction level 1. The receiver keeps its raw
//     blocks at 2h, uncompacted, while shipping (as Thanos Receive does): a
//     compacted block would overlap blocks already in the bucket.
//   - The uploaded meta.json carries the "thanos" section: the external labels,
//     the resolution, and the source ("receive" for raw; the tiers keep
//     "compactor"). The local meta.json is not changed.
//   - What was shipped is recorded in <storage.path>/thanos.shipper.json, Thanos's
//     file name and format, so a restart does not upload again.
//   - Retention stays local: deleting from the bucket is Thanos's compactor's job.
package shipper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	kitlog "github.com/go-kit/log"
	"github.com/nexclipper/nexclipper/downsampler"
	"github.com/nexclipper/nexclipper/downsampler/tier"
	"github.com/oklog/ulid/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/tsdb/fileutil"
	"github.com/thanos-io/objstore"
)

// metaFile is Thanos's shipper state file, in the storage directory.
const metaFile = "thanos.shipper.json"

// Options configure a Shipper.
type Options struct {
	// Path is the receiver's storage directory.
	Path string
	// ExternalLabels identify this receiver's blocks in the bucket (Thanos's
	// external labels, e.g. cluster=prod); Thanos groups and deduplicates by them.
	ExternalLabels map[string]string
	Logger         *slog.Logger
}

// Shipper uploads blocks to a bucket. Sync must not run concurrently with itself.
type Shipper struct {
	bkt      objstore.Bucket
	opts     Options
	uploads  *prometheus.CounterVec
	lastSync prometheus.Gauge
}

// New returns a shipper into bkt; its metrics are registered on reg when not nil.
func New(bkt objstore.Bucket, opts Options, reg prometheus.Registerer) *Shipper {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Shipper{
		bkt:  bkt,
		opts: opts,
		uploads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "nexclipper_shipper_uploads_total",
			Help: "Blocks uploaded to object storage, by tier and result.",
		}, []string{"resolution", "result"}),
		lastSync: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "nexclipper_shipper_last_success_timestamp_seconds",
			Help: "When the last sync with object storage finished without error.",
		}),
	}
	if reg != nil {
		reg.MustRegister(s.uploads, s.lastSync)
	}
	return s
}

// state is Thanos's shipper file: version 1 and the uploaded block IDs.
type state struct {
	Version  int         `json:"version"`
	Uploaded []ulid.ULID `json:"uploaded"`
}

func (s *Shipper) readState() (map[ulid.ULID]bool, error) {
	done := map[ulid.ULID]bool{}
	b, err := os.ReadFile(filepath.Join(s.opts.Path, metaFile))
	if errors.Is(err, os.ErrNotExist) {
		return done, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read shipper state: %w", err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("decode %s: %w", metaFile, err)
	}
	for _, id := range st.Uploaded {
		done[id] = true
	}
	return done, nil
}

func (s *Shipper) writeState(done map[ulid.ULID]bool) error {
	st := state{Version: 1}
	for id := range done {
		st.Uploaded = append(st.Uploaded, id)
	}
	slices.SortFunc(st.Uploaded, func(a, b ulid.ULID) int { return a.Compare(b) })
	b, err := json.MarshalIndent(st, "", "\t")
	if err != nil {
		return err
	}
	path := filepath.Join(s.opts.Path, metaFile)
	if err := os.WriteFile(path+".tmp", b, 0o644); err != nil {
		return fmt.Errorf("write shipper state: %w", err)
	}
	return fileutil.Replace(path+".tmp", path)
}

// candidate is a block directory and the resolution it holds.
type candidate struct {
	dir string
	res int64
}

// candidates lists the complete blocks under the storage path: raw blocks and
// both tiers (directories named by a ULID; in-progress ones have a suffix).
func (s *Shipper) candidates() ([]candidate, error) {
	var out []candidate
	dirs := []candidate{{s.opts.Path, downsampler.ResLevel0}}
	for _, res := range tier.Resolutions {
		dirs = append(dirs, candidate{filepath.Join(s.opts.Path, "downsampled", tier.ResolutionName(res)), res})
	}
	for _, d := range dirs {
		entries, err := os.ReadDir(d.dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if _, err := ulid.ParseStrict(e.Name()); err == nil && e.IsDir() {
				out = append(out, candidate{filepath.Join(d.dir, e.Name()), d.res})
			}
		}
	}
	return out, nil
}

// Sync uploads every complete block not uploaded yet and returns how many it
// uploaded. A block that fails is retried by the next Sync.
func (s *Shipper) Sync(ctx context.Context) (int, error) {
	done, err := s.readState()
	if err != nil {
		return 0, err
	}
	cands, err := s.candidates()
	if err != nil {
		return 0, err
	}
	var (
		n    int
		errs []error
	)
	for _, c := range cands {
		meta, err := downsampler.ReadMeta(c.dir)
		if err != nil {
			continue // a block being deleted, or not a block
		}
		if done[meta.ULID] || (c.res == downsampler.ResLevel0 && meta.Compaction.Level > 1) {
			continue
		}
		name := tier.ResolutionName(c.res)
		if err := s.upload(ctx, c.dir, meta, c.res); err != nil {
			s.uploads.WithLabelValues(name, "error").Inc()
			errs = append(errs, fmt.Errorf("upload %s block %s: %w", name, meta.ULID, err))
			continue
		}
		s.uploads.WithLabelValues(name, "ok").Inc()
		s.opts.Logger.Info("uploaded block to object storage", "ulid", meta.ULID, "resolution", name)
		done[meta.ULID] = true
		n++
		if err := s.writeState(done); err != nil {
			return n, err
		}
	}
	if len(errs) == 0 {
		s.lastSync.SetToCurrentTime()
	}
	return n, errors.Join(errs...)
}

// upload sends the block's files, then its meta.json with the thanos section.
func (s *Shipper) upload(ctx context.Context, dir string, meta *downsampler.Meta, res int64) error {
	id := meta.ULID.String()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "meta.json" || rel == "tombstones" {
			return err
		}
		return objstore.UploadFile(ctx, kitlog.NewNopLogger(), s.bkt, path, id+objstore.DirDelim+filepath.ToSlash(rel))
	})
	if err != nil {
		return err
	}
	meta.Thanos.Version = 1
	meta.Thanos.Labels = s.opts.ExternalLabels
	if meta.Thanos.Labels == nil {
		meta.Thanos.Labels = map[string]string{}
	}
	meta.Thanos.Downsample.Resolution = res
	if meta.Thanos.Source == "" {
		meta.Thanos.Source = "receive"
	}
	b, err := json.MarshalIndent(meta, "", "\t")
	if err != nil {
		return err
	}
	return s.bkt.Upload(ctx, id+objstore.DirDelim+"meta.json", bytes.NewReader(b))
}

// Run syncs every interval until ctx ends.
func (s *Shipper) Run(ctx context.Context, interval time.Duration) {
	for {
		if _, err := s.Sync(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Error("object storage sync failed; retried next interval", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
