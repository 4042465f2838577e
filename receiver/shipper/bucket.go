package shipper

import (
	"context"
	"fmt"
	"os"
	"strings"

	kitlog "github.com/go-kit/log"
	"github.com/thanos-io/objstore"
	"github.com/thanos-io/objstore/providers/azure"
	"github.com/thanos-io/objstore/providers/filesystem"
	"github.com/thanos-io/objstore/providers/gcs"
	"github.com/thanos-io/objstore/providers/s3"
	"go.yaml.in/yaml/v3"
)

// bucketConfig is Thanos's --objstore.config-file format: a provider type and
// its provider-specific configuration.
type bucketConfig struct {
	Type   string         `yaml:"type"`
	Config map[string]any `yaml:"config"`
	Prefix string         `yaml:"prefix"`
}

// NewBucket opens the bucket described by an object storage configuration file
// in Thanos's format. The providers built in are S3 (and S3-compatible stores),
// GCS, AZURE and FILESYSTEM; Thanos's others (Swift, COS, OSS, BOS, OCI, OBS)
// are left out to keep their SDKs out of the receiver.
func NewBucket(configFile string) (objstore.Bucket, error) {
	b, err := os.ReadFile(configFile)
	if err != nil {
		return nil, fmt.Errorf("read object storage config: %w", err)
	}
	var conf bucketConfig
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&conf); err != nil {
		return nil, fmt.Errorf("object storage config %s: %w", configFile, err)
	}
	provider, err := yaml.Marshal(conf.Config)
	if err != nil {
		return nil, err
	}
	logger := kitlog.NewNopLogger()
	var bkt objstore.Bucket
	switch strings.ToUpper(conf.Type) {
	case string(objstore.S3):
		bkt, err = s3.NewBucket(logger, provider, "nexclipper-receiver", nil)
	case string(objstore.GCS):
		bkt, err = gcs.NewBucket(context.Background(), logger, provider, "nexclipper-receiver", nil)
	case string(objstore.AZURE):
		bkt, err = azure.NewBucket(logger, provider, "nexclipper-receiver", nil)
	case string(objstore.FILESYSTEM):
		bkt, err = filesystem.NewBucketFromConfig(provider)
	default:
		return nil, fmt.Errorf("object storage config %s: type %q is not supported; use S3 (any S3-compatible store), GCS, AZURE or FILESYSTEM", configFile, conf.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("object storage config %s: %w", configFile, err)
	}
	if conf.Prefix != "" {
		bkt = objstore.NewPrefixedBucket(bkt, conf.Prefix)
	}
	return bkt, nil
}
