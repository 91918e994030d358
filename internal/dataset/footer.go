package dataset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// MaxStatisticBytes bounds every min/max statistic the writers leave in a
// file: the column chunk statistics of the footer, whose byte-array values
// are truncated to at most this many bytes (as parquet-mr and Arrow do), and
// the page index, truncated by parquet-go to the same length. Data page
// headers carry no min/max at all: a 3 MB job description never makes a
// page header or a footer of megabytes, which Arrow refuses to read.
const MaxStatisticBytes = 64

// footerWriter passes a Parquet file through to w, except for the part
// written after hold is called (the page index and the footer, and at most
// a write buffer of data before them), which it keeps until close and then
// writes with the footer's byte-array statistics truncated. The page index
// and every offset stay as they were: only the footer, the last part of the
// file, changes length.
type footerWriter struct {
	w       io.Writer
	holding bool
	tail    bytes.Buffer
}

func (f *footerWriter) Write(p []byte) (int, error) {
	if f.holding {
		return f.tail.Write(p)
	}
	return f.w.Write(p)
}

// hold keeps every later write for close.
func (f *footerWriter) hold() { f.holding = true }

// close rewrites the footer held since hold and writes what was held.
func (f *footerWriter) close() error {
	b := f.tail.Bytes()
	if len(b) < 8 || string(b[len(b)-4:]) != "PAR1" {
		return errors.New("parquet footer: the file does not end with its footer")
	}
	n := int(binary.LittleEndian.Uint32(b[len(b)-8:]))
	if n > len(b)-8 {
		return fmt.Errorf("parquet footer: footer of %d bytes is longer than the %d bytes held", n, len(b)-8)
	}
	start := len(b) - 8 - n
	var meta format.FileMetaData
	if err := thrift.Unmarshal(new(thrift.CompactProtocol), b[start:len(b)-8], &meta); err != nil {
		return fmt.Errorf("parquet footer: decode: %w", err)
	}
	for i := range meta.RowGroups {
		for j := range meta.RowGroups[i].Columns {
			md := &meta.RowGroups[i].Columns[j].MetaData
			if md.Type == format.ByteArray || md.Type == format.FixedLenByteArray {
				truncateStatistics(&md.Statistics, MaxStatisticBytes)
			}
		}
	}
	footer, err := thrift.Marshal(new(thrift.CompactProtocol), &meta)
	if err != nil {
		return fmt.Errorf("parquet footer: encode: %w", err)
	}
	out := append(b[:start:start], footer...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(footer)))
	out = append(out, "PAR1"...)
	if _, err := f.w.Write(out); err != nil {
		return fmt.Errorf("parquet footer: write: %w", err)
	}
	f.tail = bytes.Buffer{}
	return nil
}

// truncateStatistics bounds the min and max of a byte-array column to limit
// bytes: min to a prefix (still at most the true minimum), max to a prefix
// raised by one in its last character (still at least the true maximum);
// a max that cannot be raised is left out, and min with it. The deprecated
// signed-order fields are left out.
func truncateStatistics(s *format.Statistics, limit int) {
	s.Min, s.Max = nil, nil
	if len(s.MinValue) <= limit && len(s.MaxValue) <= limit {
		return
	}
	s.MinValue = truncateMin(s.MinValue, limit)
	maxValue, ok := truncateMax(s.MaxValue, limit)
	if !ok {
		s.MinValue, s.MaxValue = nil, nil
		return
	}
	s.MaxValue = maxValue
}

func truncateMin(v []byte, limit int) []byte {
	if len(v) <= limit {
		return v
	}
	return bytes.Clone(v[:runeCut(v, limit)])
}

// truncateMax returns the shortest bound of at most limit bytes above every
// value that v's prefix starts; ok is false when there is none.
func truncateMax(v []byte, limit int) ([]byte, bool) {
	if len(v) <= limit {
		return v, true
	}
	if cut := v[:runeCut(v, limit)]; utf8.Valid(cut) {
		p := []rune(string(cut))
		for i := len(p) - 1; i >= 0; i-- {
			if next := nextRune(p[i]); next >= 0 {
				p = append(p[:i], next)
				return []byte(string(p)), true
			}
		}
		return nil, false
	}
	p := bytes.Clone(v[:limit]) // not UTF-8: raise the last byte that can be raised
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] < 0xFF {
			p[i]++
			return p[:i+1], true
		}
	}
	return nil, false
}

// runeCut returns the length of the longest prefix of v of at most limit
// bytes that does not split a UTF-8 sequence (limit itself when v is not
// UTF-8 there).
func runeCut(v []byte, limit int) int {
	for n := limit; n > 0 && n > limit-utf8.UTFMax; n-- {
		if utf8.RuneStart(v[n]) {
			return n
		}
	}
	return limit
}

// nextRune returns the code point after r, skipping surrogates, or -1.
func nextRune(r rune) rune {
	switch {
	case r == 0xD7FF:
		return 0xE000
	case r >= utf8.MaxRune:
		return -1
	}
	return r + 1
}
