package main

import (
	"fmt"

	"github.com/klauspost/compress/s2"
	"github.com/prometheus/prometheus/prompb"
	writev2 "github.com/prometheus/prometheus/prompb/io/prometheus/write/v2"
)

// Protocol names as given to --protocol.
const (
	protoV1 = "1.0"
	protoV2 = "2.0"
)

// sample is one value of one series, waiting to be sent.
type sample struct {
	s  *series
	ts int64 // ms
	v  float64
}

// encoder turns a batch of samples into a snappy-compressed remote-write
// body. Each sender owns one, so encoders reuse their buffers; a body stays
// valid until the next call of encode.
type encoder interface {
	encode(batch []sample) (body []byte, raw int, err error)
	contentType() string
	version() string // X-Prometheus-Remote-Write-Version
}

func newEncoder(protocol string, batchSize int) (encoder, error) {
	switch protocol {
	case protoV1:
		return &v1Encoder{samples: make([]prompb.Sample, batchSize)}, nil
	case protoV2:
		return &v2Encoder{symbols: writev2.NewSymbolTable(), samples: make([]writev2.Sample, batchSize)}, nil
	}
	return nil, fmt.Errorf("unknown protocol %q (want %s or %s)", protocol, protoV1, protoV2)
}

// v1Encoder builds prompb.WriteRequest bodies: one TimeSeries per sample,
// every one carrying its full label set, as Prometheus's 1.0 sender does.
type v1Encoder struct {
	req     prompb.WriteRequest
	samples []prompb.Sample // backing array: TimeSeries i holds samples[i:i+1]
	raw     []byte
	body    []byte
}

func (e *v1Encoder) contentType() string { return "application/x-protobuf" }
func (e *v1Encoder) version() string     { return "0.1.0" }

func (e *v1Encoder) encode(batch []sample) ([]byte, int, error) {
	if len(batch) > len(e.samples) {
		e.samples = make([]prompb.Sample, len(batch))
	}
	e.req.Timeseries = e.req.Timeseries[:0]
	for i, smp := range batch {
		e.samples[i] = prompb.Sample{Value: smp.v, Timestamp: smp.ts}
		e.req.Timeseries = append(e.req.Timeseries, prompb.TimeSeries{Labels: smp.s.rw1, Samples: e.samples[i : i+1]})
	}
	var err error
	e.raw, e.body, err = marshalSnappy(&e.req, e.raw, e.body)
	return e.body, len(e.raw), err
}

// marshaler is what both generated request types provide.
type marshaler interface {
	Size() int
	MarshalToSizedBuffer([]byte) (int, error)
}

// marshalSnappy marshals m with its generated code into raw and compresses
// it into body (block format, as remote write requires), reusing both.
func marshalSnappy(m marshaler, raw, body []byte) ([]byte, []byte, error) {
	n := m.Size()
	if cap(raw) < n {
		raw = make([]byte, n)
	}
	raw = raw[:n]
	if _, err := m.MarshalToSizedBuffer(raw); err != nil {
		return raw, body, fmt.Errorf("marshal request: %w", err)
	}
	body = s2.EncodeSnappy(body[:cap(body)], raw)
	return raw, body, nil
}

// v2Encoder builds writev2.Request bodies: every string once in the
// request's symbols table, series as references into it, and the series'
// type and help as metadata, as Prometheus's 2.0 sender does.
type v2Encoder struct {
	req     writev2.Request
	symbols writev2.SymbolsTable
	samples []writev2.Sample
	refs    []uint32
	raw     []byte
	body    []byte
}

func (e *v2Encoder) contentType() string {
	return "application/x-protobuf;proto=io.prometheus.write.v2.Request"
}
func (e *v2Encoder) version() string { return "2.0.0" }

func (e *v2Encoder) encode(batch []sample) ([]byte, int, error) {
	if len(batch) > len(e.samples) {
		e.samples = make([]writev2.Sample, len(batch))
	}
	e.symbols.Reset()
	e.req.Timeseries = e.req.Timeseries[:0]
	e.refs = e.refs[:0]
	for i, smp := range batch {
		e.samples[i] = writev2.Sample{Value: smp.v, Timestamp: smp.ts}
		for _, l := range smp.s.rw1 {
			e.refs = append(e.refs, e.symbols.Symbolize(l.Name), e.symbols.Symbolize(l.Value))
		}
		e.req.Timeseries = append(e.req.Timeseries, writev2.TimeSeries{
			Samples: e.samples[i : i+1],
			Metadata: writev2.Metadata{
				Type:    smp.s.fam.typ,
				HelpRef: e.symbols.Symbolize(smp.s.fam.help),
			},
		})
	}
	// The refs slice may have grown (moved) while it was filled, so the
	// series point into it only once it is complete.
	off := 0
	for i := range e.req.Timeseries {
		n := 2 * len(batch[i].s.rw1)
		e.req.Timeseries[i].LabelsRefs = e.refs[off : off+n : off+n]
		off += n
	}
	e.req.Symbols = e.symbols.Symbols()
	var err error
	e.raw, e.body, err = marshalSnappy(&e.req, e.raw, e.body)
	return e.body, len(e.raw), err
}
