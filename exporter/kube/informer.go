package kube

import (
	"context"
	"fmt"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// listWatchFuncs are the List and Watch calls of one resource.
type listWatchFuncs struct {
	list  func(context.Context, metav1.ListOptions) (runtime.Object, error)
	watch func(context.Context, metav1.ListOptions) (watch.Interface, error)
}

// Source lists and watches resources. *Client does so against the API
// server; unit tests use client-go's fake clientset.
type Source interface {
	// listWatch returns the calls for r, across all namespaces.
	listWatch(r *resource) listWatchFuncs
	// watchListClient is what client-go asks whether a streaming
	// watch-list is possible (the fake clientset says it is not).
	watchListClient() any
}

// connState is the outcome of the last list or watch call of one informer.
type connState struct {
	mu  sync.Mutex
	err error
}

func (s *connState) record(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

func (s *connState) last() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// informer is one resource's informer with the state the collectors report.
type informer struct {
	res  *resource
	inf  cache.SharedIndexInformer
	conn connState
}

// newInformer builds the informer of r. tweak narrows the list and watch
// (node mode's field selector); indexers are extra indexes of the store.
// The transform is set before the informer runs, as client-go requires.
func newInformer(src Source, r *resource, tweak func(*metav1.ListOptions), indexers cache.Indexers) (*informer, error) {
	i := &informer{res: r}
	funcs := src.listWatch(r)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			if tweak != nil {
				tweak(&o)
			}
			obj, err := funcs.list(ctx, o)
			i.conn.record(err)
			return obj, err
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			if tweak != nil {
				tweak(&o)
			}
			w, err := funcs.watch(ctx, o)
			i.conn.record(err)
			return w, err
		},
	}
	// The fake clientset of unit tests cannot stream a watch-list; the
	// wrapper tells the reflector so, and is a no-op for a real client.
	i.inf = cache.NewSharedIndexInformerWithOptions(
		cache.ToListWatcherWithWatchListSemantics(lw, src.watchListClient()), r.object,
		cache.SharedIndexInformerOptions{Indexers: indexers, ObjectDescription: r.Name},
	)
	if err := i.inf.SetTransform(r.transform); err != nil {
		return nil, fmt.Errorf("informer %s: %w", r.Name, err)
	}
	return i, nil
}

// run starts the informer; it stops when ctx is done.
func (i *informer) run(ctx context.Context) {
	go i.inf.RunWithContext(ctx)
}

// state reports whether the cache holds a complete first list, and the
// error of the last list or watch call (nil when it succeeded).
func (i *informer) state() (synced bool, err error) {
	return i.inf.HasSynced(), i.conn.last()
}

// list returns the trimmed objects in the cache.
func (i *informer) list() []any {
	return i.inf.GetStore().List()
}
