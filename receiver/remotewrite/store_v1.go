package remotewrite

import (
	"context"
	"fmt"
	"net/http"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/metadata"
	"github.com/prometheus/prometheus/prompb"
)

// storeV1 appends a remote write 1.0 prometheus.WriteRequest.
//
// The request's metadata field (sent by Prometheus in separate requests, per
// metric family rather than per series) is ignored, as Prometheus's own
// receiver does: a family name does not map to series names reliably
// (histograms and summaries), and 2.0 carries metadata per series.
func (s *store) storeV1(ctx context.Context, body []byte) result {
	var req prompb.WriteRequest
	if err := req.Unmarshal(body); err != nil {
		return result{status: http.StatusBadRequest, err: fmt.Errorf("cannot decode the body as a remote write 1.0 prometheus.WriteRequest protobuf: %w", err)}
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
		r.appendV1Series(&req.Timeseries[i])
		if r.failure != nil {
			break
		}
	}
	return r.finish("1.0")
}

func (r *request) appendV1Series(ts *prompb.TimeSeries) {
	r.scratch = r.scratch[:0]
	for _, l := range ts.Labels {
		r.scratch = append(r.scratch, labels.Label{Name: l.Name, Value: l.Value})
	}
	items := len(ts.Samples) + len(ts.Histograms) + len(ts.Exemplars)
	st := r.series(r.scratch, items)
	if st == nil {
		return
	}
	if items == 0 {
		r.rejectSeries(reasonEmptySeries, 0, st)
		return
	}
	// 1.0 allows floats and histograms in one TimeSeries (Prometheus never
	// sends both); the TSDB handles a series changing type.
	for _, smp := range ts.Samples {
		r.appendSample(st, 0, smp.Timestamp, smp.Value, nil, nil, metadata.Metadata{})
	}
	for j := range ts.Histograms {
		hp := &ts.Histograms[j]
		if hp.IsFloatHistogram() {
			r.appendSample(st, 0, hp.Timestamp, 0, nil, hp.ToFloatHistogram(), metadata.Metadata{})
		} else {
			r.appendSample(st, 0, hp.Timestamp, 0, hp.ToIntHistogram(), nil, metadata.Metadata{})
		}
	}
	if len(ts.Exemplars) == 0 || r.failure != nil {
		return
	}
	// Prometheus's 1.0 sender puts exemplars in TimeSeries of their own, with
	// the series' labels and no samples.
	r.exemplars = r.exemplars[:0]
	for _, e := range ts.Exemplars {
		r.scratch = r.scratch[:0]
		for _, l := range e.Labels {
			r.scratch = append(r.scratch, labels.Label{Name: l.Name, Value: l.Value})
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
