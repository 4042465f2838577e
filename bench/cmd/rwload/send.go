package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxRoundSkew bounds how many rounds a sender may run ahead of the slowest
// one. Prometheus's shards are held together by real time; ours would drift
// apart, and a TSDB rejects samples more than an hour (half a block) older
// than its newest one as out of bounds.
const maxRoundSkew = 2

// maxConsecutiveTransportErrors stops a sender whose receiver is gone
// instead of failing as fast as it can for the rest of the run.
const maxConsecutiveTransportErrors = 10

// shard is one sender's share of the series, in generation order.
type shard struct {
	id     int
	series []*series
}

// plan splits the series into shards by label hash.
func plan(all []*series, senders int) []shard {
	shards := make([]shard, senders)
	for i := range shards {
		shards[i].id = i
	}
	for _, s := range all {
		i := shardOf(s.labels, senders)
		shards[i].series = append(shards[i].series, s)
	}
	return shards
}

// rounds yields the batches one shard sends, in order: round r holds one
// sample of each of the shard's series at start + r × interval, and batches
// are cut every batchSize samples across round boundaries, like a shard's
// queue. rounds 0 means no end. Before each round, wait is asked whether it
// may begin: false ends the rounds, and the partial batch is still yielded.
// A false from yield stops at once. The batch passed to yield is reused
// after it returns.
func (sh shard) rounds(rounds int, start int64, interval time.Duration, batchSize int,
	wait func(round int, ts int64) bool, yield func(batch []sample) bool,
) {
	batch := make([]sample, 0, batchSize)
	step, sec := interval.Milliseconds(), interval.Seconds()
	for r := 0; rounds == 0 || r < rounds; r++ {
		ts := start + int64(r)*step
		if !wait(r, ts) {
			break
		}
		for _, s := range sh.series {
			batch = append(batch, sample{s: s, ts: ts, v: s.next(ts, sec)})
			if len(batch) == batchSize {
				if !yield(batch) {
					return
				}
				batch = batch[:0]
			}
		}
	}
	if len(batch) > 0 {
		yield(batch)
	}
}

// roundGate keeps the senders within maxRoundSkew rounds of each other.
type roundGate struct {
	mu   sync.Mutex
	cond *sync.Cond
	done []int // the round each sender began last; MaxInt once it stopped
	skew int
}

func newRoundGate(ctx context.Context, senders, skew int) *roundGate {
	g := &roundGate{done: make([]int, senders), skew: skew}
	g.cond = sync.NewCond(&g.mu)
	context.AfterFunc(ctx, func() {
		g.mu.Lock()
		g.cond.Broadcast()
		g.mu.Unlock()
	})
	return g
}

// begin blocks until sender id may start round r, and records that it did.
// It returns false when ctx ends first.
func (g *roundGate) begin(ctx context.Context, id, r int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for r-g.skew > g.slowest(id) && ctx.Err() == nil { // not slowest+skew: MaxInt would wrap
		g.cond.Wait()
	}
	if ctx.Err() != nil {
		return false
	}
	g.done[id] = r
	g.cond.Broadcast()
	return true
}

// finish takes sender id out of the gate, so nobody waits for it.
func (g *roundGate) finish(id int) {
	g.mu.Lock()
	g.done[id] = math.MaxInt
	g.cond.Broadcast()
	g.mu.Unlock()
}

// slowest is the lowest round begun by a sender other than id.
func (g *roundGate) slowest(id int) int {
	m := math.MaxInt
	for i, r := range g.done {
		if i != id {
			m = min(m, r)
		}
	}
	return m
}

// request is one encoded request body and what it holds.
type request struct {
	body        []byte
	raw, n      int   // protobuf bytes, samples
	round       int   // round of its first sample
	first, last int64 // timestamps of its first and last sample, ms
}

func newRequest(batch []sample, body []byte, raw int, start, step int64) request {
	return request{
		body: body, raw: raw, n: len(batch),
		round: int((batch[0].ts - start) / step),
		first: batch[0].ts, last: batch[len(batch)-1].ts,
	}
}

// send runs the senders and merges what they saw.
func send(ctx context.Context, cfg config, start int64) (result, error) {
	all := buildSeries(cfg.Series, cfg.Seed)
	shards := plan(all, cfg.Senders)
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: cfg.Senders,
		DisableCompression:  true,
	}}
	defer client.CloseIdleConnections()

	var (
		prep   preparation
		queued [][]request
	)
	if cfg.Pregenerate {
		var err error
		if queued, prep, err = pregenerate(cfg, shards, start); err != nil {
			return result{}, err
		}
	}

	// sendCtx ends the rounds at --duration; requests already made run to
	// their answer on ctx, so a slow receiver is not cut off mid-request.
	sendCtx := ctx
	if cfg.rounds() == 0 {
		var cancel context.CancelFunc
		sendCtx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	gate := newRoundGate(sendCtx, cfg.Senders, maxRoundSkew)
	stats := make([]senderStats, cfg.Senders)
	errs := make([]error, cfg.Senders)
	cpuBefore, began := takeCPUSnapshot(cfg.WatchPID), time.Now()
	var wg sync.WaitGroup
	for i, sh := range shards {
		wg.Go(func() {
			defer gate.finish(i)
			s := &sender{ctx: ctx, sendCtx: sendCtx, cfg: cfg, id: sh.id, gate: gate, client: client, st: &stats[i]}
			if queued != nil {
				errs[i] = s.replay(queued[i])
				queued[i] = nil // the bodies can go once sent
			} else {
				errs[i] = s.live(sh, start)
			}
		})
	}
	wg.Wait()
	elapsed, cpuAfter := time.Since(began), takeCPUSnapshot(cfg.WatchPID)
	for _, err := range errs {
		if err != nil {
			return result{}, err
		}
	}
	res := merge(stats, elapsed, start, cfg)
	res.CPU = cpuBetween(cpuBefore, cpuAfter)
	res.Prep = prep
	return res, nil
}

// preparation is what --pregenerate cost before the clock started.
type preparation struct {
	Requests  int
	WireBytes int64
	Wall      time.Duration
	CPU       float64 // s
}

// pregenerate encodes every request of every shard before anything is sent,
// so that during the timed part rwload only writes bytes: on a 2-core
// machine encoding would otherwise take CPU from the receiver under test.
func pregenerate(cfg config, shards []shard, start int64) ([][]request, preparation, error) {
	cpu0, t0 := cpuSeconds(), time.Now()
	out := make([][]request, len(shards))
	errs := make([]error, len(shards))
	step := cfg.Interval.Milliseconds()
	var wg sync.WaitGroup
	for i, sh := range shards {
		wg.Go(func() {
			enc, err := newEncoder(cfg.Protocol, cfg.SamplesPerRequest)
			if err != nil {
				errs[i] = err
				return
			}
			sh.rounds(cfg.rounds(), start, cfg.Interval, cfg.SamplesPerRequest,
				func(int, int64) bool { return true },
				func(batch []sample) bool {
					body, raw, err := enc.encode(batch)
					if err != nil {
						errs[i] = fmt.Errorf("sender %d: %w", sh.id, err)
						return false
					}
					out[i] = append(out[i], newRequest(batch, bytes.Clone(body), raw, start, step))
					return true
				})
		})
	}
	wg.Wait()
	prep := preparation{Wall: time.Since(t0), CPU: cpuSeconds() - cpu0}
	for i := range out {
		if errs[i] != nil {
			return nil, prep, errs[i]
		}
		prep.Requests += len(out[i])
		for _, r := range out[i] {
			prep.WireBytes += int64(len(r.body))
		}
	}
	return out, prep, nil
}

// sender is one of the concurrent senders (a Prometheus shard): it sends
// its requests one at a time, in order.
type sender struct {
	ctx, sendCtx context.Context
	cfg          config
	id           int
	gate         *roundGate
	client       *http.Client
	st           *senderStats
	unanswered   int // requests in a row that got no answer
}

// live encodes and sends one shard's rounds until they are done, sendCtx
// ends, or the receiver stops answering.
func (s *sender) live(sh shard, start int64) error {
	enc, err := newEncoder(s.cfg.Protocol, s.cfg.SamplesPerRequest)
	if err != nil {
		return err
	}
	s.st.init()
	var encodeErr error
	step := s.cfg.Interval.Milliseconds()
	wait := func(r int, ts int64) bool {
		if s.cfg.rounds() == 0 && ts > time.Now().UnixMilli() {
			s.st.ReachedNow = true // a duration run never sends future samples
			return false
		}
		return s.gate.begin(s.sendCtx, s.id, r)
	}
	yield := func(batch []sample) bool {
		if s.sendCtx.Err() != nil {
			return false
		}
		body, raw, err := enc.encode(batch)
		if err != nil {
			encodeErr = fmt.Errorf("sender %d: %w", s.id, err)
			return false
		}
		return s.deliver(enc, newRequest(batch, body, raw, start, step))
	}
	sh.rounds(s.cfg.rounds(), start, s.cfg.Interval, s.cfg.SamplesPerRequest, wait, yield)
	return encodeErr
}

// replay sends pre-encoded requests, keeping to the round gate as live does.
func (s *sender) replay(reqs []request) error {
	enc, err := newEncoder(s.cfg.Protocol, 0) // for the headers
	if err != nil {
		return err
	}
	s.st.init()
	begun := -1
	for _, r := range reqs {
		if s.sendCtx.Err() != nil {
			return nil
		}
		if r.round > begun {
			if !s.gate.begin(s.sendCtx, s.id, r.round) {
				return nil
			}
			begun = r.round
		}
		if !s.deliver(enc, r) {
			return nil
		}
	}
	return nil
}

// deliver posts one request and says whether to go on.
func (s *sender) deliver(enc encoder, r request) bool {
	s.st.observe(r)
	if answered := post(s.ctx, s.cfg, s.client, enc, r.body, r.n, s.st); answered {
		s.unanswered = 0
	} else if s.unanswered++; s.unanswered >= maxConsecutiveTransportErrors {
		s.st.GaveUp = true
		return false
	}
	return s.ctx.Err() == nil
}

// post sends one body and records the answer in st. It returns whether the
// receiver answered at all (with any status).
func post(ctx context.Context, cfg config, client *http.Client, enc encoder, body []byte, n int, st *senderStats) bool {
	reqCtx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(reqCtx, http.MethodPost, cfg.URL, bytes.NewReader(body))
	if err != nil {
		st.fail(0, err.Error())
		return false
	}
	req.Header.Set("Content-Type", enc.contentType())
	req.Header.Set("Content-Encoding", "snappy")
	req.Header.Set("X-Prometheus-Remote-Write-Version", enc.version())
	req.Header.Set("User-Agent", "nexclipper-rwload")

	began := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		st.fail(0, err.Error())
		return false
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	st.Latencies = append(st.Latencies, time.Since(began))

	if resp.StatusCode/100 != 2 {
		st.fail(resp.StatusCode, strings.TrimSpace(string(msg)))
		st.SamplesByCode[resp.StatusCode] += int64(n)
		return true
	}
	st.SamplesAccepted += int64(n)
	if h := resp.Header.Get("X-Prometheus-Remote-Write-Samples-Written"); h != "" {
		if w, err := strconv.ParseInt(h, 10, 64); err == nil {
			st.WrittenHeader += w
			st.WithHeader++
			return true
		}
	}
	st.WithoutHeader++
	return true
}

// senderStats is what one sender saw; merge adds them up.
type senderStats struct {
	Requests        int
	FailedRequests  int
	SamplesSent     int64
	SamplesAccepted int64
	WireBytes       int64
	RawBytes        int64
	Codes           map[int]int   // failed requests by HTTP status; 0: no answer
	SamplesByCode   map[int]int64 // samples of the failed requests with an answer
	FirstErrors     map[int]string
	WrittenHeader   int64 // sum of X-Prometheus-Remote-Write-Samples-Written on 2xx
	WithHeader      int
	WithoutHeader   int
	Latencies       []time.Duration
	FirstTS, LastTS int64 // of the samples sent, ms
	ReachedNow      bool  // a --duration run caught up with the present
	GaveUp          bool  // the receiver stopped answering
}

func (st *senderStats) init() {
	st.Codes = map[int]int{}
	st.SamplesByCode = map[int]int64{}
	st.FirstErrors = map[int]string{}
	st.FirstTS = math.MaxInt64
	st.LastTS = math.MinInt64
}

func (st *senderStats) observe(r request) {
	st.Requests++
	st.SamplesSent += int64(r.n)
	st.WireBytes += int64(len(r.body))
	st.RawBytes += int64(r.raw)
	st.FirstTS = min(st.FirstTS, r.first)
	st.LastTS = max(st.LastTS, r.last)
}

func (st *senderStats) fail(code int, msg string) {
	st.FailedRequests++
	st.Codes[code]++
	if _, ok := st.FirstErrors[code]; !ok {
		if len(msg) > 300 {
			msg = msg[:300] + "..."
		}
		st.FirstErrors[code] = msg
	}
}

// describeCode names a failure class for the report.
func describeCode(code int) string {
	if code == 0 {
		return "no answer"
	}
	return fmt.Sprintf("%d %s", code, http.StatusText(code))
}
