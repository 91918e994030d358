package dataset_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

func ptr[T any](v T) *T { return &v }

func ts(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	t = t.UTC()
	return &t
}

var extractedAt = time.Date(2026, 11, 26, 2, 0, 0, 123_456_789, time.UTC)

func meta() dataset.Meta {
	return dataset.Meta{RunID: "run-1", ExtractedAt: extractedAt}
}

func mustLookup(t testing.TB, name string) dataset.Dataset {
	t.Helper()
	d, ok := dataset.Lookup(name)
	if !ok {
		t.Fatalf("Lookup(%q) found nothing", name)
	}
	return d
}

// same compares rows through their JSON form, which shows pointed-to values.
func same(t *testing.T, got, want any) {
	t.Helper()
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	if string(g) != string(w) {
		t.Errorf("row differs\n got: %s\nwant: %s", g, w)
	}
}

func hmacHex(key, s string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

const fullJob = `{"id":"j1","title":"Go Engineer","description":"<p>Build things</p>","noOfOpenings":3,
"departmentName":"Engineering","jobType":1,"isReferralEnabled":true,"isCreatedFromRequisition":false,
"requisitionIdentifier":"REQ-7","canAllowInternalEmployees":true,"orgJobId":"ENG-001",
"jobLocations":[{"name":"HQ","city":"Pune","state":"MH","countryName":"India"},null,{"city":"Goa"}],
"hiringTeam":[{"identifier":"e1","displayName":"Ravi","type":"Recruiter"}],
"careerPortalUrl":"https://acme.keka.com/careers/j1","targetHireDate":"2026-12-31T00:00:00",
"status":2,"createdOn":"2026-10-02T09:14:00.5+05:30","publishedOn":"","experience":"3-5 years",
"customFields":[{"fieldName":"Band","required":false,"fieldType":1,"value":"B2"}],"brandNewField":{"x":1}}`

func TestJobs_Map(t *testing.T) {
	d := mustLookup(t, "jobs")
	base := func(raw string) dataset.JobRow {
		return dataset.JobRow{Locations: []dataset.JobLocation{}, HiringTeam: []dataset.HiringTeamRole{},
			RawJSON: raw, ExtractedAt: time.Date(2026, 11, 26, 2, 0, 0, 123_000_000, time.UTC), RunID: "run-1"}
	}
	tests := []struct {
		name string
		raw  string
		want func(r *dataset.JobRow)
	}{
		{"every field", fullJob, func(r *dataset.JobRow) {
			r.JobID = "j1"
			r.Title = ptr("Go Engineer")
			r.Description = ptr("<p>Build things</p>")
			r.DepartmentName = ptr("Engineering")
			r.JobType = ptr("1")
			r.JobTypeLabel = ptr("PartTime")
			r.Status = ptr(int32(2))
			r.StatusLabel = ptr("Archived")
			r.NoOfOpenings = ptr(int32(3))
			r.OrgJobID = ptr("ENG-001")
			r.RequisitionIdentifier = ptr("REQ-7")
			r.IsReferralEnabled = ptr(true)
			r.CareerPortalURL = ptr("https://acme.keka.com/careers/j1")
			r.Experience = ptr("3-5 years")
			r.CreatedOn = ts("2026-10-02T03:44:00.5Z")
			r.TargetHireDate = ts("2026-12-31T00:00:00Z")
			r.Locations = []dataset.JobLocation{
				{Name: ptr("HQ"), City: ptr("Pune"), State: ptr("MH"), CountryName: ptr("India")},
				{City: ptr("Goa")},
			}
			r.HiringTeam = []dataset.HiringTeamRole{{Identifier: ptr("e1"), DisplayName: ptr("Ravi"), Type: ptr("Recruiter")}}
		}},
		{"only an id", `{"id":"j2"}`, func(r *dataset.JobRow) { r.JobID = "j2" }},
		{"nulls everywhere", `{"id":"j3","title":null,"status":null,"jobType":null,"createdOn":null,"jobLocations":null,"hiringTeam":null,"isReferralEnabled":null}`,
			func(r *dataset.JobRow) { r.JobID = "j3" }},
		{"job type as text, odd types ignored", `{"id":"j4","jobType":"Full time","status":"3","noOfOpenings":"many","isReferralEnabled":"false","jobLocations":{"name":"x"},"title":{"en":"x"},"createdOn":"soon","publishedOn":1789573328}`,
			func(r *dataset.JobRow) {
				r.JobID = "j4"
				r.JobType = ptr("Full time") // not a code: no label
				r.Status = ptr(int32(3))
				r.StatusLabel = ptr("Offline")
				r.IsReferralEnabled = ptr(false)
				r.PublishedOn = ts("2026-09-16T15:42:08Z")
			}},
		{"numbers as strings, as the spec types them", `{"id":"j6","noOfOpenings":"3","jobType":"2","status":1}`, func(r *dataset.JobRow) {
			r.JobID = "j6"
			r.NoOfOpenings = ptr(int32(3))
			r.JobType = ptr("2")
			r.JobTypeLabel = ptr("FullTime")
			r.Status = ptr(int32(1))
			r.StatusLabel = ptr("Online")
		}},
		{"unknown codes get no label", `{"id":"j7","jobType":3,"status":5}`, func(r *dataset.JobRow) {
			r.JobID = "j7"
			r.JobType = ptr("3")
			r.Status = ptr(int32(5))
		}},
		{"empty strings and dates null", `{"id":"j5","title":"","publishedOn":"","targetHireDate":"2027-01-15"}`, func(r *dataset.JobRow) {
			r.JobID = "j5"
			r.TargetHireDate = ts("2027-01-15T00:00:00Z")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row, err := d.Map(json.RawMessage(tt.raw), meta())
			if err != nil {
				t.Fatalf("Map: %v", err)
			}
			want := base(tt.raw)
			tt.want(&want)
			same(t, row, want)
			if row.Key() != want.JobID {
				t.Errorf("Key() = %q, want %q", row.Key(), want.JobID)
			}
		})
	}
}

const fullCandidate = `{
  "id": "c1", "firstName": "Asha", "middleName": null, "lastName": "Rao",
  "gender": 2, "email": "Asha.Rao@Example.com", "phone": "+91 98450 00000",
  "skills": ["Go", "SQL", null, ""],
  "candidateTags": [{"identifier": "t1", "name": "Referral", "description": ""}, {"identifier": "t2", "name": null}],
  "educationDetails": [{"degree": "BTech", "branch": "CS", "university": "VTU",
    "location": "Bengaluru", "dateOfJoining": "2014-08-01T00:00:00", "dateOfCompletion": "2018-05-31T00:00:00"}],
  "experienceDetails": [{"companyName": "Acme", "designation": "Engineer",
    "isCurrentlyWorking": true, "location": "Pune", "dateOfJoining": "2018-07-02T00:00:00", "dateOfRelieving": null}],
  "additionalCandidateDetails": {"Notice period": "30 days"},
  "jobApplicationDetails": {
    "jobHiringStageId": "Shortlisted", "movedtoStageOn": "1789573328.01",
    "appliedOn": "2026-10-02T09:14:00Z", "status": 0,
    "sourcedBy": "Careers page", "sourceTitle": "LinkedIn",
    "assignedTo": "e7c1", "assignedOn": "",
    "screeningQuestionsResponse": {"Willing to relocate?": "Yes, from Asha's home town"}
  },
  "archivedDetails": {"archived On": "2026-11-01T10:00:00", "reason": "Position filled"}
}`

func fullCandidateRow(raw string) dataset.JobCandidateRow {
	return dataset.JobCandidateRow{
		JobID: "j1", CandidateID: "c1",
		FirstName: ptr("Asha"), LastName: ptr("Rao"),
		Email: ptr("Asha.Rao@Example.com"), Phone: ptr("+91 98450 00000"),
		Gender: ptr(int32(2)), IsArchived: true,
		Stage: ptr("Shortlisted"), ApplicationStatus: ptr(int32(0)),
		AppliedOn:      ts("2026-10-02T09:14:00Z"),
		MovedToStageOn: ts("2026-09-16T15:42:08.01Z"),
		Source:         ptr("LinkedIn"), SourcedBy: ptr("Careers page"), AssignedTo: ptr("e7c1"),
		ArchivedOn: ts("2026-11-01T10:00:00Z"), ArchiveReason: ptr("Position filled"),
		Skills: []string{"Go", "SQL"}, Tags: []string{"Referral"},
		Education: []dataset.Education{{Degree: ptr("BTech"), Branch: ptr("CS"), University: ptr("VTU"), Location: ptr("Bengaluru"),
			DateOfJoining: ts("2014-08-01T00:00:00Z"), DateOfCompletion: ts("2018-05-31T00:00:00Z")}},
		Experience: []dataset.Experience{{CompanyName: ptr("Acme"), Designation: ptr("Engineer"), IsCurrentlyWorking: ptr(true),
			Location: ptr("Pune"), DateOfJoining: ts("2018-07-02T00:00:00Z")}},
		RawJSON: raw, ExtractedAt: time.Date(2026, 11, 26, 2, 0, 0, 123_000_000, time.UTC), RunID: "run-1",
	}
}

func TestJobCandidates_Map(t *testing.T) {
	d := mustLookup(t, "job_candidates")
	tests := []struct {
		name     string
		raw      string
		archived bool
		want     func(raw string) dataset.JobCandidateRow
	}{
		{"every field", fullCandidate, true, fullCandidateRow},
		{"only an id", `{"id":"c2"}`, false, func(raw string) dataset.JobCandidateRow {
			return dataset.JobCandidateRow{JobID: "j1", CandidateID: "c2", Skills: []string{}, Tags: []string{},
				RawJSON: raw, ExtractedAt: time.Date(2026, 11, 26, 2, 0, 0, 123_000_000, time.UTC), RunID: "run-1"}
		}},
		{"date quirks and nulls", `{"id":"c3","email":null,"skills":null,"educationDetails":[],"experienceDetails":null,
			"jobApplicationDetails":{"movedtoStageOn":"","appliedOn":"2026-10-02T09:14:00","status":null},
			"archivedDetails":{"archived On":"","reason":""},"extra":[1,2]}`, false,
			func(raw string) dataset.JobCandidateRow {
				return dataset.JobCandidateRow{JobID: "j1", CandidateID: "c3", Skills: []string{}, Tags: []string{},
					AppliedOn: ts("2026-10-02T09:14:00Z"), Education: []dataset.Education{},
					RawJSON: raw, ExtractedAt: time.Date(2026, 11, 26, 2, 0, 0, 123_000_000, time.UTC), RunID: "run-1"}
			}},
		{"nested objects of the wrong type", `{"id":"c4","jobApplicationDetails":"n/a","archivedDetails":[],"candidateTags":"x","skills":"Go","gender":"2"}`, false,
			func(raw string) dataset.JobCandidateRow {
				return dataset.JobCandidateRow{JobID: "j1", CandidateID: "c4", Gender: ptr(int32(2)), Skills: []string{}, Tags: []string{},
					RawJSON: raw, ExtractedAt: time.Date(2026, 11, 26, 2, 0, 0, 123_000_000, time.UTC), RunID: "run-1"}
			}},
		{"numeric id", `{"id":42}`, false, func(raw string) dataset.JobCandidateRow {
			return dataset.JobCandidateRow{JobID: "j1", CandidateID: "42", Skills: []string{}, Tags: []string{},
				RawJSON: raw, ExtractedAt: time.Date(2026, 11, 26, 2, 0, 0, 123_000_000, time.UTC), RunID: "run-1"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := meta()
			m.Parent, m.List = "j1", keka.JobCandidatesList("j1", tt.archived)
			row, err := d.Map(json.RawMessage(tt.raw), m)
			if err != nil {
				t.Fatalf("Map: %v", err)
			}
			want := tt.want(tt.raw)
			same(t, row, want)
			if got := row.Key(); got != "j1/"+want.CandidateID {
				t.Errorf("Key() = %q", got)
			}
		})
	}
}

func TestPreboardingCandidates_Map(t *testing.T) {
	d := mustLookup(t, "preboarding_candidates")
	base := func(id, raw string) dataset.PreboardingCandidateRow {
		return dataset.PreboardingCandidateRow{CandidateID: id, RawJSON: raw,
			ExtractedAt: time.Date(2026, 11, 26, 2, 0, 0, 123_000_000, time.UTC), RunID: "run-1"}
	}
	tests := []struct {
		name string
		raw  string
		want func(raw string) dataset.PreboardingCandidateRow
	}{
		{"every field", `{"id":"p1","firstName":"Asha","middleName":"K","lastName":"Rao","email":"asha@example.com",
			"countryCode":"+91","mobileNumber":"9845000000","gender":1,"stage":4,"status":0,"jobTitle":"Engineer",
			"department":"Engineering","workLocation":"Pune","expectedDateOfJoining":"2026-12-01T00:00:00Z"}`,
			func(raw string) dataset.PreboardingCandidateRow {
				r := base("p1", raw)
				r.FirstName, r.MiddleName, r.LastName = ptr("Asha"), ptr("K"), ptr("Rao")
				r.Email, r.CountryCode, r.MobileNumber = ptr("asha@example.com"), ptr("+91"), ptr("9845000000")
				r.Gender, r.Stage, r.Status = ptr(int32(1)), ptr(int32(4)), ptr(int32(0))
				r.StageLabel, r.StatusLabel = ptr("OfferAcceptance"), ptr("Initiated")
				r.JobTitle, r.Department, r.WorkLocation = ptr("Engineer"), ptr("Engineering"), ptr("Pune")
				r.ExpectedDateOfJoining = ts("2026-12-01T00:00:00Z")
				return r
			}},
		{"jobtitle spelling, epoch date", `{"id":"p2","jobtitle":"Designer","expectedDateOfJoining":"1789573328","mobileNumber":9845000000}`,
			func(raw string) dataset.PreboardingCandidateRow {
				r := base("p2", raw)
				r.JobTitle = ptr("Designer")
				r.MobileNumber = ptr("9845000000")
				r.ExpectedDateOfJoining = ts("2026-09-16T15:42:08Z")
				return r
			}},
		{"both spellings, null one loses", `{"jobTitle":null,"id":"p3","jobtitle":"Analyst","expectedDateOfJoining":""}`,
			func(raw string) dataset.PreboardingCandidateRow {
				r := base("p3", raw)
				r.JobTitle = ptr("Analyst")
				return r
			}},
		{"unknown codes get no label", `{"id":"p4","stage":6,"status":-1}`,
			func(raw string) dataset.PreboardingCandidateRow {
				r := base("p4", raw)
				r.Stage, r.Status = ptr(int32(6)), ptr(int32(-1))
				return r
			}},
		{"last codes", `{"id":"p5","stage":5,"status":5}`,
			func(raw string) dataset.PreboardingCandidateRow {
				r := base("p5", raw)
				r.Stage, r.Status = ptr(int32(5)), ptr(int32(5))
				r.StageLabel, r.StatusLabel = ptr("Hired"), ptr("MarkedAsNoShow")
				return r
			}},
		{"both spellings, empty one loses", `{"jobTitle":"","id":"p3","jobtitle":"Analyst"}`,
			func(raw string) dataset.PreboardingCandidateRow {
				r := base("p3", raw)
				r.JobTitle = ptr("Analyst")
				return r
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row, err := d.Map(json.RawMessage(tt.raw), meta())
			if err != nil {
				t.Fatalf("Map: %v", err)
			}
			same(t, row, tt.want(tt.raw))
		})
	}
}

func TestDataset_MapErrors(t *testing.T) {
	tests := []struct {
		dataset string
		raw     string
		meta    dataset.Meta
		want    string
	}{
		{"jobs", `[1,2]`, meta(), "jobs: record is not a JSON object"},
		{"jobs", `"x"`, meta(), "not a JSON object"},
		{"jobs", `null`, meta(), "not a JSON object"},
		{"jobs", ``, meta(), "not a JSON object"},
		{"jobs", `{"title":"t"}`, meta(), "jobs: record lacks id"},
		{"jobs", `{"id":""}`, meta(), "lacks id"},
		{"jobs", `{"id":null}`, meta(), "lacks id"},
		{"jobs", `{"id":{"v":1}}`, meta(), "lacks id"},
		{"job_candidates", `{"id":"c1","email":"secret@example.com"`, dataset.Meta{Parent: "j"}, "job_candidates: record is not valid JSON"},
		{"job_candidates", `{"id":"c1"}`, dataset.Meta{}, "job_candidates: Meta.Parent (the job id) is empty"},
		{"job_candidates", `{"email":"secret@example.com"}`, dataset.Meta{Parent: "j"}, "job_candidates: record lacks id"},
		{"preboarding_candidates", `{"id":"p","email":"secret@example.com"}`, dataset.Meta{PII: dataset.PII{Mode: dataset.PIIHash}}, "preboarding_candidates: PII mode hash needs a key"},
		{"preboarding_candidates", `{"id":"p"}`, dataset.Meta{PII: dataset.PII{Mode: "mask"}}, `PII mode "mask" is not keep, hash or drop`},
	}
	for _, tt := range tests {
		t.Run(tt.dataset+" "+tt.raw, func(t *testing.T) {
			_, err := mustLookup(t, tt.dataset).Map(json.RawMessage(tt.raw), tt.meta)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error echoes personal data: %v", err)
			}
		})
	}
}

func TestParsePIIMode(t *testing.T) {
	for in, want := range map[string]dataset.PIIMode{"keep": dataset.PIIKeep, "": dataset.PIIKeep, "HASH": dataset.PIIHash, " drop ": dataset.PIIDrop} {
		got, err := dataset.ParsePIIMode(in)
		if err != nil || got != want {
			t.Errorf("ParsePIIMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := dataset.ParsePIIMode("mask"); err == nil || !strings.Contains(err.Error(), "keep, hash or drop") {
		t.Errorf("ParsePIIMode(mask) err = %v", err)
	}
}

func TestDataset_PII(t *testing.T) {
	const key = "k3y"
	cand := mustLookup(t, "job_candidates")
	pre := mustLookup(t, "preboarding_candidates")
	candMeta := func(p dataset.PII) dataset.Meta {
		m := meta()
		m.Parent, m.List, m.PII = "j1", keka.JobCandidatesList("j1", true), p
		return m
	}

	t.Run("keep is byte for byte", func(t *testing.T) {
		row, err := cand.Map(json.RawMessage(fullCandidate), candMeta(dataset.PII{Mode: dataset.PIIKeep}))
		if err != nil {
			t.Fatal(err)
		}
		same(t, row, fullCandidateRow(fullCandidate))
	})

	t.Run("hash job candidate", func(t *testing.T) {
		row, err := cand.Map(json.RawMessage(fullCandidate), candMeta(dataset.PII{Mode: dataset.PIIHash, Key: []byte(key)}))
		if err != nil {
			t.Fatal(err)
		}
		got := row.(dataset.JobCandidateRow)
		want := fullCandidateRow(got.RawJSON)
		want.FirstName = ptr(hmacHex(key, "Asha"))
		want.LastName = ptr(hmacHex(key, "Rao"))
		want.Email = ptr(hmacHex(key, "asha.rao@example.com")) // normalised
		want.Phone = ptr(hmacHex(key, "+91 98450 00000"))
		want.Education, want.Experience = nil, nil
		same(t, got, want)

		var rawGot, rawWant map[string]any
		if err := json.Unmarshal([]byte(got.RawJSON), &rawGot); err != nil {
			t.Fatalf("raw_json is not JSON: %v", err)
		}
		_ = json.Unmarshal([]byte(fullCandidate), &rawWant)
		rawWant["firstName"], rawWant["lastName"] = *want.FirstName, *want.LastName
		rawWant["email"], rawWant["phone"] = *want.Email, *want.Phone
		rawWant["educationDetails"], rawWant["experienceDetails"], rawWant["additionalCandidateDetails"] = nil, nil, nil
		rawWant["jobApplicationDetails"].(map[string]any)["screeningQuestionsResponse"] = nil
		same(t, rawGot, rawWant)
		if !strings.HasPrefix(got.RawJSON, `{"id":"c1","firstName":"`+*want.FirstName+`","middleName":null,"lastName"`) {
			t.Errorf("raw_json lost its key order: %.80s", got.RawJSON)
		}
	})

	t.Run("hash is stable and keyed", func(t *testing.T) {
		raw := json.RawMessage(`{"id":"p1","email":" ASHA@example.com ","firstName":"Asha"}`)
		a1, _ := pre.Map(raw, dataset.Meta{PII: dataset.PII{Mode: dataset.PIIHash, Key: []byte(key)}})
		a2, _ := pre.Map(raw, dataset.Meta{PII: dataset.PII{Mode: dataset.PIIHash, Key: []byte(key)}})
		b, _ := pre.Map(raw, dataset.Meta{PII: dataset.PII{Mode: dataset.PIIHash, Key: []byte("other")}})
		ra1, ra2, rb := a1.(dataset.PreboardingCandidateRow), a2.(dataset.PreboardingCandidateRow), b.(dataset.PreboardingCandidateRow)
		if *ra1.Email != *ra2.Email || ra1.RawJSON != ra2.RawJSON {
			t.Errorf("hash not stable: %s vs %s", *ra1.Email, *ra2.Email)
		}
		if *ra1.Email == *rb.Email {
			t.Errorf("hash does not depend on the key")
		}
		// The same person's email hashes alike in both candidate datasets.
		c, _ := cand.Map(json.RawMessage(`{"id":"c1","email":"asha@EXAMPLE.com"}`), candMeta(dataset.PII{Mode: dataset.PIIHash, Key: []byte(key)}))
		if got := *c.(dataset.JobCandidateRow).Email; got != *ra1.Email || got != hmacHex(key, "asha@example.com") {
			t.Errorf("email hashes differ across datasets: %s vs %s", got, *ra1.Email)
		}
	})

	t.Run("hash leaves empty and null alone", func(t *testing.T) {
		raw := `{"id":"p1","email":"","firstName":null,"lastName":{"x":1},"mobileNumber":9845000000}`
		row, err := pre.Map(json.RawMessage(raw), dataset.Meta{PII: dataset.PII{Mode: dataset.PIIHash, Key: []byte(key)}})
		if err != nil {
			t.Fatal(err)
		}
		h := hmacHex(key, "9845000000")
		want := dataset.PreboardingCandidateRow{CandidateID: "p1", MobileNumber: &h,
			RawJSON: `{"id":"p1","email":"","firstName":null,"lastName":null,"mobileNumber":"` + h + `"}`}
		same(t, row, want)
	})

	t.Run("drop preboarding", func(t *testing.T) {
		raw := `{"id":"p1","firstName":"Asha","MiddleName":"K","lastName":"Rao","email":"asha@example.com","countryCode":"+91","mobileNumber":"9845000000","gender":1,"jobTitle":"Engineer"}`
		row, err := pre.Map(json.RawMessage(raw), dataset.Meta{PII: dataset.PII{Mode: dataset.PIIDrop}})
		if err != nil {
			t.Fatal(err)
		}
		want := dataset.PreboardingCandidateRow{CandidateID: "p1", CountryCode: ptr("+91"), Gender: ptr(int32(1)), JobTitle: ptr("Engineer"),
			RawJSON: `{"id":"p1","firstName":null,"MiddleName":null,"lastName":null,"email":null,"countryCode":"+91","mobileNumber":null,"gender":1,"jobTitle":"Engineer"}`}
		same(t, row, want)
	})

	t.Run("drop job candidate", func(t *testing.T) {
		row, err := cand.Map(json.RawMessage(fullCandidate), candMeta(dataset.PII{Mode: dataset.PIIDrop}))
		if err != nil {
			t.Fatal(err)
		}
		got := row.(dataset.JobCandidateRow)
		want := fullCandidateRow(got.RawJSON)
		want.FirstName, want.LastName, want.Email, want.Phone = nil, nil, nil, nil
		want.Education, want.Experience = nil, nil
		same(t, got, want)
		for _, s := range []string{"Asha", "Rao", "example.com", "98450", "BTech", "Acme", "Notice", "relocate"} {
			if strings.Contains(got.RawJSON, s) {
				t.Errorf("raw_json still holds %q: %s", s, got.RawJSON)
			}
		}
	})

	t.Run("personal columns", func(t *testing.T) {
		same(t, cand.PersonalColumns(), []string{"first_name", "middle_name", "last_name", "email", "phone", "education", "experience"})
		same(t, pre.PersonalColumns(), []string{"first_name", "middle_name", "last_name", "email", "mobile_number"})
		if got := mustLookup(t, "jobs").PersonalColumns(); len(got) != 0 {
			t.Errorf("jobs personal columns = %v", got)
		}
	})
}

// TestDataset_MapsSimulatorRecords maps every record the simulator serves,
// in each form it sends job numbers in, and compares the rows with the
// simulator's ground truth.
func TestDataset_MapsSimulatorRecords(t *testing.T) {
	tn := kekasim.NewTenant(8, kekasim.Size{Jobs: 30, Applications: 1500, Preboarding: 200})
	tr := tn.Truth()
	jobs, cands, pre := mustLookup(t, "jobs"), mustLookup(t, "job_candidates"), mustLookup(t, "preboarding_candidates")
	for name, nums := range map[string]kekasim.JobNumbers{"mixed": kekasim.JobNumbersMixed, "strings": kekasim.JobNumbersString, "numbers": kekasim.JobNumbersNumber} {
		t.Run(name, func(t *testing.T) {
			s, err := kekasim.Start(tn, kekasim.Options{Shape: kekasim.ShapeArray, JobNumbers: nums, RequestsPerMinute: 1_000_000})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			tok := simToken(t, s)

			forms := map[string]int{}
			raws := simList(t, s, tok, "/hire/jobs")
			if len(raws) != len(tr.Jobs) {
				t.Fatalf("%d jobs listed, the tenant has %d", len(raws), len(tr.Jobs))
			}
			for i, raw := range raws {
				for _, f := range []string{`"jobType":"`, `"jobType":1`, `"jobType":2`, `"noOfOpenings":"`} {
					if strings.Contains(string(raw), f) {
						forms[f]++
					}
				}
				row, err := jobs.Map(raw, meta())
				if err != nil {
					t.Fatalf("job %d: %v", i, err)
				}
				r, w := row.(dataset.JobRow), tr.Jobs[i]
				var jobType *string
				if w.JobType != nil {
					jobType = ptr(strconv.Itoa(*w.JobType))
				}
				check(t, "job "+w.ID, []pair{
					{"job_id", r.JobID, w.ID}, {"title", r.Title, &w.Title}, {"department_name", r.DepartmentName, w.DepartmentName},
					{"status", r.Status, i32(w.Status)}, {"no_of_openings", r.NoOfOpenings, i32(w.NoOfOpenings)}, {"job_type", r.JobType, jobType},
					{"created_on", r.CreatedOn, w.CreatedOn}, {"published_on", r.PublishedOn, w.PublishedOn}, {"target_hire_date", r.TargetHireDate, w.TargetHireDate},
				})
			}
			switch nums {
			case kekasim.JobNumbersMixed:
				if forms[`"jobType":"`] == 0 || forms[`"jobType":1`]+forms[`"jobType":2`] == 0 {
					t.Errorf("jobType forms %v: want strings and numbers", forms)
				}
			case kekasim.JobNumbersString:
				if forms[`"jobType":"`] == 0 || forms[`"noOfOpenings":"`] == 0 || forms[`"jobType":1`]+forms[`"jobType":2`] != 0 {
					t.Errorf("jobType forms %v: want strings only", forms)
				}
			case kekasim.JobNumbersNumber:
				if forms[`"jobType":"`]+forms[`"noOfOpenings":"`] != 0 || forms[`"jobType":1`]+forms[`"jobType":2`] == 0 {
					t.Errorf("jobType forms %v: want numbers only", forms)
				}
			}

			i := 0
			for _, j := range tr.Jobs {
				for _, archived := range []bool{false, true} {
					m := meta()
					m.Parent, m.List = j.ID, keka.JobCandidatesList(j.ID, archived)
					for _, raw := range simList(t, s, tok, "/hire/jobs/"+j.ID+"/candidates?isArchived="+strconv.FormatBool(archived)) {
						row, err := cands.Map(raw, m)
						if err != nil {
							t.Fatalf("application %d: %v", i, err)
						}
						r, w := row.(dataset.JobCandidateRow), tr.Applications[i]
						i++
						check(t, "application "+w.JobID+"/"+w.CandidateID, []pair{
							{"job_id", r.JobID, w.JobID}, {"candidate_id", r.CandidateID, w.CandidateID}, {"is_archived", r.IsArchived, w.Archived},
							{"first_name", r.FirstName, w.FirstName}, {"last_name", r.LastName, w.LastName}, {"email", r.Email, w.Email}, {"phone", r.Phone, w.Phone},
							{"stage", r.Stage, w.Stage}, {"application_status", r.ApplicationStatus, i32(w.Status)},
							{"applied_on", r.AppliedOn, w.AppliedOn}, {"moved_to_stage_on", r.MovedToStageOn, w.MovedToStageOn},
							{"source", r.Source, w.Source}, {"sourced_by", r.SourcedBy, w.SourcedBy},
						})
					}
				}
			}
			if i != len(tr.Applications) {
				t.Fatalf("%d applications listed, the tenant has %d", i, len(tr.Applications))
			}

			raws = simList(t, s, tok, "/hire/preboarding/candidates")
			if len(raws) != len(tr.Preboarding) {
				t.Fatalf("%d preboarding candidates listed, the tenant has %d", len(raws), len(tr.Preboarding))
			}
			spellings := map[string]int{}
			for i, raw := range raws {
				for _, k := range []string{`"jobtitle":`, `"jobTitle":`} {
					if strings.Contains(string(raw), k) {
						spellings[k]++
					}
				}
				row, err := pre.Map(raw, meta())
				if err != nil {
					t.Fatalf("preboarding %d: %v", i, err)
				}
				r, w := row.(dataset.PreboardingCandidateRow), tr.Preboarding[i]
				check(t, "preboarding "+w.CandidateID, []pair{
					{"candidate_id", r.CandidateID, w.CandidateID}, {"first_name", r.FirstName, w.FirstName}, {"last_name", r.LastName, w.LastName},
					{"email", r.Email, w.Email}, {"stage", r.Stage, i32(w.Stage)}, {"status", r.Status, i32(w.Status)},
					{"job_title", r.JobTitle, w.JobTitle}, {"department", r.Department, w.Department},
					{"expected_date_of_joining", r.ExpectedDateOfJoining, w.ExpectedDateOfJoining},
				})
			}
			if spellings[`"jobtitle":`] == 0 || spellings[`"jobTitle":`] == 0 {
				t.Errorf("job title spellings %v: want both", spellings)
			}
		})
	}
}

// pair is a column's mapped value and the truth's.
type pair struct {
	name      string
	got, want any
}

// check compares pairs through their JSON form, which compares pointed-to
// values and instants (all in UTC) alike.
func check(t *testing.T, what string, pairs []pair) {
	t.Helper()
	for _, p := range pairs {
		g, _ := json.Marshal(p.got)
		w, _ := json.Marshal(p.want)
		if string(g) != string(w) {
			t.Fatalf("%s %s: got %s, want %s", what, p.name, g, w)
		}
	}
}

func i32(p *int) *int32 {
	if p == nil {
		return nil
	}
	v := int32(*p)
	return &v
}

// simToken gets a token from the simulator.
func simToken(t testing.TB, s *kekasim.Server) string {
	t.Helper()
	form := url.Values{"grant_type": {"kekaapi"}, "scope": {"kekaapi"}, "client_id": {"sim-client-id"}, "client_secret": {"sim-client-secret"}, "api_key": {"sim-api-key"}}
	req, _ := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "dataset-test/1")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := doJSON(req, &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %v", err)
	}
	return tok.AccessToken
}

// simList reads every page of a list that answers bare arrays.
func simList(t testing.TB, s *kekasim.Server, tok, path string) []json.RawMessage {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var out []json.RawMessage
	for n := 1; ; n++ {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s%s%spageNumber=%d&pageSize=200", s.BaseURL(), path, sep, n), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("User-Agent", "dataset-test/1")
		var page []json.RawMessage
		if err := doJSON(req, &page); err != nil {
			t.Fatalf("%s page %d: %v", path, n, err)
		}
		out = append(out, page...)
		if len(page) < 200 {
			return out
		}
	}
}

func doJSON(req *http.Request, v any) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
