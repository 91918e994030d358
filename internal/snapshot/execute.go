package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/store"
)

// run is one invocation's view of a snapshot run.
type run struct {
	*Runner
	date string
	sel  []dataset.Dataset

	s         *state // working state, ahead of the checkpoint
	committed *state // the state last saved as the checkpoint
	k         *keeper

	started     time.Time
	lastSave    time.Time
	statsBase   keka.Stats
	groupKeys   map[string]struct{}
	passKeys    map[string]struct{}
	open        map[string]*segmentWriter
	extractedAt time.Time
}

// begin loads the checkpoint of the date and decides whether this
// invocation resumes the unfinished run, reports a finished one again, or
// starts a new one.
//
// A retried invocation must do what the first attempt did, so "restart"
// names the run to discard: a retry of the same event finds that run
// already replaced and continues the new one.
func (r *Runner) begin(ctx context.Context, req Request, date string, sel []dataset.Dataset) (*run, error) {
	now := r.cfg.Now()
	ru := &run{Runner: r, date: date, sel: sel, started: now, lastSave: now, statsBase: r.cfg.Client.Stats(), extractedAt: now.UTC().Truncate(time.Millisecond)}
	ru.k = newKeeper(r.cfg.Store, checkpointKey(date), r.cfg.LeaseTTL, r.cfg.Now)
	if req.Restart && req.RunID == "" {
		return nil, fmt.Errorf("snapshot: \"restart\" needs the \"runId\" of the run to discard: %w", ErrInvalidRequest)
	}
	cp, err := r.loadState(ctx, ru.k, date)
	if errors.Is(err, errUnreadable) && req.Restart {
		r.log.Warn("discarding an unreadable checkpoint", "snapshot_date", date, "error", err.Error())
		cp, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	if cp != nil && cp.Status == StatusInProgress && cp.Lease.heldBy(ru.k.holder, now) {
		return nil, fmt.Errorf("snapshot: run %s of %s is being worked on by another invocation (its lease runs until %s, and is renewed while that invocation lives); nothing was changed: wait for it to finish, or, if it died, invoke again after the lease lapses: %w",
			cp.RunID, date, cp.Lease.Until.Format(time.RFC3339), ErrBusy)
	}
	settings := r.settings(sel)

	if req.Restart {
		switch {
		case cp != nil && cp.Replaced == req.RunID:
			// This event already replaced that run: a retry of it goes on
			// with the new run, or reports how that run ended.
			return ru.resume(cp, req)
		case cp != nil && cp.Status == StatusInProgress && cp.RunID != req.RunID:
			return nil, fmt.Errorf("snapshot: run %s is not the unfinished run of %s (that is %s): %w", req.RunID, date, cp.RunID, ErrInvalidRequest)
		case cp != nil && cp.Status == StatusInProgress && cp.Publishing:
			// A publishing run is only ever finished, unless what it staged
			// is damaged: then nothing can finish it, and a new run must.
			damage, err := r.damage(ctx, cp)
			if err != nil {
				return nil, err
			}
			if damage == "" {
				return nil, fmt.Errorf("snapshot: run %s of %s is publishing (%v done); invoke without \"restart\" to finish it: %w", cp.RunID, date, cp.Published, ErrInvalidRequest)
			}
			r.log.Warn("discarding a publishing run whose staged data is damaged", "run_id", cp.RunID, "snapshot_date", date, "damage", damage)
		case cp != nil && cp.Status == StatusInProgress:
			r.log.Info("discarding unfinished run", "run_id", cp.RunID, "snapshot_date", date)
		}
		return ru.start(ctx, req, settings)
	}

	switch {
	case cp != nil && cp.Status == StatusInProgress:
		if req.RunID != "" && req.RunID != cp.RunID {
			return nil, fmt.Errorf("snapshot: run %s is not the unfinished run of %s (that is %s): %w", req.RunID, date, cp.RunID, ErrInvalidRequest)
		}
		if len(req.Datasets) > 0 && !slices.Equal(names(sel), cp.Datasets) {
			return nil, fmt.Errorf("snapshot: the unfinished run %s of %s exports %v, not %v; invoke with the same datasets, or with \"restart\": true and \"runId\": %q: %w", cp.RunID, date, cp.Datasets, names(sel), cp.RunID, ErrInvalidRequest)
		}
		return ru.resume(cp, req)
	case cp != nil && req.RunID != "" && req.RunID == cp.RunID && cp.Status == StatusComplete:
		// A retried invocation of a run that already completed: report it
		// again rather than export the date a second time.
		return ru.resume(cp, req)
	case req.RunID != "":
		return nil, fmt.Errorf("snapshot: run %s of %s is not in progress; invoke without runId to start a new run: %w", req.RunID, date, ErrInvalidRequest)
	}
	return ru.start(ctx, req, settings)
}

// start begins a new run and saves its checkpoint at once, so that any
// later invocation resumes it rather than start another.
func (ru *run) start(ctx context.Context, req Request, settings runSettings) (*run, error) {
	now := ru.started
	s := &state{
		Version:      stateVersion,
		RunID:        ru.cfg.NewRunID(now),
		SnapshotDate: ru.date,
		Datasets:     names(ru.sel),
		Settings:     settings,
		Status:       StatusInProgress,
		StartedAt:    now.UTC(),
		UpdatedAt:    now.UTC(),
		Invocations:  1,
		Force:        req.Force,
		Page:         1,
		PassTotal:    -1,
		Counts:       map[string]*datasetCounts{},
		Segments:     map[string][]segment{},
	}
	if req.Restart {
		s.Replaced = req.RunID
	}
	for _, d := range ru.sel {
		s.counts(d.Name)
	}
	ru.s = s
	ru.committed = s.clone()
	ru.restoreKeys()
	if err := ru.save(ctx); err != nil {
		return nil, err
	}
	// The checkpoint is ours: whatever else the date's staging area holds
	// belongs to runs that are over (discarded, failed, or lost to this
	// one), and is removed.
	if err := ru.clearOthers(ctx); err != nil {
		return nil, err
	}
	ru.log.Info("starting run", "run_id", s.RunID, "snapshot_date", ru.date, "datasets", s.Datasets)
	return ru, nil
}

// clearOthers removes everything under the date's staging area but the
// checkpoint and this run's own segments.
func (ru *run) clearOthers(ctx context.Context) error {
	objs, err := ru.cfg.Store.List(ctx, datePrefix(ru.date))
	if err != nil {
		return fmt.Errorf("snapshot: list %s: %w", datePrefix(ru.date), err)
	}
	var stale []string
	for _, o := range objs {
		if o.Key != checkpointKey(ru.date) && !strings.HasPrefix(o.Key, stagingPrefix(ru.date, ru.s.RunID)) {
			stale = append(stale, o.Key)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	if err := ru.cfg.Store.Delete(ctx, stale...); err != nil {
		return fmt.Errorf("snapshot: remove objects of earlier runs under %s: %w", datePrefix(ru.date), err)
	}
	return nil
}

// damage returns what is wrong with the staged segments that the
// unpublished datasets of cp still need ("" when they are all there, with
// the sizes the checkpoint recorded).
func (r *Runner) damage(ctx context.Context, cp *state) (string, error) {
	objs, err := r.cfg.Store.List(ctx, stagingPrefix(cp.SnapshotDate, cp.RunID))
	if err != nil {
		return "", fmt.Errorf("snapshot: list %s: %w", stagingPrefix(cp.SnapshotDate, cp.RunID), err)
	}
	sizes := make(map[string]int64, len(objs))
	for _, o := range objs {
		sizes[o.Key] = o.Size
	}
	for _, name := range cp.Datasets {
		if cp.published(name) {
			continue
		}
		for _, sg := range cp.Segments[name] {
			size, ok := sizes[sg.Key]
			switch {
			case !ok:
				return fmt.Sprintf("segment %s is missing", sg.Key), nil
			case size != sg.Bytes:
				return fmt.Sprintf("segment %s holds %d bytes, the checkpoint recorded %d", sg.Key, size, sg.Bytes), nil
			}
		}
	}
	return "", nil
}

// resume continues the run of checkpoint cp (or reports it again, when it
// is complete). The settings that shape its rows must not have changed
// since it started: a run is all one PII policy and one schema.
func (ru *run) resume(cp *state, req Request) (*run, error) {
	ru.sel = nil
	for _, n := range cp.Datasets {
		d, ok := dataset.Lookup(n)
		if !ok {
			return nil, fmt.Errorf("snapshot: checkpoint of %s names unknown dataset %q: %w", ru.date, n, errPermanent)
		}
		ru.sel = append(ru.sel, d)
	}
	ru.s = cp
	ru.committed = cp.clone()
	ru.restoreKeys()
	if cp.Status != StatusInProgress {
		return ru, nil
	}
	// Once everything is fetched no row is mapped any more, and a run
	// that is publishing must be able to finish whatever changed.
	if diff := cp.Settings.diff(ru.settings(ru.sel)); diff != "" && !cp.Fetched {
		return nil, fmt.Errorf("snapshot: %s changed since run %s of %s started, and one snapshot cannot mix them: revert the change to continue the run, or invoke with \"restart\": true and \"runId\": %q to start again: %w", diff, cp.RunID, ru.date, cp.RunID, ErrSettingsChanged)
	}
	cp.Invocations++
	cp.Force = cp.Force || req.Force
	ru.log.Info("resuming run", "run_id", cp.RunID, "snapshot_date", ru.date, "invocation", cp.Invocations)
	return ru, nil
}

// errUnreadable marks a checkpoint that cannot be decoded.
var errUnreadable = errors.New("unreadable checkpoint")

func (r *Runner) loadState(ctx context.Context, k *keeper, date string) (*state, error) {
	b, err := k.read(ctx)
	if err != nil {
		return nil, fmt.Errorf("snapshot: read checkpoint of %s: %w", date, err)
	}
	if b == nil {
		return nil, nil
	}
	s, err := decodeState(b)
	if err != nil {
		return nil, fmt.Errorf("snapshot: checkpoint %s: %w; invoke with \"restart\": true and any \"runId\" to discard it: %w: %w", checkpointKey(date), err, errUnreadable, ErrInvalidRequest)
	}
	return s, nil
}

func (ru *run) restoreKeys() {
	ru.groupKeys = make(map[string]struct{}, len(ru.s.GroupKeys))
	for _, k := range ru.s.GroupKeys {
		ru.groupKeys[k] = struct{}{}
	}
	ru.passKeys = make(map[string]struct{}, len(ru.s.PassKeys))
	for _, k := range ru.s.PassKeys {
		ru.passKeys[k] = struct{}{}
	}
	ru.open = map[string]*segmentWriter{}
}

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
	if err := ru.fetch(ctx, work); err != nil {
		return ru.stop(ctx, work, err)
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
	ru.abortOpen()
	ru.s = ru.committed.clone()
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
			ru.abortOpen()
			ru.s = ru.committed.clone()
			ru.restoreKeys()
		} else if cerr := ru.checkpoint(saveCtx); errors.Is(cerr, ErrBusy) {
			return ru.lostRun(cerr)
		} else if cerr != nil {
			return ru.fail(saveCtx, fmt.Errorf("snapshot: interrupted (%w), and saving the progress failed: %w", ctx.Err(), cerr), true)
		}
		ru.log.Warn("interrupted; progress saved", "run_id", ru.s.RunID, "snapshot_date", ru.date, "task", ru.s.Task)
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
			"run_id", ru.s.RunID, "snapshot_date", ru.date, "task", ru.s.Task)
		return ru.result(), nil
	}
	// Once a dataset is published, the run must finish: ending it would
	// leave the date with some datasets new and others old.
	if isPermanent(err) && !ru.committed.Publishing {
		return ru.fail(ctx, err, false)
	}
	var we *writeError
	if errors.As(err, &we) {
		// A segment failed half-way: drop everything since the checkpoint.
		ru.abortOpen()
		ru.s = ru.committed.clone()
		ru.restoreKeys()
		return ru.fail(ctx, err, true)
	}
	// Keep what was committed, so that the next invocation resumes there.
	if cerr := ru.checkpoint(ctx); cerr != nil {
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

// ErrRefused is wrapped by the error of a run that fetched everything but
// refused to publish (a dataset shrank more than MaxShrink). The run stays
// resumable: invoking it with force publishes what it fetched.
var ErrRefused = errors.New("snapshot: publish refused")

// errPermanent marks failures no later invocation can fix.
var errPermanent = errors.New("permanent")

func isPermanent(err error) bool {
	return errors.Is(err, errPermanent) || errors.Is(err, ErrInvalidRequest) || errors.Is(err, ErrSettingsChanged) || keka.Permanent(err)
}

func (ru *run) fail(ctx context.Context, err error, resumable bool) (Result, error) {
	ru.abortOpen()
	if !resumable {
		ru.s = ru.committed.clone()
		ru.s.Status = StatusFailed
		ru.s.Error = err.Error()
		if derr := deletePrefix(ctx, ru.cfg.Store, stagingPrefix(ru.date, ru.s.RunID)); derr != nil {
			ru.log.Warn("remove staged objects of failed run", "run_id", ru.s.RunID, "error", derr.Error())
		}
		if serr := ru.save(ctx); serr != nil {
			ru.log.Warn("save failed checkpoint", "run_id", ru.s.RunID, "error", serr.Error())
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

// task is one unit of the run's fetch order: the Keka lists of one
// dataset, or of one dataset and one job.
type task struct {
	ds    dataset.Dataset
	write bool   // false for the jobs list read only for its job ids
	jobID string // per-job tasks
	lists []keka.List
}

// topTasks are the tasks that do not depend on the job ids. The jobs list
// comes first whenever any selected dataset is listed per job.
func topTasks(sel []dataset.Dataset) []task {
	var out []task
	perJob := false
	for _, d := range sel {
		perJob = perJob || d.PerJob
	}
	jobs, _ := dataset.Lookup("jobs")
	jobsSelected := slices.ContainsFunc(sel, func(d dataset.Dataset) bool { return d.Name == jobs.Name })
	if perJob || jobsSelected {
		out = append(out, task{ds: jobs, write: jobsSelected, lists: jobs.Lists("")})
	}
	for _, d := range sel {
		if !d.PerJob && d.Name != jobs.Name {
			out = append(out, task{ds: d, write: true, lists: d.Lists("")})
		}
	}
	return out
}

func (ru *run) perJobDatasets() []dataset.Dataset {
	var out []dataset.Dataset
	for _, d := range ru.sel {
		if d.PerJob {
			out = append(out, d)
		}
	}
	return out
}

// task returns the i-th task, or false when there is none (yet).
func (ru *run) task(i int) (task, bool) {
	top := topTasks(ru.sel)
	if i < len(top) {
		return top[i], true
	}
	pj := ru.perJobDatasets()
	j := i - len(top)
	if len(pj) == 0 || j >= len(ru.s.JobIDs)*len(pj) {
		return task{}, false
	}
	jobID := ru.s.JobIDs[j/len(pj)]
	d := pj[j%len(pj)]
	return task{ds: d, write: true, jobID: jobID, lists: d.Lists(jobID)}, true
}

func (ru *run) tasksKnown() int {
	return len(topTasks(ru.sel)) + len(ru.s.JobIDs)*len(ru.perJobDatasets())
}

// fetch pages through the remaining tasks. Requests use work, which ends
// at the invocation's StopAt; the store uses ctx, so that segments can
// still be closed after work has ended.
func (ru *run) fetch(ctx, work context.Context) error {
	for !ru.s.Fetched {
		t, ok := ru.task(ru.s.Task)
		if !ok {
			ru.s.Fetched = true
			break
		}
		if ru.s.List >= len(t.lists) {
			ru.finishTask(t)
			if t.jobID == "" {
				// A whole dataset (or the job list) is done: close its
				// segment now rather than hold its buffers to the end.
				if err := ru.checkpoint(ctx); err != nil {
					return err
				}
			}
			continue
		}
		if err := ru.k.Lost(); err != nil {
			return err
		}
		if ru.cfg.Now().Sub(ru.lastSave) >= ru.cfg.CheckpointEvery {
			if err := ru.checkpoint(ctx); err != nil {
				return err
			}
		}
		l := t.lists[ru.s.List]
		page, err := ru.cfg.Client.Page(work, l, ru.s.Page)
		if err != nil && t.jobID != "" && errors.Is(err, keka.ErrNotFound) {
			ru.skipJob(t, l, reasonVanished)
			continue
		}
		if err != nil && t.jobID != "" && errors.Is(err, keka.ErrForbidden) {
			ru.skipJob(t, l, reasonForbidden)
			continue
		}
		if err != nil {
			return fmt.Errorf("snapshot: %s: %w", t.ds.Name, err)
		}
		if err := ru.takePage(ctx, t, l, page); err != nil {
			return err
		}
	}
	if err := ru.allForbidden(); err != nil {
		return err
	}
	return ru.checkpoint(ctx)
}

// allForbidden fails the run when every job refused its lists (403): then
// the key lacks access to candidates, and an export of none of them is no
// snapshot. Some jobs refusing are recorded, and the run goes on.
func (ru *run) allForbidden() error {
	pj := ru.perJobDatasets()
	if len(pj) == 0 || len(ru.s.JobIDs) == 0 {
		return nil
	}
	refused := 0
	for _, d := range pj {
		for _, u := range ru.s.counts(d.Name).Unreconciled {
			if u.Reason == reasonForbidden {
				refused++
			}
		}
	}
	if refused < len(ru.s.JobIDs)*len(pj) {
		return nil
	}
	return fmt.Errorf("snapshot: every one of the %d jobs answered 403 to its candidate lists: the API key lacks access to Hire candidates (give the key Hire access in Keka, Settings, Integrations & Automations, API access): %w: %w", len(ru.s.JobIDs), keka.ErrForbidden, errPermanent)
}

// takePage writes a page's new records and moves the position on. The
// state changes only once every row of the page is written; a failed write
// returns a *writeError, after which the open segments cannot be trusted.
func (ru *run) takePage(ctx context.Context, t task, l keka.List, page keka.Page) error {
	s := ru.s
	meta := dataset.Meta{JobID: t.jobID, Archived: l.Query.Get("isArchived") == "true", RunID: s.RunID, ExtractedAt: ru.extractedAt, PII: ru.cfg.PII, Zone: ru.cfg.Zone}
	rows := make([]dataset.Row, 0, len(page.Records))
	keys := make([]string, 0, len(page.Records))
	for i, raw := range page.Records {
		row, err := t.ds.Map(raw, meta)
		if err != nil {
			return fmt.Errorf("snapshot: %s: GET %s page %d, record %d: %w: %w", t.ds.Name, l.Path, ru.s.Page, i+1, err, errPermanent)
		}
		rows = append(rows, row)
		keys = append(keys, row.Key())
	}
	var fresh []dataset.Row
	onPage := make(map[string]struct{}, len(keys))
	for i, key := range keys {
		if _, dup := ru.groupKeys[key]; dup {
			continue
		}
		if _, dup := onPage[key]; dup {
			continue
		}
		onPage[key] = struct{}{}
		fresh = append(fresh, rows[i])
	}
	if t.write && len(fresh) > 0 {
		w, err := ru.writer(ctx, t.ds)
		if err != nil {
			return &writeError{err}
		}
		for _, row := range fresh {
			if err := w.w.Write(row); err != nil {
				return &writeError{fmt.Errorf("snapshot: %s: write segment %s: %w", t.ds.Name, w.key, err)}
			}
		}
		w.rows += int64(len(fresh))
	}

	c := s.counts(t.ds.Name)
	newInPass := 0
	for _, key := range keys {
		if _, seen := ru.passKeys[key]; !seen {
			ru.passKeys[key] = struct{}{}
			newInPass++
		}
	}
	// A later page of nothing but records this pass already saw means
	// Keka is repeating pages (ignoring pageNumber, or a cache answering
	// with the first page): end the list rather than page forever, and
	// record it, since the pages after it were never read.
	last := page.Last
	repeated := !last && s.Page > 1 && len(keys) > 0 && newInPass == 0
	if repeated {
		ru.log.Warn("a page repeats records already read; ending the list as unreconciled", "dataset", t.ds.Name, "path", l.Path, "page", s.Page, "stated_page", page.Stated)
		last = true
	}
	for _, row := range fresh {
		key := row.Key()
		ru.groupKeys[key] = struct{}{}
		s.GroupKeys = append(s.GroupKeys, key)
	}
	if t.write {
		c.Rows += int64(len(fresh))
		c.Duplicates += int64(len(keys) - len(fresh))
		c.Pages++
	}

	// Track whether the list moved under us during this pass.
	if s.Page == 1 {
		s.PassTotal = page.TotalRecords
	} else if page.TotalRecords != s.PassTotal {
		s.PassMoving = true
	}
	if !last {
		s.Page++
		ru.report(t)
		return nil
	}

	// End of one pass through the list: re-read it if its records and its
	// total disagree, within bounds.
	seen := len(ru.passKeys)
	consistent := !repeated && (page.TotalRecords < 0 || (!s.PassMoving && seen == page.TotalRecords))
	// Reading a list that repeats its pages again would repeat them again.
	if !consistent && !repeated && s.Pass < ru.cfg.MaxRereads {
		s.Pass++
		if t.write {
			c.Rereads++
		}
		ru.log.Info("list changed while paging; reading it again", "dataset", t.ds.Name, "path", l.Path, "reported", page.TotalRecords, "seen", seen, "pass", s.Pass)
		ru.resetPass()
		ru.report(t)
		return nil
	}
	if !consistent {
		ru.log.Warn("list could not be reconciled", "dataset", t.ds.Name, "path", l.Path, "reported", page.TotalRecords, "seen", seen)
		u := Unreconciled{List: listName(l), Reported: page.TotalRecords, Seen: seen, Reason: reasonMoving}
		if repeated {
			u.Reason = repeatedReason(s.Page, page.Stated)
		}
		if t.write {
			c.Unreconciled = append(c.Unreconciled, u)
		}
		if t.ds.Name == "jobs" && t.jobID == "" {
			// The job list gives the per-job datasets their job ids: the
			// candidates of the jobs it missed are missing there too.
			u.Reason = reasonJobList
			for _, d := range ru.perJobDatasets() {
				pc := s.counts(d.Name)
				pc.Unreconciled = append(pc.Unreconciled, u)
			}
		}
	}
	if t.write {
		if page.TotalRecords < 0 {
			c.SourceTotal = -1
		} else if c.SourceTotal >= 0 {
			c.SourceTotal += int64(page.TotalRecords)
		}
	}
	s.List++
	s.Pass = 0
	ru.resetPass()
	ru.report(t)
	return nil
}

// skipJob ends a per-job task whose lists cannot be read: the job was
// deleted after the jobs list was read (404), or Keka refuses it (403).
// What was read of it stays, the rest is recorded as unreconciled with
// the reason, and the run goes on.
func (ru *run) skipJob(t task, l keka.List, reason string) {
	ru.log.Warn("skipping a job's candidates", "dataset", t.ds.Name, "job_id", t.jobID, "path", l.Path, "reason", reason)
	c := ru.s.counts(t.ds.Name)
	c.Unreconciled = append(c.Unreconciled, Unreconciled{List: listName(l), Reported: -1, Seen: len(ru.passKeys), Reason: reason})
	ru.s.List = len(t.lists)
	ru.resetPass()
}

func listName(l keka.List) string {
	if q := l.Query.Encode(); q != "" {
		return l.Path + "?" + q
	}
	return l.Path
}

func (ru *run) resetPass() {
	s := ru.s
	s.Page = 1
	s.PassTotal = -1
	s.PassMoving = false
	s.PassKeys = nil
	clear(ru.passKeys)
}

// finishTask moves to the next task; the jobs task hands over its keys as
// the job ids of the per-job tasks.
func (ru *run) finishTask(t task) {
	s := ru.s
	if t.ds.Name == "jobs" && t.jobID == "" {
		s.JobIDs = slices.Clone(s.GroupKeys)
	}
	s.Task++
	s.List = 0
	s.GroupKeys = nil
	clear(ru.groupKeys)
	ru.resetPass()
}

func (ru *run) report(t task) {
	if ru.cfg.Progress == nil {
		return
	}
	ru.cfg.Progress(Progress{
		Dataset:  t.ds.Name,
		Rows:     ru.s.counts(t.ds.Name).Rows,
		Task:     ru.s.Task,
		Tasks:    ru.tasksKnown(),
		Requests: ru.cfg.Client.Stats().Requests,
	})
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

func (ru *run) writer(ctx context.Context, d dataset.Dataset) (*segmentWriter, error) {
	if w, ok := ru.open[d.Name]; ok {
		return w, nil
	}
	// The invocation's lease holder is part of the name, so that two
	// invocations of one run never write the same segment.
	key := fmt.Sprintf("%s%s/segment-%05d-%s.parquet", stagingPrefix(ru.date, ru.s.RunID), d.Name, len(ru.s.Segments[d.Name]), ru.k.holder)
	// The segment outlives a cancelled invocation, so that what was fetched
	// can still be closed and saved; failures abort it explicitly.
	obj, err := ru.cfg.Store.Create(context.WithoutCancel(ctx), key)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %s: create segment %s: %w", d.Name, key, err)
	}
	cw := &countingWriter{w: obj}
	w := &segmentWriter{key: key, obj: obj, cw: cw, w: d.NewWriter(cw)}
	ru.open[d.Name] = w
	return w, nil
}

func (ru *run) abortOpen() {
	for name, w := range ru.open {
		if err := w.obj.Abort(); err != nil {
			ru.log.Warn("abort segment", "key", w.key, "error", err.Error())
		}
		delete(ru.open, name)
	}
}

// checkpoint closes the open segments and saves the state. On failure the
// working state falls back to the last checkpoint, whose segments are all
// in place.
func (ru *run) checkpoint(ctx context.Context) error {
	names := make([]string, 0, len(ru.open))
	for n := range ru.open {
		names = append(names, n)
	}
	sort.Strings(names)
	var closed []string
	for _, n := range names {
		w := ru.open[n]
		err := w.w.Close()
		if err == nil {
			err = w.obj.Close()
		} else {
			_ = w.obj.Abort()
		}
		delete(ru.open, n)
		if err != nil {
			ru.abortOpen()
			ru.s = ru.committed.clone()
			ru.restoreKeys()
			return fmt.Errorf("snapshot: %s: close segment %s: %w", n, w.key, err)
		}
		ru.s.Segments[n] = append(ru.s.Segments[n], segment{Key: w.key, Rows: w.rows, Bytes: w.cw.n})
		closed = append(closed, w.key)
	}
	if err := ru.save(ctx); err != nil {
		// No checkpoint names the segments just closed: remove them (the
		// names are this invocation's own, so nobody else needs them).
		if len(closed) > 0 {
			if derr := ru.cfg.Store.Delete(context.WithoutCancel(ctx), closed...); derr != nil {
				ru.log.Warn("remove segments no checkpoint names", "run_id", ru.s.RunID, "error", derr.Error())
			}
		}
		ru.s = ru.committed.clone()
		ru.restoreKeys()
		return err
	}
	return nil
}

// save writes the working state as the checkpoint.
func (ru *run) save(ctx context.Context) error {
	now := ru.cfg.Now()
	st := ru.cfg.Client.Stats()
	s := *ru.s // the counters move on only once the checkpoint is saved
	s.Requests += st.Requests - ru.statsBase.Requests
	s.Retries += st.Retries - ru.statsBase.Retries
	s.Throttled += st.Throttled - ru.statsBase.Throttled
	s.ElapsedMs += now.Sub(ru.lastSave).Milliseconds()
	s.UpdatedAt = now.UTC()
	s.PassKeys = sortedKeys(ru.passKeys)
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

func sortedKeys(m map[string]struct{}) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func deletePrefix(ctx context.Context, st store.Store, prefix string) error {
	objs, err := st.List(ctx, prefix)
	if err != nil {
		return fmt.Errorf("snapshot: list %s: %w", prefix, err)
	}
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.Key
	}
	if len(keys) == 0 {
		return nil
	}
	if err := st.Delete(ctx, keys...); err != nil {
		return fmt.Errorf("snapshot: delete %s: %w", prefix, err)
	}
	return nil
}
