package kube

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"

	"github.com/nexclipper/nexclipper/exporter/collector"
)

// resource is one watched resource: how to list and watch it, how to trim
// an object to what the metrics read, and how to turn a trimmed object into
// metrics. One file per resource (pod.go, node.go, ...) defines one.
type resource struct {
	// Name is the plural resource name, as in RBAC rules ("pods").
	Name string
	// Group is the API group: "" for core, "apps", "batch".
	Group string

	object runtime.Object        // an empty object of the informer's type
	list   func() runtime.Object // a new empty list of that type
	// transform replaces a decoded object by its trimmed state. It must be
	// idempotent: client-go may hand it an object it already trimmed.
	transform cache.TransformFunc
	// emit sends the metrics of the trimmed objects, which come sorted by
	// namespace and name.
	emit func(b *batch, objs []any)
}

// CollectorName is the name of the resource's collector, the value of the
// collector label of nexclipper_scrape_collector_success.
func (r *resource) CollectorName() string { return "kube_" + r.Name }

// clusterResources are the resources of cluster mode, in the order of the
// catalogue.
var clusterResources = []*resource{
	nodeResource, namespaceResource, podResource, deploymentResource, replicaSetResource,
	daemonSetResource, statefulSetResource, jobResource, cronJobResource, pvcResource,
}

// GroupResource names a watched resource for RBAC: API group and plural name.
type GroupResource struct{ Group, Resource string }

// ClusterResources lists what cluster mode watches (get/list/watch each);
// the RBAC manifests in deploy/kubernetes/rbac grant exactly these.
func ClusterResources() []GroupResource {
	out := make([]GroupResource, len(clusterResources))
	for i, r := range clusterResources {
		out[i] = GroupResource{r.Group, r.Name}
	}
	return out
}

// ResourceNames are the plural names cluster mode can watch.
func ResourceNames() []string {
	out := make([]string, len(clusterResources))
	for i, r := range clusterResources {
		out[i] = r.Name
	}
	return out
}

// Cluster is cluster mode: one informer and one collector per resource.
type Cluster struct {
	informers []*informer
}

// NewCluster builds the informers of the named resources (nil: all). It
// makes no API call; Start does.
func NewCluster(src Source, names []string) (*Cluster, error) {
	c := &Cluster{}
	for _, name := range names {
		if !slices.Contains(ResourceNames(), name) {
			return nil, fmt.Errorf("unknown resource %q; known resources: %s", name, strings.Join(ResourceNames(), ", "))
		}
	}
	for _, r := range clusterResources {
		if names != nil && !slices.Contains(names, r.Name) {
			continue
		}
		i, err := newInformer(src, r, nil, nil)
		if err != nil {
			return nil, err
		}
		c.informers = append(c.informers, i)
	}
	if len(c.informers) == 0 {
		return nil, errors.New("no resource to watch")
	}
	return c, nil
}

// Start runs the informers until ctx is done. It does not wait for them to
// sync: until they do, their collectors report the error.
func (c *Cluster) Start(ctx context.Context) {
	for _, i := range c.informers {
		i.run(ctx)
	}
}

// Collectors returns one collector per resource, keyed by collector name
// (kube_pods, kube_nodes, ...).
func (c *Cluster) Collectors() map[string]collector.Collector {
	out := make(map[string]collector.Collector, len(c.informers))
	for _, i := range c.informers {
		out[i.res.CollectorName()] = &resourceCollector{inf: i}
	}
	return out
}

// resourceCollector serves one resource's cache; see the package doc for
// its contract.
type resourceCollector struct {
	inf *informer
	// sizes are the family sizes of the last Update; only Update, which
	// the Runner never runs twice at once, touches them.
	sizes map[*family]int
}

// ctxCheckEvery is how many series flush sends between checks of ctx.
const ctxCheckEvery = 512

func (c *resourceCollector) Update(ctx context.Context, ch chan<- prometheus.Metric) error {
	synced, err := c.inf.state()
	if !synced {
		if err == nil {
			return fmt.Errorf("%s: waiting for the first list from the API server", c.inf.res.Name)
		}
		return fmt.Errorf("%s: not synced: %w", c.inf.res.Name, err)
	}
	b := newBatch(c.sizes)
	c.inf.res.emit(b, sortedObjects(c.inf.list()))
	if ctx.Err() != nil {
		return ctx.Err()
	}
	c.sizes = b.familySizes()
	if err := b.flush(ctx, ch); err != nil {
		return err
	}
	if err != nil {
		return fmt.Errorf("%s: serving the last synced state: %w", c.inf.res.Name, err)
	}
	return nil
}

// sortedObjects orders objects by namespace and name. Most families sort
// by those first, so the batch's sort then finds long sorted runs.
func sortedObjects(objs []any) []any {
	type keyed struct {
		ns, name string
		obj      any
	}
	ks := make([]keyed, len(objs))
	for i, o := range objs {
		if m, ok := o.(metav1.Object); ok {
			ks[i] = keyed{m.GetNamespace(), m.GetName(), o}
		} else {
			ks[i] = keyed{obj: o}
		}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := strings.Compare(a.ns, b.ns); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	for i := range ks {
		objs[i] = ks[i].obj
	}
	return objs
}

// trimmer builds a resource's transform from a function that trims one
// typed object. Objects of any other type (already trimmed, tombstones)
// pass through unchanged, which makes the transform idempotent.
func trimmer[T any, S any](trim func(*T) *S) cache.TransformFunc {
	return func(obj any) (any, error) {
		if o, ok := obj.(*T); ok {
			return trim(o), nil
		}
		return obj, nil
	}
}

// emitter adapts a typed function that emits one object; objects of
// another type are skipped.
func emitter[S any](emit func(*batch, *S)) func(*batch, []any) {
	return func(b *batch, objs []any) {
		for _, obj := range objs {
			if s, ok := obj.(*S); ok {
				emit(b, s)
			}
		}
	}
}

// typed returns the objects of type *S, in order.
func typed[S any](objs []any) []*S {
	out := make([]*S, 0, len(objs))
	for _, obj := range objs {
		if s, ok := obj.(*S); ok {
			out = append(out, s)
		}
	}
	return out
}

// objectMeta keeps what the informer's store needs of an object's metadata:
// namespace and name (the key) and resourceVersion. Trimmed states embed it,
// which makes them metav1.Objects for client-go's key functions.
func objectMeta(m *metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID, ResourceVersion: m.ResourceVersion}
}
