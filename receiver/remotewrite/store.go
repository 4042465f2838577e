package remotewrite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	remoteapi "github.com/prometheus/client_golang/exp/api/remote"
	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/histogram"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/metadata"
	"github.com/prometheus/prometheus/storage"
)

// maxAheadTime is how far in the future a timestamp may be. One far-future
// sample would move the head's max time and make every correct sample after
// it "out of bounds", so, like Prometheus's receiver, we refuse it.
const maxAheadTime = 10 * time.Minute

// The X-Prometheus-Remote-Write-*-Written headers, set by remoteapi for 2.0
// and by us for 1.0.
const (
	headerSamplesWritten    = "X-Prometheus-Remote-Write-Samples-Written"
	headerHistogramsWritten = "X-Prometheus-Remote-Write-Histograms-Written"
	headerExemplarsWritten  = "X-Prometheus-Remote-Write-Exemplars-Written"
)

// decodedBodyKey carries the snappy-decoded body from the decode middleware to
// Store without copying it through an io.Reader again.
type decodedBodyKey struct{}

// store appends decoded requests; it is the remoteapi write storage.
// It is safe for concurrent use: all per-request state lives in request.
type store struct {
	app     storage.AppendableV2
	limits  limits
	logger  *slog.Logger
	metrics *metrics
	now     func() time.Time
}

// result is the outcome of one request: status 0 means 204.
type result struct {
	status int
	err    error
	stats  remoteapi.WriteResponseStats
}

// Store implements remoteapi's writeStorage.
func (s *store) Store(r *http.Request, msgType remoteapi.WriteMessageType) (*remoteapi.WriteResponse, error) {
	body, ok := r.Context().Value(decodedBodyKey{}).([]byte)
	if !ok {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return statusResponse(http.StatusBadRequest), fmt.Errorf("read request body: %w", err)
		}
	}
	var res result
	switch msgType {
	case remoteapi.WriteV1MessageType:
		res = s.storeV1(r.Context(), body)
	case remoteapi.WriteV2MessageType:
		res = s.storeV2(r.Context(), body)
	default: // the gate accepts nothing else; kept for safety
		return statusResponse(http.StatusUnsupportedMediaType), fmt.Errorf("unsupported message %q", msgType)
	}
	wr := remoteapi.NewWriteResponse()
	wr.Add(res.stats)
	if msgType == remoteapi.WriteV1MessageType {
		// remoteapi only sets these for 2.0; Prometheus's 1.0 sender reads them
		// too and then counts partial failures exactly instead of "all failed".
		wr.SetExtraHeader(headerSamplesWritten, strconv.Itoa(res.stats.Samples))
		wr.SetExtraHeader(headerHistogramsWritten, strconv.Itoa(res.stats.Histograms))
		wr.SetExtraHeader(headerExemplarsWritten, strconv.Itoa(res.stats.Exemplars))
	}
	if res.err != nil {
		wr.SetStatusCode(res.status)
		return wr, res.err
	}
	return wr, nil
}

func statusResponse(code int) *remoteapi.WriteResponse {
	wr := remoteapi.NewWriteResponse()
	wr.SetStatusCode(code)
	return wr
}

// seriesState is what one request has appended to one series so far. The
// TSDB checks a sample only against committed data, so samples of one series
// that are out of order or duplicated within the same request would pass
// Append and be dropped silently at Commit; we check them here instead, so
// that the Written headers count only what is really stored.
type seriesState struct {
	ls     labels.Labels
	ref    storage.SeriesRef
	has    bool // a sample was appended in this request
	lastT  int64
	lastV  float64
	lastH  *histogram.Histogram
	lastFH *histogram.FloatHistogram
}

func (st *seriesState) sameAsLast(v float64, h *histogram.Histogram, fh *histogram.FloatHistogram) bool {
	switch {
	case h != nil:
		return st.lastH != nil && st.lastH.Equals(h)
	case fh != nil:
		return st.lastFH != nil && st.lastFH.Equals(fh)
	}
	return st.lastH == nil && st.lastFH == nil && math.Float64bits(st.lastV) == math.Float64bits(v)
}

// request is the state of one write request being appended.
type request struct {
	s         *store
	app       storage.AppenderV2
	exApp     storage.ExemplarAppenderV2 // nil if the storage has no exemplar appends
	maxT      int64
	builder   labels.ScratchBuilder
	scratch   []labels.Label
	seen      map[uint64][]*seriesState
	exemplars []exemplar.Exemplar
	stats     remoteapi.WriteResponseStats
	rejected  rejections
	sorted    int // series whose labels we sorted
	emptied   int // series from which we dropped empty-valued labels
	failure   error
	done      bool
}

func (s *store) newRequest(ctx context.Context) *request {
	app := s.app.AppenderV2(ctx)
	exApp, _ := app.(storage.ExemplarAppenderV2)
	return &request{
		s:       s,
		app:     app,
		exApp:   exApp,
		maxT:    s.now().Add(maxAheadTime).UnixMilli(),
		builder: labels.NewScratchBuilder(16),
		seen:    map[uint64][]*seriesState{},
	}
}

// series validates the labels of one series and returns its state, or nil
// after rejecting its items.
func (r *request) series(raw []labels.Label, items int) *seriesState {
	ls, norm, rs, offending := r.s.limits.checkLabels(raw)
	if rs != "" {
		r.rejected.add(rs, items, func() string {
			if offending != "" {
				return "label " + truncate(strconv.QuoteToASCII(offending), 60) + " in " + describeSeries(ls)
			}
			return describeSeries(ls)
		})
		return nil
	}
	if norm.sorted {
		r.sorted++
	}
	if norm.droppedEmpty {
		r.emptied++
	}
	r.builder.Reset()
	for _, l := range ls {
		r.builder.Add(l.Name, l.Value)
	}
	lset := r.builder.Labels()
	h := lset.Hash()
	for _, st := range r.seen[h] {
		if labels.Equal(st.ls, lset) {
			return st
		}
	}
	st := &seriesState{ls: lset}
	r.seen[h] = append(r.seen[h], st)
	return st
}

// rejectSeries rejects the items of a series whose labels were valid.
func (r *request) rejectSeries(rs reason, items int, st *seriesState) {
	r.rejected.add(rs, items, func() string { return describeLabels(st.ls) })
}

func (r *request) rejectAt(rs reason, st *seriesState, t int64, detail string) {
	r.rejected.add(rs, 1, func() string {
		ex := describeLabels(st.ls) + " at t=" + strconv.FormatInt(t, 10)
		if detail != "" {
			ex = truncate(detail, 100) + ", in " + ex
		}
		return ex
	})
}

// appendSample appends one float (h and fh nil) or histogram sample.
func (r *request) appendSample(st *seriesState, startT, t int64, v float64, h *histogram.Histogram, fh *histogram.FloatHistogram, md metadata.Metadata) {
	if t > r.maxT {
		r.rejectAt(reasonTooFarInFuture, st, t, "")
		return
	}
	// Before the in-request checks, so that an identical re-send of a
	// reduced histogram compares equal to the reduced one appended.
	if err := fitSchema(h, fh); err != nil {
		r.rejectAt(reasonInvalidHistogram, st, t, err.Error())
		return
	}
	if st.has && t <= st.lastT {
		switch {
		case t < st.lastT:
			r.rejectAt(reasonUnsortedInRequest, st, t, "")
		case st.sameAsLast(v, h, fh):
			// An identical re-send is success for the TSDB too.
			r.count(h, fh)
		default:
			r.rejectAt(reasonDuplicateTimestamp, st, t, "")
		}
		return
	}
	ref, err := r.app.Append(st.ref, st.ls, startT, t, v, h, fh, storage.AOptions{Metadata: md})
	// AppendPartialError only reports inline exemplars, which we do not pass.
	if err != nil && !errors.Is(err, (*storage.AppendPartialError)(nil)) {
		rs, ok := sampleErrReason(err)
		if !ok {
			// Not about the sample: treat as a storage failure. The whole
			// request is rolled back and answered 500, so the retry that
			// follows cannot duplicate anything.
			r.failure = fmt.Errorf("append to %s: %w", st.ls.String(), err)
			return
		}
		detail := ""
		if rs == reasonInvalidHistogram {
			detail = err.Error()
		}
		r.rejectAt(rs, st, t, detail)
		return
	}
	st.ref, st.has, st.lastT, st.lastV, st.lastH, st.lastFH = ref, true, t, v, h, fh
	r.count(h, fh)
}

func (r *request) count(h *histogram.Histogram, fh *histogram.FloatHistogram) {
	if h != nil || fh != nil {
		r.stats.Histograms++
	} else {
		r.stats.Samples++
	}
}

// fitSchema brings histograms of a reserved exponential schema above the
// maximum (newer senders may use them) down to the maximum, as Prometheus's
// receiver does. Spans and buckets are validated first because
// ReduceResolution assumes them to be consistent.
func fitSchema(h *histogram.Histogram, fh *histogram.FloatHistogram) error {
	switch {
	case h != nil && h.Schema > histogram.ExponentialSchemaMax && histogram.IsExponentialSchemaReserved(h.Schema):
		probe := *h
		probe.Schema = histogram.ExponentialSchemaMax
		if err := probe.Validate(); err != nil {
			return err
		}
		return h.ReduceResolution(histogram.ExponentialSchemaMax)
	case fh != nil && fh.Schema > histogram.ExponentialSchemaMax && histogram.IsExponentialSchemaReserved(fh.Schema):
		probe := *fh
		probe.Schema = histogram.ExponentialSchemaMax
		if err := probe.Validate(); err != nil {
			return err
		}
		return fh.ReduceResolution(histogram.ExponentialSchemaMax)
	}
	return nil
}

// exemplar validates and builds the labels of one exemplar; the TSDB checks
// their total length. It reuses raw's array.
func (r *request) exemplar(raw []labels.Label, v float64, t int64) (exemplar.Exemplar, bool) {
	slices.SortStableFunc(raw, byName)
	r.builder.Reset()
	for i, l := range raw {
		if l.Name == "" || !utf8.ValidString(l.Name) || !utf8.ValidString(l.Value) || (i > 0 && raw[i-1].Name == l.Name) {
			return exemplar.Exemplar{}, false
		}
		if l.Value != "" {
			r.builder.Add(l.Name, l.Value)
		}
	}
	return exemplar.Exemplar{Labels: r.builder.Labels(), Value: v, Ts: t, HasTs: t != 0}, true
}

// appendExemplars appends the valid exemplars of one series entry; exemplars
// that failed validation were already rejected by the caller.
func (r *request) appendExemplars(st *seriesState, exs []exemplar.Exemplar) {
	valid := exs[:0]
	for _, e := range exs {
		if e.Ts > r.maxT {
			r.rejectAt(reasonTooFarInFuture, st, e.Ts, "exemplar")
			continue
		}
		valid = append(valid, e)
	}
	if len(valid) == 0 {
		return
	}
	if r.exApp == nil {
		r.rejected.add(reasonExemplarRejected, len(valid), func() string {
			return "the storage does not accept exemplars, in " + describeLabels(st.ls)
		})
		return
	}
	slices.SortFunc(valid, exemplar.Compare) // AppendExemplars requires timestamp order
	_, err := r.exApp.AppendExemplars(st.ref, st.ls, valid)
	if err == nil {
		r.stats.Exemplars += len(valid)
		return
	}
	var perr *storage.AppendPartialError
	if !errors.As(err, &perr) {
		rs := exemplarErrReason(err)
		r.rejected.add(rs, len(valid), func() string {
			return truncate(err.Error(), 100) + ", in " + describeLabels(st.ls)
		})
		return
	}
	// Several storages behind a fanout may reject the same exemplar.
	failed := map[int]bool{}
	for _, ee := range perr.ExemplarErrors {
		if failed[ee.Index] {
			continue
		}
		failed[ee.Index] = true
		e := exemplar.Exemplar{}
		if ee.Index >= 0 && ee.Index < len(valid) {
			e = valid[ee.Index]
		}
		r.rejectAt(exemplarErrReason(ee.Err), st, e.Ts, ee.Err.Error())
	}
	r.stats.Exemplars += max(0, len(valid)-len(failed))
}

// finish commits what was appended and builds the answer.
func (r *request) finish(proto string) result {
	r.done = true
	if r.failure != nil {
		if err := r.app.Rollback(); err != nil {
			r.s.logger.Error("Rollback after a storage failure failed", "err", err)
		}
		return result{status: http.StatusInternalServerError, err: fmt.Errorf("storage failure, nothing of this request was stored; retry later: %w", r.failure)}
	}
	if err := r.app.Commit(); err != nil {
		// Commit fails for storage reasons only (WAL write, full disk, closed
		// DB), never because of a sample, and a failed Commit rolls the whole
		// request back. So nothing was stored and a retry cannot duplicate:
		// 500 makes the sender retry, which is what we want. (remoteapi logs
		// every 5xx.)
		return result{status: http.StatusInternalServerError, err: fmt.Errorf("storage commit failed, nothing of this request was stored; retry later: %w", err)}
	}
	r.s.metrics.observe(r)
	if r.rejected.total == 0 {
		return result{stats: r.stats}
	}
	msg := r.rejected.summary(r.stats.Samples, r.stats.Histograms, r.stats.Exemplars, r.s.limits)
	r.s.logger.Warn("Rejected part of a remote write request", "protocol", proto, "summary", msg)
	return result{status: http.StatusBadRequest, err: errors.New(msg), stats: r.stats}
}

// abandon rolls back an appender that finish did not complete (a panic on the
// way): an open appender would hold back the TSDB's isolation watermark.
func (r *request) abandon() {
	if !r.done {
		_ = r.app.Rollback()
	}
}
