package dataset

import (
	"encoding/json"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// ScorecardRow is one row of scorecards: one interviewer's feedback on one
// interview of one application, its sections as a LIST. job_id and
// candidate_id come from the application the list was read for
// (Meta.Parent).
//
// overall_feedback_decision and the sections' skill_score are strings, as
// the spec types them, and kept as sent ("3", or "4/5"): cast them in SQL
// where they are numbers. The comments are opinions about the candidate,
// personal data: PII modes hash and drop make overall_comments and every
// section_comments null (a hash of free text serves no join), and null the
// comments and sections in raw_json. feedback_submitted_by is an
// employee's name, not personal data by this export's policy.
type ScorecardRow struct {
	ScorecardID             string             `parquet:"scorecard_id"`
	JobID                   string             `parquet:"job_id"`
	CandidateID             string             `parquet:"candidate_id"`
	InterviewID             *string            `parquet:"interview_id,optional"`
	StageID                 *string            `parquet:"stage_id,optional"`
	OverallFeedbackDecision *string            `parquet:"overall_feedback_decision,optional"`
	OverallComments         *string            `parquet:"overall_comments,optional"`
	FeedbackSubmittedBy     *string            `parquet:"feedback_submitted_by,optional"`
	Sections                []ScorecardSection `parquet:"sections,list"`
	RawJSON                 string             `parquet:"raw_json"`
	ExtractedAt             time.Time          `parquet:"extracted_at,timestamp(millisecond)"`
	RunID                   string             `parquet:"run_id"`
	LastReadAt              time.Time          `parquet:"last_read_at,timestamp(millisecond)"`
}

// ScorecardSection is one element of scorecards.sections.
type ScorecardSection struct {
	SectionName     *string `parquet:"section_name,optional"`
	SkillTitle      *string `parquet:"skill_title,optional"`
	SkillScore      *string `parquet:"skill_score,optional"`
	SectionComments *string `parquet:"section_comments,optional"`
}

// Application returns the job_candidates key of the row's application.
func (r ScorecardRow) Application() string { return r.JobID + "/" + r.CandidateID }

// CarriedOver returns the row as a run carries it over from an earlier
// snapshot: run_id and extracted_at the run's, last_read_at as it was
// (extracted_at, for a row of a schema without last_read_at).
func (r ScorecardRow) CarriedOver(m Meta) Row {
	if r.LastReadAt.IsZero() {
		r.LastReadAt = r.ExtractedAt
	}
	r.RunID, r.ExtractedAt = m.RunID, utcMillis(m.ExtractedAt)
	return r
}

// Key returns the scorecard id.
func (r ScorecardRow) Key() string { return r.ScorecardID }

type scorecardJSON struct {
	ID, StageID, InterviewID                 text
	OverallFeedbackDecision, OverallComments text
	FeedbackSubmittedByName                  text
	Sections                                 []sectionJSON
}

type sectionJSON struct{ SectionName, SkillTitle, SkillScore, SectionComments text }

var scorecardFields = fieldTable[scorecardJSON]{
	textField("id", func(s *scorecardJSON) *text { return &s.ID }),
	textField("stageId", func(s *scorecardJSON) *text { return &s.StageID }),
	textField("interviewId", func(s *scorecardJSON) *text { return &s.InterviewID }),
	textField("overallFeedbackDecision", func(s *scorecardJSON) *text { return &s.OverallFeedbackDecision }),
	textField("overallComments", func(s *scorecardJSON) *text { return &s.OverallComments }),
	textField("feedbackSubmittedByName", func(s *scorecardJSON) *text { return &s.FeedbackSubmittedByName }),
	rowsField("sections", func(s *scorecardJSON) *[]sectionJSON { return &s.Sections }, fieldTable[sectionJSON]{
		textField("sectionName", func(s *sectionJSON) *text { return &s.SectionName }),
		textField("skillTitle", func(s *sectionJSON) *text { return &s.SkillTitle }),
		textField("skillScore", func(s *sectionJSON) *text { return &s.SkillScore }),
		textField("sectionComments", func(s *sectionJSON) *text { return &s.SectionComments }),
	}, func(s *sectionJSON) (sectionJSON, bool) {
		return *s, s.SectionName.ok || s.SkillTitle.ok || s.SkillScore.ok || s.SectionComments.ok
	}),
}

// scorecardRules null the free-text feedback in raw_json under hash and
// drop; the sections go whole, their names and scores staying in the
// sections column.
var scorecardRules = map[string]fieldRule{
	foldKey("overallComments"): {kind: ruleFree},
	foldKey("sections"):        {kind: ruleFree},
}

// scorecards is listed per application, like interviews, fetched where
// it changed (CarryOver), and out of the default selection
// (OnlyWhenNamed) for the same reason: see interviews.
func scorecards() Dataset {
	const name = "scorecards"
	return Dataset{
		Name:          name,
		SchemaVersion: scorecardsSchemaVersion,
		KeyColumns:    []string{"scorecard_id"},
		Parent:        "job_candidates",
		OnlyWhenNamed: true,
		CarryOver:     true,
		Lists:         func(key string) []keka.List { return applicationLists(key, keka.ScorecardsList) },
		Map:           mapScorecard,
		Schema:        parquet.SchemaOf(ScorecardRow{}),
		NewWriter:     func(w io.Writer) Writer { return newWriter[ScorecardRow](name, w) },
		read:          readerOf[ScorecardRow](),
		personal:      []string{"overall_comments", "sections"},
	}
}

var scorecardScratch scratchPool[scorecardJSON]

func mapScorecard(raw json.RawMessage, m Meta) (Row, error) {
	const name = "scorecards"
	job, cand, err := splitApplication(name, m.Parent)
	if err != nil {
		return nil, err
	}
	scr := scorecardScratch.get()
	defer scorecardScratch.put(scr)
	sc := &scr.v
	rawJSON, err := decodeRecord(name, raw, m, scr, scorecardFields, &sc.ID, scorecardRules)
	if err != nil {
		return nil, err
	}
	keep := m.PII.keep()
	r := ScorecardRow{
		ScorecardID:             sc.ID.v,
		JobID:                   job,
		CandidateID:             cand,
		InterviewID:             sc.InterviewID.ptr(),
		StageID:                 sc.StageID.ptr(),
		OverallFeedbackDecision: sc.OverallFeedbackDecision.ptr(),
		FeedbackSubmittedBy:     sc.FeedbackSubmittedByName.ptr(),
		Sections:                []ScorecardSection{},
		RawJSON:                 rawJSON,
		ExtractedAt:             utcMillis(m.ExtractedAt),
		RunID:                   m.RunID,
		LastReadAt:              utcMillis(m.ExtractedAt),
	}
	if keep {
		r.OverallComments = sc.OverallComments.ptr()
	}
	for _, s := range sc.Sections {
		sec := ScorecardSection{SectionName: s.SectionName.ptr(), SkillTitle: s.SkillTitle.ptr(), SkillScore: s.SkillScore.ptr()}
		if keep {
			sec.SectionComments = s.SectionComments.ptr()
		}
		r.Sections = append(r.Sections, sec)
	}
	return r, nil
}
