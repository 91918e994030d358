package kekasim

import "time"

// The ground truth of the Hire lists besides jobs, applications and
// preboarding. As in Truth, a nil pointer means the API sends null, "" or
// leaves the key out, and times are instants in UTC at millisecond
// precision.

// TruthStage is one stage of /hire/jobs/stages: a hiring stage, the archive
// stage with its archive reasons, or a preboarding stage. Type is the
// stageType sent: "Hiring", "Archive" or "Preboarding".
type TruthStage struct {
	ID, Name, Type string
	Order          int
	ArchiveReasons []TruthArchiveReason // only on the archive stage
}

// TruthArchiveReason is one archive reason of the archive stage.
type TruthArchiveReason struct{ ID, Reason string }

// TruthInterview is one interview of
// /hire/jobs/{jobId}/candidate/{candidateId}/interviews. StartTime and
// EndTime are "HH:MM", from the {hours, minutes} objects sent. InterviewType
// is sent as a string, as the spec types it ("1" Online, "2" FaceToFace, in
// a spec-derived client's words). StageID is the id of a stage of
// /hire/jobs/stages. PanelMembers is one string of names, comma-separated.
type TruthInterview struct {
	ID, JobID, CandidateID string
	InterviewDate          *time.Time
	StartTime, EndTime     *string
	TimeZoneID             *string
	ScheduledBy            *string
	ScheduledDate          *time.Time
	InterviewType          *string
	StageID                *string
	PanelMembers           *string
}

// TruthScorecard is one scorecard of .../scorecards: one interviewer's
// feedback on one interview. Decision (overallFeedbackDecision) and the
// sections' SkillScore are strings, as the spec types them.
type TruthScorecard struct {
	ID, JobID, CandidateID string
	StageID, InterviewID   *string
	Decision, Comments     *string
	SubmittedBy            *string
	Sections               []TruthScorecardSection
}

// TruthScorecardSection is one element of a scorecard's sections.
type TruthScorecardSection struct {
	SectionName, SkillTitle, SkillScore, SectionComments *string
}

// TruthTalentPool is one talent pool of /hire/talentpool.
type TruthTalentPool struct {
	ID, Name string
	AddedBy  *string
	AddedOn  *time.Time
}

// TruthPoolCandidate is one candidate of /hire/talentpool/{id}/candidates.
// Details is the talentPoolDetails map as sent.
type TruthPoolCandidate struct {
	PoolID, CandidateID               string
	FirstName, LastName, Email, Phone *string
	Details                           map[string]string
}

// TruthJobBoard is one job board of /hire/jobboards.
type TruthJobBoard struct {
	Name, Identifier string
	IsActive         bool
}

// TruthApplicationField is one field of /hire/jobs/{jobId}/applicationfields.
// FieldType is one of the types Keka publishes (1 TextBox, 2 TextArea,
// 3 DropdownMenu, 4 Checkbox, 5 RadioButton, 6 Date, 9 Number).
type TruthApplicationField struct {
	JobID, ID, Name string
	Required        bool
	FieldType       int
	Options         []TruthFieldOption
}

// TruthFieldOption is one option of a choice field.
type TruthFieldOption struct{ ID, Value string }
