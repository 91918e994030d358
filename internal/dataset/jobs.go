package dataset

import (
	"encoding/json"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// JobRow is one row of jobs: one job requisition.
//
// job_type is a string: Keka's spec types jobType as a string holding the
// code (1 PartTime, 2 FullTime) and a JSON number may come instead, so the
// column keeps whichever was sent as text ("2", or a label such as "Full
// time"). no_of_openings, which the spec also types as a string, reads "3"
// and 3 alike. customFields, isCreatedFromRequisition,
// canAllowInternalEmployees and canListOnCareersSite are kept in raw_json
// only.
type JobRow struct {
	JobID                 string           `parquet:"job_id"`
	Title                 *string          `parquet:"title,optional"`
	Description           *string          `parquet:"description,optional"`
	DepartmentName        *string          `parquet:"department_name,optional,dict"`
	JobType               *string          `parquet:"job_type,optional,dict"`
	JobTypeLabel          *string          `parquet:"job_type_label,optional,dict"` // PartTime, FullTime (labels.go)
	Status                *int32           `parquet:"status,optional"`
	StatusLabel           *string          `parquet:"status_label,optional,dict"` // Draft, Online, Archived, Offline, Confidential
	NoOfOpenings          *int32           `parquet:"no_of_openings,optional"`
	OrgJobID              *string          `parquet:"org_job_id,optional"`
	RequisitionIdentifier *string          `parquet:"requisition_identifier,optional"`
	IsReferralEnabled     *bool            `parquet:"is_referral_enabled,optional"`
	CareerPortalURL       *string          `parquet:"career_portal_url,optional"`
	Experience            *string          `parquet:"experience,optional,dict"`
	CreatedOn             *time.Time       `parquet:"created_on,optional,timestamp(millisecond)"`
	PublishedOn           *time.Time       `parquet:"published_on,optional,timestamp(millisecond)"`
	TargetHireDate        *time.Time       `parquet:"target_hire_date,optional,timestamp(millisecond)"`
	Locations             []JobLocation    `parquet:"locations,list"`
	HiringTeam            []HiringTeamRole `parquet:"hiring_team,list"`
	RawJSON               string           `parquet:"raw_json"`
	ExtractedAt           time.Time        `parquet:"extracted_at,timestamp(millisecond)"`
	RunID                 string           `parquet:"run_id,dict"`
}

// JobLocation is one element of jobs.locations.
type JobLocation struct {
	Name        *string `parquet:"name,optional,dict"`
	City        *string `parquet:"city,optional,dict"`
	State       *string `parquet:"state,optional,dict"`
	CountryName *string `parquet:"country_name,optional,dict"`
}

// HiringTeamRole is one element of jobs.hiring_team.
type HiringTeamRole struct {
	Identifier  *string `parquet:"identifier,optional,dict"`
	DisplayName *string `parquet:"display_name,optional,dict"`
	Type        *string `parquet:"type,optional,dict"`
}

// Key returns the job id.
func (r JobRow) Key() string { return r.JobID }

type jobJSON struct {
	ID, Title, Description, DepartmentName, JobType text
	Status, NoOfOpenings                            integer
	OrgJobID, RequisitionIdentifier                 text
	IsReferralEnabled                               boolean
	CareerPortalURL, Experience                     text
	CreatedOn, PublishedOn, TargetHireDate          date
	Locations                                       []JobLocation
	HiringTeam                                      []HiringTeamRole
}

type jobLocationJSON struct{ Name, City, State, CountryName text }

type hiringTeamJSON struct{ Identifier, DisplayName, Type text }

// jobFields are the keys of a job that its row reads.
var jobFields = fieldTable[jobJSON]{
	textField("id", func(j *jobJSON) *text { return &j.ID }),
	textField("title", func(j *jobJSON) *text { return &j.Title }),
	textField("description", func(j *jobJSON) *text { return &j.Description }),
	textField("departmentName", func(j *jobJSON) *text { return &j.DepartmentName }),
	textField("jobType", func(j *jobJSON) *text { return &j.JobType }),
	integerField("status", func(j *jobJSON) *integer { return &j.Status }),
	integerField("noOfOpenings", func(j *jobJSON) *integer { return &j.NoOfOpenings }),
	textField("orgJobId", func(j *jobJSON) *text { return &j.OrgJobID }),
	textField("requisitionIdentifier", func(j *jobJSON) *text { return &j.RequisitionIdentifier }),
	booleanField("isReferralEnabled", func(j *jobJSON) *boolean { return &j.IsReferralEnabled }),
	textField("careerPortalUrl", func(j *jobJSON) *text { return &j.CareerPortalURL }),
	textField("experience", func(j *jobJSON) *text { return &j.Experience }),
	dateField("createdOn", func(j *jobJSON) *date { return &j.CreatedOn }),
	dateField("publishedOn", func(j *jobJSON) *date { return &j.PublishedOn }),
	dateField("targetHireDate", func(j *jobJSON) *date { return &j.TargetHireDate }),
	rowsField("jobLocations", func(j *jobJSON) *[]JobLocation { return &j.Locations }, fieldTable[jobLocationJSON]{
		textField("name", func(l *jobLocationJSON) *text { return &l.Name }),
		textField("city", func(l *jobLocationJSON) *text { return &l.City }),
		textField("state", func(l *jobLocationJSON) *text { return &l.State }),
		textField("countryName", func(l *jobLocationJSON) *text { return &l.CountryName }),
	}, func(l *jobLocationJSON) (JobLocation, bool) {
		return JobLocation{Name: l.Name.ptr(), City: l.City.ptr(), State: l.State.ptr(), CountryName: l.CountryName.ptr()},
			l.Name.ok || l.City.ok || l.State.ok || l.CountryName.ok
	}),
	rowsField("hiringTeam", func(j *jobJSON) *[]HiringTeamRole { return &j.HiringTeam }, fieldTable[hiringTeamJSON]{
		textField("identifier", func(h *hiringTeamJSON) *text { return &h.Identifier }),
		textField("displayName", func(h *hiringTeamJSON) *text { return &h.DisplayName }),
		textField("type", func(h *hiringTeamJSON) *text { return &h.Type }),
	}, func(h *hiringTeamJSON) (HiringTeamRole, bool) {
		return HiringTeamRole{Identifier: h.Identifier.ptr(), DisplayName: h.DisplayName.ptr(), Type: h.Type.ptr()},
			h.Identifier.ok || h.DisplayName.ok || h.Type.ok
	}),
}

func jobs() Dataset {
	const name = "jobs"
	return Dataset{
		Name:          name,
		SchemaVersion: jobsSchemaVersion,
		KeyColumns:    []string{"job_id"},
		Lists:         func(string) []keka.List { return []keka.List{keka.JobsList()} },
		Map:           mapJob,
		Schema:        parquet.SchemaOf(JobRow{}),
		NewWriter:     func(w io.Writer) Writer { return newWriter[JobRow](name, w) },
	}
}

var jobScratch scratchPool[jobJSON]

func mapJob(raw json.RawMessage, m Meta) (Row, error) {
	const name = "jobs"
	sc := jobScratch.get()
	defer jobScratch.put(sc)
	j := &sc.v
	rawJSON, err := decodeRecord(name, raw, m, sc, jobFields, &j.ID, nil)
	if err != nil {
		return nil, err
	}
	r := JobRow{
		JobID:                 j.ID.v,
		Title:                 j.Title.ptr(),
		Description:           j.Description.ptr(),
		DepartmentName:        j.DepartmentName.ptr(),
		JobType:               j.JobType.ptr(),
		JobTypeLabel:          jobTypeLabel(j.JobType.ptr()),
		Status:                j.Status.ptr(),
		StatusLabel:           codeLabel(jobStatusLabels, j.Status.ptr()),
		NoOfOpenings:          j.NoOfOpenings.ptr(),
		OrgJobID:              j.OrgJobID.ptr(),
		RequisitionIdentifier: j.RequisitionIdentifier.ptr(),
		IsReferralEnabled:     j.IsReferralEnabled.ptr(),
		CareerPortalURL:       j.CareerPortalURL.ptr(),
		Experience:            j.Experience.ptr(),
		CreatedOn:             j.CreatedOn.ptr(),
		PublishedOn:           j.PublishedOn.ptr(),
		TargetHireDate:        j.TargetHireDate.ptr(),
		Locations:             orEmpty(j.Locations),
		HiringTeam:            orEmpty(j.HiringTeam),
		RawJSON:               rawJSON,
		ExtractedAt:           utcMillis(m.ExtractedAt),
		RunID:                 m.RunID,
	}
	return r, nil
}
