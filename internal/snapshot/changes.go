package snapshot

import (
	"context"
	"fmt"
	"slices"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
)

// derive computes the selected ChangesOf datasets once every list is read,
// each in one step that either commits all its rows with the checkpoint or
// none (a failure rolls back to the last checkpoint, and the next
// invocation computes it again). It asks Keka for nothing and reads the
// store only, so it does not stop at StopAt: it always gets done.
func (ru *run) derive(ctx context.Context) error {
	for _, d := range ru.sel {
		if d.ChangesOf == "" || slices.Contains(ru.s.Derived, d.Name) {
			continue
		}
		if err := ru.deriveChanges(ctx, d); err != nil {
			ru.rollback()
			return err
		}
		ru.s.Derived = append(ru.s.Derived, d.Name)
		if err := ru.checkpoint(ctx); err != nil {
			return err
		}
	}
	return nil
}

// reasonNoRemovals is formatted with the compared dataset's name.
const reasonNoRemovals = "%s could not be read whole: the applications it missed would show as removed, so this snapshot has no removed rows"

// changeWriter batches the change rows of one dataset into its segment.
type changeWriter struct {
	ru    *run
	ctx   context.Context
	d     dataset.Dataset
	meta  dataset.Meta
	prev  string // the base's date
	batch []dataset.Row
	rows  int64
}

func (w *changeWriter) add(old, cur *dataset.ApplicationState) error {
	r, err := dataset.NewChange(old, cur, w.prev, w.ru.date, w.meta)
	if err != nil {
		return fmt.Errorf("snapshot: %s: %w: %w", w.d.Name, err, errPermanent)
	}
	w.batch = append(w.batch, r)
	if len(w.batch) >= 1024 {
		return w.flush()
	}
	return nil
}

func (w *changeWriter) flush() error {
	seq := len(w.ru.s.Segments[w.d.Name])
	if err := w.ru.seg.write(w.ctx, w.d, seq, w.batch); err != nil {
		return err
	}
	w.rows += int64(len(w.batch))
	w.batch = w.batch[:0]
	return nil
}

// deriveChanges writes the rows of d: one for every application of this
// run's d.ChangesOf rows that is new or moved against the base, and one
// for every application of the base that this run's rows lack. Without a
// base (the tenant's first snapshot) it writes none.
func (ru *run) deriveChanges(ctx context.Context, d dataset.Dataset) error {
	c := ru.s.counts(d.Name)
	c.SourceTotal = -1 // computed, not listed by Keka
	b := ru.s.Base
	if b == nil {
		return nil
	}
	// The states loaded while job_candidates was read in this invocation,
	// if it was: every list is read, and marking is over. deriveChanges
	// marks the entries it meets, so the index serves it once.
	ix := ru.base
	ru.base = nil
	if ix == nil {
		var err error
		if ix, err = loadBaseIndex(ctx, ru.cfg.Store, b); err != nil {
			return err
		}
	}
	w := &changeWriter{ru: ru, ctx: ctx, d: d, prev: b.Date,
		meta: dataset.Meta{RunID: ru.runID, ExtractedAt: ru.extractedAt}}
	var read int64
	for _, sg := range ru.s.Segments[d.ChangesOf] {
		err := ru.readStates(ctx, sg.Key, func(a *dataset.ApplicationState) error {
			read++
			e := ix.find(a.Key())
			if e == nil {
				return w.add(nil, a)
			}
			e.flags |= flagSeen
			if old := ix.state(e, a.JobID, a.CandidateID); old.Moved(*a) {
				return w.add(&old, a)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if want := ru.s.counts(d.ChangesOf).Rows; read != want {
		return fmt.Errorf("snapshot: %s: the staged %s segments hold %d rows, the checkpoint counts %d: %w", d.Name, d.ChangesOf, read, want, errPermanent)
	}
	if slices.ContainsFunc(ru.s.counts(d.ChangesOf).Unreconciled, Unreconciled.Missing) {
		// The applications a list missed would show as removed.
		c.unreconciled(Unreconciled{List: d.ChangesOf, Reported: -1, Seen: int(read), Reason: fmt.Sprintf(reasonNoRemovals, d.ChangesOf)})
	} else if err := ru.removed(ctx, b, ix, w); err != nil {
		return err
	}
	if err := w.flush(); err != nil {
		return err
	}
	c.Rows += w.rows
	ru.log.Info("changes computed", "dataset", d.Name, "previous_snapshot", b.Date, "rows", w.rows)
	return nil
}

// removed adds a row for every application of the base that no row of
// this run met.
func (ru *run) removed(ctx context.Context, b *baseRef, ix *baseIndex, w *changeWriter) error {
	obj, err := b.object(ctx, ru.cfg.Store, sourceOfChanges)
	if err != nil {
		return err
	}
	defer obj.Close()
	var werr error
	err = dataset.ReadStates(obj, obj.Size(), func(rows []dataset.ApplicationState) error {
		for i := range rows {
			e := ix.find(rows[i].Key())
			if e == nil || e.flags&flagSeen != 0 {
				continue
			}
			e.flags |= flagSeen // once, should the base list an application twice
			old := rows[i]
			if werr = w.add(&old, nil); werr != nil {
				return werr
			}
		}
		return nil
	})
	if werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("snapshot: read %s of dt=%s: %w", sourceOfChanges, b.Date, err)
	}
	return nil
}

// readStates calls fn with the application state of every row of the
// staged segment key.
func (ru *run) readStates(ctx context.Context, key string, fn func(*dataset.ApplicationState) error) error {
	obj, err := ru.cfg.Store.Open(ctx, key)
	if err != nil {
		return fmt.Errorf("snapshot: open segment %s: %w", key, err)
	}
	defer obj.Close()
	var ferr error
	err = dataset.ReadStates(obj, obj.Size(), func(rows []dataset.ApplicationState) error {
		for i := range rows {
			a := rows[i]
			if ferr = fn(&a); ferr != nil {
				return ferr
			}
		}
		return nil
	})
	if ferr != nil {
		return ferr
	}
	if err != nil {
		return fmt.Errorf("snapshot: read segment %s: %w", key, err)
	}
	return nil
}
