package snapshot

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/store"
)

// segments are the staged Parquet segments an invocation has open, one
// per dataset. They are committed (closed, and named in the checkpoint)
// or aborted together.
type segments struct {
	st     store.Store
	prefix string // the run's staging prefix
	holder string // in every name, so that two invocations never write the same segment
	open   map[string]*segmentWriter
}

// segment is one staged Parquet object of a dataset, closed and committed.
type segment struct {
	Key   string `json:"key"`
	Rows  int64  `json:"rows"`
	Bytes int64  `json:"bytes"`
}

// segmentWriter streams one staged segment of a dataset.
type segmentWriter struct {
	key  string
	obj  store.Writer
	cw   *countingWriter
	w    dataset.Writer
	rows int64
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// write appends rows to d's open segment, opening segment number seq when
// none is. The segment outlives a cancelled invocation, so that what was
// fetched can still be closed and saved; a failure leaves the open
// segments unusable (abort them).
func (ss *segments) write(ctx context.Context, d dataset.Dataset, seq int, rows []dataset.Row) error {
	if len(rows) == 0 {
		return nil
	}
	w, ok := ss.open[d.Name]
	if !ok {
		key := fmt.Sprintf("%s%s/segment-%05d-%s.parquet", ss.prefix, d.Name, seq, ss.holder)
		obj, err := ss.st.Create(context.WithoutCancel(ctx), key)
		if err != nil {
			return fmt.Errorf("snapshot: %s: create segment %s: %w", d.Name, key, err)
		}
		cw := &countingWriter{w: obj}
		w = &segmentWriter{key: key, obj: obj, cw: cw, w: d.NewWriter(cw)}
		ss.open[d.Name] = w
	}
	for _, row := range rows {
		if err := w.w.Write(row); err != nil {
			return fmt.Errorf("snapshot: %s: write segment %s: %w", d.Name, w.key, err)
		}
	}
	w.rows += int64(len(rows))
	return nil
}

// closed is a segment that commit closed, with its dataset.
type closed struct {
	dataset string
	segment
}

// commit closes every open segment, in dataset order. On failure it
// aborts the rest and removes those it had closed (no checkpoint names
// them), and returns the error.
func (ss *segments) commit(ctx context.Context) ([]closed, error) {
	names := make([]string, 0, len(ss.open))
	for n := range ss.open {
		names = append(names, n)
	}
	sort.Strings(names)
	var done []closed
	for _, n := range names {
		w := ss.open[n]
		err := w.w.Close()
		if err == nil {
			err = w.obj.Close()
		} else {
			_ = w.obj.Abort()
		}
		delete(ss.open, n)
		if err != nil {
			ss.abort()
			ss.remove(ctx, done)
			return nil, fmt.Errorf("snapshot: %s: close segment %s: %w", n, w.key, err)
		}
		done = append(done, closed{dataset: n, segment: segment{Key: w.key, Rows: w.rows, Bytes: w.cw.n}})
	}
	return done, nil
}

// remove deletes segments that were closed but that no checkpoint names.
// It is best effort: a segment it misses is never read, and goes with the
// run's staging prefix.
func (ss *segments) remove(ctx context.Context, cs []closed) {
	keys := make([]string, len(cs))
	for i, c := range cs {
		keys[i] = c.Key
	}
	if len(keys) > 0 {
		_ = ss.st.Delete(context.WithoutCancel(ctx), keys...)
	}
}

// abort discards every open segment.
func (ss *segments) abort() {
	for name, w := range ss.open {
		_ = w.obj.Abort()
		delete(ss.open, name)
	}
}
