package remotewrite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/snappy"
	remoteapi "github.com/prometheus/client_golang/exp/api/remote"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/prometheus/storage"
)

// Recommended Options values, for the binary's flag defaults. Memory in use
// is bounded by about MaxInflightRequests × (MaxBodyBytes + 3 × MaxDecodedBytes)
// (compressed body, decoded body, decoded message); real requests are far
// smaller: Prometheus sends at most 2000 samples (max_samples_per_send), a
// few hundred KiB decoded.
const (
	DefaultMaxBodyBytes           = 16 << 20 // 16 MiB, compressed
	DefaultMaxDecodedBytes        = 32 << 20 // 32 MiB, as client_golang's remote write handler
	DefaultMaxSamplesPerRequest   = 50_000   // 25 × Prometheus's default max_samples_per_send
	DefaultMaxSeriesPerRequest    = 50_000   // 1.0 senders put one sample per series entry
	DefaultMaxLabelNamesPerSeries = 64       // Mimir uses 30; kube_*_labels series carry more
	DefaultMaxLabelNameLength     = 1024     // bytes, as Mimir
	DefaultMaxLabelValueLength    = 4096     // bytes; Mimir uses 2048
	DefaultMaxInflightRequests    = 32
	DefaultRetryAfter             = 5 * time.Second
)

// Options configure the handler. For every limit, zero means no limit; the
// Default* constants are the recommended values.
type Options struct {
	// MaxBodyBytes bounds the compressed body; larger is 413.
	MaxBodyBytes int64
	// MaxDecodedBytes bounds the snappy-decoded body; larger is 413. It is
	// checked from the length snappy declares, before decoding allocates it.
	// Without it, a tiny body can claim and allocate 4 GiB.
	MaxDecodedBytes int64
	// MaxSamplesPerRequest bounds samples + histograms + exemplars of one
	// request; more is 413, with advice to lower queue_config.max_samples_per_send.
	MaxSamplesPerRequest int
	// MaxSeriesPerRequest bounds the series entries of one request; more is 413.
	MaxSeriesPerRequest int
	// MaxLabelNamesPerSeries, MaxLabelNameLength and MaxLabelValueLength
	// (bytes) reject the series that break them (400), the others are stored.
	MaxLabelNamesPerSeries int
	MaxLabelNameLength     int
	MaxLabelValueLength    int
	// MaxInflightRequests bounds the requests being read, decoded or appended
	// at once; beyond it requests get 429 before their body is read, which
	// keeps memory bounded under a burst of retries.
	MaxInflightRequests int
	// RetryAfter is the Retry-After of a 429, rounded up to whole seconds
	// (at least 1).
	RetryAfter time.Duration
	// BearerToken, when set, is required as "Authorization: Bearer <token>";
	// otherwise 401. Surrounding white space is ignored (a token read from a
	// file often ends in a newline). It is compared in constant time and
	// never logged.
	BearerToken string
}

// handler is the gate in front of remoteapi's write handler: it answers what
// must be answered before the body is read (401, 405, 415, 429), then bounds
// and decodes the body (413, 400) for remoteapi, which calls our store.
type handler struct {
	opts     Options
	logger   *slog.Logger
	metrics  *metrics
	token    *[sha256.Size]byte
	inflight chan struct{}
	write    http.Handler
	bufs     sync.Pool // *[]byte, compressed and decoded bodies
}

// NewHandler returns the remote write 1.0 + 2.0 endpoint, appending to app.
// app's appenders should implement storage.ExemplarAppenderV2 (tsdb.DB's do);
// otherwise exemplars are rejected. The metrics are registered on reg, which
// may be nil; NewHandler panics if they are already registered there.
func NewHandler(opts Options, app storage.AppendableV2, logger *slog.Logger, reg prometheus.Registerer) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{
		opts:    opts,
		logger:  logger,
		metrics: newMetrics(reg),
	}
	if token := strings.TrimSpace(opts.BearerToken); token != "" {
		sum := sha256.Sum256([]byte(token))
		h.token = &sum
	}
	if opts.MaxInflightRequests > 0 {
		h.inflight = make(chan struct{}, opts.MaxInflightRequests)
	}
	st := &store{app: app, limits: newLimits(opts), logger: logger, metrics: h.metrics, now: time.Now}
	h.write = remoteapi.NewWriteHandler(st,
		remoteapi.MessageTypes{remoteapi.WriteV1MessageType, remoteapi.WriteV2MessageType},
		remoteapi.WithWriteHandlerLogger(logger),
		// Replaces remoteapi's snappy middleware: its limit is fixed (32 MiB)
		// and answers 400 where the limit means 413.
		remoteapi.WithWriteHandlerMiddlewares(h.decode),
	)
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	protocol := protocolUnknown
	defer func() {
		h.metrics.requests.WithLabelValues(strconv.Itoa(rec.status()), protocol).Inc()
		h.metrics.duration.WithLabelValues(protocol).Observe(time.Since(start).Seconds())
	}()

	if !h.authorized(rec, r) {
		return
	}
	if r.Method != http.MethodPost {
		rec.Header().Set("Allow", http.MethodPost)
		http.Error(rec, fmt.Sprintf("method %s not allowed: remote write is POST", r.Method), http.StatusMethodNotAllowed)
		return
	}
	// Content type and encoding are checked before the body is read, so a
	// JSON or gzip body is a 415 as the 2.0 spec requires, not a snappy
	// error 400 (which is what checking the encoding of the body first gives).
	msgType, err := negotiate(r.Header.Get("Content-Type"))
	if err != nil {
		http.Error(rec, err.Error(), http.StatusUnsupportedMediaType)
		return
	}
	protocol = protocolV1
	if msgType == remoteapi.WriteV2MessageType {
		protocol = protocolV2
	}
	if err := checkEncoding(r.Header.Values("Content-Encoding")); err != nil {
		http.Error(rec, err.Error(), http.StatusUnsupportedMediaType)
		return
	}
	if !h.acquire() {
		secs := max(1, int(math.Ceil(h.opts.RetryAfter.Seconds())))
		rec.Header().Set("Retry-After", strconv.Itoa(secs))
		http.Error(rec, fmt.Sprintf("too many concurrent remote write requests (limit %d); retry after %ds", h.opts.MaxInflightRequests, secs), http.StatusTooManyRequests)
		return
	}
	defer h.release()

	// remoteapi parses Content-Type again, strictly: give it the canonical form
	// of what we accepted (we allow spaces, case and extra parameters).
	if msgType == remoteapi.WriteV2MessageType {
		r.Header.Set("Content-Type", "application/x-protobuf;proto="+string(remoteapi.WriteV2MessageType))
	} else {
		r.Header.Set("Content-Type", "application/x-protobuf;proto="+string(remoteapi.WriteV1MessageType))
	}
	h.write.ServeHTTP(rec, r)
}

// authorized answers 401 unless the request carries the bearer token. The
// token never appears in answers or logs.
func (h *handler) authorized(w http.ResponseWriter, r *http.Request) bool {
	if h.token == nil {
		return true
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="remote-write"`)
		http.Error(w, "missing bearer token: set authorization.credentials in the sender's remote_write", http.StatusUnauthorized)
		return false
	}
	// Hashing first makes the comparison constant-time in the length too.
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if subtle.ConstantTimeCompare(sum[:], h.token[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="remote-write", error="invalid_token"`)
		h.logger.Warn("Remote write request with a wrong bearer token", "remote_addr", r.RemoteAddr)
		http.Error(w, "invalid bearer token", http.StatusUnauthorized)
		return false
	}
	return true
}

// negotiate maps a Content-Type to the message it announces. A missing
// Content-Type is 1.0, as remote write 1.0 senders did not always set it.
func negotiate(contentType string) (remoteapi.WriteMessageType, error) {
	if strings.TrimSpace(contentType) == "" {
		return remoteapi.WriteV1MessageType, nil
	}
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil || media != "application/x-protobuf" {
		return "", fmt.Errorf("unsupported Content-Type %s: remote write needs application/x-protobuf;proto=io.prometheus.write.v2.Request (2.0) or application/x-protobuf (1.0)", truncate(strconv.QuoteToASCII(contentType), 100))
	}
	proto, ok := params["proto"]
	if !ok {
		return remoteapi.WriteV1MessageType, nil
	}
	msgType := remoteapi.WriteMessageType(proto)
	if err := msgType.Validate(); err != nil {
		return "", fmt.Errorf("unsupported Content-Type %s: proto must be %s (2.0) or %s (1.0)", truncate(strconv.QuoteToASCII(contentType), 100), remoteapi.WriteV2MessageType, remoteapi.WriteV1MessageType)
	}
	return msgType, nil
}

// checkEncoding accepts snappy, the only encoding of both specs, and a
// missing header (1.0 senders that omit it still send snappy).
func checkEncoding(values []string) error {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" && !strings.EqualFold(v, "snappy") {
			return fmt.Errorf("unsupported Content-Encoding %s: remote write bodies must be snappy (block format)", truncate(strconv.QuoteToASCII(v), 60))
		}
	}
	return nil
}

func (h *handler) acquire() bool {
	if h.inflight != nil {
		select {
		case h.inflight <- struct{}{}:
		default:
			return false
		}
	}
	h.metrics.inflight.Inc()
	return true
}

func (h *handler) release() {
	h.metrics.inflight.Dec()
	if h.inflight != nil {
		<-h.inflight
	}
}

// maxPooledBuffer keeps an occasional huge request from pinning its buffers.
const maxPooledBuffer = 8 << 20

func (h *handler) getBuf(n int) *[]byte {
	if b, ok := h.bufs.Get().(*[]byte); ok && cap(*b) >= n {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, max(n, 64<<10))
	return &b
}

func (h *handler) putBuf(b *[]byte) {
	if cap(*b) <= maxPooledBuffer {
		h.bufs.Put(b)
	}
}

// decode is the remoteapi middleware that bounds and snappy-decodes the body.
func (h *handler) decode(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		compressed, status, err := h.readBody(w, r)
		if err != nil {
			if compressed != nil {
				h.putBuf(compressed)
			}
			http.Error(w, err.Error(), status)
			return
		}
		decoded, status, err := h.decompress(*compressed)
		h.putBuf(compressed)
		if err != nil {
			http.Error(w, err.Error(), status)
			return
		}
		defer h.putBuf(decoded)
		// Store reads the decoded body from the context; the Body is for any
		// other reader. The message is unmarshalled into fresh strings, so the
		// buffer can be reused once the request is answered.
		r = r.WithContext(context.WithValue(r.Context(), decodedBodyKey{}, *decoded))
		r.Body = http.NoBody
		r.Header.Del("Content-Encoding")
		next.ServeHTTP(w, r)
	})
}

func (h *handler) readBody(w http.ResponseWriter, r *http.Request) (*[]byte, int, error) {
	limit := h.opts.MaxBodyBytes
	if limit > 0 && r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("body of %d bytes is over the %d bytes limit; lower the sender's queue_config.max_samples_per_send", r.ContentLength, limit)
	}
	body := r.Body
	if limit > 0 {
		// The server's own writer, so that going over the limit also closes
		// the connection instead of draining the rest of the body.
		for {
			u, ok := w.(interface{ Unwrap() http.ResponseWriter })
			if !ok {
				break
			}
			w = u.Unwrap()
		}
		body = http.MaxBytesReader(w, r.Body, limit)
	}
	buf := h.getBuf(int(max(r.ContentLength, 0)) + bytes.MinRead) // + room to read EOF
	b := bytes.NewBuffer(*buf)
	_, err := b.ReadFrom(body)
	*buf = b.Bytes()
	if err == nil {
		return buf, 0, nil
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return buf, http.StatusRequestEntityTooLarge, fmt.Errorf("body is over the %d bytes limit; lower the sender's queue_config.max_samples_per_send", limit)
	}
	return buf, http.StatusBadRequest, fmt.Errorf("read request body: %w", err)
}

func (h *handler) decompress(compressed []byte) (*[]byte, int, error) {
	n, err := snappy.DecodedLen(compressed)
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("body is not snappy (block format) compressed: %w", err)
	}
	if limit := h.opts.MaxDecodedBytes; limit > 0 && int64(n) > limit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("decoded body of %d bytes is over the %d bytes limit; lower the sender's queue_config.max_samples_per_send", n, limit)
	}
	buf := h.getBuf(n)
	decoded, err := snappy.Decode((*buf)[:cap(*buf)], compressed)
	if err != nil {
		h.putBuf(buf)
		return nil, http.StatusBadRequest, fmt.Errorf("body is not snappy (block format) compressed: %w", err)
	}
	*buf = decoded
	return buf, 0, nil
}

// statusRecorder remembers the status for the request metrics.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) status() int {
	if s.code == 0 {
		return http.StatusOK
	}
	return s.code
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
