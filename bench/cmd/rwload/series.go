package main

import (
	"fmt"
	"github.com/prometheus/common/model"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/prompb"
)

// series is one generated time series: its labels (sorted, as remote write
// requires), its family and its value state. A series belongs to exactly one
// sender, which alone calls next, so the state needs no lock.
type series struct {
	labels labels.Labels
	rw1    []prompb.Label // the same labels as pairs, built once; both encoders read them
	fam    *family

	units int64   // current value in the family's units
	rate  float64 // counters: mean units per second; gauges: the level walked around
	rng   *rand.Rand
}

// next returns the series' value at the scrape at ts (ms), intervalSec after
// the previous one. It is called once per round, in timestamp order, so the
// values depend only on the seed and the series' index, never on timing.
func (s *series) next(ts int64, intervalSec float64) float64 {
	f := s.fam
	switch f.kind {
	case counter:
		inc := s.rate * intervalSec * (1 + 0.25*s.rng.NormFloat64())
		if inc > 0 {
			s.units += int64(math.Round(inc))
		}
	case rareCounter:
		if s.rng.Float64() < s.rate {
			s.units += 1 + s.rng.Int64N(5)
		}
	case gauge:
		// A random walk pulled back towards the level, so it neither
		// drifts off nor sits still: 2% steps, 5% mean reversion.
		level := s.rate
		cur := float64(s.units)
		cur += 0.02*level*s.rng.NormFloat64() + 0.05*(level-cur)
		s.units = max(0, int64(math.Round(cur/float64(f.gran)))*f.gran)
	case clock:
		return float64(ts) / 1000
	case constant:
	}
	return float64(s.units) / f.div
}

// newSeries derives the series' random stream from the run's seed and the
// series' index, so any subset of series (one sender's) reproduces alone.
func newSeries(seed uint64, index int, fam *family, lbls labels.Labels, scale float64) *series {
	s := &series{
		labels: lbls,
		fam:    fam,
		rng:    rand.New(rand.NewPCG(seed, uint64(index))),
	}
	lbls.Range(func(l labels.Label) { s.rw1 = append(s.rw1, prompb.Label{Name: l.Name, Value: l.Value}) })
	// Per-series spread: busy and idle hosts, big and small containers.
	spread := math.Exp(0.8 * s.rng.NormFloat64())
	switch fam.kind {
	case counter:
		s.rate = scale * spread
		// Counters start where a host up for a few days would have them.
		s.units = int64(s.rate * (86400 + 5*86400*s.rng.Float64()))
	case rareCounter:
		s.rate = min(1, scale*spread)
		s.units = s.rng.Int64N(20)
	case gauge, constant:
		s.rate = scale * spread
		s.units = max(0, int64(math.Round(s.rate/float64(fam.gran)))*fam.gran)
	case clock:
	}
	return s
}

// host describes one generated machine: node_exporter on :9100 and
// cAdvisor (the kubelet) on :10250 with its containers.
type host struct {
	name       string
	cpus       int
	containers []container
}

type container struct {
	id, podUID, namespace, pod, name string
}

// newHost draws host number i from its own random stream.
func newHost(seed uint64, i int) host {
	r := rand.New(rand.NewPCG(seed^0x9e3779b97f4a7c15, uint64(i)))
	h := host{name: fmt.Sprintf("node-%04d", i), cpus: []int{4, 8, 8, 16}[r.IntN(4)]}
	pods := 8 + r.IntN(13) // 8..20 pods, 1..3 containers each
	for range pods {
		app := apps[r.IntN(len(apps))]
		ns := namespaces[r.IntN(len(namespaces))]
		pod := fmt.Sprintf("%s-%s-%s", app, randomString(r, "bcdfghjklmnpqrstvwxz2456789", 10), randomString(r, "bcdfghjklmnpqrstvwxz2456789", 5))
		uid := fmt.Sprintf("%s-%s-%s-%s-%s", randomString(r, hexDigits, 8), randomString(r, hexDigits, 4), randomString(r, hexDigits, 4), randomString(r, hexDigits, 4), randomString(r, hexDigits, 12))
		names := []string{app}
		for range r.IntN(3) {
			names = append(names, sidecars[r.IntN(len(sidecars))])
		}
		seen := map[string]bool{}
		for _, name := range names {
			if seen[name] {
				continue
			}
			seen[name] = true
			h.containers = append(h.containers, container{
				id:        "containerd://" + randomString(r, hexDigits, 64),
				podUID:    uid,
				namespace: ns,
				pod:       pod,
				name:      name,
			})
		}
	}
	return h
}

const hexDigits = "0123456789abcdef"

func randomString(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// generator appends the series of hosts in order until it has n of them.
type generator struct {
	seed uint64
	n    int
	out  []*series
}

// buildSeries returns exactly n series: node_exporter's then cAdvisor's of
// host 0, then of host 1, and so on; the last host may be cut short.
func buildSeries(n int, seed uint64) []*series {
	g := &generator{seed: seed, n: n, out: make([]*series, 0, n)}
	for i := 0; len(g.out) < n; i++ {
		g.host(newHost(seed, i))
	}
	return g.out
}

func (g *generator) add(fam *family, scale float64, pairs ...string) {
	if len(g.out) >= g.n {
		return
	}
	lbls := labels.FromStrings(append([]string{model.MetricNameLabel, fam.name}, pairs...)...)
	g.out = append(g.out, newSeries(g.seed, len(g.out), fam, lbls, scale))
}

func (g *generator) host(h host) {
	node := []string{"instance", h.name + ":9100", "job", "node"}
	for cpu := range h.cpus {
		for _, m := range nodeCPUModes {
			g.add(&nodeCPU, m.ticks, append([]string{"cpu", fmt.Sprint(cpu), "mode", m.mode}, node...)...)
		}
	}
	for i := range nodeFamilies {
		g.add(&nodeFamilies[i], nodeFamilies[i].scale, node...)
	}
	for _, dev := range nodeNetworkDevices {
		for i := range nodeNetworkFamilies {
			g.add(&nodeNetworkFamilies[i], nodeNetworkFamilies[i].scale, append([]string{"device", dev}, node...)...)
		}
	}
	for _, dev := range nodeDiskDevices {
		for i := range nodeDiskFamilies {
			g.add(&nodeDiskFamilies[i], nodeDiskFamilies[i].scale, append([]string{"device", dev}, node...)...)
		}
	}
	for _, fs := range nodeFilesystems {
		for i := range nodeFilesystemFamilies {
			g.add(&nodeFilesystemFamilies[i], nodeFilesystemFamilies[i].scale,
				append([]string{"device", fs.device, "fstype", fs.fstype, "mountpoint", fs.mountpoint}, node...)...)
		}
	}

	kubelet := []string{"instance", h.name + ":10250", "job", "kubelet", "metrics_path", "/metrics/cadvisor"}
	for _, c := range h.containers {
		cl := append([]string{"container", c.name, "container_id", c.id, "namespace", c.namespace, "pod", c.pod, "pod_uid", c.podUID}, kubelet...)
		for i := range containerFamilies {
			g.add(&containerFamilies[i], containerFamilies[i].scale, cl...)
		}
		for i := range containerNetworkFamilies {
			g.add(&containerNetworkFamilies[i], containerNetworkFamilies[i].scale, append([]string{"interface", "eth0"}, cl...)...)
		}
	}
}

// shardOf assigns a series to one of n senders by a hash of its labels, as
// Prometheus's queue manager assigns series to shards: a series always goes
// through the same sender, so its samples stay in timestamp order.
func shardOf(lbls labels.Labels, n int) int {
	h := fnv.New64a()
	lbls.Range(func(l labels.Label) {
		h.Write([]byte(l.Name))
		h.Write([]byte{0xff})
		h.Write([]byte(l.Value))
		h.Write([]byte{0xff})
	})
	return int(h.Sum64() % uint64(n))
}
