package tier

import (
	"cmp"
	"slices"

	"github.com/nexclipper/nexclipper/downsampler"
)

// allResolutions are every tier, raw included, finest first.
var allResolutions = []int64{downsampler.ResLevel0, downsampler.ResLevel1, downsampler.ResLevel2}

// segment is a part of a query's time served by one tier; bounds are inclusive.
type segment struct {
	res        int64
	mint, maxt int64
}

// preferredResolution is the coarsest tier allowed for a selector: maxRes, or with
// Auto step/5 capped at range/5 (an instant query has no step, so only the range
// limits it; a plain instant selector reads raw).
func preferredResolution(maxRes, step, rng int64) int64 {
	limit := maxRes
	if maxRes == Auto {
		switch {
		case step > 0 && rng > 0:
			limit = min(step, rng) / 5
		case step > 0:
			limit = step / 5
		default:
			limit = rng / 5
		}
	}
	best := downsampler.ResLevel0
	for _, r := range allResolutions {
		if r <= limit {
			best = r
		}
	}
	return best
}

// preferenceOrder lists the tiers to try: the preferred one, then finer ones from
// the nearest down to raw, then (unless strict) coarser ones from the nearest up.
func preferenceOrder(pref int64, strict bool) []int64 {
	order := []int64{pref}
	for i := len(allResolutions) - 1; i >= 0; i-- {
		if allResolutions[i] < pref {
			order = append(order, allResolutions[i])
		}
	}
	if !strict {
		for _, r := range allResolutions {
			if r > pref {
				order = append(order, r)
			}
		}
	}
	return order
}

// plan splits [mint, maxt] among the tiers in order: each part of the range goes to
// the first tier in order that holds it. Parts no tier holds are left out.
// Segments come back sorted by time.
func plan(mint, maxt int64, order []int64, holds map[int64][]Interval) []segment {
	type span struct{ mint, maxt int64 }
	todo := []span{{mint, maxt}}
	var out []segment
	for _, res := range order {
		var rest []span
		for _, p := range todo {
			cur := p.mint
			for _, iv := range holds[res] {
				lo, hi := max(p.mint, iv.MinTime), min(p.maxt, iv.MaxTime-1)
				if lo > hi {
					continue
				}
				if lo > cur {
					rest = append(rest, span{cur, lo - 1})
				}
				out = append(out, segment{res, lo, hi})
				cur = hi + 1
			}
			if cur <= p.maxt {
				rest = append(rest, span{cur, p.maxt})
			}
		}
		todo = rest
	}
	slices.SortFunc(out, func(a, b segment) int { return cmp.Compare(a.mint, b.mint) })
	return out
}
