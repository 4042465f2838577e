// Package kube is the Kubernetes side of nexclipper-exporter, a lean
// replacement for kube-state-metrics: object state read through client-go
// informers, exported under kube-state-metrics's metric names and labels, so
// its alert rules and dashboards keep working.
//
// Two modes, chosen by --kube.mode:
//   - cluster (one replica per cluster): one informer per resource of
//     ClusterResources, each served by its own collector kube_<resource>, so
//     nexclipper_scrape_collector_success says which resource is unavailable.
//   - node (the DaemonSet): only the pods bound to this node (a spec.nodeName
//     field selector), kept as a PodLookup that gives the cgroup collector
//     each container's namespace, pod and container name.
//
// Memory: every informer has a transform that replaces the decoded object by
// a small struct of the fields the metrics read (see the *State types), with
// the object's label pairs built once, so no full object, label map,
// annotation or managedFields stays in memory. Object labels and annotations
// are never exported, which also bounds the label sets a scrape can produce.
//
// Scrape: a collector emits each family in label order into a batch (see
// batch.go) and the binary serves the kube collectors' Runner through
// Gatherer, which skips the registry's per-series re-validation (see
// gather.go): about 130 ms for 100,000 series, bench/results/kube.md.
//
// Contract of each collector's Update, on top of collector.Collector's:
//   - Until its informer has completed a first list, Update sends nothing
//     and returns an error naming the resource and the last API error (an
//     API server that is down, an RBAC "forbidden"), so the resource reports
//     success 0 while the other resources and collectors are unaffected.
//   - Once synced it sends the metrics of every object in the cache. When
//     the last list or watch call to the API server failed (server lost,
//     permission revoked) it still sends the cached state and returns that
//     error; client-go keeps retrying with backoff and the error clears on
//     the next successful call.
package kube

import (
	"context"
	"errors"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Modes of --kube.mode.
const (
	ModeOff     = "off"
	ModeCluster = "cluster"
	ModeNode    = "node"
)

// Modes lists the values --kube.mode accepts, default first.
var Modes = []string{ModeOff, ModeCluster, ModeNode}

// Options configure the Kubernetes side. Main fills them from flags.
type Options struct {
	Mode string // ModeOff, ModeCluster or ModeNode
	// Kubeconfig is a kubeconfig file for running outside the cluster; ""
	// means the in-cluster config of the pod's ServiceAccount.
	Kubeconfig string
	// NodeName is this node's name in node mode (--kube.node-name, by default
	// the NODE_NAME variable that the DaemonSet sets from spec.nodeName).
	NodeName string
	// UserAgent identifies the exporter to the API server.
	UserAgent string
}

// ErrNoNodeName is the error of node mode without a node name.
var ErrNoNodeName = errors.New("node mode needs the node name: set --kube.node-name or the NODE_NAME environment variable (downward API fieldRef spec.nodeName)")

// Client reads the API server with one REST client per API group. It is
// built on client-go's rest package and a scheme of the three API groups the
// collectors read, not on the generated clientset: that one registers every
// API group and would add some 20 MB to the binary and 2 MB of heap for
// every user, with --kube.mode=off too.
type Client struct {
	groups map[string]rest.Interface // API group ("" is core) -> client
}

var _ Source = (*Client)(nil)

// NewClient returns a client for opts: from opts.Kubeconfig, or the
// in-cluster config when it is empty. It does not contact the API server,
// so a server that is down at start is not an error here; the collectors
// report it instead.
func NewClient(opts Options) (*Client, error) {
	if opts.Mode == ModeNode && opts.NodeName == "" {
		return nil, ErrNoNodeName
	}
	var cfg *rest.Config
	var err error
	if opts.Kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", opts.Kubeconfig)
		if err != nil {
			return nil, fmt.Errorf("--kubeconfig=%s: %w", opts.Kubeconfig, err)
		}
	} else {
		cfg, err = rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("no --kubeconfig and no in-cluster config: %w", err)
		}
	}
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme} {
		if err := add(scheme); err != nil {
			return nil, err
		}
	}
	metav1.AddToGroupVersion(scheme, schema.GroupVersion{Version: "v1"})
	codecs := serializer.NewCodecFactory(scheme)

	// Protobuf: the built-in types decode with a fraction of JSON's
	// allocations, which is most of the cost of a relist.
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	cfg.UserAgent = opts.UserAgent
	cfg.NegotiatedSerializer = codecs.WithoutConversion()
	// Informers make a handful of requests per relist; the default QPS of 5
	// only matters when ten resources relist at once after an outage.
	cfg.QPS, cfg.Burst = 20, 40
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	c := &Client{groups: map[string]rest.Interface{}}
	for _, gv := range []schema.GroupVersion{corev1.SchemeGroupVersion, appsv1.SchemeGroupVersion, batchv1.SchemeGroupVersion} {
		gc := rest.CopyConfig(cfg)
		gc.GroupVersion = &gv
		gc.APIPath = "/apis"
		if gv.Group == "" {
			gc.APIPath = "/api"
		}
		rc, err := rest.RESTClientForConfigAndClient(gc, httpClient)
		if err != nil {
			return nil, fmt.Errorf("kubernetes client for %s: %w", gv, err)
		}
		c.groups[gv.Group] = rc
	}
	return c, nil
}

func (c *Client) listWatch(r *resource) listWatchFuncs {
	rc := c.groups[r.Group]
	return listWatchFuncs{
		list: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			out := r.list()
			err := rc.Get().Resource(r.Name).VersionedParams(&o, metav1.ParameterCodec).Do(ctx).Into(out)
			return out, err
		},
		watch: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.Watch = true
			req := rc.Get().Resource(r.Name).VersionedParams(&o, metav1.ParameterCodec)
			if o.TimeoutSeconds != nil {
				req = req.Timeout(time.Duration(*o.TimeoutSeconds) * time.Second)
			}
			return req.Watch(ctx)
		},
	}
}

func (c *Client) watchListClient() any { return c }
