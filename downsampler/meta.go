package downsampler

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/prometheus/prometheus/tsdb"
	"github.com/prometheus/prometheus/tsdb/fileutil"
)

// Block file names, as in Prometheus's tsdb and Thanos's pkg/block.
const (
	metaFilename   = "meta.json"
	indexFilename  = "index"
	chunksDirname  = "chunks"
	tsdbMetaV1     = 1           // meta.json "version" that both Prometheus and Thanos accept
	sourceCompactr = "compactor" // Thanos metadata.CompactorSource, set by its downsampler
)

// Meta is a block's meta.json: the TSDB fields plus Thanos's section
// (Thanos pkg/block/metadata/meta.go, type Meta).
type Meta struct {
	tsdb.BlockMeta
	Thanos ThanosMeta `json:"thanos"`
}

// ThanosMeta is the "thanos" section of meta.json, with Thanos's JSON names.
type ThanosMeta struct {
	// Version 0 or 1 is accepted by Thanos; 1 is written.
	Version int `json:"version,omitempty"`
	// Labels are the external labels of the producer; empty for a single receiver.
	Labels     map[string]string `json:"labels"`
	Downsample ThanosDownsample  `json:"downsample"`
	// Source is who wrote the block; Thanos's own downsampler writes "compactor".
	Source string `json:"source"`
	// SegmentFiles are the file names under chunks/, sorted (deprecated by Files).
	SegmentFiles []string `json:"segment_files,omitempty"`
	// Files lists chunks/*, index and meta.json by relative path, sorted.
	Files []ThanosFile `json:"files,omitempty"`
}

// ThanosDownsample holds the block's resolution in milliseconds.
type ThanosDownsample struct {
	Resolution int64 `json:"resolution"`
}

// ThanosFile is one entry of ThanosMeta.Files; meta.json has no size.
type ThanosFile struct {
	RelPath   string `json:"rel_path"`
	SizeBytes int64  `json:"size_bytes,omitempty"`
}

// ReadMeta reads <dir>/meta.json. A raw Prometheus block has no thanos section and
// reads as resolution 0.
func ReadMeta(dir string) (*Meta, error) {
	b, err := os.ReadFile(filepath.Join(dir, metaFilename))
	if err != nil {
		return nil, fmt.Errorf("read meta: %w", err)
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode %s: %w", filepath.Join(dir, metaFilename), err)
	}
	if m.Version != tsdbMetaV1 {
		return nil, fmt.Errorf("%s: unexpected meta file version %d", dir, m.Version)
	}
	if m.Thanos.Labels == nil {
		m.Thanos.Labels = map[string]string{}
	}
	return &m, nil
}

// writeMeta fills the file lists from dir and writes <dir>/meta.json atomically
// (Thanos streamed_block_writer.go writeMetaFile, and block.GatherFileStats).
func writeMeta(dir string, m *Meta) error {
	seg, err := os.ReadDir(filepath.Join(dir, chunksDirname))
	if err != nil {
		return fmt.Errorf("list segment files: %w", err)
	}
	m.Thanos.SegmentFiles = m.Thanos.SegmentFiles[:0]
	m.Thanos.Files = m.Thanos.Files[:0]
	for _, e := range seg {
		fi, err := e.Info()
		if err != nil {
			return fmt.Errorf("stat segment file: %w", err)
		}
		m.Thanos.SegmentFiles = append(m.Thanos.SegmentFiles, e.Name())
		m.Thanos.Files = append(m.Thanos.Files, ThanosFile{RelPath: filepath.Join(chunksDirname, e.Name()), SizeBytes: fi.Size()})
	}
	fi, err := os.Stat(filepath.Join(dir, indexFilename))
	if err != nil {
		return fmt.Errorf("stat index: %w", err)
	}
	m.Thanos.Files = append(m.Thanos.Files,
		ThanosFile{RelPath: indexFilename, SizeBytes: fi.Size()},
		ThanosFile{RelPath: metaFilename})
	sort.Slice(m.Thanos.Files, func(i, j int) bool { return m.Thanos.Files[i].RelPath < m.Thanos.Files[j].RelPath })

	b, err := json.MarshalIndent(m, "", "\t")
	if err != nil {
		return fmt.Errorf("encode meta: %w", err)
	}
	path := filepath.Join(dir, metaFilename)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write meta: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		return err
	}
	if err := fileutil.Replace(tmp, path); err != nil {
		return fmt.Errorf("rename meta: %w", err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	err = fileutil.Fdatasync(f)
	return errors.Join(err, f.Close())
}
