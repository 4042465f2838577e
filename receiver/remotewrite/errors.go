package remotewrite

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
)

// reason is why an item (sample, histogram or exemplar) was rejected. The
// value is the `reason` label of nexclipper_receiver_samples_rejected_total;
// the description goes into the 400 body, so it says what to fix.
type reason string

const (
	reasonMissingMetricName  reason = "missing_metric_name"
	reasonInvalidLabelName   reason = "invalid_label_name"
	reasonInvalidLabelValue  reason = "invalid_label_value"
	reasonDuplicateLabelName reason = "duplicate_label_name"
	reasonTooManyLabels      reason = "too_many_labels"
	reasonLabelNameTooLong   reason = "label_name_too_long"
	reasonLabelValueTooLong  reason = "label_value_too_long"
	reasonInvalidSymbolRef   reason = "invalid_symbol_ref"
	reasonEmptySeries        reason = "empty_series"
	reasonMixedSeries        reason = "mixed_samples_histograms"
	reasonOutOfOrder         reason = "out_of_order"
	reasonTooOld             reason = "too_old"
	reasonOutOfBounds        reason = "out_of_bounds"
	reasonTooFarInFuture     reason = "too_far_in_future"
	reasonDuplicateTimestamp reason = "duplicate_timestamp"
	reasonUnsortedInRequest  reason = "unsorted_in_request"
	reasonInvalidHistogram   reason = "invalid_histogram"
	reasonInvalidSample      reason = "invalid_sample"
	reasonInvalidExemplar    reason = "invalid_exemplar"
	reasonExemplarOutOfOrder reason = "exemplar_out_of_order"
	reasonExemplarNoSeries   reason = "exemplar_unknown_series"
	reasonExemplarRejected   reason = "exemplar_rejected"
)

// allReasons pre-initialises the rejected counter so that every reason is
// exported as 0 before it first happens (rate() then works from the start).
var allReasons = []reason{
	reasonMissingMetricName, reasonInvalidLabelName, reasonInvalidLabelValue,
	reasonDuplicateLabelName, reasonTooManyLabels, reasonLabelNameTooLong,
	reasonLabelValueTooLong, reasonInvalidSymbolRef, reasonEmptySeries,
	reasonMixedSeries, reasonOutOfOrder, reasonTooOld, reasonOutOfBounds,
	reasonTooFarInFuture, reasonDuplicateTimestamp, reasonUnsortedInRequest,
	reasonInvalidHistogram, reasonInvalidSample, reasonInvalidExemplar,
	reasonExemplarOutOfOrder, reasonExemplarNoSeries, reasonExemplarRejected,
}

func (r reason) describe(l limits) string {
	switch r {
	case reasonMissingMetricName:
		return "series without a metric name (__name__ missing or empty)"
	case reasonInvalidLabelName:
		return "label name empty or not valid UTF-8"
	case reasonInvalidLabelValue:
		return "label value not valid UTF-8"
	case reasonDuplicateLabelName:
		return "duplicate label name in a series"
	case reasonTooManyLabels:
		return "series with more than " + strconv.Itoa(l.maxLabelNames) + " labels"
	case reasonLabelNameTooLong:
		return "label name longer than " + strconv.Itoa(l.maxNameLength) + " bytes"
	case reasonLabelValueTooLong:
		return "label value longer than " + strconv.Itoa(l.maxValueLength) + " bytes"
	case reasonInvalidSymbolRef:
		return "reference outside the symbols table or odd-length labels_refs"
	case reasonEmptySeries:
		return "series without samples, histograms or exemplars"
	case reasonMixedSeries:
		return "series with both float samples and histograms (remote write 2.0 forbids it)"
	case reasonOutOfOrder:
		return "sample older than the newest stored sample of its series (out-of-order ingestion is off)"
	case reasonTooOld:
		return "sample older than the storage's out-of-order window"
	case reasonOutOfBounds:
		return "sample older than the oldest time the storage still accepts"
	case reasonTooFarInFuture:
		return "timestamp more than " + maxAheadTime.String() + " in the future (check the sender's clock)"
	case reasonDuplicateTimestamp:
		return "different value for a timestamp that already has one"
	case reasonUnsortedInRequest:
		return "samples of a series not in timestamp order within the request"
	case reasonInvalidHistogram:
		return "invalid native histogram"
	case reasonInvalidSample:
		return "invalid sample"
	case reasonInvalidExemplar:
		return "invalid exemplar labels (duplicate, not UTF-8 or over 128 characters)"
	case reasonExemplarOutOfOrder:
		return "exemplar older than the newest stored exemplar of its series"
	case reasonExemplarNoSeries:
		return "exemplar for a series that has no samples in storage"
	case reasonExemplarRejected:
		return "exemplar rejected by the storage"
	}
	return string(r)
}

// sampleErrReason maps an AppenderV2.Append error to a rejection reason. ok is
// false for errors that are not about the sample: those are storage failures.
func sampleErrReason(err error) (r reason, ok bool) {
	var herr histogram.Error
	switch {
	case errors.Is(err, storage.ErrOutOfOrderSample):
		return reasonOutOfOrder, true
	case errors.Is(err, storage.ErrTooOldSample):
		return reasonTooOld, true
	case errors.Is(err, storage.ErrOutOfBounds):
		return reasonOutOfBounds, true
	case errors.Is(err, storage.ErrDuplicateSampleForTimestamp):
		return reasonDuplicateTimestamp, true
	case errors.As(err, &herr), errors.Is(err, storage.ErrNativeHistogramsDisabled):
		return reasonInvalidHistogram, true
	case errors.Is(err, tsdb.ErrInvalidSample):
		return reasonInvalidSample, true
	}
	return "", false
}

// exemplarErrReason maps an exemplar append error. Every exemplar error is the
// exemplar's own fault or a permanent storage setting, so none of them is a
// storage failure: exemplars are best-effort and never cost the samples a retry.
func exemplarErrReason(err error) reason {
	switch {
	case errors.Is(err, storage.ErrOutOfOrderExemplar):
		return reasonExemplarOutOfOrder
	case errors.Is(err, storage.ErrNotFound):
		return reasonExemplarNoSeries
	case errors.Is(err, storage.ErrExemplarLabelLength), errors.Is(err, tsdb.ErrInvalidExemplar):
		return reasonInvalidExemplar
	}
	return reasonExemplarRejected
}

const (
	// maxErrorBody keeps the 400 body within what Prometheus's sender reads
	// and logs (1024 bytes); the most useful part, the totals, comes first.
	maxErrorBody = 1000
	// maxExample bounds the "first offending series" of one reason.
	maxExample = 200
)

// rejections counts rejected items per reason, in order of first occurrence,
// and remembers the first offending series of each.
type rejections struct {
	order  []reason
	counts map[reason]int
	first  map[reason]string
	total  int
}

func (rj *rejections) add(r reason, n int, example func() string) {
	if n <= 0 {
		n = 1 // a rejected series without items still deserves a line
	}
	if rj.counts == nil {
		rj.counts = map[reason]int{}
		rj.first = map[reason]string{}
	}
	if _, seen := rj.counts[r]; !seen {
		rj.order = append(rj.order, r)
		rj.first[r] = truncate(example(), maxExample)
	}
	rj.counts[r] += n
	rj.total += n
}

// summary is the one-line 400 body (without the newline http.Error adds):
// "stored 3 samples, 0 histograms, 1 exemplars; rejected 2: out_of_order: 1, <what to fix> (first: <series> t=<ms>); ...".
func (rj *rejections) summary(samples, histograms, exemplars int, l limits) string {
	var b strings.Builder
	fmt.Fprintf(&b, "stored %d samples, %d histograms, %d exemplars; rejected %d:", samples, histograms, exemplars, rj.total)
	for i, r := range rj.order {
		part := fmt.Sprintf(" %s: %d, %s (first: %s)", r, rj.counts[r], r.describe(l), rj.first[r])
		if i > 0 {
			part = ";" + part
		}
		if b.Len()+len(part) > maxErrorBody {
			fmt.Fprintf(&b, "; and %d more reasons", len(rj.order)-i)
			break
		}
		b.WriteString(part)
	}
	return b.String()
}

// describeSeries renders a series for a rejection message. It takes the raw
// label pairs so that it also works for series that failed validation (values
// are quoted, so invalid UTF-8 and newlines cannot break the one-line body).
func describeSeries(ls []labels.Label) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, l := range ls {
		if i > 0 {
			b.WriteString(", ")
		}
		if model.LegacyValidation.IsValidLabelName(l.Name) {
			b.WriteString(l.Name)
		} else {
			b.WriteString(strconv.QuoteToASCII(l.Name))
		}
		b.WriteByte('=')
		b.WriteString(strconv.QuoteToASCII(l.Value))
		if b.Len() > maxExample {
			break
		}
	}
	b.WriteByte('}')
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func describeLabels(ls labels.Labels) string {
	raw := make([]labels.Label, 0, ls.Len())
	ls.Range(func(l labels.Label) { raw = append(raw, l) })
	return describeSeries(raw)
}
