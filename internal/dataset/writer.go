package dataset

import (
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
)

// The layout every writer of this package produces, chosen once for the
// widest compatibility (see the README's "Parquet features used"):
//
//   - version 1 data pages (DATA_PAGE), which every reader of the last decade
//     reads; Spark before 3.4 and Snowflake refuse some version 2 layouts;
//   - PLAIN by default, and RLE_DICTIONARY only for the string columns whose
//     values repeat from a small set, declared with the `dict` tag of the row
//     structs (job ids of job_candidates, enumeration labels and codes,
//     sources, recruiters, skills, candidates' names, universities,
//     companies, run_id): free text, raw_json and unique ids stay
//     PLAIN, because parquet-go keeps a column's dictionary in memory until
//     its first page is written, which for a column of distinct values is
//     pageBufferBytes ÷ 4 rows (one index each), not maxDictionaryBytes. A
//     declared dictionary that still passes maxDictionaryBytes falls back to
//     PLAIN for the rest of the row group (as parquet-mr does). No DELTA_*
//     encoding anywhere;
//   - no min/max in data page headers, and statistics of at most
//     MaxStatisticBytes (see footer.go);
//   - row groups of about targetRowGroupBytes of written (compressed) data
//     or of maxRowGroupRows rows, whichever comes first (DuckDB's row bound:
//     it caps what a row group keeps in memory, its dictionaries and page
//     index above all, whatever the width of the rows), one row group for a
//     smaller file, also after publishing segments of many invocations
//     (Concat re-writes them to the same bounds). A
//     column's pages past spillBytes are buffered in a temporary file, so
//     the target does not set the memory a writer needs (its dictionaries,
//     one page buffer and at most spillBytes per column do).
const (
	targetRowGroupBytes = 64 << 20
	maxDictionaryBytes  = 1 << 20
	maxRowGroupRows     = 122_880
	pageBufferBytes     = 4 << 20
)

// rowGroupTarget and rowGroupRows are targetRowGroupBytes and
// maxRowGroupRows; the package's tests lower them.
var (
	rowGroupTarget int64 = targetRowGroupBytes
	rowGroupRows   int64 = maxRowGroupRows
)

// groupBound tells when the row group being written is full.
type groupBound struct {
	flushed int64 // the writer's Size() after the last flush
	rows    int64 // rows written since the last flush
}

// add counts one row written; it reports whether the row group is full at
// the writer's current size.
func (g *groupBound) add(size int64) bool {
	g.rows++
	return size-g.flushed >= rowGroupTarget || g.rows >= rowGroupRows
}

// reset starts a new row group at the writer's size after a flush.
func (g *groupBound) reset(size int64) { g.flushed, g.rows = size, 0 }

// pageBuffers holds the encoded pages of the row groups being written (see
// spillBytes).
var pageBuffers parquet.BufferPool = spillPool{dir: os.TempDir()}

// writerOptions are the options of every Parquet writer of this package.
func writerOptions() []parquet.WriterOption {
	return []parquet.WriterOption{
		parquet.Compression(newCodec()), // one encoder per writer, see codec.go
		parquet.DataPageVersion(1),
		// parquet-go's own default for BYTE_ARRAY is DELTA_LENGTH_BYTE_ARRAY.
		parquet.DefaultEncodingFor(parquet.ByteArray, &parquet.Plain),
		parquet.DataPageStatistics(false),
		parquet.DictionaryMaxBytes(maxDictionaryBytes),
		parquet.ColumnIndexSizeLimit(func([]string) int { return MaxStatisticBytes }),
		parquet.PageBufferSize(pageBufferBytes),
		parquet.ColumnPageBuffers(pageBuffers),
	}
}

type rowWriter[T Row] struct {
	name   string
	out    *footerWriter
	w      *parquet.GenericWriter[T]
	batch  []T
	rows   int64
	group  groupBound
	pages  pageBound
	closed bool
}

func newWriter[T Row](name string, w io.Writer) Writer {
	out := &footerWriter{w: w}
	pw := parquet.NewGenericWriter[T](out, writerOptions()...)
	return &rowWriter[T]{
		name:  name,
		out:   out,
		w:     pw,
		batch: make([]T, 1),
		pages: newPageBound(pw.Schema()),
	}
}

func (w *rowWriter[T]) Write(r Row) error {
	if w.closed {
		return fmt.Errorf("dataset %s: write after close", w.name)
	}
	switch v := any(r).(type) {
	case T:
		w.batch[0] = v
	case *T:
		if v == nil {
			return fmt.Errorf("dataset %s: write a nil row", w.name)
		}
		w.batch[0] = *v
	default:
		return fmt.Errorf("dataset %s: write a row of type %T", w.name, r)
	}
	_, err := w.w.Write(w.batch)
	var zero T
	w.batch[0] = zero // do not keep the row alive
	if err != nil {
		return fmt.Errorf("dataset %s: write row: %w", w.name, err)
	}
	w.rows++
	if w.group.add(w.w.Size()) {
		if err := w.w.Flush(); err != nil {
			return fmt.Errorf("dataset %s: flush row group: %w", w.name, err)
		}
		w.group.reset(w.w.Size())
		w.pages.reset()
	} else if err := w.pages.add(w.w.ColumnWriters()); err != nil {
		return fmt.Errorf("dataset %s: %w", w.name, err)
	}
	return nil
}

func (w *rowWriter[T]) Rows() int64 { return w.rows }

func (w *rowWriter[T]) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if err := closeFile(w.w, w.out); err != nil {
		return fmt.Errorf("dataset %s: %w", w.name, err)
	}
	return nil
}

// closeFile writes the last row group of pw, then its page index and its
// footer through out, which truncates the footer's statistics.
func closeFile(pw interface {
	Flush() error
	Close() error
}, out *footerWriter) error {
	if err := pw.Flush(); err != nil {
		return fmt.Errorf("flush the last row group: %w", err)
	}
	out.hold()
	if err := pw.Close(); err != nil {
		return fmt.Errorf("close parquet writer: %w", err)
	}
	return out.close()
}
