package snapshot

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// engine runs the plan's tasks with Concurrency workers. Each worker takes
// a task and reads its lists page by page, in order; different tasks
// proceed side by side, all through the client's one rate limiter. A page
// is fetched and mapped without the run's lock and taken (de-duplicated,
// written, the cursor moved) under it, so a checkpoint, also taken under
// it, always sees whole pages.
type engine struct {
	ru      *run
	ctx     context.Context // for the store
	work    context.Context // for requests: ends at StopAt or at the first failure
	cancel  context.CancelCauseFunc
	cond    *sync.Cond
	running int   // workers on a task
	err     error // the first failure; the others stop
}

// fetch reads every task not yet done. Requests use work, which ends at
// the invocation's StopAt; the store uses ctx, so that segments can still
// be closed after work has ended.
func (ru *run) fetch(ctx, work context.Context) error {
	if ru.s.Fetched {
		return nil
	}
	if err := ru.loadMarksBase(ctx); err != nil {
		return err
	}
	wctx, cancel := context.WithCancelCause(work)
	defer cancel(nil)
	e := &engine{ru: ru, ctx: ctx, work: wctx, cancel: cancel, cond: sync.NewCond(&ru.mu)}
	var wg sync.WaitGroup
	for range ru.cfg.Concurrency {
		wg.Go(e.worker)
	}
	wg.Wait()
	if e.err != nil {
		return e.err
	}
	if err := ru.allForbidden(); err != nil {
		return err
	}
	ru.s.Fetched = true
	return ru.checkpoint(ctx)
}

func (e *engine) worker() {
	ru := e.ru
	ru.mu.Lock()
	defer ru.mu.Unlock()
	for e.err == nil {
		ts, t, ok := e.claim()
		if !ok {
			if e.running == 0 {
				if err := ru.settle(e.ctx); err != nil {
					e.fail(err)
				} else if _, ready, more := ru.plan.task(ru.s.Next, ru.s); more && ready {
					e.cond.Broadcast() // settling numbered more tasks
					continue
				} else if more {
					e.fail(fmt.Errorf("snapshot: task %d cannot be numbered, and no task is running: %w", ru.s.Next, errPermanent))
				}
				e.cond.Broadcast()
				return
			}
			e.cond.Wait()
			continue
		}
		e.running++
		err := e.runTask(t, ts)
		e.running--
		ts.claimed = false
		if err != nil {
			e.fail(err)
		}
		e.cond.Broadcast()
	}
}

// fail records the first failure and stops every request in flight.
func (e *engine) fail(err error) {
	if e.err == nil {
		e.err = err
		e.cancel(err)
	}
}

// claim returns a task for a worker: an unfinished one taken over from
// the checkpoint first, then the next one of the plan, if it can be
// numbered yet. ru.mu is held.
func (e *engine) claim() (*taskState, task, bool) {
	s := e.ru.s
	for _, ts := range s.Active {
		if !ts.claimed {
			t, _, ok := e.ru.plan.task(ts.Index, s)
			if !ok {
				continue
			}
			ts.claimed = true
			return ts, e.ru.decide(t), true
		}
	}
	t, ready, ok := e.ru.plan.task(s.Next, s)
	if !ok || !ready {
		return nil, task{}, false
	}
	ts := &taskState{Index: s.Next, Cursor: newCursor(), claimed: true}
	s.Active = append(s.Active, ts)
	s.Next++
	return ts, e.ru.decide(t), true
}

// runTask reads the rest of t's lists. ru.mu is held, and released while
// a page is fetched and mapped. It returns nil, leaving the task as it
// stands, when another worker failed in the meantime.
func (e *engine) runTask(t task, ts *taskState) error {
	ru := e.ru
	for ts.Cursor.List < len(t.lists) {
		if err := ru.k.Lost(); err != nil {
			return err
		}
		if ru.cfg.Now().Sub(ru.lastSave) >= ru.cfg.CheckpointEvery {
			if err := ru.checkpoint(e.ctx); err != nil {
				return err
			}
		}
		l, number := t.lists[ts.Cursor.List], ts.Cursor.Page
		ru.mu.Unlock()
		page, err := ru.cfg.Client.Page(e.work, l, number)
		var rows []dataset.Row
		var keys []string
		if err == nil {
			rows, keys, err = ru.mapPage(t, l, number, page)
		}
		ru.mu.Lock()
		if e.err != nil {
			return nil
		}
		switch {
		case err != nil && t.parent != "" && errors.Is(err, keka.ErrNotFound):
			ru.skip(t, ts, l, reasonVanished)
		case err != nil && t.parent != "" && errors.Is(err, keka.ErrForbidden):
			ru.skip(t, ts, l, reasonForbidden)
		case err != nil:
			return fmt.Errorf("snapshot: %s: %w", t.ds.Name, err)
		default:
			if err := ru.takePage(e.ctx, t, ts, l, page, rows, keys); err != nil {
				return err
			}
		}
	}
	return ru.finishTask(e.ctx, t, ts)
}

// mapPage turns a page's records into rows. A record that cannot be
// mapped fails the run: no retry changes it.
func (ru *run) mapPage(t task, l keka.List, number int, page keka.Page) ([]dataset.Row, []string, error) {
	meta := dataset.Meta{Parent: t.parent, List: l, RunID: ru.runID, ExtractedAt: ru.extractedAt, PII: ru.cfg.PII, Zone: ru.cfg.Zone}
	rows := make([]dataset.Row, 0, len(page.Records))
	keys := make([]string, 0, len(page.Records))
	for i, raw := range page.Records {
		row, err := t.ds.Map(raw, meta)
		if err != nil {
			return nil, nil, fmt.Errorf("snapshot: %s: GET %s page %d, record %d: %w: %w", t.ds.Name, l.Path, number, i+1, err, errPermanent)
		}
		rows = append(rows, row)
		keys = append(keys, row.Key())
	}
	return rows, keys, nil
}
