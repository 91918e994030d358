// Package lookup answers "what does Keka say about this now": it fetches
// the records of one dataset that match a query, with Keka's own filters
// where Keka has them, maps them as a snapshot would (the PII policy
// applied), and returns them as typed columns and raw_json. It writes
// nothing: no snapshot, no checkpoint.
package lookup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// Query is one look-up. Which fields apply depends on the dataset:
//
//   - jobs: JobID (the one job, matched here: Keka has no filter by id),
//     Status (Keka's JobStatus), LastModified;
//   - job_candidates: JobID (required), CandidateIDs (matched here),
//     IsArchived (both lists when nil), LastModified;
//   - preboarding_candidates: CandidateIDs, Status, Stage, LastModified,
//     all Keka's own filters.
type Query struct {
	Dataset      string
	JobID        string
	CandidateIDs []string
	Status       *int
	Stage        *int
	IsArchived   *bool
	LastModified time.Time
	Limit        int // records returned at most (at least 1)
}

// Bounds of one look-up: the pages it reads, and the JSON size of the
// records it returns (a Lambda response holds at most 6 MB).
const (
	MaxPages = 50
	MaxBytes = 4 << 20
)

// ErrInvalid is wrapped by the error of a query that cannot be carried out
// as it stands: a filter the dataset does not take, a missing jobId.
var ErrInvalid = errors.New("invalid look-up")

// Result is what a look-up returns.
type Result struct {
	Status  string           `json:"status"` // "complete"
	Dataset string           `json:"dataset"`
	Count   int              `json:"count"`
	Records []map[string]any `json:"records"` // by column name, raw_json included
	// Truncated is true when Limit records were found before the lists
	// ended, MaxPages were read, or the next record would pass MaxBytes.
	Truncated bool  `json:"truncated"`
	Pages     int   `json:"pages"`
	Requests  int64 `json:"requests"`
	bytes     int   // JSON size of Records so far
}

// Run carries out q through client. meta carries the PII policy, zone and
// extraction time applied to every record. It returns an error wrapping
// ErrInvalid for a query the dataset cannot take, and the client's errors
// otherwise.
func Run(ctx context.Context, client *keka.Client, q Query, meta dataset.Meta) (Result, error) {
	d, ok := dataset.Lookup(q.Dataset)
	if !ok {
		return Result{}, fmt.Errorf("lookup: unknown dataset %q (known: %s): %w", q.Dataset, strings.Join(dataset.Names(), ", "), ErrInvalid)
	}
	lists, match, parent, err := plan(q)
	if err != nil {
		return Result{}, err
	}
	base := client.Stats()
	res := Result{Status: "complete", Dataset: d.Name, Records: []map[string]any{}}
	seen := map[string]bool{}
	meta.Parent = parent
	for _, l := range lists {
		meta.List = l
		more, err := read(ctx, client, d, l, meta, q.Limit, &res, func(row dataset.Row) bool {
			if seen[row.Key()] || !match(row.Key()) {
				return false
			}
			seen[row.Key()] = true
			return true
		})
		if err != nil {
			return Result{}, err
		}
		if !more {
			break
		}
	}
	res.Count = len(res.Records)
	res.Requests = client.Stats().Requests - base.Requests
	return res, nil
}

// read pages through l, adding the rows keep accepts to res, until the
// list ends, q.Limit records are held or MaxPages were read. It reports
// whether the look-up may go on to the next list.
func read(ctx context.Context, client *keka.Client, d dataset.Dataset, l keka.List, meta dataset.Meta, limit int, res *Result, keep func(dataset.Row) bool) (bool, error) {
	for n := 1; ; n++ {
		if res.Pages >= MaxPages {
			res.Truncated = true
			return false, nil
		}
		page, err := client.Page(ctx, l, n)
		if err != nil {
			return false, fmt.Errorf("lookup: %s: %w", d.Name, err)
		}
		res.Pages++
		for i, raw := range page.Records {
			row, err := d.Map(raw, meta)
			if err != nil {
				return false, fmt.Errorf("lookup: %s: GET %s page %d, record %d: %w", d.Name, l.Path, n, i+1, err)
			}
			if !keep(row) {
				continue
			}
			cols := Columns(row)
			b, err := json.Marshal(cols)
			if err != nil {
				return false, fmt.Errorf("lookup: %s: encode record %d of page %d: %w", d.Name, i+1, n, err)
			}
			if len(res.Records) == limit || res.bytes+len(b) > MaxBytes {
				res.Truncated = true
				return false, nil
			}
			res.bytes += len(b)
			res.Records = append(res.Records, cols)
		}
		if page.Last {
			return true, nil
		}
	}
}

// plan returns the lists to read for q, the match on a row's key of what
// Keka cannot filter, and the parent key of the rows.
func plan(q Query) ([]keka.List, func(key string) bool, string, error) {
	f := keka.Filter{CandidateIDs: q.CandidateIDs, Status: q.Status, Stage: q.Stage, Archived: q.IsArchived, LastModified: q.LastModified}
	all := func(string) bool { return true }
	refuse := func(what, where string) error {
		return fmt.Errorf("lookup: %s does not take %s (%s): %w", q.Dataset, what, where, ErrInvalid)
	}
	switch q.Dataset {
	case "jobs":
		switch {
		case len(q.CandidateIDs) > 0 || q.Stage != nil || q.IsArchived != nil:
			return nil, nil, "", refuse("candidateIds, stage or isArchived", "jobs take jobId, status and lastModified")
		}
		match := all
		if q.JobID != "" {
			match = func(key string) bool { return strings.EqualFold(key, q.JobID) }
		}
		return []keka.List{keka.FilteredJobsList(f)}, match, "", nil
	case "job_candidates":
		switch {
		case q.JobID == "":
			return nil, nil, "", fmt.Errorf("lookup: job_candidates needs jobId: Keka lists candidates per job: %w", ErrInvalid)
		case q.Status != nil || q.Stage != nil:
			return nil, nil, "", refuse("status or stage", "Keka filters a job's candidates by isArchived and lastModified only; candidateIds are matched here")
		}
		var lists []keka.List
		for _, archived := range []bool{false, true} {
			if q.IsArchived == nil || *q.IsArchived == archived {
				lists = append(lists, keka.FilteredJobCandidatesList(q.JobID, archived, f))
			}
		}
		match := all
		if len(q.CandidateIDs) > 0 {
			match = func(key string) bool {
				_, cand, _ := strings.Cut(key, "/")
				return slices.ContainsFunc(q.CandidateIDs, func(id string) bool { return strings.EqualFold(id, cand) })
			}
		}
		return lists, match, q.JobID, nil
	case "preboarding_candidates":
		if q.JobID != "" || q.IsArchived != nil {
			return nil, nil, "", refuse("jobId or isArchived", "preboarding takes candidateIds, status, stage and lastModified")
		}
		return []keka.List{keka.FilteredPreboardingList(f)}, all, "", nil
	}
	return nil, nil, "", fmt.Errorf("lookup: %s cannot be looked up (look-ups serve jobs, job_candidates and preboarding_candidates): %w", q.Dataset, ErrInvalid)
}
