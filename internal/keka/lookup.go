package keka

import (
	"net/url"
	"strconv"
	"time"
)

// Filter is what Keka itself can filter a list by. Which list takes which
// filter: /hire/jobs takes Status (as JobStatus) and LastModified; a job's
// candidates take Archived (isArchived) and LastModified; preboarding
// takes CandidateIDs, Stage, Status and LastModified. Zero values filter
// nothing.
type Filter struct {
	CandidateIDs  []string
	Status, Stage *int
	Archived      *bool
	LastModified  time.Time
}

// FilteredJobsList returns /hire/jobs filtered by job status and last
// modification.
func FilteredJobsList(f Filter) List {
	q := url.Values{}
	if f.Status != nil {
		q.Set("JobStatus", strconv.Itoa(*f.Status))
	}
	setSince(q, f.LastModified)
	return List{Path: JobsList().Path, Query: q}
}

// FilteredJobCandidatesList returns one job's active or archived
// candidates, filtered by last modification.
func FilteredJobCandidatesList(jobID string, archived bool, f Filter) List {
	l := JobCandidatesList(jobID, archived)
	setSince(l.Query, f.LastModified)
	return l
}

// FilteredPreboardingList returns the preboarding candidates filtered by
// candidate ids (one candidateIds parameter each), stage, status and last
// modification.
func FilteredPreboardingList(f Filter) List {
	q := url.Values{}
	for _, id := range f.CandidateIDs {
		q.Add("candidateIds", id)
	}
	if f.Stage != nil {
		q.Set("stage", strconv.Itoa(*f.Stage))
	}
	if f.Status != nil {
		q.Set("status", strconv.Itoa(*f.Status))
	}
	setSince(q, f.LastModified)
	return List{Path: PreboardingList().Path, Query: q}
}

// setSince adds lastModified in the ISO 8601 form Keka requires (an epoch
// number gets 400).
func setSince(q url.Values, t time.Time) {
	if !t.IsZero() {
		q.Set("lastModified", t.UTC().Format(time.RFC3339))
	}
}
