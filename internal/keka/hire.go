package keka

import "net/url"

// The Hire lists besides jobs, job candidates and preboarding. Lists Keka
// sends whole (stages, job boards, application fields) are read as pages
// too: the page parameters are ignored there, and the one page answered
// is the last one (see ParsePage).

// StagesList returns the hiring stages, including the archive and
// preboarding stages, with the archive reasons.
func StagesList() List { return List{Path: "/hire/jobs/stages"} }

// InterviewsList returns the interviews of one application: candidateID on
// jobID.
func InterviewsList(jobID, candidateID string) List {
	return List{Path: "/hire/jobs/" + url.PathEscape(jobID) + "/candidate/" + url.PathEscape(candidateID) + "/interviews"}
}

// ScorecardsList returns the scorecards of one application: candidateID on
// jobID.
func ScorecardsList(jobID, candidateID string) List {
	return List{Path: "/hire/jobs/" + url.PathEscape(jobID) + "/candidate/" + url.PathEscape(candidateID) + "/scorecards"}
}

// TalentPoolsList returns the talent pools.
func TalentPoolsList() List { return List{Path: "/hire/talentpool"} }

// TalentPoolCandidatesList returns the candidates of one talent pool.
func TalentPoolCandidatesList(poolID string) List {
	return List{Path: "/hire/talentpool/" + url.PathEscape(poolID) + "/candidates"}
}

// JobBoardsList returns the job boards the account integrates with.
func JobBoardsList() List { return List{Path: "/hire/jobboards"} }

// ApplicationFieldsList returns the fields of one job's application form.
func ApplicationFieldsList(jobID string) List {
	return List{Path: "/hire/jobs/" + url.PathEscape(jobID) + "/applicationfields"}
}
