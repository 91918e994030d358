package kekasim

import (
	"strconv"
	"strings"
	"time"
)

// ---- preboarding ----

var workLocations = []string{"Bengaluru HQ", "Pune office", "Hyderabad office", "Remote", "Chennai office"}

// preboarding makes a preboarding candidate for p, or a new person when p
// is nil.
func (g *gen) preboarding(p *person, jobs []*jobState) *preRec {
	if p == nil {
		p = g.newPerson()
	}
	t := TruthPreboarding{
		CandidateID: p.id, FirstName: p.first, LastName: p.last, Email: p.email,
		Stage:  g.maybeInt(0.03, g.r.IntN(6)),
		Status: g.maybeInt(0.03, g.r.IntN(6)),
	}
	title := g.pick(titles)
	if len(jobs) > 0 {
		title = jobs[g.r.IntN(len(jobs))].job.truth.Title
	}
	t.JobTitle = g.maybeStr(0.05, title)
	t.Department = g.maybeStr(0.1, g.pick(departments))
	t.ExpectedDateOfJoining = g.maybeTime(0.15, g.between(genEpoch.AddDate(0, -2, 0), genEpoch.AddDate(0, 3, 0), 24*time.Hour))

	w := jw{}
	w.begin('{')
	w.kstr("id", p.id)
	g.optStr(&w, "firstName", t.FirstName)
	w.knull("middleName")
	g.optStr(&w, "lastName", t.LastName)
	g.optStr(&w, "email", t.Email)
	w.kstr("countryCode", p.countryCode)
	w.kstr("mobileNumber", p.mobile)
	w.kint("gender", p.gender)
	g.optInt(&w, "stage", t.Stage)
	g.optInt(&w, "status", t.Status)
	if g.chance(0.7) {
		g.optStr(&w, "jobtitle", t.JobTitle) // as the spec spells it
	} else {
		g.optStr(&w, "jobTitle", t.JobTitle) // seen too
	}
	g.optStr(&w, "department", t.Department)
	w.kstr("workLocation", g.pick(workLocations))
	g.optTime(&w, "expectedDateOfJoining", t.ExpectedDateOfJoining, formISOLocal, formISOLocal, formISOZ)
	if g.chance(0.25) {
		w.kint("offerStatus", g.r.IntN(4)) // undocumented
	}
	w.end('}')
	return &preRec{truth: t, person: p, mod: g.between(genEpoch.AddDate(0, -3, 0), genEpoch, time.Second), json: w.b}
}

// ---- talent pools, job boards, and per-candidate lists ----

var poolNames = []string{"Silver medallists", "Campus 2026", "Sales bench", "Referrals", "Leadership pipeline"}

func (g *gen) pools(n int) []*pool {
	var out []*pool
	for i := range n {
		p := &pool{id: g.uuid()}
		w := jw{}
		w.begin('{')
		w.kstr("id", p.id)
		w.kstr("name", poolNames[i%len(poolNames)])
		fn, ln := firstNames[g.r.IntN(len(firstNames))], lastNames[g.r.IntN(len(lastNames))]
		w.kstr("addedBy", fn.display+" "+ln.display)
		w.kstr("addedOn", formatTime(g.instant(genEpoch.AddDate(-2, 0, 0), genEpoch), formISOZ))
		w.end('}')
		p.json = w.b
		for range g.r.IntN(260) {
			var c *person
			if len(g.persons) > 0 && g.chance(0.7) {
				c = g.persons[g.r.IntN(len(g.persons))]
			} else {
				c = g.newPerson()
			}
			b := append([]byte{'{'}, c.frag...)
			b = append(b, '}')
			p.candidates = append(p.candidates, b)
		}
		out = append(out, p)
	}
	return out
}

func jobBoards() []byte {
	w := jw{}
	w.begin('[')
	for i, b := range []string{"LinkedIn", "Naukri", "Indeed", "Instahyre", "Glassdoor"} {
		w.elem()
		w.begin('{')
		w.kstr("jobBoardName", b)
		w.kstr("jobBoardIdentifier", strings.ToLower(b))
		w.kbool("isActive", i != 3)
		w.end('}')
	}
	w.end(']')
	return w.b
}

// fieldTypes are the application field types Keka publishes.
var fieldTypes = []int{1, 2, 3, 4, 5, 6, 9}

// applicationFields renders a job's application form fields, derived from
// the job id so every call agrees: {fieldName, id, required, fieldType,
// fieldOptions[{id, value}]}.
func applicationFields(seed int64, jobID string) []byte {
	g := newGen(uint64(seed), hashString(jobID))
	w := jw{}
	w.begin('[')
	for i, f := range []string{"Resume", "Cover letter", "Current CTC", "Expected CTC", "Notice period", "Portfolio URL"} {
		if i > 1 && g.chance(0.4) {
			continue
		}
		ft := fieldTypes[g.r.IntN(len(fieldTypes))]
		w.elem()
		w.begin('{')
		w.kstr("fieldName", f)
		w.kuuid("id", g)
		w.kbool("required", i == 0 || g.chance(0.3))
		w.kint("fieldType", ft)
		w.key("fieldOptions")
		w.begin('[')
		if ft == 4 || ft == 5 { // choices
			for _, v := range []string{"Yes", "No"} {
				w.elem()
				w.begin('{')
				w.kuuid("id", g)
				w.kstr("value", v)
				w.end('}')
			}
		}
		w.end(']')
		w.end('}')
	}
	w.end(']')
	return w.b
}

// interviews renders the interviews (scorecards=false) or scorecards of
// one application, derived from the ids.
func interviews(seed int64, jobID, candID string, scorecards bool) [][]byte {
	g := newGen(uint64(seed), hashString(jobID+"/"+candID))
	n := g.r.IntN(4)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = g.uuid()
	}
	var out [][]byte
	for i := range n {
		day := g.between(genEpoch.AddDate(0, -6, 0), genEpoch, 24*time.Hour)
		h := 9 + g.r.IntN(8)
		fn, ln := firstNames[g.r.IntN(len(firstNames)-2)], lastNames[g.r.IntN(len(lastNames))]
		w := jw{}
		w.begin('{')
		if scorecards {
			w.kstr("id", g.uuid())
			w.kstr("jobId", jobID)
			w.kstr("candidateId", candID)
			w.kstr("stageId", g.pick(stages))
			w.kstr("interviewId", ids[i])
			w.kstr("overallFeedbackDecision", strconv.Itoa(g.r.IntN(4))) // the spec types it as a string
			w.kstr("overallComments", "Solid fundamentals.")
			w.kstr("feedbackSubmittedByName", fn.display+" "+ln.display)
			w.key("sections")
			w.begin('[')
			w.elem()
			w.begin('{')
			w.kstr("sectionName", "Technical")
			w.kstr("skillTitle", g.pick(skills))
			w.kstr("skillScore", strconv.Itoa(1+g.r.IntN(5))) // a string in the spec
			w.kstr("sectionComments", "")
			w.end('}')
			w.end(']')
		} else {
			w.kstr("id", ids[i])
			w.kstr("candidateId", candID)
			w.kstr("jobId", jobID)
			w.kstr("interviewDate", formatTime(day, formISOLocal))
			w.key("startTime")
			w.begin('{')
			w.kint("hours", h)
			w.kint("minutes", 0)
			w.end('}')
			w.key("endTime")
			w.begin('{')
			w.kint("hours", h+1)
			w.kint("minutes", 0)
			w.end('}')
			w.kstr("timeZoneId", "India Standard Time")
			w.kstr("scheduledBy", fn.display+" "+ln.display)
			w.kstr("scheduledDate", formatTime(day.AddDate(0, 0, -3), formISOZ))
			w.kstr("interviewType", strconv.Itoa(g.r.IntN(3))) // the spec types it and panelMembers as strings
			w.kstr("stageId", g.pick(stages))
			w.kstr("panelMembers", fn.display+" "+ln.display)
		}
		w.end('}')
		out = append(out, w.b)
	}
	return out
}

// hashString is FNV-1a, for seeding per-record generators.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
