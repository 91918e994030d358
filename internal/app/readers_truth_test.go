package app_test

import (
	"database/sql"
	"strings"
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
func checkTruth(t *testing.T, reader, ds string, rows []map[string]any, truth kekasim.Truth) {
	t.Helper()
	want := map[string]map[string]any{}
	switch ds {
	case "jobs":
		for _, j := range truth.Jobs {
			want[j.ID] = map[string]any{"job_id": j.ID, "title": strOf(&j.Title), "status": intOf(j.Status),
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
	default:
		hireTruth(want, ds, truth)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		k := rowKey(ds, r)
		w, ok := want[k]
		switch {
		case seen[k]:
			t.Errorf("%s: %s read twice", reader, k)
		case !ok:
			t.Errorf("%s: %s is not in the tenant", reader, k)
		}
		seen[k] = true
		for col, v := range w {
			if !sameValue(r[col], v) {
				t.Errorf("%s %s: %s = %.80v (%T), want %.80v (%T)", reader, k, col, r[col], r[col], v, v)
			}
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%s: %d rows read, the tenant has %d", reader, len(seen), len(want))
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

// strOf is what a column holds for a string Keka sent: null for null or
// "", and U+FFFD for each run of bytes that are not UTF-8.
func strOf(p *string) any {
	if p == nil || *p == "" {
		return nil
	}
	return strings.ToValidUTF8(*p, "\uFFFD")
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

// checkEdgeCases checks what the edge-case tenant's Truth does not say:
// long values, and null lists apart from empty ones.
func checkEdgeCases(t *testing.T, reader, ds string, rows []map[string]any) {
	t.Helper()
	by := map[string]map[string]any{}
	for _, r := range rows {
		by[rowKey(ds, r)] = r
	}
	switch ds {
	case "jobs":
		if d, _ := by["edge-job-1"]["description"].(string); len(d) != kekasim.EdgeDescriptionBytes {
			t.Errorf("%s: edge-job-1 description of %d bytes, want %d", reader, len(d), kekasim.EdgeDescriptionBytes)
		}
		// jobs' lists are never null: a null or missing list is empty
		for k, want := range map[string][2]any{"edge-job-1": {[]any{}, []any{}}, "edge-job-2": {[]any{}, 1}, "edge-job-3": {1, []any{}}} {
			checkList(t, reader+" "+k+" locations", by[k]["locations"], want[0])
			checkList(t, reader+" "+k+" hiring_team", by[k]["hiring_team"], want[1])
		}
	case "job_candidates":
		a := by["edge-job-1/edge-cand-1"]
		if r, _ := a["raw_json"].(string); len(r) < kekasim.EdgeRawJSONBytes {
			t.Errorf("%s: raw_json of %d bytes, want at least %d", reader, len(r), kekasim.EdgeRawJSONBytes)
		}
		checkList(t, reader+" skills of edge-cand-1", a["skills"], []any{})
		checkList(t, reader+" education of edge-cand-1", a["education"], nil)
		checkList(t, reader+" experience of edge-cand-1", a["experience"], []any{})
		b := by["edge-job-1/edge-cand-2"]
		checkList(t, reader+" skills of edge-cand-2", b["skills"], []any{})
		checkList(t, reader+" tags of edge-cand-2", b["tags"], 1)
		c := by["edge-job-2/edge-cand-1"]
		checkList(t, reader+" skills of edge-cand-1 on edge-job-2", c["skills"], 2)
		if ed, _ := c["education"].([]any); len(ed) == 1 {
			e, _ := ed[0].(map[string]any)
			if !sameValue(e["date_of_joining"], time.Date(1958, 9, 1, 0, 0, 0, 0, time.UTC)) || !sameValue(e["date_of_completion"], time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("%s: education dates %v, %v", reader, e["date_of_joining"], e["date_of_completion"])
			}
		} else {
			t.Errorf("%s: education of edge-cand-1 on edge-job-2 = %v", reader, c["education"])
		}
	}
}

// checkList checks a list value: want is nil (null), []any{} (empty) or
// the number of elements.
func checkList(t *testing.T, what string, got, want any) {
	t.Helper()
	l, isList := got.([]any)
	switch w := want.(type) {
	case nil:
		if got != nil {
			t.Errorf("%s = %v, want null", what, got)
		}
	case []any:
		if !isList || len(l) != 0 {
			t.Errorf("%s = %v, want an empty list", what, got)
		}
	case int:
		if !isList || len(l) != w {
			t.Errorf("%s = %v, want %d elements", what, got, w)
		}
	}
}

// hireTruth fills want with the scalar columns of the other Hire datasets.
func hireTruth(want map[string]map[string]any, ds string, truth kekasim.Truth) {
	switch ds {
	case "hiring_stages":
		for _, s := range truth.Stages {
			want[s.ID] = map[string]any{"name": strOf(&s.Name), "stage_type": strOf(&s.Type), "sort_order": int64(s.Order)}
		}
	case "talent_pools":
		for _, p := range truth.TalentPools {
			want[p.ID] = map[string]any{"name": strOf(&p.Name), "added_by": strOf(p.AddedBy), "added_on": timeOf(p.AddedOn)}
		}
	case "talent_pool_candidates":
		for _, c := range truth.PoolCandidates {
			want[c.PoolID+"/"+c.CandidateID] = map[string]any{"first_name": strOf(c.FirstName), "email": strOf(c.Email), "phone": strOf(c.Phone)}
		}
	case "job_boards":
		for _, b := range truth.JobBoards {
			want[b.Identifier] = map[string]any{"job_board_name": strOf(&b.Name), "is_active": b.IsActive}
		}
	case "application_fields":
		for _, f := range truth.ApplicationFields {
			want[f.JobID+"/"+f.ID] = map[string]any{"field_name": strOf(&f.Name), "required": f.Required, "field_type": int64(f.FieldType)}
		}
	}
}
