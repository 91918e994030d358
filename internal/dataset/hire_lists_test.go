package dataset_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

func mapOne(t *testing.T, name, raw string, m dataset.Meta) dataset.Row {
	t.Helper()
	row, err := mustLookup(t, name).Map(json.RawMessage(raw), m)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return row
}

func TestHiringStages_Map(t *testing.T) {
	raw := `{"id":"s8","name":"Rejected","stageType":"Archive","order":8,
"archiveReasons":[{"id":"r1","reason":"Not a fit"},null,{"id":"r2","name":"No show"},"odd"]}`
	same(t, mapOne(t, "hiring_stages", raw, meta()), dataset.HiringStageRow{
		StageID: "s8", Name: ptr("Rejected"), StageType: ptr("Archive"), SortOrder: ptr(int32(8)),
		ArchiveReasons: []dataset.ArchiveReason{{ID: ptr("r1"), Reason: ptr("Not a fit")}, {ID: ptr("r2"), Reason: ptr("No show")}},
		RawJSON:        raw, ExtractedAt: ts("2026-11-26T02:00:00.123Z").UTC(), RunID: "run-1",
	})
	r := mapOne(t, "hiring_stages", `{"id":"s1","name":"Sourced","stageType":0,"order":"1","archiveReasons":null}`, meta()).(dataset.HiringStageRow)
	check(t, "numbers", []pair{{"stage_type", r.StageType, ptr("0")}, {"sort_order", r.SortOrder, ptr(int32(1))}, {"archive_reasons", r.ArchiveReasons, []dataset.ArchiveReason{}}})
}

func TestJobBoards_Map(t *testing.T) {
	raw := `{"jobBoardName":"LinkedIn","jobBoardIdentifier":"linkedin","isActive":"true"}`
	same(t, mapOne(t, "job_boards", raw, meta()), dataset.JobBoardRow{
		JobBoardIdentifier: "linkedin", JobBoardName: ptr("LinkedIn"), IsActive: ptr(true),
		RawJSON: raw, ExtractedAt: ts("2026-11-26T02:00:00.123Z").UTC(), RunID: "run-1",
	})
	if _, err := mustLookup(t, "job_boards").Map(json.RawMessage(`{"jobBoardName":"LinkedIn"}`), meta()); err == nil {
		t.Error("a job board without identifier was mapped")
	}
}

func TestApplicationFields_Map(t *testing.T) {
	raw := `{"fieldName":"Willing to relocate?","id":"f1","required":true,"fieldType":5,
"fieldOptions":[{"id":"o1","value":"Yes"},{"id":"o2","value":"No"},null]}`
	m := meta()
	m.Parent = "j1"
	same(t, mapOne(t, "application_fields", raw, m), dataset.ApplicationFieldRow{
		JobID: "j1", FieldID: "f1", FieldName: ptr("Willing to relocate?"), Required: ptr(true), FieldType: ptr(int32(5)),
		Options: []dataset.FieldOption{{ID: ptr("o1"), Value: ptr("Yes")}, {ID: ptr("o2"), Value: ptr("No")}},
		RawJSON: raw, ExtractedAt: ts("2026-11-26T02:00:00.123Z").UTC(), RunID: "run-1",
	})
	if _, err := mustLookup(t, "application_fields").Map(json.RawMessage(raw), meta()); err == nil {
		t.Error("a field without its job was mapped")
	}
}

func TestTalentPools_Map(t *testing.T) {
	raw := `{"id":"p1","name":"Campus 2026","addedBy":"Ravi Iyer","addedOn":"2026-03-01T10:00:00"}`
	same(t, mapOne(t, "talent_pools", raw, meta()), dataset.TalentPoolRow{
		TalentPoolID: "p1", Name: ptr("Campus 2026"), AddedBy: ptr("Ravi Iyer"), AddedOn: ts("2026-03-01T10:00:00Z"),
		RawJSON: raw, ExtractedAt: ts("2026-11-26T02:00:00.123Z").UTC(), RunID: "run-1",
	})
}

func TestTalentPoolCandidates_Map(t *testing.T) {
	raw := `{"id":"c1","firstName":"Asha","middleName":null,"lastName":"Rao","gender":2,"email":"Asha@Example.com","phone":"+91 98450 00000",
"skills":["Go",null,""],"educationDetails":[{"degree":"BTech","university":"VTU","dateOfJoining":"2014-08-01T00:00:00"}],
"experienceDetails":[],"additionalCandidateDetails":{"Notice period":"30 days"},
"talentPoolDetails":{"addedOn":"2026-05-01T00:00:00Z","source":"Referral","score":7,"note":null}}`
	m := meta()
	m.Parent = "p1"
	same(t, mapOne(t, "talent_pool_candidates", raw, m), dataset.TalentPoolCandidateRow{
		TalentPoolID: "p1", CandidateID: "c1", FirstName: ptr("Asha"), LastName: ptr("Rao"), Email: ptr("Asha@Example.com"),
		Phone: ptr("+91 98450 00000"), Gender: ptr(int32(2)), Skills: []string{"Go"},
		Education:         []dataset.Education{{Degree: ptr("BTech"), University: ptr("VTU"), DateOfJoining: ts("2014-08-01T00:00:00Z")}},
		Experience:        []dataset.Experience{},
		TalentPoolDetails: map[string]string{"addedOn": "2026-05-01T00:00:00Z", "source": "Referral", "score": "7"},
		RawJSON:           raw, ExtractedAt: ts("2026-11-26T02:00:00.123Z").UTC(), RunID: "run-1",
	})
	for _, mode := range []dataset.PIIMode{dataset.PIIHash, dataset.PIIDrop} {
		t.Run(string(mode), func(t *testing.T) {
			m.PII = dataset.PII{Mode: mode, Key: []byte("0123456789abcdef-key")}
			r := mapOne(t, "talent_pool_candidates", raw, m).(dataset.TalentPoolCandidateRow)
			if r.Education != nil || r.Experience != nil || r.TalentPoolDetails != nil {
				t.Errorf("personal lists kept: %+v", r)
			}
			wantEmail := (*string)(nil)
			if mode == dataset.PIIHash {
				wantEmail = ptr(hmacHex("0123456789abcdef-key", "asha@example.com"))
			}
			check(t, string(mode), []pair{{"email", r.Email, wantEmail}, {"skills", r.Skills, []string{"Go"}}})
			for _, leak := range []string{"Asha", "Rao", "98450", "VTU", "30 days", "Referral"} {
				if strings.Contains(r.RawJSON, leak) {
					t.Errorf("raw_json keeps %q: %s", leak, r.RawJSON)
				}
			}
		})
	}
}

// TestDataset_MapsSimulatorHireLists maps every record of the simulator's
// stage, job board, talent pool and application field lists and compares
// the rows with its ground truth.
func TestDataset_MapsSimulatorHireLists(t *testing.T) {
	tn := kekasim.NewTenant(10, kekasim.Size{Jobs: 15, Applications: 600})
	tr := tn.Truth()
	s, err := kekasim.Start(tn, kekasim.Options{Shape: kekasim.ShapeArray, RequestsPerMinute: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	tok := simToken(t, s)
	list := func(name, path, parent string) []dataset.Row {
		m := meta()
		m.Parent = parent
		var rows []dataset.Row
		for _, raw := range simList(t, s, tok, path) {
			rows = append(rows, mapOne(t, name, string(raw), m))
		}
		return rows
	}
	stages := list("hiring_stages", "/hire/jobs/stages", "")
	if len(stages) != len(tr.Stages) {
		t.Fatalf("%d stages served, the tenant has %d", len(stages), len(tr.Stages))
	}
	for i, row := range stages {
		r, w := row.(dataset.HiringStageRow), tr.Stages[i]
		reasons := []kekasim.TruthArchiveReason{}
		for _, a := range r.ArchiveReasons {
			reasons = append(reasons, kekasim.TruthArchiveReason{ID: *a.ID, Reason: *a.Reason})
		}
		if w.ArchiveReasons == nil {
			w.ArchiveReasons = []kekasim.TruthArchiveReason{}
		}
		check(t, "stage "+w.ID, []pair{{"stage_id", r.StageID, w.ID}, {"name", r.Name, &w.Name}, {"stage_type", r.StageType, &w.Type},
			{"sort_order", r.SortOrder, ptr(int32(w.Order))}, {"archive_reasons", reasons, w.ArchiveReasons}})
	}
	boards := list("job_boards", "/hire/jobboards", "")
	if len(boards) != len(tr.JobBoards) {
		t.Fatalf("%d job boards served, the tenant has %d", len(boards), len(tr.JobBoards))
	}
	for i, row := range boards {
		r, w := row.(dataset.JobBoardRow), tr.JobBoards[i]
		check(t, "job board "+w.Identifier, []pair{{"id", r.JobBoardIdentifier, w.Identifier}, {"name", r.JobBoardName, &w.Name}, {"is_active", r.IsActive, &w.IsActive}})
	}
	var members []dataset.Row
	pools := list("talent_pools", "/hire/talentpool", "")
	for i, row := range pools {
		r, w := row.(dataset.TalentPoolRow), tr.TalentPools[i]
		check(t, "pool "+w.ID, []pair{{"id", r.TalentPoolID, w.ID}, {"name", r.Name, &w.Name}, {"added_by", r.AddedBy, w.AddedBy}, {"added_on", r.AddedOn, w.AddedOn}})
		members = append(members, list("talent_pool_candidates", "/hire/talentpool/"+w.ID+"/candidates", w.ID)...)
	}
	if len(pools) != len(tr.TalentPools) || len(members) != len(tr.PoolCandidates) {
		t.Fatalf("%d pools, %d members served; the tenant has %d, %d", len(pools), len(members), len(tr.TalentPools), len(tr.PoolCandidates))
	}
	for i, row := range members {
		r, w := row.(dataset.TalentPoolCandidateRow), tr.PoolCandidates[i]
		check(t, "pool member "+w.PoolID+"/"+w.CandidateID, []pair{{"key", r.Key(), w.PoolID + "/" + w.CandidateID},
			{"first_name", r.FirstName, w.FirstName}, {"last_name", r.LastName, w.LastName}, {"email", r.Email, w.Email},
			{"phone", r.Phone, w.Phone}, {"talent_pool_details", r.TalentPoolDetails, w.Details}})
	}
	var fields []dataset.Row
	for _, j := range tr.Jobs {
		fields = append(fields, list("application_fields", "/hire/jobs/"+j.ID+"/applicationfields", j.ID)...)
	}
	if len(fields) != len(tr.ApplicationFields) {
		t.Fatalf("%d application fields served, the tenant has %d", len(fields), len(tr.ApplicationFields))
	}
	for i, row := range fields {
		r, w := row.(dataset.ApplicationFieldRow), tr.ApplicationFields[i]
		opts := []kekasim.TruthFieldOption{}
		for _, o := range r.Options {
			opts = append(opts, kekasim.TruthFieldOption{ID: *o.ID, Value: *o.Value})
		}
		check(t, "field "+w.JobID+"/"+w.ID, []pair{{"key", r.Key(), w.JobID + "/" + w.ID}, {"name", r.FieldName, &w.Name},
			{"required", r.Required, &w.Required}, {"field_type", r.FieldType, ptr(int32(w.FieldType))}, {"options", opts, w.Options}})
	}
}
