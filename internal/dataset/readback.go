package dataset

import (
	"errors"
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
)

// readBatch is how many rows a read-back hands over at a time.
const readBatch = 1024

// ReadStates reads the ApplicationState columns of a job_candidates file
// of size bytes, and nothing else of it, calling fn with batches of rows in
// file order (fn must not keep the slice). It fails when the file is not
// Parquet, lacks one of the columns with its type, or fn fails.
func ReadStates(r io.ReaderAt, size int64, fn func([]ApplicationState) error) error {
	return readFrom(r, size, 0, fn)
}

// readFrom reads the rows of the file from row number from on as T (the
// columns T names, converted from the file's schema), in batches.
func readFrom[T any](r io.ReaderAt, size, from int64, fn func([]T) error) (err error) {
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return fmt.Errorf("open parquet file: %w", err)
	}
	defer func() { // parquet-go panics on a schema it cannot convert
		if p := recover(); p != nil {
			err = fmt.Errorf("read parquet file as %T: %v", *new(T), p)
		}
	}()
	for _, rg := range f.RowGroups() {
		n := rg.NumRows()
		if from >= n {
			from -= n
			continue
		}
		if err := readRowGroup(parquet.NewGenericRowGroupReader[T](rg), from, fn); err != nil {
			return err
		}
		from = 0
	}
	return nil
}

func readRowGroup[T any](rd *parquet.GenericReader[T], from int64, fn func([]T) error) error {
	defer rd.Close()
	if from > 0 {
		if err := rd.SeekToRow(from); err != nil {
			return fmt.Errorf("seek to row %d: %w", from, err)
		}
	}
	buf := make([]T, readBatch)
	for {
		clear(buf) // parquet-go would write into the values a pointer of the last batch points to
		n, err := rd.Read(buf)
		if n > 0 {
			if ferr := fn(buf[:n]); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read rows: %w", err)
		}
	}
}
