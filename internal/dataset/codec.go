package dataset

import (
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// codecWindow is the zstd window of the writers' codec: the largest page
// parquet-go compresses at once (pageBufferBytes, a power of two as zstd
// windows are), so that a smaller window costs no compression, and no
// larger, so that an encoder's history stays a few MiB.
const codecWindow = pageBufferBytes

// zstdCodec is the zstd codec of one Parquet writer. It keeps one encoder
// for the writer's life, built on first use with its memory sized to the
// window, instead of taking encoders from a pool that the garbage collector
// empties (each rebuilt encoder allocates its buffers anew).
type zstdCodec struct {
	mu  sync.Mutex
	enc *zstd.Encoder
	dec *zstd.Decoder
}

func newCodec() *zstdCodec { return &zstdCodec{} }

func (c *zstdCodec) String() string { return "ZSTD" }

func (c *zstdCodec) CompressionCodec() format.CompressionCodec { return format.Zstd }

// Encode compresses src into dst (reusing its capacity) as one zstd frame.
func (c *zstdCodec) Encode(dst, src []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.enc == nil {
		enc, err := zstd.NewWriter(nil,
			// about zstd level 7: files about 9% smaller than level 3
			// (SpeedDefault) for about the same CPU per record on the hot
			// path (BenchmarkHotPath), raw_json being most of the bytes.
			zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
			zstd.WithEncoderConcurrency(1),
			zstd.WithWindowSize(codecWindow),
			zstd.WithLowerEncoderMem(true),
			zstd.WithZeroFrames(true),
			zstd.WithEncoderCRC(false),
		)
		if err != nil {
			return dst[:0], fmt.Errorf("dataset: zstd encoder: %w", err)
		}
		c.enc = enc
	}
	return c.enc.EncodeAll(src, dst[:0]), nil
}

// Decode decompresses src into dst (reusing its capacity).
func (c *zstdCodec) Decode(dst, src []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dec == nil {
		dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return dst[:0], fmt.Errorf("dataset: zstd decoder: %w", err)
		}
		c.dec = dec
	}
	return c.dec.DecodeAll(src, dst[:0])
}
