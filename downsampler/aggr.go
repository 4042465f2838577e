package downsampler

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

// AggrType is one of the aggregates kept per window. The numbering is Thanos's
// (pkg/compact/downsample/aggr.go) and is the position of the aggregate in an AggrChunk.
type AggrType uint8

// The aggregates, in Thanos's order.
const (
	AggrCount AggrType = iota
	AggrSum
	AggrMin
	AggrMax
	AggrCounter
)

// NumAggrTypes is the number of aggregates in an AggrChunk.
const NumAggrTypes = 5

func (t AggrType) String() string {
	switch t {
	case AggrCount:
		return "count"
	case AggrSum:
		return "sum"
	case AggrMin:
		return "min"
	case AggrMax:
		return "max"
	case AggrCounter:
		return "counter"
	}
	return "<unknown>"
}

// ChunkEncAggr is the chunk encoding byte of an AggrChunk, as written in the chunks
// segment files. Thanos picked the highest value to avoid collisions with Prometheus's
// own encodings.
const ChunkEncAggr = chunkenc.Encoding(0xff)

// AggrChunk holds the five aggregates of the same windows of one series.
//
// Byte layout (Thanos pkg/compact/downsample/aggr.go, EncodeAggrChunk and Get), for each
// aggregate in AggrType order:
//
//	uvarint(len(data))  // 0 when the aggregate is absent; then nothing follows
//	encoding byte       // chunkenc.EncXOR
//	data                // the XOR chunk's Bytes()
//
// The length counts the chunk data only, not its encoding byte.
type AggrChunk []byte

// EncodeAggrChunk encodes one chunk per aggregate, indexed by AggrType. A nil entry is
// encoded as absent.
func EncodeAggrChunk(chks [NumAggrTypes]chunkenc.Chunk) AggrChunk {
	var b []byte
	var buf [binary.MaxVarintLen64]byte
	for _, c := range chks {
		if c == nil {
			n := binary.PutUvarint(buf[:], 0)
			b = append(b, buf[:n]...)
			continue
		}
		data := c.Bytes()
		n := binary.PutUvarint(buf[:], uint64(len(data)))
		b = append(b, buf[:n]...)
		b = append(b, byte(c.Encoding()))
		b = append(b, data...)
	}
	return AggrChunk(b)
}

// Get returns the chunk of one aggregate, or ErrAggrNotExist when it is absent.
// The returned chunk shares memory with c.
func (c AggrChunk) Get(t AggrType) (chunkenc.Chunk, error) {
	if t >= NumAggrTypes {
		return nil, fmt.Errorf("invalid aggregate type %d", t)
	}
	b := []byte(c)
	var x []byte
	for i := AggrType(0); i <= t; i++ {
		l, n := binary.Uvarint(b)
		if n < 1 {
			return nil, fmt.Errorf("aggregate %s: invalid size", i)
		}
		b = b[n:]
		if l == 0 {
			if i == t {
				return nil, ErrAggrNotExist
			}
			continue
		}
		if uint64(len(b)) < l+1 {
			return nil, fmt.Errorf("aggregate %s: invalid size %d, %d bytes left", i, l, len(b))
		}
		x = b[:l+1]
		b = b[l+1:]
	}
	return chunkenc.FromData(chunkenc.Encoding(x[0]), x[1:])
}

// Bytes implements chunkenc.Chunk.
func (c *AggrChunk) Bytes() []byte { return []byte(*c) }

// Encoding implements chunkenc.Chunk.
func (c *AggrChunk) Encoding() chunkenc.Encoding { return ChunkEncAggr }

// Appender implements chunkenc.Chunk; an AggrChunk is built with EncodeAggrChunk only.
func (c *AggrChunk) Appender() (chunkenc.Appender, error) {
	return nil, errors.New("AggrChunk is not appendable")
}

// Iterator implements chunkenc.Chunk. It yields nothing, as Thanos's does: read one
// aggregate with Get.
func (c *AggrChunk) Iterator(chunkenc.Iterator) chunkenc.Iterator {
	return chunkenc.NewNopIterator()
}

// NumSamples implements chunkenc.Chunk: the number of windows, from the count aggregate.
func (c *AggrChunk) NumSamples() int {
	x, err := c.Get(AggrCount)
	if err != nil {
		return 0
	}
	return x.NumSamples()
}

// Compact implements chunkenc.Chunk.
func (c *AggrChunk) Compact() {}

// Reset implements chunkenc.Chunk.
func (c *AggrChunk) Reset(stream []byte) { *c = AggrChunk(stream) }

// pool is a chunkenc.Pool that also knows ChunkEncAggr (Thanos pkg/compact/downsample/pool.go).
type pool struct {
	wrapped chunkenc.Pool
	aggr    sync.Pool
}

// NewPool returns a chunk pool for tsdb.OpenBlock that decodes AggrChunks as well as
// Prometheus's own encodings.
func NewPool() chunkenc.Pool {
	return &pool{
		wrapped: chunkenc.NewPool(),
		aggr:    sync.Pool{New: func() any { return &AggrChunk{} }},
	}
}

func (p *pool) Get(e chunkenc.Encoding, b []byte) (chunkenc.Chunk, error) {
	if e == ChunkEncAggr {
		c := p.aggr.Get().(*AggrChunk)
		*c = AggrChunk(b)
		return c, nil
	}
	return p.wrapped.Get(e, b)
}

func (p *pool) Put(c chunkenc.Chunk) error {
	if c.Encoding() == ChunkEncAggr {
		if ac, ok := c.(*AggrChunk); ok {
			*ac = nil
			p.aggr.Put(ac)
		}
		return nil
	}
	return p.wrapped.Put(c)
}
