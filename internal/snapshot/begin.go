package snapshot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// run is one invocation's view of a snapshot run.
type run struct {
	*Runner
	date string
	sel  []dataset.Dataset

	plan  plan
	runID string     // of the run adopted; read without the lock
	scope Scope      // the run's fetch scope
	base  *baseIndex // the base's application states, while job_candidates is read

	// mu guards s, committed and seg while workers fetch.
	mu        sync.Mutex
	s         *state // working state, ahead of the checkpoint
	committed *state // the state last saved as the checkpoint
	k         *keeper
	seg       *segments

	started     time.Time
	lastSave    time.Time
	statsBase   keka.Stats
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
		return ru.restart(ctx, req, cp, settings)
	}

	switch {
	case cp != nil && cp.Status == StatusInProgress:
		if req.RunID != "" && req.RunID != cp.RunID {
			return nil, fmt.Errorf("snapshot: run %s is not the unfinished run of %s (that is %s): %w", req.RunID, date, cp.RunID, ErrInvalidRequest)
		}
		if len(req.Datasets) > 0 && !slices.Equal(names(sel), cp.Datasets) {
			return nil, fmt.Errorf("snapshot: the unfinished run %s of %s exports %v, not %v; invoke with the same datasets, or with \"restart\": true and \"runId\": %q: %w", cp.RunID, date, cp.Datasets, names(sel), cp.RunID, ErrInvalidRequest)
		}
		return ru.resume(ctx, cp, req)
	case cp != nil && req.RunID != "" && req.RunID == cp.RunID:
		// A retried invocation of a run that already ended: report how it
		// ended again rather than export the date a second time.
		return ru.resume(ctx, cp, req)
	case req.RunID != "":
		return nil, fmt.Errorf("snapshot: run %s of %s is not in progress; invoke without runId to start a new run: %w", req.RunID, date, ErrInvalidRequest)
	}
	return ru.start(ctx, req, settings)
}

// restart discards the unfinished run req names and starts a new one. A
// retried delivery of the same event finds that run already replaced, and
// goes on with the new one.
func (ru *run) restart(ctx context.Context, req Request, cp *state, settings runSettings) (*run, error) {
	r, date := ru.Runner, ru.date
	switch {
	case cp != nil && cp.Replaced == req.RunID:
		// This event already replaced that run: a retry of it goes on
		// with the new run, or reports how that run ended.
		return ru.resume(ctx, cp, req)
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
		Keys:         map[string]*keySet{},
		Counts:       map[string]*datasetCounts{},
		Segments:     map[string][]segment{},
	}
	if req.Restart {
		s.Replaced = req.RunID
	}
	if needsBase(ru.sel) {
		b, err := pinBase(ctx, ru.cfg.Store, ru.date, ru.sel, settings.PII)
		if err != nil {
			return nil, err
		}
		s.Base = b
	}
	scope, err := ParseScope(req.FetchScope)
	if err != nil {
		return nil, err
	}
	s.Scope = scope.String()
	for _, d := range ru.sel {
		s.counts(d.Name)
	}
	if err := ru.adopt(s); err != nil {
		return nil, err
	}
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
func (ru *run) resume(ctx context.Context, cp *state, req Request) (*run, error) {
	ru.sel = nil
	for _, n := range cp.Datasets {
		d, ok := dataset.Lookup(n)
		if !ok {
			return nil, fmt.Errorf("snapshot: checkpoint of %s names unknown dataset %q: %w", ru.date, n, errPermanent)
		}
		ru.sel = append(ru.sel, d)
	}
	if err := ru.adopt(cp); err != nil {
		return nil, err
	}
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
	// Take the lease now, before anything else: a second invocation that
	// read the same checkpoint loses this compare-and-swap, or sees the
	// lease.
	if err := ru.save(ctx); err != nil {
		return nil, err
	}
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

// adopt makes s the run's working and committed state, with the plan of
// its datasets and no open segments.
func (ru *run) adopt(s *state) error {
	p, err := newPlan(ru.sel)
	if err != nil {
		return fmt.Errorf("%w: %w", err, errPermanent)
	}
	scope, err := ParseScope(s.Scope)
	if err != nil {
		return fmt.Errorf("snapshot: checkpoint of %s: %w: %w", ru.date, err, errPermanent)
	}
	ru.plan, ru.s, ru.committed, ru.runID, ru.scope, ru.base = p, s, s.clone(), s.RunID, scope, nil
	ru.seg = &segments{st: ru.cfg.Store, prefix: stagingPrefix(ru.date, s.RunID), holder: ru.k.holder, open: map[string]*segmentWriter{}}
	return nil
}
