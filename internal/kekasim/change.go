package kekasim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The changes a recruiter makes between two exports, one application at a
// time: each moves the tenant's clock on by a minute, stamps the records it
// touches with it (their lastModified), and leaves Truth, and the
// interviews and scorecards derived from an application's stage, as Keka
// would then answer. They fail, changing nothing, when the job or the
// application does not exist.

// MoveApplication moves the application (jobID, candidateID) to stage, as
// of the tenant's clock: its jobHiringStageId and movedtoStageOn change.
func (s *Server) MoveApplication(jobID, candidateID, stage string) error {
	return s.changeApplication(jobID, candidateID, func(a *app, now time.Time, js *jobState) {
		a.truth.Stage = ptr(stage)
		a.truth.MovedToStageOn = ptr(now.UTC().Truncate(time.Millisecond))
		a.detail = s.mgen.applicationDetail(&a.truth, now)
	})
}

// ArchiveApplication archives the active application (jobID, candidateID):
// it leaves the job's candidates list for the isArchived=true one.
func (s *Server) ArchiveApplication(jobID, candidateID string) error {
	return s.changeApplication(jobID, candidateID, func(a *app, now time.Time, js *jobState) {
		if a.truth.Archived {
			return
		}
		a.truth.Archived = true
		a.arch = s.mgen.archivedDetails(true, now)
		js.active = slices.DeleteFunc(js.active, func(x *app) bool { return x.truth.CandidateID == a.truth.CandidateID })
		js.archived = slices.Insert(js.archived, 0, a)
	})
}

// RemoveApplication deletes the application (jobID, candidateID): neither
// candidates list of the job holds it any more.
func (s *Server) RemoveApplication(jobID, candidateID string) error {
	return s.changeApplication(jobID, candidateID, func(a *app, now time.Time, js *jobState) {
		gone := func(x *app) bool { return x.truth.CandidateID == a.truth.CandidateID }
		js.active = slices.DeleteFunc(js.active, gone)
		js.archived = slices.DeleteFunc(js.archived, gone)
	})
}

// AddApplication adds an active application of a new candidate to jobID,
// applied at the tenant's clock, and returns the candidate's id.
func (s *Server) AddApplication(jobID string) (string, error) {
	st, g := s.st, s.mgen
	st.mu.Lock()
	defer st.mu.Unlock()
	js := st.byID[strings.ToLower(jobID)]
	if js == nil || js.job.draft() {
		return "", fmt.Errorf("kekasim: add application: no listed job %s", jobID)
	}
	st.clock = st.clock.Add(time.Minute)
	a := g.application(js.job, g.newPerson(), st.clock, false, st.clock)
	a.mod = st.clock
	js.active = slices.Insert(js.active, 0, a)
	return a.truth.CandidateID, nil
}

// changeApplication replaces the application (jobID, candidateID) with a
// copy that change edits (records are never changed in place: a response
// being rendered keeps the old one).
func (s *Server) changeApplication(jobID, candidateID string, change func(a *app, now time.Time, js *jobState)) error {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	js := st.byID[strings.ToLower(jobID)]
	if js == nil {
		return fmt.Errorf("kekasim: change application: no job %s", jobID)
	}
	for _, list := range [][]*app{js.active, js.archived} {
		for i, a := range list {
			if a.truth.CandidateID != candidateID {
				continue
			}
			st.clock = st.clock.Add(time.Minute)
			c := *a
			c.mod = st.clock
			list[i] = &c
			change(&c, st.clock, js)
			return nil
		}
	}
	return fmt.Errorf("kekasim: change application: job %s has no candidate %s", jobID, candidateID)
}
