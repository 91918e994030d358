package dataset

import (
	"encoding/json"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// PreboardingCandidateRow is one row of preboarding_candidates: a candidate
// who accepted an offer. stage and status are Keka's integers (stage 0 Start
// to 5 Hired, status 0 Initiated to 5 MarkedAsNoShow); job_title is read from
// jobtitle, as the spec spells it, or from jobTitle, as seen too.
type PreboardingCandidateRow struct {
	CandidateID           string     `parquet:"candidate_id"`
	FirstName             *string    `parquet:"first_name,optional"`
	MiddleName            *string    `parquet:"middle_name,optional"`
	LastName              *string    `parquet:"last_name,optional"`
	Email                 *string    `parquet:"email,optional"`
	CountryCode           *string    `parquet:"country_code,optional,dict"`
	MobileNumber          *string    `parquet:"mobile_number,optional"`
	Gender                *int32     `parquet:"gender,optional"`
	Stage                 *int32     `parquet:"stage,optional"`
	StageLabel            *string    `parquet:"stage_label,optional,dict"` // Start ... Hired (labels.go)
	Status                *int32     `parquet:"status,optional"`
	StatusLabel           *string    `parquet:"status_label,optional,dict"` // Initiated ... MarkedAsNoShow
	JobTitle              *string    `parquet:"job_title,optional,dict"`
	Department            *string    `parquet:"department,optional,dict"`
	WorkLocation          *string    `parquet:"work_location,optional,dict"`
	ExpectedDateOfJoining *time.Time `parquet:"expected_date_of_joining,optional,timestamp(millisecond)"`
	RawJSON               string     `parquet:"raw_json"`
	ExtractedAt           time.Time  `parquet:"extracted_at,timestamp(millisecond)"`
	RunID                 string     `parquet:"run_id,dict"`
}

// Key returns the candidate id.
func (r PreboardingCandidateRow) Key() string { return r.CandidateID }

type preboardingJSON struct {
	ID, FirstName, MiddleName, LastName, Email, CountryCode, MobileNumber text
	Gender, Stage, Status                                                 integer
	JobTitle, JobTitleLower, Department, WorkLocation                     text
	ExpectedDateOfJoining                                                 date
}

// preboardingFields are the keys of a preboarding candidate that its row
// reads; jobTitle before jobtitle, so that JOBTITLE fills JobTitle.
var preboardingFields = fieldTable[preboardingJSON]{
	textField("id", func(c *preboardingJSON) *text { return &c.ID }),
	textField("firstName", func(c *preboardingJSON) *text { return &c.FirstName }),
	textField("middleName", func(c *preboardingJSON) *text { return &c.MiddleName }),
	textField("lastName", func(c *preboardingJSON) *text { return &c.LastName }),
	textField("email", func(c *preboardingJSON) *text { return &c.Email }),
	textField("countryCode", func(c *preboardingJSON) *text { return &c.CountryCode }),
	textField("mobileNumber", func(c *preboardingJSON) *text { return &c.MobileNumber }),
	integerField("gender", func(c *preboardingJSON) *integer { return &c.Gender }),
	integerField("stage", func(c *preboardingJSON) *integer { return &c.Stage }),
	integerField("status", func(c *preboardingJSON) *integer { return &c.Status }),
	textField("jobTitle", func(c *preboardingJSON) *text { return &c.JobTitle }),
	textField("jobtitle", func(c *preboardingJSON) *text { return &c.JobTitleLower }),
	textField("department", func(c *preboardingJSON) *text { return &c.Department }),
	textField("workLocation", func(c *preboardingJSON) *text { return &c.WorkLocation }),
	dateField("expectedDateOfJoining", func(c *preboardingJSON) *date { return &c.ExpectedDateOfJoining }),
}

var preboardingRules = identity("firstName", "middleName", "lastName", "email", "mobileNumber")

func preboardingCandidates() Dataset {
	const name = "preboarding_candidates"
	return Dataset{
		Name:          name,
		SchemaVersion: preboardingSchemaVersion,
		KeyColumns:    []string{"candidate_id"},
		Lists:         func(string) []keka.List { return []keka.List{keka.PreboardingList()} },
		Map:           mapPreboardingCandidate,
		Schema:        parquet.SchemaOf(PreboardingCandidateRow{}),
		NewWriter:     func(w io.Writer) Writer { return newWriter[PreboardingCandidateRow](name, w) },
		personal:      []string{"first_name", "middle_name", "last_name", "email", "mobile_number"},
	}
}

var preboardingScratch scratchPool[preboardingJSON]

func mapPreboardingCandidate(raw json.RawMessage, m Meta) (Row, error) {
	const name = "preboarding_candidates"
	sc := preboardingScratch.get()
	defer preboardingScratch.put(sc)
	c := &sc.v
	rawJSON, err := decodeRecord(name, raw, m, sc, preboardingFields, &c.ID, preboardingRules)
	if err != nil {
		return nil, err
	}
	title := c.JobTitle
	if !title.ok || title.v == "" {
		title = c.JobTitleLower
	}
	return PreboardingCandidateRow{
		CandidateID:           c.ID.v,
		FirstName:             m.PII.value(c.FirstName.ptr(), false),
		MiddleName:            m.PII.value(c.MiddleName.ptr(), false),
		LastName:              m.PII.value(c.LastName.ptr(), false),
		Email:                 m.PII.value(c.Email.ptr(), true),
		CountryCode:           c.CountryCode.ptr(),
		MobileNumber:          m.PII.value(c.MobileNumber.ptr(), false),
		Gender:                c.Gender.ptr(),
		Stage:                 c.Stage.ptr(),
		StageLabel:            codeLabel(preboardingStageLabels, c.Stage.ptr()),
		Status:                c.Status.ptr(),
		StatusLabel:           codeLabel(preboardingStatusLabels, c.Status.ptr()),
		JobTitle:              title.ptr(),
		Department:            c.Department.ptr(),
		WorkLocation:          c.WorkLocation.ptr(),
		ExpectedDateOfJoining: c.ExpectedDateOfJoining.ptr(),
		RawJSON:               rawJSON,
		ExtractedAt:           utcMillis(m.ExtractedAt),
		RunID:                 m.RunID,
	}, nil
}
