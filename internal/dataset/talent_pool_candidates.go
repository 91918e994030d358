package dataset

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// TalentPoolCandidateRow is one row of talent_pool_candidates: one
// candidate in one talent pool, from /hire/talentpool/{id}/candidates.
// talent_pool_id comes from the pool the list was read for (Meta.Parent).
//
// The personal columns are those of job_candidates: names, email, phone,
// and the education and experience lists. talent_pool_details is Keka's
// free-form string map about the pool entry (the simulator sends addedOn,
// addedBy, source); being free-form, it is treated as personal too, and is
// null under PII modes hash and drop, as additionalCandidateDetails is in
// raw_json.
type TalentPoolCandidateRow struct {
	TalentPoolID      string            `parquet:"talent_pool_id"`
	CandidateID       string            `parquet:"candidate_id"`
	FirstName         *string           `parquet:"first_name,optional"`
	MiddleName        *string           `parquet:"middle_name,optional"`
	LastName          *string           `parquet:"last_name,optional"`
	Email             *string           `parquet:"email,optional"`
	Phone             *string           `parquet:"phone,optional"`
	Gender            *int32            `parquet:"gender,optional"`
	Skills            []string          `parquet:"skills,list"`
	Education         []Education       `parquet:"education,optional,list"`
	Experience        []Experience      `parquet:"experience,optional,list"`
	TalentPoolDetails map[string]string `parquet:"talent_pool_details,optional"`
	RawJSON           string            `parquet:"raw_json"`
	ExtractedAt       time.Time         `parquet:"extracted_at,timestamp(millisecond)"`
	RunID             string            `parquet:"run_id"`
}

// Key returns talent_pool_id + "/" + candidate_id.
func (r TalentPoolCandidateRow) Key() string { return r.TalentPoolID + "/" + r.CandidateID }

type educationJSON struct {
	Degree           text `json:"degree"`
	Branch           text `json:"branch"`
	University       text `json:"university"`
	Location         text `json:"location"`
	DateOfJoining    date `json:"dateOfJoining"`
	DateOfCompletion date `json:"dateOfCompletion"`
}

type experienceJSON struct {
	CompanyName        text    `json:"companyName"`
	Designation        text    `json:"designation"`
	IsCurrentlyWorking boolean `json:"isCurrentlyWorking"`
	Location           text    `json:"location"`
	DateOfJoining      date    `json:"dateOfJoining"`
	DateOfRelieving    date    `json:"dateOfRelieving"`
}

type talentPoolCandidateJSON struct {
	ID                text              `json:"id"`
	FirstName         text              `json:"firstName"`
	MiddleName        text              `json:"middleName"`
	LastName          text              `json:"lastName"`
	Email             text              `json:"email"`
	Phone             text              `json:"phone"`
	Gender            integer           `json:"gender"`
	Skills            []text            `json:"skills"`
	EducationDetails  []*educationJSON  `json:"educationDetails"`
	ExperienceDetails []*experienceJSON `json:"experienceDetails"`
	TalentPoolDetails map[string]text   `json:"talentPoolDetails"`
}

// talentPoolCandidateRules are the PII rules of talent_pool_candidates'
// raw_json.
var talentPoolCandidateRules = func() map[string]fieldRule {
	m := identity("firstName", "middleName", "lastName", "email", "phone")
	for _, k := range []string{"educationDetails", "experienceDetails", "additionalCandidateDetails", "talentPoolDetails"} {
		m[foldKey(k)] = fieldRule{kind: ruleFree}
	}
	return m
}()

func talentPoolCandidates() Dataset {
	const name = "talent_pool_candidates"
	return Dataset{
		Name:          name,
		SchemaVersion: talentPoolCandidatesSchemaVersion,
		KeyColumns:    []string{"talent_pool_id", "candidate_id"},
		Parent:        "talent_pools",
		Lists:         func(poolID string) []keka.List { return []keka.List{keka.TalentPoolCandidatesList(poolID)} },
		Map:           mapTalentPoolCandidate,
		Schema:        parquet.SchemaOf(TalentPoolCandidateRow{}),
		NewWriter:     func(w io.Writer) Writer { return newWriter[TalentPoolCandidateRow](name, w) },
		personal: []string{"first_name", "middle_name", "last_name", "email", "phone", "education", "experience",
			"talent_pool_details"},
	}
}

func mapTalentPoolCandidate(raw json.RawMessage, m Meta) (Row, error) {
	const name = "talent_pool_candidates"
	if m.Parent == "" {
		return nil, fmt.Errorf("dataset %s: Meta.Parent (the talent pool id) is empty", name)
	}
	var c talentPoolCandidateJSON
	rawJSON, err := decodeRecord(name, raw, m, &c, &c.ID, talentPoolCandidateRules)
	if err != nil {
		return nil, err
	}
	r := TalentPoolCandidateRow{
		TalentPoolID: m.Parent,
		CandidateID:  c.ID.v,
		FirstName:    m.PII.value(c.FirstName.ptr(), false),
		MiddleName:   m.PII.value(c.MiddleName.ptr(), false),
		LastName:     m.PII.value(c.LastName.ptr(), false),
		Email:        m.PII.value(c.Email.ptr(), true),
		Phone:        m.PII.value(c.Phone.ptr(), false),
		Gender:       c.Gender.ptr(),
		Skills:       texts(c.Skills),
		RawJSON:      rawJSON,
		ExtractedAt:  utcMillis(m.ExtractedAt),
		RunID:        m.RunID,
	}
	if !m.PII.keep() {
		return r, nil // education, experience and the details stay null
	}
	r.Education, r.Experience = educationOf(c.EducationDetails), experienceOf(c.ExperienceDetails)
	if c.TalentPoolDetails != nil {
		r.TalentPoolDetails = map[string]string{}
		for k, v := range c.TalentPoolDetails {
			if v.ok {
				r.TalentPoolDetails[k] = v.v
			}
		}
	}
	return r, nil
}

// educationOf returns the set elements of educationDetails; nil when Keka
// sent none.
func educationOf(in []*educationJSON) []Education {
	if in == nil {
		return nil
	}
	out := []Education{}
	for _, e := range in {
		if e == nil || !(e.Degree.ok || e.Branch.ok || e.University.ok || e.Location.ok || e.DateOfJoining.t.Valid || e.DateOfCompletion.t.Valid) {
			continue // null, or not an object
		}
		out = append(out, Education{
			Degree: e.Degree.ptr(), Branch: e.Branch.ptr(), University: e.University.ptr(), Location: e.Location.ptr(),
			DateOfJoining: e.DateOfJoining.ptr(), DateOfCompletion: e.DateOfCompletion.ptr(),
		})
	}
	return out
}

// experienceOf returns the set elements of experienceDetails; nil when
// Keka sent none.
func experienceOf(in []*experienceJSON) []Experience {
	if in == nil {
		return nil
	}
	out := []Experience{}
	for _, e := range in {
		if e == nil || !(e.CompanyName.ok || e.Designation.ok || e.IsCurrentlyWorking.ok || e.Location.ok || e.DateOfJoining.t.Valid || e.DateOfRelieving.t.Valid) {
			continue // null, or not an object
		}
		out = append(out, Experience{
			CompanyName: e.CompanyName.ptr(), Designation: e.Designation.ptr(), IsCurrentlyWorking: e.IsCurrentlyWorking.ptr(),
			Location: e.Location.ptr(), DateOfJoining: e.DateOfJoining.ptr(), DateOfRelieving: e.DateOfRelieving.ptr(),
		})
	}
	return out
}
