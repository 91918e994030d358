// Package bench is the harness of `make bench` (docs/benchmarks.md): a
// tenant of any size whose pages are generated as they are asked for, from
// records of the simulator, and served to the real client through an
// in-process transport, so that an export of 1,000,000 applications runs
// the product's code path (client, page parsing, mapping, Parquet, the run
// engine and a local store) without a network and without holding the
// tenant in memory. The benchmarks themselves are in its _test.go files.
package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// PerJob is the number of applications of each job: ArchivedPerJob of them
// in the archived list, the rest in the active one (two pages of 200 and
// one of 100 per job).
const (
	PerJob         = 500
	ArchivedPerJob = 100
)

// Pool is the records a tenant is generated from: jobs and applications
// exactly as the simulator sends them, with where each one's id is.
type Pool struct {
	Jobs, Applications []json.RawMessage
	jobIDs, appIDs     []int // offset of each record's id value (after its quote)
}

// idLen is the length of the ids the simulator generates (UUIDs) and of
// those the tenant writes in their place, so every record keeps its size.
const idLen = 36

// NewPool indexes records; each must have a string id of 36 characters, and
// there must be at least PerJob applications, so that no job lists one
// candidate twice.
func NewPool(jobs, applications []json.RawMessage) (*Pool, error) {
	if len(jobs) == 0 || len(applications) < PerJob {
		return nil, fmt.Errorf("bench: pool of %d jobs and %d applications: want at least 1 and %d", len(jobs), len(applications), PerJob)
	}
	p := &Pool{Jobs: jobs, Applications: applications}
	for _, set := range []struct {
		recs []json.RawMessage
		ids  *[]int
	}{{jobs, &p.jobIDs}, {applications, &p.appIDs}} {
		for i, r := range set.recs {
			var rec struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(r, &rec); err != nil || len(rec.ID) != idLen {
				return nil, fmt.Errorf("bench: pool record %d has no id of %d characters", i, idLen)
			}
			at := bytes.Index(r, []byte(`"id":"`+rec.ID+`"`))
			if at < 0 {
				return nil, fmt.Errorf("bench: pool record %d: id not found as written", i)
			}
			*set.ids = append(*set.ids, at+len(`"id":"`))
		}
	}
	return p, nil
}

// Tenant is a generated tenant of Applications applications over
// ceil(Applications / PerJob) jobs. Page bodies are built when asked for:
// nothing grows with the tenant.
type Tenant struct {
	Pool         *Pool
	Applications int
}

// Jobs returns the number of jobs.
func (t Tenant) Jobs() int { return (t.Applications + PerJob - 1) / PerJob }

// JobID returns the id of job j (0-based).
func JobID(j int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", j) }

// candidateID returns the id of application i of job j.
func candidateID(j, i int) string { return fmt.Sprintf("%08d-0000-4000-9000-%012d", j, i) }

// jobIndex reads j back from JobID(j); ok is false for any other id.
func jobIndex(id string) (int, bool) {
	if len(id) != idLen || id[:24] != JobID(0)[:24] {
		return 0, false
	}
	j, err := strconv.Atoi(id[24:])
	return j, err == nil
}

// list is one of a job's two lists: where its applications start among the
// job's, and how many it has.
func (t Tenant) list(j int, archived bool) (first, n int) {
	total := min(PerJob, t.Applications-j*PerJob)
	active := max(total-ArchivedPerJob, 0)
	if archived {
		return active, total - active
	}
	return 0, active
}

// JobsPage returns page number (1-based) of the jobs list.
func (t Tenant) JobsPage(number int) []byte {
	n := t.Jobs()
	return t.page(number, n, func(b []byte, i int) []byte {
		k := i % len(t.Pool.Jobs)
		return withID(b, t.Pool.Jobs[k], t.Pool.jobIDs[k], JobID(i))
	})
}

// CandidatesPage returns page number of job j's active or archived list.
func (t Tenant) CandidatesPage(j int, archived bool, number int) []byte {
	first, n := t.list(j, archived)
	return t.page(number, n, func(b []byte, i int) []byte {
		k := (j*PerJob + first + i) % len(t.Pool.Applications)
		return withID(b, t.Pool.Applications[k], t.Pool.appIDs[k], candidateID(j, first+i))
	})
}

// withID appends rec with the id at offset at replaced by id.
func withID(b []byte, rec json.RawMessage, at int, id string) []byte {
	b = append(b, rec[:at]...)
	b = append(b, id...)
	return append(b, rec[at+idLen:]...)
}

// page builds an envelope as Keka sends it, of n records in pages of
// keka.PageSize.
func (t Tenant) page(number, n int, rec func(b []byte, i int) []byte) []byte {
	pages := (n + keka.PageSize - 1) / keka.PageSize
	start := min((number-1)*keka.PageSize, n)
	end := min(start+keka.PageSize, n)
	b := make([]byte, 0, 512+(end-start)*1024)
	b = append(b, `{"succeeded":true,"message":"","errors":[],"data":[`...)
	for i := start; i < end; i++ {
		if i > start {
			b = append(b, ',')
		}
		b = rec(b, i)
	}
	b = fmt.Appendf(b, `],"pageNumber":%d,"pageSize":%d,"totalPages":%d,"totalRecords":%d,"nextPage":`, number, keka.PageSize, pages, n)
	if number < pages {
		b = fmt.Appendf(b, `"https://bench.keka.com/api/v1/list?pageNumber=%d&pageSize=%d"}`, number+1, keka.PageSize)
	} else {
		b = append(b, `null}`...)
	}
	return b
}
