package dataset

import (
	"fmt"

	"github.com/parquet-go/parquet-go"
)

// Page sizes. parquet-go has one page buffer size for every column of a
// writer (pageBufferBytes, set for raw_json: zstd finds more of a record's
// repeated keys and values in a page of 4 MiB than in one of 512 KiB, and
// raw_json is most of a file's bytes). Every other column is cut into a page
// each smallPageRows rows, so that its buffer stays small (16,384 rows of a
// UUID are about 600 KiB) and a dictionary that passes maxDictionaryBytes
// falls back to PLAIN within a page, instead of 35 buffers of 4 MiB each.
const smallPageRows = 16_384

// largePageColumns are the top-level columns that keep pageBufferBytes pages.
var largePageColumns = map[string]bool{"raw_json": true}

// pageBound cuts the pages of the small columns of a writer.
type pageBound struct {
	small []int // indexes of the small columns among the writer's leaf columns
	rows  int   // rows written since the small columns' last page
}

func newPageBound(s *parquet.Schema) pageBound {
	var p pageBound
	for i, path := range s.Columns() {
		if !largePageColumns[path[0]] {
			p.small = append(p.small, i)
		}
	}
	return p
}

// add counts one row written to the columns cols (the writer's
// ColumnWriters, in leaf order), and writes a page of each small column
// every smallPageRows rows. It fails when a page cannot be written.
func (p *pageBound) add(cols []*parquet.ColumnWriter) error {
	p.rows++
	if p.rows < smallPageRows {
		return nil
	}
	p.rows = 0
	for _, i := range p.small {
		if err := cols[i].Flush(); err != nil {
			return fmt.Errorf("write a page: %w", err)
		}
	}
	return nil
}

// reset starts counting again after a row group was flushed (which wrote
// every column's last page).
func (p *pageBound) reset() { p.rows = 0 }
