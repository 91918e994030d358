package dataset

import (
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
)

// concatBatch is how many rows Concat moves at a time: a few rows of a
// dataset with long text (a raw_json of hundreds of KB) stay a few MB.
const concatBatch = 16

// Concat writes the rows of the given Parquet files, in order, as one file
// with the given schema and the layout of every writer of this package (row
// groups of the target size or row bound, whatever the parts' row groups were), and
// returns the number of rows written. Rows are streamed a few at a time, so
// memory does not grow with the parts. It fails when a part cannot be opened
// or read, or its schema differs from schema; w then holds a partial file.
func Concat(w io.Writer, schema *parquet.Schema, parts []io.ReaderAt, sizes []int64) (rows int64, err error) {
	if len(parts) != len(sizes) {
		return 0, fmt.Errorf("dataset: concat: %d parts but %d sizes", len(parts), len(sizes))
	}
	if schema == nil {
		return 0, errors.New("dataset: concat: no schema")
	}
	out := &footerWriter{w: w}
	pw := parquet.NewWriter(out, append(writerOptions(), schema)...)
	var group groupBound
	pages := newPageBound(schema)
	for i, part := range parts {
		f, err := parquet.OpenFile(part, sizes[i])
		if err != nil {
			return rows, fmt.Errorf("dataset: concat: open part %d: %w", i, err)
		}
		if !parquet.EqualNodes(schema, f.Schema()) {
			return rows, fmt.Errorf("dataset: concat: part %d: schema differs from %s", i, schema.Name())
		}
		for j, rg := range f.RowGroups() {
			n, err := copyRows(pw, rg, &group, &pages)
			rows += n
			if err != nil {
				return rows, fmt.Errorf("dataset: concat: part %d, row group %d: %w", i, j, err)
			}
		}
	}
	if err := closeFile(pw, out); err != nil {
		return rows, fmt.Errorf("dataset: concat: %w", err)
	}
	return rows, nil
}

// copyRows writes the rows of rg to pw, flushing a row group whenever the
// one being written is full (group) and cutting the small columns' pages
// (pages).
func copyRows(pw *parquet.Writer, rg parquet.RowGroup, group *groupBound, pages *pageBound) (int64, error) {
	rr := rg.Rows()
	defer rr.Close()
	buf := make([]parquet.Row, concatBatch)
	var rows int64
	for {
		n, err := rr.ReadRows(buf)
		for k := range n { // one at a time: a row group ends at the row that fills it
			if _, werr := pw.WriteRows(buf[k : k+1]); werr != nil {
				return rows, fmt.Errorf("write rows: %w", werr)
			}
			rows++
			if group.add(pw.Size()) {
				if err := pw.Flush(); err != nil {
					return rows, fmt.Errorf("flush row group: %w", err)
				}
				group.reset(pw.Size())
				pages.reset()
			} else if err := pages.add(pw.ColumnWriters()); err != nil {
				return rows, err
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			return rows, nil
		case err != nil:
			return rows, fmt.Errorf("read rows: %w", err)
		}
	}
}
