package dataset

import (
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
)

// Row groups are flushed at maxRowsPerRowGroup rows or when the buffered
// (partly compressed) row group reaches maxBufferedBytes, whichever comes
// first, so a writer's memory does not grow with the number of rows.
const (
	maxRowsPerRowGroup = 20_000
	maxBufferedBytes   = 16 << 20
)

// writerOptions are the options of every Parquet writer of this package.
func writerOptions() []parquet.WriterOption {
	return []parquet.WriterOption{
		parquet.Compression(newCodec()), // one encoder per writer, see codec.go
		parquet.MaxRowsPerRowGroup(maxRowsPerRowGroup),
	}
}

type rowWriter[T Row] struct {
	name    string
	w       *parquet.GenericWriter[T]
	batch   []T
	rows    int64
	flushed int64 // w.Size() after the last flush
	closed  bool
}

func newWriter[T Row](name string, w io.Writer) Writer {
	return &rowWriter[T]{
		name:  name,
		w:     parquet.NewGenericWriter[T](w, writerOptions()...),
		batch: make([]T, 1),
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
	if size := w.w.Size(); size-w.flushed >= maxBufferedBytes {
		if err := w.w.Flush(); err != nil {
			return fmt.Errorf("dataset %s: flush row group: %w", w.name, err)
		}
		w.flushed = w.w.Size()
	}
	return nil
}

func (w *rowWriter[T]) Rows() int64 { return w.rows }

func (w *rowWriter[T]) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if err := w.w.Close(); err != nil {
		return fmt.Errorf("dataset %s: close parquet writer: %w", w.name, err)
	}
	return nil
}

// Concat writes the row groups of the given Parquet files, in order, as one
// zstd file with the given schema, and returns the number of rows written.
// Row groups are copied one at a time (verbatim when their encoding allows),
// so memory is bounded by one row group. It fails when a part cannot be
// opened or its schema differs from schema; w then holds a partial file.
func Concat(w io.Writer, schema *parquet.Schema, parts []io.ReaderAt, sizes []int64) (rows int64, err error) {
	if len(parts) != len(sizes) {
		return 0, fmt.Errorf("dataset: concat: %d parts but %d sizes", len(parts), len(sizes))
	}
	if schema == nil {
		return 0, errors.New("dataset: concat: no schema")
	}
	pw := parquet.NewWriter(w, append(writerOptions(), schema)...)
	for i, part := range parts {
		f, err := parquet.OpenFile(part, sizes[i])
		if err != nil {
			return rows, fmt.Errorf("dataset: concat: open part %d: %w", i, err)
		}
		if !parquet.EqualNodes(schema, f.Schema()) {
			return rows, fmt.Errorf("dataset: concat: part %d: schema differs from %s", i, schema.Name())
		}
		for j, rg := range f.RowGroups() {
			n, err := pw.WriteRowGroup(rg)
			rows += n
			if err != nil {
				return rows, fmt.Errorf("dataset: concat: part %d, row group %d: %w", i, j, err)
			}
		}
	}
	if err := pw.Close(); err != nil {
		return rows, fmt.Errorf("dataset: concat: close: %w", err)
	}
	return rows, nil
}
