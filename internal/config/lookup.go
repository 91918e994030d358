package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Lookup is an on-demand look-up of records in Keka (the event's
// "lookup"): it touches no snapshot and no checkpoint.
type Lookup struct {
	Dataset      string
	JobID        string   // jobs: the one job; job_candidates: whose candidates (required)
	CandidateIDs []string // at most MaxLookupIDs
	Status       *int
	Stage        *int
	IsArchived   *bool
	LastModified time.Time // zero when not given
	Limit        int       // records returned at most; DefaultLookupLimit when not given
}

// Bounds of a look-up.
const (
	DefaultLookupLimit = 100
	MaxLookupLimit     = 500
	MaxLookupIDs       = 100
)

// lookupFields are the fields of "lookup", with what each must hold.
var lookupFields = []struct{ name, want string }{
	{"dataset", "a dataset name"},
	{"jobId", "a string"},
	{"candidateIds", "a list of strings"},
	{"status", "an integer"},
	{"stage", "an integer"},
	{"isArchived", "true or false"},
	{"lastModified", "an ISO 8601 timestamp such as 2026-11-01T00:00:00Z"},
	{"limit", fmt.Sprintf("an integer from 1 to %d", MaxLookupLimit)},
}

// lookupEvent is the raw "lookup" object.
type lookupEvent struct {
	Dataset      string
	JobID        string
	CandidateIDs []string
	Status       *int
	Stage        *int
	IsArchived   *bool
	LastModified string
	Limit        *int
}

// parseLookup reads and validates the "lookup" object; known lists the
// dataset names.
func parseLookup(v json.RawMessage, known []string) (*Lookup, error) {
	if len(v) == 0 || v[0] != '{' {
		return nil, errors.New(`event: "lookup" must be an object, e.g. {"dataset": "preboarding_candidates", "status": 1}`)
	}
	fields, err := readObject(v)
	if err != nil {
		return nil, fmt.Errorf("event: lookup: %w", err)
	}
	var e lookupEvent
	dst := map[string]any{"dataset": &e.Dataset, "jobId": &e.JobID, "candidateIds": &e.CandidateIDs, "status": &e.Status,
		"stage": &e.Stage, "isArchived": &e.IsArchived, "lastModified": &e.LastModified, "limit": &e.Limit}
	names := make([]string, len(lookupFields))
	for i, f := range lookupFields {
		names[i] = f.name
	}
	for _, f := range fields {
		d, ok := dst[f.name]
		if !ok {
			if right, ok := foldMatch(f.name, names); ok {
				return nil, fmt.Errorf("event: lookup: unknown field %s: did you mean %s? (field names are case-sensitive)", quoteName(f.name), right)
			}
			return nil, fmt.Errorf("event: lookup: unknown field %s: valid ones are %s", quoteName(f.name), strings.Join(names, ", "))
		}
		if err := json.Unmarshal(f.value, d); err != nil {
			i := slices.Index(names, f.name)
			return nil, fmt.Errorf("event: lookup: field %s: want %s", f.name, lookupFields[i].want)
		}
	}
	return e.validate(known)
}

// validate checks the look-up's values; which filter applies to which
// dataset is for the look-up itself to say.
func (e lookupEvent) validate(known []string) (*Lookup, error) {
	l := &Lookup{Dataset: e.Dataset, JobID: strings.TrimSpace(e.JobID), Status: e.Status, Stage: e.Stage, IsArchived: e.IsArchived, Limit: DefaultLookupLimit}
	switch {
	case e.Dataset == "":
		return nil, fmt.Errorf("event: lookup: no dataset: give one of %s", strings.Join(known, ", "))
	case !slices.Contains(known, e.Dataset):
		return nil, fmt.Errorf("event: lookup: unknown dataset %s: valid ones are %s", short(e.Dataset), strings.Join(known, ", "))
	case len(e.CandidateIDs) > MaxLookupIDs:
		return nil, fmt.Errorf("event: lookup: %d candidateIds, more than the %d accepted", len(e.CandidateIDs), MaxLookupIDs)
	case len(l.JobID) > 64:
		return nil, errors.New("event: lookup: jobId is longer than 64 characters")
	}
	for _, id := range e.CandidateIDs {
		id = strings.TrimSpace(id)
		if id == "" || len(id) > 64 {
			return nil, errors.New("event: lookup: candidateIds must be non-empty ids of up to 64 characters")
		}
		l.CandidateIDs = append(l.CandidateIDs, id)
	}
	if e.LastModified != "" {
		t, err := time.Parse(time.RFC3339, e.LastModified)
		if err != nil {
			return nil, errors.New("event: lookup: lastModified is not ISO 8601: want e.g. 2026-11-01T00:00:00Z")
		}
		l.LastModified = t.UTC()
	}
	if e.Limit != nil {
		if *e.Limit < 1 || *e.Limit > MaxLookupLimit {
			return nil, fmt.Errorf("event: lookup: limit must be from 1 to %d", MaxLookupLimit)
		}
		l.Limit = *e.Limit
	}
	return l, nil
}
