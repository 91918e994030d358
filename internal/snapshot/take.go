package snapshot

import (
	"context"
	"fmt"
	"slices"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// takePage writes the page's records that the task has not written yet
// and moves its cursor on. The state changes only once every row of the
// page is written; a failed write returns a *writeError, after which the
// open segments cannot be trusted. ru.mu is held.
func (ru *run) takePage(ctx context.Context, t task, ts *taskState, l keka.List, page keka.Page, rows []dataset.Row, keys []string) error {
	s := ru.s
	var fresh []dataset.Row
	var parentKeys *keySet // a parent's keys number its children's tasks as they arrive
	if ru.plan.parents[t.ds.Name] {
		parentKeys = s.keys(t.ds.Name)
	}
	marks := t.ds.Name == sourceOfChanges && ru.marksNeeded()
	for i, key := range keys {
		if ts.Written.Add(key) {
			fresh = append(fresh, rows[i])
			if parentKeys != nil {
				parentKeys.Add(key)
			}
			if marks {
				if err := ru.mark(rows[i]); err != nil {
					return err
				}
			}
		}
	}
	c := s.counts(t.ds.Name)
	if t.write {
		if err := ru.seg.write(ctx, t.ds, len(s.Segments[t.ds.Name]), fresh); err != nil {
			return &writeError{err}
		}
		c.Rows += int64(len(fresh))
		c.Duplicates += int64(len(keys) - len(fresh))
		c.Pages++
	}
	number := ts.Cursor.Page
	out := ts.Cursor.take(page, keys, ru.cfg.MaxRereads, listName(l))
	switch out.move {
	case moveReread:
		if t.write {
			c.Rereads++
		}
		ru.log.Info("list changed while paging; reading it again", "dataset", t.ds.Name, "path", l.Path, "reported", page.TotalRecords, "pass", ts.Cursor.Pass)
	case moveDone:
		if u := out.unsolved; u != nil {
			ru.log.Warn("list could not be reconciled", "dataset", t.ds.Name, "path", l.Path, "page", number, "stated_page", page.Stated, "reported", u.Reported, "seen", u.Seen, "reason", u.Reason)
			ru.unsolved(t, *u)
		}
		if t.write {
			if out.total < 0 {
				c.SourceTotal = -1
			} else if c.SourceTotal >= 0 {
				c.SourceTotal += int64(out.total)
			}
		}
	}
	ru.report(t)
	return nil
}

// unsolved records a list of t that could not be read whole. When t's
// dataset is a parent, the datasets listed per its keys are incomplete
// too: the keys it missed number no task.
func (ru *run) unsolved(t task, u Unreconciled) {
	if t.write {
		ru.s.counts(t.ds.Name).unreconciled(u)
	}
	if !ru.plan.parents[t.ds.Name] || !u.Missing() {
		return
	}
	u.Reason = fmt.Sprintf(reasonParentList, t.ds.Name, t.ds.Name)
	for _, d := range ru.plan.children(t.ds.Name) {
		if ru.plan.write[d.Name] {
			ru.s.counts(d.Name).unreconciled(u)
		}
	}
}

// skip ends a task whose parent cannot be read any more: deleted after
// its parent's list was read (404), or refused (403). What was read of it
// stays; the rest is recorded, and the run goes on.
func (ru *run) skip(t task, ts *taskState, l keka.List, reason string) {
	ru.log.Warn("skipping the rest of a task", "dataset", t.ds.Name, "parent", t.parent, "path", l.Path, "reason", reason)
	u := ts.Cursor.skip(listName(l), reason, len(t.lists))
	if t.write {
		ru.s.counts(t.ds.Name).unreconciled(u)
	}
}

// finishTask ends a task whose lists are all read. ru.mu is held.
func (ru *run) finishTask(ctx context.Context, t task, ts *taskState) error {
	s := ru.s
	s.Active = slices.DeleteFunc(s.Active, func(a *taskState) bool { return a == ts })
	ru.report(t)
	return ru.settle(ctx)
}

// settle marks the datasets all of whose tasks are done, and checkpoints
// when it marked any, so that a finished dataset's segment is closed
// rather than held to the end of the run.
func (ru *run) settle(ctx context.Context) error {
	s := ru.s
	marked := false
	for _, d := range ru.plan.datasets() {
		if s.done(d.Name) {
			continue
		}
		lo, hi, ok := ru.plan.span(d.Name, s)
		if !ok || s.Next < hi || slices.ContainsFunc(s.Active, func(a *taskState) bool { return a.Index >= lo && a.Index < hi }) {
			continue
		}
		s.Done = append(s.Done, d.Name)
		if ru.plan.parents[d.Name] {
			s.keys(d.Name) // a parent without keys is done too
		}
		marked = true
	}
	if !marked {
		return nil
	}
	return ru.checkpoint(ctx)
}

// allForbidden fails the run when every task of a dataset listed per
// parent key was refused (403): then the key lacks access to that data,
// and an export of none of it is no snapshot. Some refusals are recorded,
// and the run goes on.
func (ru *run) allForbidden() error {
	for _, d := range ru.plan.datasets() {
		if d.Parent == "" {
			continue
		}
		lo, hi, ok := ru.plan.span(d.Name, ru.s)
		if !ok || hi == lo {
			continue
		}
		refused := 0
		for _, u := range ru.s.counts(d.Name).Unreconciled {
			if u.Reason == reasonForbidden {
				refused++
			}
		}
		if refused >= hi-lo {
			return fmt.Errorf("snapshot: %s: every one of the %d %s answered 403: the API key lacks access to this Hire data (give the key Hire access in Keka, Settings, Integrations & Automations, API access): %w: %w",
				d.Name, hi-lo, d.Parent, keka.ErrForbidden, errPermanent)
		}
	}
	return nil
}

func listName(l keka.List) string {
	if q := l.Query.Encode(); q != "" {
		return l.Path + "?" + q
	}
	return l.Path
}

func (ru *run) report(t task) {
	if ru.cfg.Progress == nil {
		return
	}
	ru.cfg.Progress(Progress{
		Dataset:  t.ds.Name,
		Rows:     ru.s.counts(t.ds.Name).Rows,
		Pages:    ru.s.counts(t.ds.Name).Pages,
		Task:     ru.s.Next - len(ru.s.Active),
		Tasks:    ru.plan.known(ru.s),
		Requests: ru.cfg.Client.Stats().Requests,
	})
}
