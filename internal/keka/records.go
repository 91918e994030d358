package keka

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Record types. Field names follow Keka's camelCase; every field may be
// missing or null, so scalars are pointers, dates are Time, and the few
// free-form maps are StringMap. Enum values (status, gender, stage) are kept
// as the integers Keka sends: their meanings are not published.

// Job is one job requisition from /hire/jobs.
type Job struct {
	ID                        *string            `json:"id"`
	Title                     *string            `json:"title"`
	Description               *string            `json:"description"`
	NoOfOpenings              *int               `json:"noOfOpenings"`
	DepartmentName            *string            `json:"departmentName"`
	JobType                   *int               `json:"jobType"`
	IsReferralEnabled         *bool              `json:"isReferralEnabled"`
	IsCreatedFromRequisition  *bool              `json:"isCreatedFromRequisition"`
	RequisitionIdentifier     *string            `json:"requisitionIdentifier"`
	CanAllowInternalEmployees *bool              `json:"canAllowInternalEmployees"`
	OrgJobID                  *string            `json:"orgJobId"` // not unique; ID is
	JobLocations              []JobLocation      `json:"jobLocations"`
	HiringTeam                []HiringTeamMember `json:"hiringTeam"`
	CareerPortalURL           *string            `json:"careerPortalUrl"`
	TargetHireDate            Time               `json:"targetHireDate"`
	Status                    *int               `json:"status"`
	CreatedOn                 Time               `json:"createdOn"`
	PublishedOn               Time               `json:"publishedOn"`
	Experience                *string            `json:"experience"` // free text
	CustomFields              []CustomField      `json:"customFields"`
}

// JobLocation is one location of a job.
type JobLocation struct {
	Name        *string `json:"name"`
	City        *string `json:"city"`
	State       *string `json:"state"`
	CountryName *string `json:"countryName"`
}

// HiringTeamMember is one member of a job's hiring team.
type HiringTeamMember struct {
	Identifier  *string `json:"identifier"`
	DisplayName *string `json:"displayName"`
	Type        *int    `json:"type"`
}

// CustomField is one custom field of a job. Value is kept as sent, since its
// JSON type depends on FieldType.
type CustomField struct {
	FieldName *string         `json:"fieldName"`
	Required  *bool           `json:"required"`
	FieldType *int            `json:"fieldType"`
	Value     json.RawMessage `json:"value"`
}

// JobCandidate is one application: a candidate of /hire/jobs/{jobId}/candidates.
// The same person applying to several jobs appears once per job with the
// same ID; the key of an application is (job ID, ID).
type JobCandidate struct {
	ID                         *string                `json:"id"`
	FirstName                  *string                `json:"firstName"`
	MiddleName                 *string                `json:"middleName"`
	LastName                   *string                `json:"lastName"`
	Gender                     *int                   `json:"gender"`
	Email                      *string                `json:"email"`
	Phone                      *string                `json:"phone"`
	Skills                     []string               `json:"skills"`
	CandidateTags              []CandidateTag         `json:"candidateTags"`
	EducationDetails           []EducationDetail      `json:"educationDetails"`
	ExperienceDetails          []ExperienceDetail     `json:"experienceDetails"`
	AdditionalCandidateDetails StringMap              `json:"additionalCandidateDetails"`
	JobApplicationDetails      *JobApplicationDetails `json:"jobApplicationDetails"`
	ArchivedDetails            StringMap              `json:"archivedDetails"` // e.g. {"archived On": "", "reason": ""}
}

// CandidateTag is one tag on a candidate.
type CandidateTag struct {
	Identifier  *string `json:"identifier"`
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

// EducationDetail is one education entry of a candidate.
type EducationDetail struct {
	Degree           *string `json:"degree"`
	Branch           *string `json:"branch"`
	University       *string `json:"university"`
	Location         *string `json:"location"`
	DateOfJoining    Time    `json:"dateOfJoining"`
	DateOfCompletion Time    `json:"dateOfCompletion"`
}

// ExperienceDetail is one work experience entry of a candidate.
type ExperienceDetail struct {
	CompanyName        *string `json:"companyName"`
	Designation        *string `json:"designation"`
	IsCurrentlyWorking *bool   `json:"isCurrentlyWorking"`
	Location           *string `json:"location"`
	DateOfJoining      Time    `json:"dateOfJoining"`
	DateOfRelieving    Time    `json:"dateOfRelieving"`
}

// JobApplicationDetails is the application data nested in a job candidate.
type JobApplicationDetails struct {
	JobHiringStageID           *string   `json:"jobHiringStageId"` // a readable stage name, e.g. "Shortlisted"
	MovedToStageOn             Time      `json:"movedtoStageOn"`
	AppliedOn                  Time      `json:"appliedOn"`
	Status                     *int      `json:"status"`
	SourcedBy                  *string   `json:"sourcedBy"`
	SourceTitle                *string   `json:"sourceTitle"`
	AssignedTo                 *string   `json:"assignedTo"`
	AssignedOn                 Time      `json:"assignedOn"`
	ScreeningQuestionsResponse StringMap `json:"screeningQuestionsResponse"`
}

// PreboardingCandidate is one candidate of /hire/preboarding/candidates.
// JobTitle is read from "jobTitle" or, failing that, "jobtitle".
type PreboardingCandidate struct {
	ID                    *string `json:"id"`
	FirstName             *string `json:"firstName"`
	MiddleName            *string `json:"middleName"`
	LastName              *string `json:"lastName"`
	Email                 *string `json:"email"`
	CountryCode           *string `json:"countryCode"`
	MobileNumber          *string `json:"mobileNumber"`
	Gender                *int    `json:"gender"`
	Stage                 *int    `json:"stage"`  // 0 Start … 5 Hired
	Status                *int    `json:"status"` // 0 Initiated … 5 MarkedAsNoShow
	JobTitle              *string `json:"jobTitle"`
	Department            *string `json:"department"`
	WorkLocation          *string `json:"workLocation"`
	ExpectedDateOfJoining Time    `json:"expectedDateOfJoining"`
}

// UnmarshalJSON reads the record, taking JobTitle from "jobtitle" when
// "jobTitle" is missing or null. It returns the decoder's error for a field of
// the wrong type.
func (p *PreboardingCandidate) UnmarshalJSON(b []byte) error {
	type plain PreboardingCandidate
	var v struct {
		plain
		JobTitleLower *string `json:"jobtitle"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = PreboardingCandidate(v.plain)
	if p.JobTitle == nil {
		p.JobTitle = v.JobTitleLower
	}
	return nil
}

// StringMap is a free-form JSON object with keys as Keka sends them
// (spaces included). String values are kept as is; null becomes ""; numbers,
// booleans, arrays and objects keep their JSON text. A null or missing map
// is nil.
type StringMap map[string]string

// UnmarshalJSON reads a JSON object or null; it returns an error for any
// other JSON value.
func (m *StringMap) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*m = nil
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("keka: want a JSON object of fields, got %s", quoteShort(string(b)))
	}
	out := make(StringMap, len(raw))
	for k, v := range raw {
		var s string
		switch {
		case isNull(v):
		case json.Unmarshal(v, &s) == nil:
		default:
			s = string(v)
		}
		out[k] = s
	}
	*m = out
	return nil
}
