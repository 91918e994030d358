package kekasim

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// ---- jobs ----

var (
	titles = []string{"Backend Engineer", "Senior Backend Engineer", "Frontend Engineer", "Data Analyst",
		"Product Manager", "HR Business Partner", "Account Executive", "Customer Success Manager",
		"DevOps Engineer", "QA Engineer", "Finance Associate", "Talent Acquisition Specialist",
		"Engineering Manager", "UX Designer", "Sales Development Representative", "Payroll Specialist"}
	departments = []string{"Engineering", "Product", "People", "Sales", "Customer Success", "Finance", "Design", "Operations"}
	jobTypes    = []int{1, 2} // 1 PartTime, 2 FullTime, as Keka publishes them
	experiences = []string{"0-1 years", "2-4 years", "3-5 years", "5-8 years", "8+ years", "Fresher"}
)

// job makes a job created at created; a draft has status 0 and was never
// published. Other jobs have status 1 to 4, or none.
func (g *gen) job(created time.Time, idx int, draft bool) *job {
	t := TruthJob{
		ID:             g.uuid(),
		Title:          g.pick(titles),
		DepartmentName: g.maybeStr(0.06, g.pick(departments)),
		Status:         g.maybeInt(0.03, 1+g.r.IntN(4)),
		NoOfOpenings:   g.maybeInt(0.05, 1+g.r.IntN(8)),
		JobType:        g.maybeInt(0.04, jobTypes[g.r.IntN(len(jobTypes))]),
		CreatedOn:      g.maybeTime(0.02, created),
	}
	if draft {
		t.Status = &smallInts[0]
	}
	if g.chance(0.3) {
		t.Title = "Senior " + t.Title
	}
	if g.chance(0.55) && !draft {
		t.PublishedOn = ptr(g.instant(created, genEpoch))
	}
	if g.chance(0.5) {
		d := g.between(created.AddDate(0, 1, 0), created.AddDate(0, 6, 0), 24*time.Hour)
		t.TargetHireDate = &d
	}
	org := "JR-" + strconv.Itoa(1000+g.r.IntN(9000))
	if idx%7 == 3 {
		org = ""
	}
	return renderJob(jobWire{truth: t, orgJobID: org, seed: g.r.Uint64(), numbers: g.numbers})
}

// renderJob renders a job. Its random choices come from the job's own
// seed, so rendering it again gives the same bytes.
func renderJob(jw0 jobWire) *job {
	t := jw0.truth
	r := &gen{r: rand.New(rand.NewPCG(jw0.seed, 1))}
	w := jw{}
	w.begin('{')
	w.kstr("id", t.ID)
	w.kstr("title", t.Title)
	w.kstr("description", "<p>We are hiring a "+t.Title+".</p>")
	// The spec types noOfOpenings and jobType as strings.
	asText := r.chance(0.75)
	switch jw0.numbers {
	case JobNumbersString:
		asText = true
	case JobNumbersNumber:
		asText = false
	}
	num := func(k string, v *int) {
		if v != nil && asText {
			w.kstr(k, strconv.Itoa(*v))
			return
		}
		r.optInt(&w, k, v)
	}
	num("noOfOpenings", t.NoOfOpenings)
	r.optStr(&w, "departmentName", t.DepartmentName)
	num("jobType", t.JobType)
	w.kbool("isReferralEnabled", r.chance(0.6))
	fromReq := r.chance(0.4)
	w.kbool("isCreatedFromRequisition", fromReq)
	if fromReq {
		w.kstr("requisitionIdentifier", r.uuid())
	} else {
		w.knull("requisitionIdentifier")
	}
	w.kbool("canAllowInternalEmployees", r.chance(0.5))
	w.kbool("canListOnCareersSite", r.chance(0.8))
	if jw0.orgJobID == "" {
		w.knull("orgJobId")
	} else {
		w.kstr("orgJobId", jw0.orgJobID)
	}
	w.key("jobLocations")
	w.begin('[')
	for range 1 + r.r.IntN(2) {
		c := r.pick(cities)
		w.elem()
		w.begin('{')
		w.kstr("name", c+" office")
		w.kstr("city", c)
		w.kstr("state", states[c])
		w.kstr("countryName", "India")
		w.end('}')
	}
	w.end(']')
	w.key("hiringTeam")
	w.begin('[')
	for i := range 1 + r.r.IntN(3) {
		fn, ln := firstNames[r.r.IntN(len(firstNames)-2)], lastNames[r.r.IntN(len(lastNames))]
		w.elem()
		w.begin('{')
		w.kstr("identifier", r.uuid())
		w.kstr("displayName", fn.display+" "+ln.display)
		w.kint("type", i%3)
		w.end('}')
	}
	w.end(']')
	w.kstr("careerPortalUrl", "https://acme.keka.com/careers/jobdetails/"+strconv.Itoa(10000+r.r.IntN(90000)))
	r.optTime(&w, "targetHireDate", t.TargetHireDate, formISOLocal, formISOLocal, formISOZ)
	r.optInt(&w, "status", t.Status)
	r.optTime(&w, "createdOn", t.CreatedOn, formISOZ, formISOLocal)
	if t.PublishedOn == nil && r.chance(0.8) {
		w.kstr("publishedOn", "") // often "" rather than missing
	} else {
		r.optTime(&w, "publishedOn", t.PublishedOn, formISOZ, formISOLocal)
	}
	w.kstr("experience", r.pick(experiences))
	w.key("customFields")
	w.begin('[')
	if r.chance(0.5) {
		w.elem()
		w.begin('{')
		w.kstr("fieldName", "Budget code")
		w.kbool("required", false)
		w.kint("fieldType", 1)
		w.kstr("value", "CC-"+strconv.Itoa(100+r.r.IntN(900)))
		w.end('}')
	}
	w.end(']')
	if r.chance(0.3) {
		w.kint("workplaceType", r.r.IntN(3)) // undocumented
	}
	w.end('}')
	mod := genEpoch
	if t.CreatedOn != nil {
		mod = r.between(*t.CreatedOn, genEpoch, time.Second)
	}
	return &job{truth: t, mod: mod, wire: jw0, json: w.b}
}

// ---- applications ----

var (
	stages        = []string{"Sourced", "Applied", "Screening", "Shortlisted", "Interview", "Offered", "Hired", "Rejected"}
	sources       = []string{"LinkedIn", "Naukri", "Careers page", "Referral", "Indeed", "Agency", "Campus"}
	sourcedBys    = []string{"Careers page", "Recruiter", "Employee referral", "Job board", "Agency"}
	stagePtrs     = interned(stages)
	sourcePtrs    = interned(sources)
	sourcedByPtrs = interned(sourcedBys)
	archReasons   = []string{"Not a fit", "Candidate withdrew", "Position filled", "No show", "Salary mismatch"}
	screeningQs   = []string{"Willing to relocate?", "Open to hybrid work?", "Notice period negotiable?"}
	screeningAns  = []string{"Yes", "No", "Maybe"}
)

const (
	reuseRate     = 0.15 // share of applications by someone who applied elsewhere too
	reuseAttempts = 3
)

// applications makes n applications to j, newest first, and splits them
// into the active and archived lists.
func (g *gen) applications(j *job, n int, share float64) (active, archived []*app) {
	if n == 0 {
		return nil, nil
	}
	from := genEpoch.AddDate(-1, 0, 0)
	if j.truth.CreatedOn != nil {
		from = *j.truth.CreatedOn
	}
	times := make([]time.Time, n)
	for i := range times {
		times[i] = g.instant(from, genEpoch)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return b.Compare(a) })
	for _, at := range times {
		p := g.applicant(j)
		a := g.application(j, p, at, g.chance(share), genEpoch)
		if a.truth.Archived {
			archived = append(archived, a)
		} else {
			active = append(active, a)
		}
	}
	return active, archived
}

// applicant returns a new person, or sometimes one who already applied to
// another job (never twice to the same job: a job's applications are made
// together, so lastJob tells).
func (g *gen) applicant(j *job) *person {
	if len(g.persons) > 0 && g.chance(reuseRate) {
		for range reuseAttempts {
			if p := g.persons[g.r.IntN(len(g.persons))]; p.lastJob != j {
				p.lastJob = j
				return p
			}
		}
	}
	p := g.newPerson()
	p.lastJob = j
	return p
}

// application makes one application of p to j, applied at applied; now
// bounds the later dates.
func (g *gen) application(j *job, p *person, applied time.Time, archived bool, now time.Time) *app {
	moved := g.between(applied, now.Add(time.Second), 10*time.Millisecond)
	if moved.Before(applied) {
		moved = applied
	}
	stage := g.pickPtr(stagePtrs)
	if archived && g.chance(0.6) {
		stage = stagePtrs[len(stagePtrs)-1]
	}
	if len(g.apps) == 0 {
		g.apps = make([]app, 256)
	}
	a := &g.apps[0]
	g.apps = g.apps[1:]
	a.person, a.mod = p, moved
	a.truth = TruthApplication{
		JobID: j.truth.ID, CandidateID: p.id,
		FirstName: p.first, LastName: p.last, Email: p.email, Phone: p.phone,
		Archived:       archived,
		Stage:          g.maybePtr(0.03, stage),
		Status:         g.maybeInt(0.03, g.r.IntN(5)),
		AppliedOn:      g.maybeTime(0.03, applied),
		MovedToStageOn: g.maybeTime(0.08, moved),
		Source:         g.maybePtr(0.1, g.pickPtr(sourcePtrs)),
		SourcedBy:      g.maybePtr(0.2, g.pickPtr(sourcedByPtrs)),
	}
	a.detail = g.applicationDetail(&a.truth, moved)
	a.arch = g.archivedDetails(archived, moved)
	return a
}

// applicationDetail renders the "jobApplicationDetails" key of an
// application (and sometimes an undocumented key beside it) from its truth;
// moved is when it was assigned, too.
func (g *gen) applicationDetail(t *TruthApplication, moved time.Time) []byte {
	w := g.scratch()
	w.key("jobApplicationDetails")
	w.begin('{')
	g.optStr(w, "jobHiringStageId", t.Stage)
	g.optTime(w, "movedtoStageOn", t.MovedToStageOn, formEpoch, formEpoch, formISOZ, formISOLocal)
	g.optTime(w, "appliedOn", t.AppliedOn, formISOZ, formISOZ, formISOLocal, formISOIST)
	g.optInt(w, "status", t.Status)
	g.optStr(w, "sourcedBy", t.SourcedBy)
	g.optStr(w, "sourceTitle", t.Source)
	if g.chance(0.7) {
		w.kuuid("assignedTo", g)
		w.ktime("assignedOn", moved, formISOLocal)
	} else {
		w.knull("assignedTo")
		w.kstr("assignedOn", "")
	}
	w.key("screeningQuestionsResponse")
	w.begin('{')
	for _, q := range screeningQs[:g.r.IntN(len(screeningQs)+1)] {
		w.kstr(q, g.pick(screeningAns))
	}
	w.end('}')
	w.end('}')
	if g.chance(0.2) {
		w.kint("profileScore", g.r.IntN(101)) // undocumented
	}
	return g.keep(w.b)
}

// archivedDetails renders the "archivedDetails" key: a date and reason
// when archived, blanks (or null, or nothing) otherwise.
func (g *gen) archivedDetails(archived bool, at time.Time) []byte {
	w := g.scratch()
	if !archived {
		switch g.r.IntN(6) {
		case 0:
			w.knull("archivedDetails")
		case 1:
		default:
			w.key("archivedDetails")
			w.begin('{')
			w.kstr("archived On", "")
			w.kstr("reason", "")
			w.end('}')
		}
		return g.keep(w.b)
	}
	w.key("archivedDetails")
	w.begin('{')
	w.ktime("archived On", at, []form{formISOZ, formISOLocal}[g.r.IntN(2)])
	w.kstr("reason", g.pick(archReasons))
	w.end('}')
	return g.keep(w.b)
}
