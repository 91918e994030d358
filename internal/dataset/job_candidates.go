package dataset

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// JobCandidateRow is one row of job_candidates: one application, a candidate
// on one job. job_id comes from the list the record was read from
// (Meta.JobID), is_archived from which of its two lists (Meta.Archived).
//
// education and experience are typed lists of the candidate's history; they
// are personal data, so PII modes hash and drop make them null (as in
// raw_json). additionalCandidateDetails and the screening answers are
// free-form maps and stay in raw_json only.
type JobCandidateRow struct {
	JobID             string       `parquet:"job_id,dict"`
	CandidateID       string       `parquet:"candidate_id"`
	FirstName         *string      `parquet:"first_name,optional,dict"`
	MiddleName        *string      `parquet:"middle_name,optional,dict"`
	LastName          *string      `parquet:"last_name,optional,dict"`
	Email             *string      `parquet:"email,optional"`
	Phone             *string      `parquet:"phone,optional"`
	Gender            *int32       `parquet:"gender,optional,dict"`
	IsArchived        bool         `parquet:"is_archived"`
	Stage             *string      `parquet:"stage,optional,dict"`
	ApplicationStatus *int32       `parquet:"application_status,optional,dict"`
	AppliedOn         *time.Time   `parquet:"applied_on,optional,timestamp(millisecond)"`
	MovedToStageOn    *time.Time   `parquet:"moved_to_stage_on,optional,timestamp(millisecond)"`
	Source            *string      `parquet:"source,optional,dict"`
	SourcedBy         *string      `parquet:"sourced_by,optional,dict"`
	AssignedTo        *string      `parquet:"assigned_to,optional,dict"`
	ArchivedOn        *time.Time   `parquet:"archived_on,optional,timestamp(millisecond)"`
	ArchiveReason     *string      `parquet:"archive_reason,optional,dict"`
	Skills            []string     `parquet:"skills,list" parquet-element:",dict"`
	Tags              []string     `parquet:"tags,list" parquet-element:",dict"`
	Education         []Education  `parquet:"education,optional,list"`
	Experience        []Experience `parquet:"experience,optional,list"`
	RawJSON           string       `parquet:"raw_json"`
	ExtractedAt       time.Time    `parquet:"extracted_at,timestamp(millisecond)"`
	RunID             string       `parquet:"run_id,dict"`
}

// Education is one element of job_candidates.education.
type Education struct {
	Degree           *string    `parquet:"degree,optional,dict"`
	Branch           *string    `parquet:"branch,optional,dict"`
	University       *string    `parquet:"university,optional,dict"`
	Location         *string    `parquet:"location,optional,dict"`
	DateOfJoining    *time.Time `parquet:"date_of_joining,optional,timestamp(millisecond)"`
	DateOfCompletion *time.Time `parquet:"date_of_completion,optional,timestamp(millisecond)"`
}

// Experience is one element of job_candidates.experience.
type Experience struct {
	CompanyName        *string    `parquet:"company_name,optional,dict"`
	Designation        *string    `parquet:"designation,optional,dict"`
	IsCurrentlyWorking *bool      `parquet:"is_currently_working,optional"`
	Location           *string    `parquet:"location,optional,dict"`
	DateOfJoining      *time.Time `parquet:"date_of_joining,optional,timestamp(millisecond)"`
	DateOfRelieving    *time.Time `parquet:"date_of_relieving,optional,timestamp(millisecond)"`
}

// Key returns job_id + "/" + candidate_id.
func (r JobCandidateRow) Key() string { return r.JobID + "/" + r.CandidateID }

type jobCandidateJSON struct {
	ID, FirstName, MiddleName, LastName, Email, Phone text
	Gender                                            integer
	Skills, Tags                                      []string
	Education                                         []Education
	Experience                                        []Experience
	JobApplicationDetails                             applicationJSON
	ArchivedDetails                                   archivedJSON
}

type candidateTagJSON struct{ Name text }

type educationJSON struct {
	Degree, Branch, University, Location text
	DateOfJoining, DateOfCompletion      date
}

type experienceJSON struct {
	CompanyName, Designation       text
	IsCurrentlyWorking             boolean
	Location                       text
	DateOfJoining, DateOfRelieving date
}

type applicationJSON struct {
	JobHiringStageID          text
	MovedToStageOn, AppliedOn date
	Status                    integer
	SourcedBy, SourceTitle    text
	AssignedTo                text
}

type archivedJSON struct {
	ArchivedOn date
	Reason     text
}

// jobCandidateFields are the keys of an application that its row reads.
var jobCandidateFields = fieldTable[jobCandidateJSON]{
	textField("id", func(c *jobCandidateJSON) *text { return &c.ID }),
	textField("firstName", func(c *jobCandidateJSON) *text { return &c.FirstName }),
	textField("middleName", func(c *jobCandidateJSON) *text { return &c.MiddleName }),
	textField("lastName", func(c *jobCandidateJSON) *text { return &c.LastName }),
	textField("email", func(c *jobCandidateJSON) *text { return &c.Email }),
	textField("phone", func(c *jobCandidateJSON) *text { return &c.Phone }),
	integerField("gender", func(c *jobCandidateJSON) *integer { return &c.Gender }),
	stringsField("skills", func(c *jobCandidateJSON) *[]string { return &c.Skills }),
	rowsField("candidateTags", func(c *jobCandidateJSON) *[]string { return &c.Tags }, fieldTable[candidateTagJSON]{
		textField("name", func(t *candidateTagJSON) *text { return &t.Name }),
	}, func(t *candidateTagJSON) (string, bool) { return t.Name.v, t.Name.ok && t.Name.v != "" }),
	rowsField("educationDetails", func(c *jobCandidateJSON) *[]Education { return &c.Education }, educationFields, educationRow),
	rowsField("experienceDetails", func(c *jobCandidateJSON) *[]Experience { return &c.Experience }, experienceFields, experienceRow),
	objectField("jobApplicationDetails", func(c *jobCandidateJSON) *applicationJSON { return &c.JobApplicationDetails }, fieldTable[applicationJSON]{
		textField("jobHiringStageId", func(a *applicationJSON) *text { return &a.JobHiringStageID }),
		dateField("movedtoStageOn", func(a *applicationJSON) *date { return &a.MovedToStageOn }),
		dateField("appliedOn", func(a *applicationJSON) *date { return &a.AppliedOn }),
		integerField("status", func(a *applicationJSON) *integer { return &a.Status }),
		textField("sourcedBy", func(a *applicationJSON) *text { return &a.SourcedBy }),
		textField("sourceTitle", func(a *applicationJSON) *text { return &a.SourceTitle }),
		textField("assignedTo", func(a *applicationJSON) *text { return &a.AssignedTo }),
	}),
	objectField("archivedDetails", func(c *jobCandidateJSON) *archivedJSON { return &c.ArchivedDetails }, fieldTable[archivedJSON]{
		dateField("archived On", func(a *archivedJSON) *date { return &a.ArchivedOn }),
		textField("reason", func(a *archivedJSON) *text { return &a.Reason }),
	}),
}

// educationFields and experienceFields are the keys of the elements of a
// candidate's educationDetails and experienceDetails (job candidates and
// talent-pool candidates alike).
var (
	educationFields = fieldTable[educationJSON]{
		textField("degree", func(e *educationJSON) *text { return &e.Degree }),
		textField("branch", func(e *educationJSON) *text { return &e.Branch }),
		textField("university", func(e *educationJSON) *text { return &e.University }),
		textField("location", func(e *educationJSON) *text { return &e.Location }),
		dateField("dateOfJoining", func(e *educationJSON) *date { return &e.DateOfJoining }),
		dateField("dateOfCompletion", func(e *educationJSON) *date { return &e.DateOfCompletion }),
	}
	experienceFields = fieldTable[experienceJSON]{
		textField("companyName", func(e *experienceJSON) *text { return &e.CompanyName }),
		textField("designation", func(e *experienceJSON) *text { return &e.Designation }),
		booleanField("isCurrentlyWorking", func(e *experienceJSON) *boolean { return &e.IsCurrentlyWorking }),
		textField("location", func(e *experienceJSON) *text { return &e.Location }),
		dateField("dateOfJoining", func(e *experienceJSON) *date { return &e.DateOfJoining }),
		dateField("dateOfRelieving", func(e *experienceJSON) *date { return &e.DateOfRelieving }),
	}
)

// educationRow is an element of education; false for an empty one.
func educationRow(e *educationJSON) (Education, bool) {
	if !(e.Degree.ok || e.Branch.ok || e.University.ok || e.Location.ok || e.DateOfJoining.t.Valid || e.DateOfCompletion.t.Valid) {
		return Education{}, false
	}
	return Education{
		Degree: e.Degree.ptr(), Branch: e.Branch.ptr(), University: e.University.ptr(), Location: e.Location.ptr(),
		DateOfJoining: e.DateOfJoining.ptr(), DateOfCompletion: e.DateOfCompletion.ptr(),
	}, true
}

// experienceRow is an element of experience; false for an empty one.
func experienceRow(e *experienceJSON) (Experience, bool) {
	if !(e.CompanyName.ok || e.Designation.ok || e.IsCurrentlyWorking.ok || e.Location.ok || e.DateOfJoining.t.Valid || e.DateOfRelieving.t.Valid) {
		return Experience{}, false
	}
	return Experience{
		CompanyName: e.CompanyName.ptr(), Designation: e.Designation.ptr(), IsCurrentlyWorking: e.IsCurrentlyWorking.ptr(),
		Location: e.Location.ptr(), DateOfJoining: e.DateOfJoining.ptr(), DateOfRelieving: e.DateOfRelieving.ptr(),
	}, true
}

// jobCandidateRules are the PII rules of job_candidates' raw_json.
var jobCandidateRules = func() map[string]fieldRule {
	m := identity("firstName", "middleName", "lastName", "email", "phone")
	m[foldKey("educationDetails")] = fieldRule{kind: ruleFree}
	m[foldKey("experienceDetails")] = fieldRule{kind: ruleFree}
	m[foldKey("additionalCandidateDetails")] = fieldRule{kind: ruleFree}
	m[foldKey("jobApplicationDetails")] = fieldRule{kind: ruleNested, inner: map[string]fieldRule{
		foldKey("screeningQuestionsResponse"): {kind: ruleFree},
	}}
	return m
}()

func jobCandidates() Dataset {
	const name = "job_candidates"
	return Dataset{
		Name:          name,
		SchemaVersion: jobCandidatesSchemaVersion,
		KeyColumns:    []string{"job_id", "candidate_id"},
		Parent:        "jobs",
		Lists: func(jobID string) []keka.List {
			return []keka.List{keka.JobCandidatesList(jobID, false), keka.JobCandidatesList(jobID, true)}
		},
		Map:       mapJobCandidate,
		Schema:    parquet.SchemaOf(JobCandidateRow{}),
		NewWriter: func(w io.Writer) Writer { return newWriter[JobCandidateRow](name, w) },
		personal:  []string{"first_name", "middle_name", "last_name", "email", "phone", "education", "experience"},
	}
}

var jobCandidateScratch scratchPool[jobCandidateJSON]

func mapJobCandidate(raw json.RawMessage, m Meta) (Row, error) {
	const name = "job_candidates"
	if m.Parent == "" {
		return nil, fmt.Errorf("dataset %s: Meta.Parent (the job id) is empty", name)
	}
	sc := jobCandidateScratch.get()
	defer jobCandidateScratch.put(sc)
	c := &sc.v
	rawJSON, err := decodeRecord(name, raw, m, sc, jobCandidateFields, &c.ID, jobCandidateRules)
	if err != nil {
		return nil, err
	}
	app := c.JobApplicationDetails
	r := JobCandidateRow{
		JobID:             m.Parent,
		CandidateID:       c.ID.v,
		FirstName:         m.PII.value(c.FirstName.ptr(), false),
		MiddleName:        m.PII.value(c.MiddleName.ptr(), false),
		LastName:          m.PII.value(c.LastName.ptr(), false),
		Email:             m.PII.value(c.Email.ptr(), true),
		Phone:             m.PII.value(c.Phone.ptr(), false),
		Gender:            c.Gender.ptr(),
		IsArchived:        m.List.Query.Get("isArchived") == "true",
		Stage:             app.JobHiringStageID.ptr(),
		ApplicationStatus: app.Status.ptr(),
		AppliedOn:         app.AppliedOn.ptr(),
		MovedToStageOn:    app.MovedToStageOn.ptr(),
		Source:            app.SourceTitle.ptr(),
		SourcedBy:         app.SourcedBy.ptr(),
		AssignedTo:        app.AssignedTo.ptr(),
		ArchivedOn:        c.ArchivedDetails.ArchivedOn.ptr(),
		ArchiveReason:     c.ArchivedDetails.Reason.ptr(),
		Skills:            orEmpty(c.Skills),
		Tags:              orEmpty(c.Tags),
		RawJSON:           rawJSON,
		ExtractedAt:       utcMillis(m.ExtractedAt),
		RunID:             m.RunID,
	}
	if m.PII.keep() { // otherwise education and experience stay null
		r.Education, r.Experience = c.Education, c.Experience
	}
	return r, nil
}
