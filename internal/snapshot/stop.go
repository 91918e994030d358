package snapshot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// execute fetches until every task is done or StopAt arrives, then
// publishes.
func (ru *run) execute(ctx context.Context, req Request) (Result, error) {
	switch ru.s.Status {
	case StatusComplete:
		return ru.result(), nil
	case StatusFailed:
		err := fmt.Errorf("snapshot: run %s of %s failed: %s", ru.s.RunID, ru.date, ru.s.Error)
		res := ru.result()
		res.Error = err.Error()
		return res, &RunError{Err: err}
	}
	ru.k.renewLoop(ctx)
	res, err := ru.work(ctx, req)
	ru.k.stopRenewing()
	ru.release(ctx)
	return res, err
}

func (ru *run) work(ctx context.Context, req Request) (Result, error) {
	work := ctx
	if !req.StopAt.IsZero() {
		var cancel context.CancelFunc
		work, cancel = context.WithDeadline(ctx, req.StopAt)
		defer cancel()
	}
	onlyPublish := ru.s.Fetched && ru.carried()
	if err := ru.fetch(ctx, work); err != nil {
		return ru.stop(ctx, work, err)
	}
	if err := ru.derive(ctx); err != nil {
		return ru.stop(ctx, work, err)
	}
	if err := ru.carry(ctx, work); err != nil {
		return ru.stop(ctx, work, err)
	}
	// Publishing is begun within the budget or by an invocation that has
	// nothing else to do, and then not left until every dataset is
	// published (readers would see a mix of runs in between): an invocation
	// whose fetching used its budget leaves it to the next one, rather
	// than running into the hard deadline half-way.
	if !onlyPublish && !ru.s.Publishing && work.Err() != nil {
		return ru.stop(ctx, work, fmt.Errorf("snapshot: publish %s: %w", ru.date, work.Err()))
	}
	if err := ru.publish(ctx, ru.s.Force); err != nil {
		return ru.stop(ctx, work, err)
	}
	return ru.result(), nil
}

// release gives up the lease at the end of the invocation, so that the
// next invocation (the Step Functions loop's, or a retry) can take the run
// at once. An invocation that lost the run writes nothing.
func (ru *run) release(ctx context.Context) {
	if ru.k.Lost() != nil {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), interruptSave)
	defer cancel()
	if _, err := ru.k.write(rctx, ru.committed.clone(), true); err != nil {
		ru.log.Warn("release the run's lease; it lapses by itself", "run_id", ru.s.RunID, "error", err.Error())
	}
}

// lostRun ends an invocation that another one took the run from: it
// drops what it had not saved and touches nothing in the store.
func (ru *run) lostRun(err error) (Result, error) {
	ru.rollback()
	ru.log.Error("run taken over by another invocation; stopping", "run_id", ru.s.RunID, "snapshot_date", ru.date, "error", err.Error())
	res := ru.result()
	res.Status, res.Error = StatusFailed, err.Error()
	return res, &RunError{Err: err}
}

// stop ends the invocation after err interrupted it: at the soft deadline
// it checkpoints and reports progress; a permanent failure ends the run and
// removes its staged objects; any other failure keeps the last checkpoint
// so that the next invocation resumes.
func (ru *run) stop(ctx, work context.Context, err error) (Result, error) {
	if errors.Is(err, ErrBusy) {
		return ru.lostRun(err)
	}
	// The invocation itself was cancelled (an interrupt, or the hard
	// deadline): save what is done with a little time of its own, and say
	// the run is to be resumed.
	if ctx.Err() != nil {
		saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), interruptSave)
		defer cancel()
		var we *writeError
		if errors.As(err, &we) {
			ru.rollback()
		} else if cerr := ru.checkpoint(saveCtx); errors.Is(cerr, ErrBusy) {
			return ru.lostRun(cerr)
		} else if cerr != nil {
			return ru.fail(saveCtx, fmt.Errorf("snapshot: interrupted (%w), and saving the progress failed: %w", ctx.Err(), cerr), true)
		}
		ru.log.Warn("interrupted; progress saved", "run_id", ru.s.RunID, "snapshot_date", ru.date, "tasks_done", ru.s.Next-len(ru.s.Active))
		ierr := fmt.Errorf("snapshot: run %s of %s interrupted (%w); its progress is saved: invoke again to resume", ru.s.RunID, ru.date, ctx.Err())
		res := ru.result()
		res.Resumable, res.Error = true, ierr.Error()
		return res, &RunError{Err: ierr, Resumable: true}
	}
	// The soft deadline is work's; the client also gives up early when the
	// next request slot falls after it. A request that timed out on every
	// attempt is a failure, not the deadline.
	soft := work.Err() != nil || errors.Is(err, keka.ErrNoTimeLeft)
	if soft && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		if cerr := ru.checkpoint(ctx); errors.Is(cerr, ErrBusy) {
			return ru.lostRun(cerr)
		} else if cerr != nil {
			return ru.fail(ctx, cerr, true)
		}
		ru.log.Info("invocation budget used; run continues in the next invocation",
			"run_id", ru.s.RunID, "snapshot_date", ru.date, "tasks_done", ru.s.Next-len(ru.s.Active))
		return ru.result(), nil
	}
	// Once a dataset is published, the run must finish: ending it would
	// leave the date with some datasets new and others old.
	if isPermanent(err) && !isConfiguration(err) && !ru.committed.Publishing {
		return ru.fail(ctx, err, false)
	}
	var we *writeError
	if errors.As(err, &we) {
		// A segment failed half-way: drop everything since the checkpoint.
		ru.rollback()
		return ru.fail(ctx, err, true)
	}
	// Keep what was committed, so that the next invocation resumes there.
	if cerr := ru.checkpoint(ctx); errors.Is(cerr, ErrBusy) {
		return ru.lostRun(cerr)
	} else if cerr != nil {
		ru.log.Warn("checkpoint after failure", "run_id", ru.s.RunID, "error", cerr.Error())
	}
	return ru.fail(ctx, err, true)
}

// interruptSave is how long an interrupted invocation may take to save its
// progress.
const interruptSave = 20 * time.Second

// writeError is a failure to write a staged segment. The segments open at
// the time hold rows the state no longer matches, so the invocation falls
// back to its last checkpoint.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

func (ru *run) fail(ctx context.Context, err error, resumable bool) (Result, error) {
	ru.seg.abort()
	if !resumable {
		ru.s = ru.committed.clone()
		ru.s.Status = StatusFailed
		ru.s.Error = err.Error()
		// The end of the run is saved first: only an invocation that still
		// holds the run may remove what it staged.
		serr := ru.save(ctx)
		if errors.Is(serr, ErrBusy) {
			return ru.lostRun(serr)
		}
		if serr != nil {
			ru.log.Warn("save failed checkpoint", "run_id", ru.s.RunID, "error", serr.Error())
		} else if derr := deletePrefix(ctx, ru.cfg.Store, stagingPrefix(ru.date, ru.s.RunID)); derr != nil {
			ru.log.Warn("remove staged objects of failed run", "run_id", ru.s.RunID, "error", derr.Error())
		}
	}
	ru.log.Error("run failed", "run_id", ru.s.RunID, "snapshot_date", ru.date, "resumable", resumable, "error", err.Error())
	res := ru.result()
	res.Status = StatusFailed
	res.Resumable = resumable
	res.Error = err.Error()
	if resumable {
		res.Error += "; the checkpoint is kept: invoke again with the same snapshotDate to resume"
	}
	return res, &RunError{Err: err, Resumable: resumable}
}

// rollback drops everything since the last checkpoint: the working state
// and the open segments.
func (ru *run) rollback() {
	ru.seg.abort()
	ru.s = ru.committed.clone()
}

// checkpoint commits the open segments and saves the state, as one step:
// on failure the working state rolls back to the last checkpoint, whose
// segments are all in place, and segments closed for it are removed.
func (ru *run) checkpoint(ctx context.Context) error {
	done, err := ru.seg.commit(ctx)
	if err != nil {
		ru.rollback()
		return err
	}
	for _, c := range done {
		ru.s.Segments[c.dataset] = append(ru.s.Segments[c.dataset], c.segment)
	}
	if err := ru.save(ctx); err != nil {
		// The segments just closed stay: a checkpoint whose write failed
		// may still have landed and name them. Unnamed, they are never
		// read, and go with the run's staging prefix.
		ru.rollback()
		return err
	}
	return nil
}

// save writes the working state as the checkpoint, with the client's
// counters since the last save.
func (ru *run) save(ctx context.Context) error {
	now := ru.cfg.Now()
	st := ru.cfg.Client.Stats()
	s := *ru.s // the counters move on only once the checkpoint is saved
	s.Requests += st.Requests - ru.statsBase.Requests
	s.Retries += st.Retries - ru.statsBase.Retries
	s.Throttled += st.Throttled - ru.statsBase.Throttled
	s.ElapsedMs += now.Sub(ru.lastSave).Milliseconds()
	s.UpdatedAt = now.UTC()
	b, err := ru.k.write(ctx, &s, false)
	if err != nil {
		return err
	}
	*ru.s = s
	ru.statsBase, ru.lastSave = st, now
	committed, err := decodeState(b) // a deep copy from the bytes just saved
	if err != nil {
		return fmt.Errorf("snapshot: read back checkpoint: %w", err)
	}
	ru.committed = committed
	return nil
}
