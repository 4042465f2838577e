package main

import (
	"slices"
	"time"
)

// percentile returns the p-th quantile (0..1) of ds by linear interpolation
// between the two nearest ranks, so p50 of an even count is the mean of the
// middle two, as a median should be. ds is not modified.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	pos := p * float64(len(s)-1)
	lo := int(pos)
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	frac := pos - float64(lo)
	return s[lo] + time.Duration(frac*float64(s[lo+1]-s[lo]))
}
