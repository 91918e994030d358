package kekasim

import (
	"strconv"
	"strings"
	"time"
)

// appHire is what one application has besides itself: its interviews and
// scorecards, each truth with its JSON. It is derived from the tenant's
// seed and the application's ids and stage, so that every request and
// Truth agree without storing it.
type appHire struct {
	interviews []TruthInterview
	scorecards []TruthScorecard
	ijson      [][]byte
	sjson      [][]byte
}

var (
	scorecardComments = []string{"Solid fundamentals.", "Strong on system design, weaker on testing.", "Good communicator; would hire.",
		"Needs more depth in SQL.", "Not a fit for this level.", "Excellent problem solving; asked sharp questions."}
	sectionNames = []string{"Technical", "Communication", "Culture fit", "Problem solving"}
	timeZones    = []string{"India Standard Time", "India Standard Time", "India Standard Time", "UTC", "Pacific Standard Time"}
)

// interviewCount is how many interviews an application in stage has had.
func interviewCount(g *gen, stage *string) int {
	s := ""
	if stage != nil {
		s = *stage
	}
	switch s {
	case "Sourced", "Applied":
		return 0
	case "Screening", "Shortlisted":
		return g.r.IntN(2)
	case "Interview":
		return 1 + g.r.IntN(3)
	case "Offered", "Hired":
		return 2 + g.r.IntN(3)
	}
	return g.r.IntN(3) // Rejected, or no stage
}

// employee returns a random employee's display name.
func (g *gen) employee() string {
	fn, ln := firstNames[g.r.IntN(len(firstNames)-2)], lastNames[g.r.IntN(len(lastNames))]
	return fn.display + " " + ln.display
}

// applicationHire derives the interviews and scorecards of application a.
// interviewStages are the ids of the stages interviews happen in.
func applicationHire(seed int64, interviewStages []string, a *TruthApplication) appHire {
	g := newGen(uint64(seed), hashString(a.JobID+"/"+a.CandidateID))
	var h appHire
	from := genEpoch.AddDate(0, -6, 0)
	if a.AppliedOn != nil {
		from = *a.AppliedOn
	}
	for range interviewCount(g, a.Stage) {
		iv, panel := g.interview(a, from, interviewStages)
		h.interviews = append(h.interviews, iv.truth)
		h.ijson = append(h.ijson, iv.json)
		if iv.truth.InterviewDate == nil || !iv.truth.InterviewDate.Before(genEpoch) || !g.chance(0.85) {
			continue // not held yet, or nobody gave feedback
		}
		for _, by := range panel[:1+g.r.IntN(len(panel))] {
			sc, b := g.scorecard(iv.truth, by)
			h.scorecards = append(h.scorecards, sc)
			h.sjson = append(h.sjson, b)
		}
	}
	return h
}

type interviewRec struct {
	truth TruthInterview
	json  []byte
}

// interview makes one interview of a, on a day from from to two weeks
// after the tenant's now; it returns the panel too.
func (g *gen) interview(a *TruthApplication, from time.Time, stageIDs []string) (interviewRec, []string) {
	t := TruthInterview{ID: g.uuid(), JobID: a.JobID, CandidateID: a.CandidateID}
	t.InterviewDate = g.maybeTime(0.03, g.between(from, genEpoch.AddDate(0, 0, 14), 24*time.Hour))
	start := (9+g.r.IntN(9))*60 + 15*g.r.IntN(4)
	end := start + []int{30, 45, 60, 90}[g.r.IntN(4)]
	hhmm := func(m int) *string { s := pad2(m/60) + ":" + pad2(m%60); return &s }
	if !g.chance(0.03) {
		t.StartTime, t.EndTime = hhmm(start), hhmm(end)
	}
	t.TimeZoneID = g.maybeStr(0.05, g.pick(timeZones))
	t.ScheduledBy = g.maybeStr(0.05, g.employee())
	if t.InterviewDate != nil {
		t.ScheduledDate = g.maybeTime(0.05, g.between(t.InterviewDate.AddDate(0, 0, -10), *t.InterviewDate, time.Second))
	}
	t.InterviewType = g.maybeStr(0.05, strconv.Itoa(1+g.r.IntN(2)))
	if len(stageIDs) > 0 {
		t.StageID = g.maybeStr(0.03, stageIDs[g.r.IntN(len(stageIDs))])
	}
	panel := make([]string, 1+g.r.IntN(3))
	for i := range panel {
		panel[i] = g.employee()
	}
	t.PanelMembers = ptr(strings.Join(panel, ", "))

	w := jw{}
	w.begin('{')
	w.kstr("id", t.ID)
	w.kstr("candidateId", t.CandidateID)
	w.kstr("jobId", t.JobID)
	g.optTime(&w, "interviewDate", t.InterviewDate, formISOLocal, formISOZ)
	for _, k := range []struct {
		key string
		min int
	}{{"startTime", start}, {"endTime", end}} {
		if t.StartTime == nil {
			w.knull(k.key)
			continue
		}
		w.key(k.key)
		w.begin('{')
		w.kint("hours", k.min/60)
		w.kint("minutes", k.min%60)
		w.end('}')
	}
	g.optStr(&w, "timeZoneId", t.TimeZoneID)
	g.optStr(&w, "scheduledBy", t.ScheduledBy)
	g.optTime(&w, "scheduledDate", t.ScheduledDate, formISOZ, formISOLocal)
	g.optStr(&w, "interviewType", t.InterviewType) // the spec types it, and panelMembers, as strings
	g.optStr(&w, "stageId", t.StageID)
	g.optStr(&w, "panelMembers", t.PanelMembers)
	if g.chance(0.2) {
		w.kstr("meetingLink", "https://meet.example.com/"+t.ID[:8]) // undocumented
	}
	w.end('}')
	return interviewRec{truth: t, json: w.b}, panel
}

// scorecard makes the scorecard that panel member by submitted on iv.
func (g *gen) scorecard(iv TruthInterview, by string) (TruthScorecard, []byte) {
	t := TruthScorecard{ID: g.uuid(), JobID: iv.JobID, CandidateID: iv.CandidateID, StageID: iv.StageID, InterviewID: &iv.ID}
	t.Decision = g.maybeStr(0.05, strconv.Itoa(1+g.r.IntN(4)))
	t.Comments = g.maybeStr(0.15, g.pick(scorecardComments))
	t.SubmittedBy = g.maybeStr(0.03, by)
	t.Sections = []TruthScorecardSection{}
	for _, i := range g.r.Perm(len(sectionNames))[:1+g.r.IntN(3)] {
		s := TruthScorecardSection{SectionName: &sectionNames[i], SkillTitle: g.maybeStr(0.1, g.pick(skills))}
		s.SkillScore = g.maybeStr(0.08, strconv.Itoa(1+g.r.IntN(5))) // a string in the spec
		if g.chance(0.4) {
			s.SectionComments = ptr(g.pick(scorecardComments))
		}
		t.Sections = append(t.Sections, s)
	}

	w := jw{}
	w.begin('{')
	w.kstr("id", t.ID)
	w.kstr("jobId", t.JobID)
	w.kstr("candidateId", t.CandidateID)
	g.optStr(&w, "stageId", t.StageID)
	w.kstr("interviewId", iv.ID)
	g.optStr(&w, "overallFeedbackDecision", t.Decision)
	g.optStr(&w, "overallComments", t.Comments)
	g.optStr(&w, "feedbackSubmittedByName", t.SubmittedBy)
	w.key("sections")
	w.begin('[')
	for _, s := range t.Sections {
		w.elem()
		w.begin('{')
		w.kstr("sectionName", *s.SectionName)
		g.optStr(&w, "skillTitle", s.SkillTitle)
		g.optStr(&w, "skillScore", s.SkillScore)
		g.optStr(&w, "sectionComments", s.SectionComments)
		w.end('}')
	}
	w.end(']')
	w.end('}')
	return t, w.b
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
