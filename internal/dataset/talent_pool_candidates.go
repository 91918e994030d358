package dataset

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/jsonscan"
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

type talentPoolCandidateJSON struct {
	ID, FirstName, MiddleName, LastName, Email, Phone text
	Gender                                            integer
	Skills                                            []string
	Education                                         []Education
	Experience                                        []Experience
	TalentPoolDetails                                 map[string]string
}

var talentPoolCandidateFields = fieldTable[talentPoolCandidateJSON]{
	textField("id", func(c *talentPoolCandidateJSON) *text { return &c.ID }),
	textField("firstName", func(c *talentPoolCandidateJSON) *text { return &c.FirstName }),
	textField("middleName", func(c *talentPoolCandidateJSON) *text { return &c.MiddleName }),
	textField("lastName", func(c *talentPoolCandidateJSON) *text { return &c.LastName }),
	textField("email", func(c *talentPoolCandidateJSON) *text { return &c.Email }),
	textField("phone", func(c *talentPoolCandidateJSON) *text { return &c.Phone }),
	integerField("gender", func(c *talentPoolCandidateJSON) *integer { return &c.Gender }),
	stringsField("skills", func(c *talentPoolCandidateJSON) *[]string { return &c.Skills }),
	rowsField("educationDetails", func(c *talentPoolCandidateJSON) *[]Education { return &c.Education }, educationFields, educationRow),
	rowsField("experienceDetails", func(c *talentPoolCandidateJSON) *[]Experience { return &c.Experience }, experienceFields, experienceRow),
	textMapField("talentPoolDetails", func(c *talentPoolCandidateJSON) *map[string]string { return &c.TalentPoolDetails }),
}

// textMapField reads an object of texts into a map, keeping the set ones
// (copied: keys and values outlive the page); null makes it nil, and any
// value but an object leaves it as it was.
func textMapField[T any](name string, at func(*T) *map[string]string) field[T] {
	return field[T]{name, func(d *decoder, v *T, j int) (int, error) {
		b := d.b
		j = jsonscan.Space(b, j)
		switch {
		case j < len(b) && b[j] == 'n':
			end, err := jsonscan.Value(b, j)
			if err == nil {
				*at(v) = nil
			}
			return end, err
		case j >= len(b) || b[j] != '{':
			return jsonscan.Value(b, j)
		}
		m := map[string]string{}
		*at(v) = m
		return jsonscan.Members(b, j, func(key []byte, escaped bool, k int) (int, error) {
			t, end, err := d.text(k)
			if t.ok {
				name := string(key)
				if escaped {
					name = jsonscan.Key(key)
				}
				m[name] = strings.Clone(t.v)
			}
			return end, err
		})
	}}
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

var talentPoolCandidateScratch scratchPool[talentPoolCandidateJSON]

func mapTalentPoolCandidate(raw json.RawMessage, m Meta) (Row, error) {
	const name = "talent_pool_candidates"
	if m.Parent == "" {
		return nil, fmt.Errorf("dataset %s: Meta.Parent (the talent pool id) is empty", name)
	}
	sc := talentPoolCandidateScratch.get()
	defer talentPoolCandidateScratch.put(sc)
	c := &sc.v
	rawJSON, err := decodeRecord(name, raw, m, sc, talentPoolCandidateFields, &c.ID, talentPoolCandidateRules)
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
		Skills:       orEmpty(c.Skills),
		RawJSON:      rawJSON,
		ExtractedAt:  utcMillis(m.ExtractedAt),
		RunID:        m.RunID,
	}
	if !m.PII.keep() {
		return r, nil // education, experience and the details stay null
	}
	r.Education, r.Experience, r.TalentPoolDetails = c.Education, c.Experience, c.TalentPoolDetails
	return r, nil
}
