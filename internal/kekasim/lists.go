package kekasim

import (
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

// hashString is FNV-1a, for seeding per-record generators.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
