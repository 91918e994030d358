package app_test

import (
	"database/sql"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

func duck(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// checkTruth compares rows read by Arrow with the simulator's ground truth:
// every record exactly once, its typed columns and labels.
func checkTruth(t *testing.T, ds string, rows []map[string]any, truth kekasim.Truth) {
	t.Helper()
	want := map[string]map[string]any{}
	switch ds {
	case "jobs":
		for _, j := range truth.Jobs {
			want[j.ID] = map[string]any{"job_id": j.ID, "title": j.Title, "status": intOf(j.Status),
				"status_label": nameOf(jobStatusNames, j.Status), "job_type_label": nameOf(jobTypeNames, j.JobType),
				"created_on": timeOf(j.CreatedOn), "target_hire_date": timeOf(j.TargetHireDate)}
		}
	case "job_candidates":
		for _, a := range truth.Applications {
			want[a.JobID+"/"+a.CandidateID] = map[string]any{"candidate_id": a.CandidateID, "is_archived": a.Archived,
				"stage": strOf(a.Stage), "application_status": intOf(a.Status), "applied_on": timeOf(a.AppliedOn),
				"first_name": strOf(a.FirstName), "email": strOf(a.Email)}
		}
	case "preboarding_candidates":
		for _, p := range truth.Preboarding {
			want[p.CandidateID] = map[string]any{"candidate_id": p.CandidateID, "stage": intOf(p.Stage),
				"stage_label": nameOf(stageNames, p.Stage), "status": intOf(p.Status), "status_label": nameOf(statusNames, p.Status),
				"job_title": strOf(p.JobTitle), "expected_date_of_joining": timeOf(p.ExpectedDateOfJoining)}
		}
	}
	seen := map[string]bool{}
	for _, r := range rows {
		k := rowKey(ds, r)
		w, ok := want[k]
		switch {
		case seen[k]:
			t.Errorf("%s: %s read twice", ds, k)
		case !ok:
			t.Errorf("%s: %s is not in the tenant", ds, k)
		}
		seen[k] = true
		for col, v := range w {
			if !sameValue(r[col], v) {
				t.Errorf("%s %s: %s = %v (%T), want %v (%T)", ds, k, col, r[col], r[col], v, v)
			}
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%s: %d rows read, the tenant has %d", ds, len(seen), len(want))
	}
}

func sameValue(got, want any) bool {
	if gt, ok := got.(time.Time); ok {
		wt, ok := want.(time.Time)
		return ok && gt.Equal(wt)
	}
	return got == want
}

func intOf(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

func strOf(p *string) any {
	if p == nil || *p == "" {
		return nil
	}
	return *p
}

func timeOf(p *time.Time) any {
	if p == nil {
		return nil
	}
	return p.UTC().Truncate(time.Millisecond)
}

func nameOf(names map[int]string, code *int) any {
	if code == nil {
		return nil
	}
	if n, ok := names[*code]; ok {
		return n
	}
	return nil
}
