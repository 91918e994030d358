package snapshot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
)

// Scope bounds the applications whose CarryOver datasets (interviews,
// scorecards) a run reads from Keka when they are new or changed: all of
// them, the active ones only (not archived), or those moved to their stage
// in the Days days up to the snapshot date (an application without a
// moved-to-stage time is outside). An application outside the scope is
// not read; its rows are carried over from the previous snapshot, when
// that has them.
type Scope struct {
	Active bool
	Days   int
}

// ParseScope reads "all" (or ""), "active" or "Nd" (N from 1 to 3650),
// or returns an error saying which forms there are.
func ParseScope(s string) (Scope, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); {
	case v == "" || v == "all":
		return Scope{}, nil
	case v == "active":
		return Scope{Active: true}, nil
	case strings.HasSuffix(v, "d"):
		n, err := strconv.Atoi(strings.TrimSuffix(v, "d"))
		if err == nil && n >= 1 && n <= 3650 {
			return Scope{Days: n}, nil
		}
	}
	return Scope{}, fmt.Errorf("snapshot: fetch scope %q is not all, active or Nd (N days, 1 to 3650): %w", s, ErrInvalidRequest)
}

// String returns the scope as ParseScope reads it.
func (sc Scope) String() string {
	switch {
	case sc.Active:
		return "active"
	case sc.Days > 0:
		return strconv.Itoa(sc.Days) + "d"
	}
	return "all"
}

// includes reports whether application a of a snapshot of date is in scope.
func (sc Scope) includes(a dataset.ApplicationState, date string) bool {
	switch {
	case sc.Active:
		return !a.IsArchived
	case sc.Days > 0:
		d, err := time.Parse(time.DateOnly, date)
		return err == nil && a.MovedToStageOn != nil && !a.MovedToStageOn.Before(d.AddDate(0, 0, 1-sc.Days))
	}
	return true
}

// appMarks say, for the applications of this run's job_candidates, what
// the CarryOver datasets do: Changed are new or changed against the base
// (recorded only when there is a base: without one, every application is
// new), OutOfScope are outside the run's scope. They grow as job_candidates
// is read, and are saved with the checkpoint.
type appMarks struct {
	Changed    keySet `json:"changed"`
	OutOfScope keySet `json:"outOfScope"`
}

// carryPos is how far a CarryOver dataset's rows of the base were carried
// over: Row is the next row of the base's object to read (those before it
// were read, and the carried ones committed with the checkpoint).
type carryPos struct {
	Row     int64 `json:"row"`
	Carried int64 `json:"carried"`
	Done    bool  `json:"done"`
}

// marksNeeded reports whether the run reads a CarryOver dataset.
func (ru *run) marksNeeded() bool {
	for _, d := range ru.plan.datasets() {
		if d.CarryOver {
			return true
		}
	}
	return false
}

// loadMarksBase loads the base's application states, which mark needs,
// when job_candidates is still to be read in this invocation.
func (ru *run) loadMarksBase(ctx context.Context) error {
	if ru.base != nil || ru.s.Base == nil || ru.s.done(sourceOfChanges) || !ru.marksNeeded() {
		return nil
	}
	ix, err := loadBaseIndex(ctx, ru.cfg.Store, ru.s.Base)
	if err != nil {
		return err
	}
	ru.base = ix
	return nil
}

// mark records what the CarryOver datasets do for the application of a
// job_candidates row just taken. ru.mu is held.
func (ru *run) mark(row dataset.Row) error {
	return markApp(row, ru.scope, ru.date, ru.s.Base != nil, ru.base, &ru.s.Apps)
}

// markApp records in m whether the application of row is outside scope
// or, when there is a base (hasBase, its states ix), new or changed.
func markApp(row dataset.Row, scope Scope, date string, hasBase bool, ix *baseIndex, m *appMarks) error {
	sr, ok := row.(interface {
		State() dataset.ApplicationState
	})
	if !ok {
		return fmt.Errorf("snapshot: %s row %T has no application state: %w", sourceOfChanges, row, errPermanent)
	}
	a := sr.State()
	key := a.Key()
	switch {
	case !scope.includes(a, date):
		m.OutOfScope.Add(key)
	case !hasBase:
	case ix == nil:
		return fmt.Errorf("snapshot: the base's application states are not loaded: %w", errPermanent)
	default:
		if e := ix.find(key); e == nil || ix.state(e, a.JobID, a.CandidateID).Changed(a) {
			m.Changed.Add(key)
		}
	}
	return nil
}

// fetchApp reports whether the run reads CarryOver dataset ds for the
// application key from Keka.
func (ru *run) fetchApp(ds, key string) bool { return ru.s.Apps.fetch(ru.carries(ds), key) }

// fetch reports whether a CarryOver dataset is read from Keka for the
// application key; carries says whether the base has rows of it.
func (m *appMarks) fetch(carries bool, key string) bool {
	if m.OutOfScope.Has(key) {
		return false
	}
	return !carries || m.Changed.Has(key)
}

// carried reports whether every dataset the run carries rows over for
// has been carried whole.
func (ru *run) carried() bool {
	return !slices.ContainsFunc(ru.sel, ru.carryPending)
}

// carryPending reports whether rows of d are still to be carried over.
func (ru *run) carryPending(d dataset.Dataset) bool {
	return d.CarryOver && ru.carries(d.Name) && (ru.s.Carry[d.Name] == nil || !ru.s.Carry[d.Name].Done)
}

// carries reports whether the base has a snapshot of ds to carry rows
// over from.
func (ru *run) carries(ds string) bool {
	return ru.s.Base != nil && ru.s.Base.Runs[ds] != ""
}

// decide empties the lists of a CarryOver task whose application is not
// read from Keka in this run.
func (ru *run) decide(t task) task {
	if t.ds.CarryOver && !ru.fetchApp(t.ds.Name, t.parent) {
		t.lists = nil
	}
	return t
}

// errBudget stops a carry-over at the invocation's StopAt.
var errBudget = errors.New("snapshot: invocation budget used")

// carry copies, for every CarryOver dataset with a base, the base's rows of
// the applications this run did not read. It goes a batch at a time, the
// position in the checkpoint with the rows copied: an invocation stopped
// (at StopAt, after at least one batch, or by a crash) leaves the next one
// to go on from the last checkpoint, copying every row once.
func (ru *run) carry(ctx, work context.Context) error {
	for _, d := range ru.sel {
		if !ru.carryPending(d) {
			continue
		}
		if ru.s.Carry == nil {
			ru.s.Carry = map[string]*carryPos{}
		}
		pos := ru.s.Carry[d.Name]
		if pos == nil {
			pos = &carryPos{}
			ru.s.Carry[d.Name] = pos
		}
		if err := ru.carryDataset(ctx, work, d, pos); err != nil {
			return err
		}
	}
	return nil
}

func (ru *run) carryDataset(ctx, work context.Context, d dataset.Dataset, pos *carryPos) error {
	obj, err := ru.s.Base.object(ctx, ru.cfg.Store, d.Name)
	if err != nil {
		return err
	}
	defer obj.Close()
	meta := dataset.Meta{RunID: ru.runID, ExtractedAt: ru.extractedAt}
	keys, c := ru.s.keys(sourceOfChanges), ru.s.counts(d.Name)
	chunks := 0
	var ferr error
	err = d.ReadRows(obj, obj.Size(), pos.Row, func(rows []dataset.Row) error {
		for len(rows) > 0 {
			if chunks++; chunks > 1 && work.Err() != nil {
				ferr = errBudget
				return ferr
			}
			n := min(len(rows), carryChunkRows)
			if ferr = ru.carryChunk(ctx, d, pos, rows[:n], keys, meta); ferr != nil {
				return ferr
			}
			rows = rows[n:]
		}
		return nil
	})
	switch {
	case errors.Is(ferr, errBudget):
		return fmt.Errorf("snapshot: %s: carrying rows over from dt=%s stopped at row %d: %w", d.Name, ru.s.Base.Date, pos.Row, context.DeadlineExceeded)
	case ferr != nil:
		return ferr
	case err != nil:
		return fmt.Errorf("snapshot: %s: read dt=%s: %w", d.Name, ru.s.Base.Date, err)
	}
	pos.Done = true
	if pos.Carried > 0 {
		c.SourceTotal = -1 // Keka's totals count the rows read, not those carried
	}
	ru.log.Info("rows carried over", "dataset", d.Name, "previous_snapshot", ru.s.Base.Date, "rows", pos.Carried)
	return ru.checkpoint(ctx)
}

// carryChunkRows is how many rows of the base a carry-over reads between two
// looks at the invocation's StopAt.
var carryChunkRows = 1024

// carryChunk writes the rows of one chunk of the base that the run carries
// over, and moves the position past the chunk, checkpointing when it is
// time to.
func (ru *run) carryChunk(ctx context.Context, d dataset.Dataset, pos *carryPos, rows []dataset.Row, keys *keySet, meta dataset.Meta) error {
	out := make([]dataset.Row, 0, len(rows))
	for _, r := range rows {
		cr, ok := r.(dataset.Carried)
		if !ok {
			return fmt.Errorf("snapshot: %s: row %T cannot be carried over: %w", d.Name, r, errPermanent)
		}
		if app := cr.Application(); keys.Has(app) && !ru.fetchApp(d.Name, app) {
			out = append(out, cr.CarriedOver(meta))
		}
	}
	if err := ru.seg.write(ctx, d, len(ru.s.Segments[d.Name]), out); err != nil {
		return &writeError{err}
	}
	pos.Row += int64(len(rows))
	pos.Carried += int64(len(out))
	ru.s.counts(d.Name).Rows += int64(len(out))
	if ru.cfg.Now().Sub(ru.lastSave) >= ru.cfg.CheckpointEvery {
		return ru.checkpoint(ctx)
	}
	return nil
}
