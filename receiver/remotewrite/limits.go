package remotewrite

import (
	"cmp"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
)

// limits are the per-request and per-series limits of Options; zero means no limit.
type limits struct {
	maxSamples     int
	maxSeries      int
	maxLabelNames  int
	maxNameLength  int
	maxValueLength int
}

func newLimits(o Options) limits {
	return limits{
		maxSamples:     o.MaxSamplesPerRequest,
		maxSeries:      o.MaxSeriesPerRequest,
		maxLabelNames:  o.MaxLabelNamesPerSeries,
		maxNameLength:  o.MaxLabelNameLength,
		maxValueLength: o.MaxLabelValueLength,
	}
}

// checkRequest enforces the per-request limits before anything is appended,
// so an oversized request is refused whole (413) rather than half stored: the
// sender's fix is to send smaller batches, not to drop data.
func (l limits) checkRequest(series, items int) error {
	if l.maxSeries > 0 && series > l.maxSeries {
		return fmt.Errorf("request has %d series, more than the %d this receiver accepts per request; lower the sender's queue_config.max_samples_per_send", series, l.maxSeries)
	}
	if l.maxSamples > 0 && items > l.maxSamples {
		return fmt.Errorf("request has %d samples, histograms and exemplars, more than the %d this receiver accepts per request; lower the sender's queue_config.max_samples_per_send", items, l.maxSamples)
	}
	return nil
}

// normalised tells which lossless fixes checkLabels applied to a series.
type normalised struct {
	sorted       bool // labels were not sorted by name
	droppedEmpty bool // labels with an empty value were removed
}

func byName(a, b labels.Label) int { return cmp.Compare(a.Name, b.Name) }

// checkLabels validates the label pairs of one series as the sender sent them
// and returns them sorted, without empty-valued labels. It reuses ls's array.
// On failure it returns the labels to quote in the rejection, the reason and
// the offending label name.
//
// Sorting and dropping empty values are fixes rather than rejections because
// both are lossless in Prometheus's data model and Prometheus's own receiver
// does the same; duplicate names are rejected because no fix is lossless.
// Lengths are in bytes, as Mimir counts them.
func (l limits) checkLabels(ls []labels.Label) (_ []labels.Label, n normalised, r reason, offending string) {
	if !slices.IsSortedFunc(ls, byName) {
		slices.SortStableFunc(ls, byName)
		n.sorted = true
	}
	for i, lb := range ls {
		switch {
		case lb.Name == "" || !utf8.ValidString(lb.Name):
			return ls, n, reasonInvalidLabelName, lb.Name
		case !utf8.ValidString(lb.Value):
			return ls, n, reasonInvalidLabelValue, lb.Name
		case i > 0 && ls[i-1].Name == lb.Name:
			return ls, n, reasonDuplicateLabelName, lb.Name
		case l.maxNameLength > 0 && len(lb.Name) > l.maxNameLength:
			return ls, n, reasonLabelNameTooLong, lb.Name
		case l.maxValueLength > 0 && len(lb.Value) > l.maxValueLength:
			return ls, n, reasonLabelValueTooLong, lb.Name
		}
	}
	out := ls[:0]
	hasName := false
	for _, lb := range ls {
		if lb.Value == "" {
			n.droppedEmpty = true
			continue
		}
		if lb.Name == model.MetricNameLabel {
			hasName = true
		}
		out = append(out, lb)
	}
	if !hasName {
		return out, n, reasonMissingMetricName, ""
	}
	if l.maxLabelNames > 0 && len(out) > l.maxLabelNames {
		return out, n, reasonTooManyLabels, ""
	}
	return out, n, "", ""
}
