package kekasim

import (
	"strings"
	"sync"
	"time"
)

// Truth is what the tenant holds, typed and independent of any client: what
// an exporter must end up with. Jobs are in list order; applications are
// grouped by job in job order, each job's active list then its archived list,
// both in list order; preboarding candidates are in list order. It is the
// same whatever the Options: shapes, number forms, latency and the gateway
// change how records travel, not what the tenant holds.
//
// A nil pointer means the API sends null, "" or leaves the key out. Times are
// the instant the wire value denotes, in UTC, at millisecond precision.
type Truth struct {
	Jobs         []TruthJob
	Applications []TruthApplication // one per (JobID, CandidateID)
	Preboarding  []TruthPreboarding
	// Drafts are the draft jobs (status 0), in the order of creation with
	// the others: /hire/jobs does not list them, so an export must not
	// hold them. They have no applications.
	Drafts []TruthJob

	// The other Hire lists. Stages, TalentPools, PoolCandidates (pool by
	// pool), JobBoards are in list order; Interviews and Scorecards follow
	// Applications, each application's in list order; ApplicationFields
	// follow Jobs, each job's in list order.
	Stages            []TruthStage
	Interviews        []TruthInterview
	Scorecards        []TruthScorecard
	TalentPools       []TruthTalentPool
	PoolCandidates    []TruthPoolCandidate
	JobBoards         []TruthJobBoard
	ApplicationFields []TruthApplicationField
}

// TruthJob is one job requisition of /hire/jobs. NoOfOpenings and JobType
// (1 PartTime, 2 FullTime) arrive as strings or JSON numbers (see
// JobNumbers); the value is the same.
type TruthJob struct {
	ID, Title                              string
	DepartmentName                         *string
	Status                                 *int
	NoOfOpenings                           *int
	JobType                                *int
	CreatedOn, PublishedOn, TargetHireDate *time.Time
}

// TruthApplication is one job candidate of /hire/jobs/{jobId}/candidates.
// Stage, Status, AppliedOn, MovedToStageOn, Source and SourcedBy come from
// jobApplicationDetails (jobHiringStageId, status, appliedOn, movedtoStageOn,
// sourceTitle, sourcedBy).
type TruthApplication struct {
	JobID, CandidateID                string
	FirstName, LastName, Email, Phone *string
	Archived                          bool // listed only with isArchived=true
	Stage                             *string
	Status                            *int
	AppliedOn, MovedToStageOn         *time.Time
	Source, SourcedBy                 *string
}

// TruthPreboarding is one candidate of /hire/preboarding/candidates.
// JobTitle comes from "jobtitle", as the spec spells it, or on some records
// from "jobTitle".
type TruthPreboarding struct {
	CandidateID                string
	FirstName, LastName, Email *string
	Stage, Status              *int
	JobTitle, Department       *string
	ExpectedDateOfJoining      *time.Time
}

// state is the mutable part of a tenant: the lists a server serves.
// Records are never changed in place; a mutation replaces them, so a
// response rendered under the read lock is consistent.
type state struct {
	mu    sync.RWMutex
	jobs  []*jobState
	byID  map[string]*jobState // by lower-case job id
	pre   []*preRec
	clock time.Time // the tenant's now; mutations move it on
}

// jobState is one job and its two candidate lists, newest first.
type jobState struct {
	job              *job
	active, archived []*app
}

// clone copies the lists, sharing the immutable records.
func (s *state) clone() *state {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := &state{
		jobs:  make([]*jobState, len(s.jobs)),
		byID:  make(map[string]*jobState, len(s.jobs)),
		pre:   append([]*preRec(nil), s.pre...),
		clock: s.clock,
	}
	for i, j := range s.jobs {
		cj := &jobState{job: j.job, active: append([]*app(nil), j.active...), archived: append([]*app(nil), j.archived...)}
		c.jobs[i] = cj
		c.byID[strings.ToLower(j.job.truth.ID)] = cj
	}
	return c
}

func (s *state) truth() Truth {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, j := range s.jobs {
		n += len(j.active) + len(j.archived)
	}
	t := Truth{
		Jobs:         make([]TruthJob, 0, len(s.jobs)),
		Applications: make([]TruthApplication, 0, n),
		Preboarding:  make([]TruthPreboarding, 0, len(s.pre)),
	}
	for _, j := range s.jobs {
		if j.job.draft() {
			t.Drafts = append(t.Drafts, j.job.truth)
			continue
		}
		t.Jobs = append(t.Jobs, j.job.truth)
		for _, a := range j.active {
			t.Applications = append(t.Applications, a.truth)
		}
		for _, a := range j.archived {
			t.Applications = append(t.Applications, a.truth)
		}
	}
	for _, p := range s.pre {
		t.Preboarding = append(t.Preboarding, p.truth)
	}
	return t
}
