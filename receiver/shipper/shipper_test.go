package shipper

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nexclipper/nexclipper/downsampler"
	"github.com/nexclipper/nexclipper/downsampler/tier"
	"github.com/nexclipper/nexclipper/downsampler/tier/tiertest"
	"github.com/prometheus/prometheus/tsdb"
	"github.com/thanos-io/objstore/providers/filesystem"
)

// storageWithTiers writes four days of raw 1-day blocks and builds their 5m tier.
func storageWithTiers(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if _, err := tiertest.WriteBlocks(context.Background(), tiertest.Options{Dir: dir, Start: end.Add(-4 * 24 * time.Hour), End: end, Hosts: 1, Containers: 1, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	store, err := tier.OpenStore(tier.StoreOptions{Path: dir, Writer: true})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var blocks []tsdb.BlockReader
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if b, err := tsdb.OpenBlock(nil, filepath.Join(dir, e.Name()), nil, nil); err == nil {
			defer b.Close()
			blocks = append(blocks, b)
		}
	}
	r := tier.NewRunner(tier.Options{RawWindow: tier.DefaultRawWindow, FiveMinWindow: tier.DefaultFiveMinWindow, Now: func() time.Time { return end.Add(48 * time.Hour) }},
		store, func() []tsdb.BlockReader { return blocks }, nil)
	if _, err := r.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSyncUploadsEveryBlockOnceInThanosLayout(t *testing.T) {
	dir := storageWithTiers(t)
	bucketDir := t.TempDir()
	bkt, err := filesystem.NewBucket(bucketDir)
	if err != nil {
		t.Fatal(err)
	}
	// A compacted raw block (level 2) is not shipped: it would overlap its sources.
	entries, _ := os.ReadDir(dir)
	var compacted string
	for _, e := range entries {
		if m, err := downsampler.ReadMeta(filepath.Join(dir, e.Name())); err == nil {
			compacted = e.Name()
			m.Compaction.Level = 2
			b, _ := json.Marshal(m.BlockMeta)
			if err := os.WriteFile(filepath.Join(dir, e.Name(), "meta.json"), b, 0o644); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	s := New(bkt, Options{Path: dir, ExternalLabels: map[string]string{"cluster": "test"}}, nil)
	n, err := s.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != 3+4 { // 3 level-1 raw blocks + 4 days of 5m
		t.Errorf("uploaded %d blocks, want 7", n)
	}
	uploaded, _ := os.ReadDir(bucketDir)
	if len(uploaded) != n {
		t.Fatalf("bucket holds %d block directories, want %d", len(uploaded), n)
	}
	seen := map[int64]int{}
	for _, u := range uploaded {
		if u.Name() == compacted {
			t.Errorf("compacted raw block %s was shipped", compacted)
		}
		for _, f := range []string{"index", "chunks/000001", "meta.json"} {
			if _, err := os.Stat(filepath.Join(bucketDir, u.Name(), f)); err != nil {
				t.Errorf("block %s: %v", u.Name(), err)
			}
		}
		m, err := downsampler.ReadMeta(filepath.Join(bucketDir, u.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if m.Thanos.Labels["cluster"] != "test" || m.Thanos.Source == "" {
			t.Errorf("block %s: thanos section %+v lacks the external labels or the source", u.Name(), m.Thanos)
		}
		seen[m.Thanos.Downsample.Resolution]++
	}
	if seen[downsampler.ResLevel0] != 3 || seen[downsampler.ResLevel1] != 4 {
		t.Errorf("uploaded by resolution: %v, want 3 raw and 4 5m", seen)
	}
	// The local meta.json files are not changed.
	local, _ := os.ReadDir(dir)
	for _, e := range local {
		if m, err := downsampler.ReadMeta(filepath.Join(dir, e.Name())); err == nil && m.Thanos.Labels["cluster"] != "" {
			t.Errorf("local meta.json of %s got the external labels", e.Name())
		}
	}
	// Restarted: nothing is uploaded again.
	again := New(bkt, Options{Path: dir}, nil)
	if n, err := again.Sync(context.Background()); err != nil || n != 0 {
		t.Errorf("second sync uploaded %d (err %v), want 0", n, err)
	}
}

func TestNewBucketConfig(t *testing.T) {
	dir := t.TempDir()
	f := func(conf string, wantErr bool) {
		t.Helper()
		path := filepath.Join(dir, "objstore.yml")
		if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := NewBucket(path)
		if (err != nil) != wantErr {
			t.Errorf("%q: err %v, want error %v", conf, err, wantErr)
		}
	}
	f("type: FILESYSTEM\nconfig:\n  directory: "+dir+"\n", false)
	f("type: filesystem\nconfig:\n  directory: "+dir+"\nprefix: cluster-a\n", false)
	f("type: SWIFT\nconfig: {}\n", true)
	f("type: FILESYSTEM\nconfig:\n  directory: "+dir+"\nbucket_typo: x\n", true)
	f("{not yaml", true)
}
