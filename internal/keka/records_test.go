package keka_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// The job candidate example of the API reference.
const candidateJSON = `{
  "id": "b8a4", "firstName": "Asha", "middleName": null, "lastName": "Rao",
  "gender": 2, "email": "asha@example.com", "phone": "+91 98450 00000",
  "skills": ["Go", "SQL"],
  "candidateTags": [{"identifier": "t1", "name": "Referral", "description": ""}],
  "educationDetails": [{"degree": "BTech", "branch": "CS", "university": "VTU",
    "location": "Bengaluru", "dateOfJoining": "2014-08-01T00:00:00", "dateOfCompletion": "2018-05-31T00:00:00"}],
  "experienceDetails": [{"companyName": "Acme", "designation": "Engineer",
    "isCurrentlyWorking": true, "location": "Pune", "dateOfJoining": "2018-07-02T00:00:00", "dateOfRelieving": null}],
  "additionalCandidateDetails": {"Notice period": "30 days", "Years": 4, "Remote": null},
  "jobApplicationDetails": {
    "jobHiringStageId": "Shortlisted", "movedtoStageOn": "1789573328.01",
    "appliedOn": "2026-10-02T09:14:00Z", "status": 0,
    "sourcedBy": "Careers page", "sourceTitle": "LinkedIn",
    "assignedTo": "e7c1", "assignedOn": "",
    "screeningQuestionsResponse": {"Willing to relocate?": "Yes"}
  },
  "archivedDetails": {"archived On": "", "reason": ""},
  "someNewField": 1
}`

func TestJobCandidate_Unmarshal(t *testing.T) {
	var c keka.JobCandidate
	if err := json.Unmarshal([]byte(candidateJSON), &c); err != nil {
		t.Fatal(err)
	}
	if *c.ID != "b8a4" || *c.FirstName != "Asha" || c.MiddleName != nil || *c.Gender != 2 || len(c.Skills) != 2 {
		t.Errorf("person fields: %+v", c)
	}
	if len(c.CandidateTags) != 1 || *c.CandidateTags[0].Name != "Referral" {
		t.Errorf("tags: %+v", c.CandidateTags)
	}
	e := c.EducationDetails[0]
	if !e.DateOfJoining.Time.Equal(time.Date(2014, 8, 1, 0, 0, 0, 0, time.UTC)) || !e.DateOfCompletion.Valid {
		t.Errorf("education: %+v", e)
	}
	x := c.ExperienceDetails[0]
	if !*x.IsCurrentlyWorking || x.DateOfRelieving.Valid {
		t.Errorf("experience: %+v", x)
	}
	if got := c.AdditionalCandidateDetails; got["Notice period"] != "30 days" || got["Years"] != "4" || got["Remote"] != "" || len(got) != 3 {
		t.Errorf("additional details: %q", got)
	}
	a := c.JobApplicationDetails
	if a == nil {
		t.Fatal("no jobApplicationDetails")
	}
	if *a.JobHiringStageID != "Shortlisted" || *a.Status != 0 || a.AssignedOn.Valid ||
		!a.MovedToStageOn.Time.Equal(time.Date(2026, 9, 16, 15, 42, 8, 10e6, time.UTC)) ||
		!a.AppliedOn.Time.Equal(time.Date(2026, 10, 2, 9, 14, 0, 0, time.UTC)) ||
		a.ScreeningQuestionsResponse["Willing to relocate?"] != "Yes" {
		t.Errorf("application: %+v", a)
	}
	if v, ok := c.ArchivedDetails["archived On"]; !ok || v != "" {
		t.Errorf("archived details: %q", c.ArchivedDetails)
	}
}

func TestJob_Unmarshal(t *testing.T) {
	var j keka.Job
	err := json.Unmarshal([]byte(`{"id":"j1","title":"Go engineer","status":3,"publishedOn":"","createdOn":"2026-01-05T10:00:00",
		"jobLocations":[{"name":"HQ","city":"Pune","state":null,"countryName":"India"}],
		"hiringTeam":[{"identifier":"u1","displayName":"Ravi","type":1}],
		"customFields":[{"fieldName":"Band","required":true,"fieldType":1,"value":{"v":"B3"}}],
		"experience":"3-5 years","noOfOpenings":2,"isReferralEnabled":false}`), &j)
	if err != nil {
		t.Fatal(err)
	}
	if *j.ID != "j1" || *j.Status != 3 || j.PublishedOn.Valid || !j.CreatedOn.Valid || *j.NoOfOpenings != 2 ||
		*j.IsReferralEnabled || *j.Experience != "3-5 years" || j.TargetHireDate.Valid || j.DepartmentName != nil {
		t.Errorf("job: %+v", j)
	}
	if *j.JobLocations[0].City != "Pune" || j.JobLocations[0].State != nil || *j.HiringTeam[0].Type != 1 ||
		string(j.CustomFields[0].Value) != `{"v":"B3"}` {
		t.Errorf("nested: %+v %+v %+v", j.JobLocations, j.HiringTeam, j.CustomFields)
	}
}

func TestPreboardingCandidate_JobTitle(t *testing.T) {
	cases := []struct {
		name, json string
		want       *string
	}{
		{"jobTitle", `{"jobTitle":"SRE"}`, ptr("SRE")},
		{"jobtitle", `{"jobtitle":"SRE"}`, ptr("SRE")},
		{"both prefer jobTitle", `{"jobtitle":"old","jobTitle":"SRE"}`, ptr("SRE")},
		{"jobTitle null falls back", `{"jobTitle":null,"jobtitle":"SRE"}`, ptr("SRE")},
		{"neither", `{"id":"p1"}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var p keka.PreboardingCandidate
			if err := json.Unmarshal([]byte(tc.json), &p); err != nil {
				t.Fatal(err)
			}
			if (p.JobTitle == nil) != (tc.want == nil) || (p.JobTitle != nil && *p.JobTitle != *tc.want) {
				t.Errorf("JobTitle = %v, want %v", deref(p.JobTitle), deref(tc.want))
			}
		})
	}
	var p keka.PreboardingCandidate
	err := json.Unmarshal([]byte(`{"id":"p1","stage":4,"status":0,"expectedDateOfJoining":"2026-12-01","mobileNumber":"98450"}`), &p)
	if err != nil || *p.ID != "p1" || *p.Stage != 4 || *p.Status != 0 || !p.ExpectedDateOfJoining.Valid || *p.MobileNumber != "98450" {
		t.Errorf("preboarding candidate %+v, %v", p, err)
	}
	if err := json.Unmarshal([]byte(`{"expectedDateOfJoining":"soon"}`), &p); err == nil {
		t.Errorf("bad date accepted")
	}
}

func ptr(s string) *string { return &s }

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
