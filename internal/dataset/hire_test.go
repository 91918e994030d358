package dataset_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

// hireGlueColumns are the Glue columns of the Hire datasets besides jobs,
// job_candidates and preboarding_candidates, without the common tail.
var hireGlueColumns = map[string][]dataset.GlueColumn{
	"interviews": {
		{"interview_id", "string"}, {"job_id", "string"}, {"candidate_id", "string"}, {"interview_date", "timestamp"},
		{"start_time", "string"}, {"end_time", "string"}, {"time_zone_id", "string"}, {"scheduled_by", "string"},
		{"scheduled_date", "timestamp"}, {"interview_type", "string"}, {"stage_id", "string"}, {"panel_members", "string"},
	},
	"scorecards": {
		{"scorecard_id", "string"}, {"job_id", "string"}, {"candidate_id", "string"}, {"interview_id", "string"},
		{"stage_id", "string"}, {"overall_feedback_decision", "string"}, {"overall_comments", "string"},
		{"feedback_submitted_by", "string"},
		{"sections", "array<struct<section_name:string,skill_title:string,skill_score:string,section_comments:string>>"},
	},
	"hiring_stages": {
		{"stage_id", "string"}, {"name", "string"}, {"stage_type", "string"}, {"sort_order", "int"},
		{"archive_reasons", "array<struct<id:string,reason:string>>"},
	},
	"talent_pools": {{"talent_pool_id", "string"}, {"name", "string"}, {"added_by", "string"}, {"added_on", "timestamp"}},
	"talent_pool_candidates": {
		{"talent_pool_id", "string"}, {"candidate_id", "string"}, {"first_name", "string"}, {"middle_name", "string"},
		{"last_name", "string"}, {"email", "string"}, {"phone", "string"}, {"gender", "int"}, {"skills", "array<string>"},
		{"education", "array<struct<degree:string,branch:string,university:string,location:string,date_of_joining:timestamp,date_of_completion:timestamp>>"},
		{"experience", "array<struct<company_name:string,designation:string,is_currently_working:boolean,location:string,date_of_joining:timestamp,date_of_relieving:timestamp>>"},
		{"talent_pool_details", "map<string,string>"},
	},
	"job_boards": {{"job_board_identifier", "string"}, {"job_board_name", "string"}, {"is_active", "boolean"}},
	"application_fields": {
		{"job_id", "string"}, {"field_id", "string"}, {"field_name", "string"}, {"required", "boolean"}, {"field_type", "int"},
		{"options", "array<struct<id:string,value:string>>"},
	},
}

func appMeta() dataset.Meta {
	m := meta()
	m.Parent = "j1/c1"
	return m
}

func TestInterviews_Map(t *testing.T) {
	d := mustLookup(t, "interviews")
	t.Run("every field", func(t *testing.T) {
		raw := `{"id":"i1","candidateId":"c1","jobId":"j1","interviewDate":"2026-07-25T00:00:00Z",
"startTime":{"hours":9,"minutes":5},"endTime":{"hours":10,"minutes":30},"timeZoneId":"India Standard Time",
"scheduledBy":"Ravi Iyer","scheduledDate":"2026-07-20T10:00:00","interviewType":"2","stageId":"s1",
"panelMembers":"Ravi Iyer, Meera Nair","meetingLink":"https://meet.example.com/x"}`
		row, err := d.Map(json.RawMessage(raw), appMeta())
		if err != nil {
			t.Fatal(err)
		}
		same(t, row, dataset.InterviewRow{
			InterviewID: "i1", JobID: "j1", CandidateID: "c1", InterviewDate: ts("2026-07-25T00:00:00Z"),
			StartTime: ptr("09:05"), EndTime: ptr("10:30"), TimeZoneID: ptr("India Standard Time"), ScheduledBy: ptr("Ravi Iyer"),
			ScheduledDate: ts("2026-07-20T10:00:00Z"), InterviewType: ptr("2"), StageID: ptr("s1"), PanelMembers: ptr("Ravi Iyer, Meera Nair"),
			RawJSON: raw, ExtractedAt: ts("2026-11-26T02:00:00.123Z").UTC(), RunID: "run-1", LastReadAt: ts("2026-11-26T02:00:00.123Z").UTC(),
		})
	})
	cases := []struct {
		name, raw  string
		start, end *string
		typ        *string
	}{
		{"times as strings", `{"id":"i1","startTime":"9:05","endTime":"17:45:00"}`, ptr("09:05"), ptr("17:45"), nil},
		{"out of range and wrong types", `{"id":"i1","startTime":{"hours":24,"minutes":0},"endTime":[1],"interviewType":1}`, nil, nil, ptr("1")},
		{"hours only, minutes null", `{"id":"i1","startTime":{"hours":14,"minutes":null},"endTime":{"minutes":5}}`, ptr("14:00"), nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			row, err := d.Map(json.RawMessage(c.raw), appMeta())
			if err != nil {
				t.Fatal(err)
			}
			r := row.(dataset.InterviewRow)
			check(t, c.name, []pair{{"start_time", r.StartTime, c.start}, {"end_time", r.EndTime, c.end}, {"interview_type", r.InterviewType, c.typ}})
		})
	}
	t.Run("needs the application", func(t *testing.T) {
		for _, parent := range []string{"", "j1", "/c1", "j1/"} {
			m := meta()
			m.Parent = parent
			if _, err := d.Map(json.RawMessage(`{"id":"i1"}`), m); err == nil || !strings.Contains(err.Error(), "interviews") {
				t.Errorf("parent %q: err %v", parent, err)
			}
		}
	})
}

func TestScorecards_Map(t *testing.T) {
	d := mustLookup(t, "scorecards")
	raw := `{"id":"s1","jobId":"j1","candidateId":"c1","stageId":"st1","interviewId":"i1","overallFeedbackDecision":"3",
"overallComments":"Strong on Go, weak on SQL.","feedbackSubmittedByName":"Meera Nair",
"sections":[{"sectionName":"Technical","skillTitle":"Go","skillScore":"4/5","sectionComments":"Knows channels well."},null,
{"sectionName":"Culture fit","skillScore":3}]}`
	t.Run("keep", func(t *testing.T) {
		row, err := d.Map(json.RawMessage(raw), appMeta())
		if err != nil {
			t.Fatal(err)
		}
		same(t, row, dataset.ScorecardRow{
			ScorecardID: "s1", JobID: "j1", CandidateID: "c1", InterviewID: ptr("i1"), StageID: ptr("st1"),
			OverallFeedbackDecision: ptr("3"), OverallComments: ptr("Strong on Go, weak on SQL."), FeedbackSubmittedBy: ptr("Meera Nair"),
			Sections: []dataset.ScorecardSection{
				{SectionName: ptr("Technical"), SkillTitle: ptr("Go"), SkillScore: ptr("4/5"), SectionComments: ptr("Knows channels well.")},
				{SectionName: ptr("Culture fit"), SkillScore: ptr("3")},
			},
			RawJSON: raw, ExtractedAt: ts("2026-11-26T02:00:00.123Z").UTC(), RunID: "run-1", LastReadAt: ts("2026-11-26T02:00:00.123Z").UTC(),
		})
	})
	for _, mode := range []dataset.PIIMode{dataset.PIIHash, dataset.PIIDrop} {
		t.Run(string(mode), func(t *testing.T) {
			m := appMeta()
			m.PII = dataset.PII{Mode: mode, Key: []byte("0123456789abcdef-key")}
			row, err := d.Map(json.RawMessage(raw), m)
			if err != nil {
				t.Fatal(err)
			}
			r := row.(dataset.ScorecardRow)
			if r.OverallComments != nil || len(r.Sections) != 2 || r.Sections[0].SectionComments != nil || *r.Sections[0].SkillScore != "4/5" {
				t.Errorf("comments kept or scores lost: %+v", r)
			}
			for _, leak := range []string{"Strong on Go", "Knows channels"} {
				if strings.Contains(r.RawJSON, leak) {
					t.Errorf("raw_json keeps %q: %s", leak, r.RawJSON)
				}
			}
			if !json.Valid([]byte(r.RawJSON)) || !strings.Contains(r.RawJSON, `"feedbackSubmittedByName":"Meera Nair"`) {
				t.Errorf("raw_json %s", r.RawJSON)
			}
		})
	}
}

func TestDataset_Default(t *testing.T) {
	var names []string
	for _, d := range dataset.Default() {
		names = append(names, d.Name)
	}
	for _, only := range []string{"interviews", "scorecards"} {
		d := mustLookup(t, only)
		if slices.Contains(names, only) || !d.OnlyWhenNamed || d.Parent != "job_candidates" {
			t.Errorf("%s: in the default selection %v, or not listed per application", only, names)
		}
		l := d.Lists("j 1/c1")
		if len(l) != 1 || l[0].Path != "/hire/jobs/j%201/candidate/c1/"+only {
			t.Errorf("%s lists = %+v", only, l)
		}
	}
	if !slices.Contains(names, "jobs") || !slices.Contains(names, "job_candidates") {
		t.Errorf("default selection %v", names)
	}
}

// TestDataset_MapsSimulatorInterviews maps every interview and scorecard
// the simulator serves and compares the rows with its ground truth.
func TestDataset_MapsSimulatorInterviews(t *testing.T) {
	tn := kekasim.NewTenant(9, kekasim.Size{Jobs: 12, Applications: 400})
	tr := tn.Truth()
	s, err := kekasim.Start(tn, kekasim.Options{Shape: kekasim.ShapeArray, RequestsPerMinute: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	tok := simToken(t, s)
	ivs, scs := mustLookup(t, "interviews"), mustLookup(t, "scorecards")
	var gotIV []dataset.InterviewRow
	var gotSC []dataset.ScorecardRow
	for _, a := range tr.Applications {
		m := meta()
		m.Parent = a.JobID + "/" + a.CandidateID
		base := "/hire/jobs/" + a.JobID + "/candidate/" + a.CandidateID
		for _, raw := range simList(t, s, tok, base+"/interviews") {
			row, err := ivs.Map(raw, m)
			if err != nil {
				t.Fatal(err)
			}
			gotIV = append(gotIV, row.(dataset.InterviewRow))
		}
		for _, raw := range simList(t, s, tok, base+"/scorecards") {
			row, err := scs.Map(raw, m)
			if err != nil {
				t.Fatal(err)
			}
			gotSC = append(gotSC, row.(dataset.ScorecardRow))
		}
	}
	if len(gotIV) != len(tr.Interviews) || len(gotSC) != len(tr.Scorecards) || len(tr.Scorecards) == 0 {
		t.Fatalf("%d interviews and %d scorecards served; the tenant has %d and %d", len(gotIV), len(gotSC), len(tr.Interviews), len(tr.Scorecards))
	}
	for i, r := range gotIV {
		w := tr.Interviews[i]
		check(t, "interview "+w.ID, []pair{
			{"interview_id", r.InterviewID, w.ID}, {"job_id", r.JobID, w.JobID}, {"candidate_id", r.CandidateID, w.CandidateID},
			{"interview_date", r.InterviewDate, w.InterviewDate}, {"start_time", r.StartTime, w.StartTime}, {"end_time", r.EndTime, w.EndTime},
			{"time_zone_id", r.TimeZoneID, w.TimeZoneID}, {"scheduled_by", r.ScheduledBy, w.ScheduledBy}, {"scheduled_date", r.ScheduledDate, w.ScheduledDate},
			{"interview_type", r.InterviewType, w.InterviewType}, {"stage_id", r.StageID, w.StageID}, {"panel_members", r.PanelMembers, w.PanelMembers},
		})
	}
	for i, r := range gotSC {
		w := tr.Scorecards[i]
		check(t, "scorecard "+w.ID, []pair{
			{"scorecard_id", r.ScorecardID, w.ID}, {"job_id", r.JobID, w.JobID}, {"candidate_id", r.CandidateID, w.CandidateID},
			{"interview_id", r.InterviewID, w.InterviewID}, {"stage_id", r.StageID, w.StageID},
			{"overall_feedback_decision", r.OverallFeedbackDecision, w.Decision}, {"overall_comments", r.OverallComments, w.Comments},
			{"feedback_submitted_by", r.FeedbackSubmittedBy, w.SubmittedBy}, {"sections", sectionsOf(r.Sections), w.Sections},
		})
	}
}

func sectionsOf(in []dataset.ScorecardSection) []kekasim.TruthScorecardSection {
	out := make([]kekasim.TruthScorecardSection, len(in))
	for i, s := range in {
		out[i] = kekasim.TruthScorecardSection{SectionName: s.SectionName, SkillTitle: s.SkillTitle, SkillScore: s.SkillScore, SectionComments: s.SectionComments}
	}
	return out
}
