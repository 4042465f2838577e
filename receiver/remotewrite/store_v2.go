package remotewrite

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/metadata"
	writev2 "github.com/prometheus/prometheus/prompb/io/prometheus/write/v2"
)

// storeV2 appends a remote write 2.0 io.prometheus.write.v2.Request:
// labels and metadata strings come from the request's symbols table, and
// samples carry start (created) timestamps and per-series metadata, which are
// passed to the storage (the TSDB keeps them when its ST and metadata-WAL
// options are on, and ignores them otherwise).
func (s *store) storeV2(ctx context.Context, body []byte) result {
	var req writev2.Request
	if err := req.Unmarshal(body); err != nil {
		return result{status: http.StatusBadRequest, err: fmt.Errorf("cannot decode the body as a remote write 2.0 io.prometheus.write.v2.Request protobuf: %w", err)}
	}
	// The spec requires it so that ref 0 means "unset" (unit, help); another
	// first symbol would silently become every series' unit and help.
	if len(req.Symbols) > 0 && req.Symbols[0] != "" {
		return result{status: http.StatusBadRequest, err: fmt.Errorf("the symbols table must start with the empty string, got %s", truncate(strconv.QuoteToASCII(req.Symbols[0]), 60))}
	}
	items := 0
	for i := range req.Timeseries {
		ts := &req.Timeseries[i]
		items += len(ts.Samples) + len(ts.Histograms) + len(ts.Exemplars)
	}
	if err := s.limits.checkRequest(len(req.Timeseries), items); err != nil {
		return result{status: http.StatusRequestEntityTooLarge, err: err}
	}

	r := s.newRequest(ctx)
	defer r.abandon()
	for i := range req.Timeseries {
		r.appendV2Series(&req.Timeseries[i], req.Symbols)
		if r.failure != nil {
			break
		}
	}
	return r.finish("2.0")
}

// desymbolize resolves label references into r.scratch; false when a
// reference is outside the table or the list has an odd length.
func (r *request) desymbolize(refs []uint32, symbols []string) bool {
	r.scratch = r.scratch[:0]
	if len(refs)%2 != 0 {
		return false
	}
	for i := 0; i < len(refs); i += 2 {
		n, v := refs[i], refs[i+1]
		if int(n) >= len(symbols) || int(v) >= len(symbols) {
			return false
		}
		r.scratch = append(r.scratch, labels.Label{Name: symbols[n], Value: symbols[v]})
	}
	return true
}

func describeRefs(refs []uint32, symbols int) string {
	return fmt.Sprintf("labels_refs %v with %d symbols", refs[:min(len(refs), 16)], symbols)
}

func (r *request) appendV2Series(ts *writev2.TimeSeries, symbols []string) {
	items := len(ts.Samples) + len(ts.Histograms) + len(ts.Exemplars)
	if !r.desymbolize(ts.LabelsRefs, symbols) {
		r.rejected.add(reasonInvalidSymbolRef, items, func() string { return describeRefs(ts.LabelsRefs, len(symbols)) })
		return
	}
	st := r.series(r.scratch, items)
	if st == nil {
		return
	}
	md, err := ts.ToMetadata(symbols)
	switch {
	case err != nil:
		r.rejected.add(reasonInvalidSymbolRef, items, func() string { return err.Error() + ", in " + describeLabels(st.ls) })
		return
	case items == 0:
		r.rejectSeries(reasonEmptySeries, 0, st)
		return
	case len(ts.Samples) > 0 && len(ts.Histograms) > 0:
		r.rejectSeries(reasonMixedSeries, items, st)
		return
	}
	if md.IsEmpty() {
		md = metadata.Metadata{}
	}
	for _, smp := range ts.Samples {
		r.appendSample(st, smp.StartTimestamp, smp.Timestamp, smp.Value, nil, nil, md)
	}
	for j := range ts.Histograms {
		hp := &ts.Histograms[j]
		if hp.IsFloatHistogram() {
			r.appendSample(st, hp.StartTimestamp, hp.Timestamp, 0, nil, hp.ToFloatHistogram(), md)
		} else {
			r.appendSample(st, hp.StartTimestamp, hp.Timestamp, 0, hp.ToIntHistogram(), nil, md)
		}
	}
	if len(ts.Exemplars) == 0 || r.failure != nil {
		return
	}
	r.exemplars = r.exemplars[:0]
	for _, e := range ts.Exemplars {
		if !r.desymbolize(e.LabelsRefs, symbols) {
			r.rejectAt(reasonInvalidSymbolRef, st, e.Timestamp, "exemplar "+describeRefs(e.LabelsRefs, len(symbols)))
			continue
		}
		ex, ok := r.exemplar(r.scratch, e.Value, e.Timestamp)
		if !ok {
			r.rejectAt(reasonInvalidExemplar, st, e.Timestamp, "exemplar "+describeSeries(r.scratch))
			continue
		}
		r.exemplars = append(r.exemplars, ex)
	}
	r.appendExemplars(st, r.exemplars)
}
