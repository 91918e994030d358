package dataset

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"
)

// ApplicationsName is the dataset of applications, whose rows
// ApplicationState reads: ChangesOf datasets name it, CarryOver datasets
// are listed per its keys, and a run compares its snapshots.
const ApplicationsName = "job_candidates"

// ApplicationState is what a run compares of one application between two
// job_candidates snapshots. Its Parquet tags name job_candidates columns,
// so that a reader of this type reads those columns alone.
type ApplicationState struct {
	JobID             string     `parquet:"job_id"`
	CandidateID       string     `parquet:"candidate_id"`
	IsArchived        bool       `parquet:"is_archived"`
	Stage             *string    `parquet:"stage,optional"`
	ApplicationStatus *int32     `parquet:"application_status,optional"`
	MovedToStageOn    *time.Time `parquet:"moved_to_stage_on,optional,timestamp(millisecond)"`
}

// Key returns job_id + "/" + candidate_id, the job_candidates key.
func (a ApplicationState) Key() string { return a.JobID + "/" + a.CandidateID }

// Moved reports whether the application's stage, status or archive state
// differs from b's: what job_candidate_changes records.
func (a ApplicationState) Moved(b ApplicationState) bool {
	return a.IsArchived != b.IsArchived || !eqPtr(a.Stage, b.Stage) || !eqPtr(a.ApplicationStatus, b.ApplicationStatus)
}

// Changed reports whether the application moved (Moved) or its
// moved-to-stage time differs: what makes a run read its interviews and
// scorecards again.
func (a ApplicationState) Changed(b ApplicationState) bool {
	if a.Moved(b) || (a.MovedToStageOn == nil) != (b.MovedToStageOn == nil) {
		return true
	}
	return a.MovedToStageOn != nil && !a.MovedToStageOn.Equal(*b.MovedToStageOn)
}

func ptrTo[T any](v T) *T { return &v }

func eqPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// State returns the row's ApplicationState.
func (r JobCandidateRow) State() ApplicationState {
	return ApplicationState{JobID: r.JobID, CandidateID: r.CandidateID, IsArchived: r.IsArchived,
		Stage: r.Stage, ApplicationStatus: r.ApplicationStatus, MovedToStageOn: r.MovedToStageOn}
}

// Change types of job_candidate_changes.
const (
	ChangeNew     = "new"     // in this snapshot, not in the previous one
	ChangeMoved   = "changed" // stage, status or archive state differs
	ChangeRemoved = "removed" // in the previous snapshot, not in this one
)

// JobCandidateChangeRow is one row of job_candidate_changes: one
// application whose stage, status or archive state differs between the
// previous complete job_candidates snapshot (previous_snapshot_date) and
// this run's (snapshot_date), or that appeared or disappeared between them.
// The two dates are YYYY-MM-DD strings, as the partition column dt is.
// The old_ columns are null for a new application, the new_ ones for a
// removed one. moved_to_stage_on is Keka's movedtoStageOn, the nearest the
// API comes to when the change happened; the snapshot dates bound it.
//
// There is no raw_json: the row is computed by the run, not read from
// Keka, and the application's record is in job_candidates' raw_json of
// either date.
type JobCandidateChangeRow struct {
	JobID                string     `parquet:"job_id,dict"`
	CandidateID          string     `parquet:"candidate_id"`
	ChangeType           string     `parquet:"change_type,dict"`
	PreviousSnapshotDate string     `parquet:"previous_snapshot_date,dict"`
	SnapshotDate         string     `parquet:"snapshot_date,dict"`
	OldStage             *string    `parquet:"old_stage,optional,dict"`
	NewStage             *string    `parquet:"new_stage,optional,dict"`
	OldStatus            *int32     `parquet:"old_application_status,optional"`
	NewStatus            *int32     `parquet:"new_application_status,optional"`
	OldIsArchived        *bool      `parquet:"old_is_archived,optional"`
	NewIsArchived        *bool      `parquet:"new_is_archived,optional"`
	OldMovedToStageOn    *time.Time `parquet:"old_moved_to_stage_on,optional,timestamp(millisecond)"`
	NewMovedToStageOn    *time.Time `parquet:"new_moved_to_stage_on,optional,timestamp(millisecond)"`
	ExtractedAt          time.Time  `parquet:"extracted_at,timestamp(millisecond)"`
	RunID                string     `parquet:"run_id,dict"`
}

// Key returns job_id + "/" + candidate_id.
func (r JobCandidateChangeRow) Key() string { return r.JobID + "/" + r.CandidateID }

// NewChange returns the change row of one application: old is nil for a new
// application, cur for a removed one. previous and date are the two
// snapshot dates (YYYY-MM-DD); it fails when one is not a date, or both
// states are nil.
func NewChange(old, cur *ApplicationState, previous, date string, m Meta) (JobCandidateChangeRow, error) {
	_, err1 := time.Parse(time.DateOnly, previous)
	_, err2 := time.Parse(time.DateOnly, date)
	if err1 != nil || err2 != nil {
		return JobCandidateChangeRow{}, fmt.Errorf("dataset job_candidate_changes: snapshot dates %q and %q are not both YYYY-MM-DD", previous, date)
	}
	r := JobCandidateChangeRow{PreviousSnapshotDate: previous, SnapshotDate: date, ExtractedAt: utcMillis(m.ExtractedAt), RunID: m.RunID}
	switch {
	case old == nil && cur == nil:
		return JobCandidateChangeRow{}, fmt.Errorf("dataset job_candidate_changes: a change with neither an old nor a new state")
	case old == nil:
		r.ChangeType = ChangeNew
	case cur == nil:
		r.ChangeType = ChangeRemoved
	default:
		r.ChangeType = ChangeMoved
	}
	if old != nil {
		r.JobID, r.CandidateID = old.JobID, old.CandidateID
		r.OldStage, r.OldStatus, r.OldIsArchived, r.OldMovedToStageOn = old.Stage, old.ApplicationStatus, ptrTo(old.IsArchived), old.MovedToStageOn
	}
	if cur != nil {
		r.JobID, r.CandidateID = cur.JobID, cur.CandidateID
		r.NewStage, r.NewStatus, r.NewIsArchived, r.NewMovedToStageOn = cur.Stage, cur.ApplicationStatus, ptrTo(cur.IsArchived), cur.MovedToStageOn
	}
	return r, nil
}

// jobCandidateChanges is computed by each run that writes job_candidates
// (ChangesOf), from that run's rows and the previous complete snapshot's;
// Keka is not asked for anything. The first snapshot of a tenant has no
// previous one to compare with, and no rows.
func jobCandidateChanges() Dataset {
	const name = "job_candidate_changes"
	return Dataset{
		Name:          name,
		SchemaVersion: jobCandidateChangesSchemaVersion,
		KeyColumns:    []string{"job_id", "candidate_id"},
		ChangesOf:     "job_candidates",
		Map: func(json.RawMessage, Meta) (Row, error) {
			return nil, fmt.Errorf("dataset %s: computed by the run, not mapped from Keka records", name)
		},
		Schema:    parquet.SchemaOf(JobCandidateChangeRow{}),
		NewWriter: func(w io.Writer) Writer { return newWriter[JobCandidateChangeRow](name, w) },
	}
}
