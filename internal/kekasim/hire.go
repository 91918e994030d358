package kekasim

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

// ---- stages, talent pools, job boards, application fields ----

// rec is one pre-rendered record of a list.
type rec struct{ json []byte }

// stageRec is one stage of /hire/jobs/stages.
type stageRec struct {
	truth TruthStage
	json  []byte
}

// stageDefs are the tenant's stages in order. The hiring stages are the
// names jobHiringStageId holds (see stages).
var stageDefs = []struct{ name, typ string }{
	{"Sourced", "Hiring"}, {"Applied", "Hiring"}, {"Screening", "Hiring"}, {"Shortlisted", "Hiring"},
	{"Interview", "Hiring"}, {"Offered", "Hiring"}, {"Hired", "Hiring"},
	{"Rejected", "Archive"},
	{"Collect info", "Preboarding"}, {"Verify info", "Preboarding"}, {"Manage offer", "Preboarding"}, {"Offer acceptance", "Preboarding"},
}

// interviewStageNames are the stages interviews are held in.
var interviewStageNames = []string{"Screening", "Shortlisted", "Interview"}

// stages renders the stage list: the archive stage carries the archive
// reasons; archiveReasons on the others is missing, null or [].
func (g *gen) stages() []*stageRec {
	out := make([]*stageRec, 0, len(stageDefs))
	for i, d := range stageDefs {
		t := TruthStage{ID: g.uuid(), Name: d.name, Type: d.typ, Order: i + 1}
		w := jw{}
		w.begin('{')
		w.kstr("id", t.ID)
		w.kstr("name", t.Name)
		w.kstr("stageType", t.Type)
		w.kint("order", t.Order)
		switch {
		case d.typ == "Archive":
			t.ArchiveReasons = []TruthArchiveReason{}
			w.key("archiveReasons")
			w.begin('[')
			for _, r := range archReasons {
				ar := TruthArchiveReason{ID: g.uuid(), Reason: r}
				t.ArchiveReasons = append(t.ArchiveReasons, ar)
				w.elem()
				w.begin('{')
				w.kstr("id", ar.ID)
				w.kstr("reason", ar.Reason)
				w.end('}')
			}
			w.end(']')
		case g.chance(0.5):
			w.key("archiveReasons")
			w.begin('[')
			w.end(']')
		case g.chance(0.5):
			w.knull("archiveReasons")
		}
		w.end('}')
		out = append(out, &stageRec{truth: t, json: w.b})
	}
	return out
}

// pool is a talent pool: the pool record and its candidates, pre-rendered.
type pool struct {
	id         string
	truth      TruthTalentPool
	json       []byte
	candidates []rec
	members    []TruthPoolCandidate
}

var poolNames = []string{"Silver medallists", "Campus 2026", "Sales bench", "Referrals", "Leadership pipeline"}

// pools makes n talent pools of up to 259 candidates each (so some lists
// run over two pages of 200), mostly people who applied to a job. A person
// is in a pool at most once.
func (g *gen) pools(n int) []*pool {
	var out []*pool
	for i := range n {
		t := TruthTalentPool{ID: g.uuid(), Name: poolNames[i%len(poolNames)]}
		t.AddedBy = g.maybeStr(0.1, g.employee())
		t.AddedOn = g.maybeTime(0.05, g.instant(genEpoch.AddDate(-2, 0, 0), genEpoch))
		p := &pool{id: t.ID, truth: t}
		w := jw{}
		w.begin('{')
		w.kstr("id", t.ID)
		w.kstr("name", t.Name)
		g.optStr(&w, "addedBy", t.AddedBy)
		g.optTime(&w, "addedOn", t.AddedOn, formISOZ, formISOLocal)
		w.end('}')
		p.json = w.b
		in := map[*person]bool{}
		for range g.r.IntN(260) {
			var c *person
			if len(g.persons) > 0 && g.chance(0.7) {
				c = g.persons[g.r.IntN(len(g.persons))] // someone who applied to a job
			} else {
				c = g.newPerson()
			}
			if in[c] {
				continue
			}
			in[c] = true
			p.addMember(g, c)
		}
		out = append(out, p)
	}
	return out
}

// addMember adds c to the pool with its talentPoolDetails.
func (p *pool) addMember(g *gen, c *person) {
	m := TruthPoolCandidate{PoolID: p.id, CandidateID: c.id, FirstName: c.first, LastName: c.last, Email: c.email, Phone: c.phone,
		Details: map[string]string{"addedOn": formatTime(g.instant(genEpoch.AddDate(-1, 0, 0), genEpoch), formISOZ)}}
	if g.chance(0.8) {
		m.Details["addedBy"] = g.employee()
	}
	if g.chance(0.5) {
		m.Details["source"] = g.pick(sources)
	}
	w := jw{}
	w.begin('{')
	w.b = append(w.b, c.frag...)
	w.more[len(w.more)-1] = true
	w.key("talentPoolDetails")
	w.begin('{')
	for _, k := range slices.Sorted(maps.Keys(m.Details)) {
		w.kstr(k, m.Details[k])
	}
	w.end('}')
	w.end('}')
	p.candidates = append(p.candidates, rec{json: w.b})
	p.members = append(p.members, m)
}

var jobBoardNames = []string{"LinkedIn", "Naukri", "Indeed", "Instahyre", "Glassdoor"}

// jobBoards renders /hire/jobboards: [{jobBoardName, jobBoardIdentifier, isActive}].
func jobBoards() ([]TruthJobBoard, []rec) {
	var truth []TruthJobBoard
	var recs []rec
	for i, b := range jobBoardNames {
		t := TruthJobBoard{Name: b, Identifier: strings.ToLower(b), IsActive: i != 3}
		w := jw{}
		w.begin('{')
		w.kstr("jobBoardName", t.Name)
		w.kstr("jobBoardIdentifier", t.Identifier)
		w.kbool("isActive", t.IsActive)
		w.end('}')
		truth, recs = append(truth, t), append(recs, rec{json: w.b})
	}
	return truth, recs
}

// formFields are the fields an application form may have, with their
// types (the ones Keka publishes) and options for the choice types.
var formFields = []struct {
	name    string
	typ     int
	options []string
}{
	{"Full name", 1, nil}, {"Cover letter", 2, nil}, {"Highest qualification", 3, []string{"Diploma", "Bachelor's", "Master's", "Doctorate"}},
	{"Preferred locations", 4, []string{"Bengaluru", "Pune", "Hyderabad", "Remote"}}, {"Willing to relocate?", 5, []string{"Yes", "No"}},
	{"Available from", 6, nil}, {"Current CTC (LPA)", 9, nil}, {"Expected CTC (LPA)", 9, nil}, {"Portfolio URL", 1, nil},
}

// applicationFields derives a job's application form from the job id, so
// every call agrees: {fieldName, id, required, fieldType, fieldOptions[{id,
// value}]}. The first two fields are always there.
func applicationFields(seed int64, jobID string) ([]TruthApplicationField, []rec) {
	g := newGen(uint64(seed), hashString(jobID))
	var truth []TruthApplicationField
	var recs []rec
	for i, f := range formFields {
		if i > 1 && g.chance(0.4) {
			continue
		}
		t := TruthApplicationField{JobID: jobID, ID: g.uuid(), Name: f.name, Required: i == 0 || g.chance(0.3), FieldType: f.typ,
			Options: []TruthFieldOption{}}
		w := jw{}
		w.begin('{')
		w.kstr("fieldName", t.Name)
		w.kstr("id", t.ID)
		w.kbool("required", t.Required)
		w.kint("fieldType", t.FieldType)
		w.key("fieldOptions")
		w.begin('[')
		for _, v := range f.options {
			o := TruthFieldOption{ID: g.uuid(), Value: v}
			t.Options = append(t.Options, o)
			w.elem()
			w.begin('{')
			w.kstr("id", o.ID)
			w.kstr("value", o.Value)
			w.end('}')
		}
		w.end(']')
		w.end('}')
		truth, recs = append(truth, t), append(recs, rec{json: w.b})
	}
	return truth, recs
}

// interviewStageIDs returns the ids of the stages interviews are held in.
func interviewStageIDs(stages []*stageRec) []string {
	var ids []string
	for _, s := range stages {
		if slices.Contains(interviewStageNames, s.truth.Name) {
			ids = append(ids, s.truth.ID)
		}
	}
	return ids
}

// hireTruth fills in tr's Hire lists besides jobs, applications and
// preboarding, for the jobs and applications tr holds.
func (t *Tenant) hireTruth(tr Truth) Truth {
	for _, s := range t.stages {
		tr.Stages = append(tr.Stages, s.truth)
	}
	ids := interviewStageIDs(t.stages)
	for i := range tr.Applications {
		h := applicationHire(t.seed, ids, &tr.Applications[i])
		tr.Interviews = append(tr.Interviews, h.interviews...)
		tr.Scorecards = append(tr.Scorecards, h.scorecards...)
	}
	for _, p := range t.pools {
		tr.TalentPools = append(tr.TalentPools, p.truth)
		tr.PoolCandidates = append(tr.PoolCandidates, p.members...)
	}
	tr.JobBoards = slices.Clone(t.boardTruth)
	for _, j := range tr.Jobs {
		f, _ := applicationFields(t.seed, j.ID)
		tr.ApplicationFields = append(tr.ApplicationFields, f...)
	}
	return tr
}

// unpaged serves a list Keka sends whole (stages, job boards, application
// fields): every record on one page, whatever pageNumber says, in the
// server's shape.
func (s *Server) unpaged(r *http.Request, route string, n int, rec func(i int) []byte) (int, []byte) {
	l := listReq{number: 1, size: max(n, 1), route: route}
	return http.StatusOK, s.page(r, l, s.shape(false), n, func(b []byte, i int) []byte { return append(b, rec(i)...) })
}

func (s *Server) applicationFields(r *http.Request, route, jobID string) (int, []byte) {
	s.st.mu.RLock()
	js := s.st.byID[strings.ToLower(jobID)]
	s.st.mu.RUnlock()
	if js == nil {
		return notFound("Job")
	}
	_, recs := applicationFields(s.tenant.seed, js.job.truth.ID)
	return s.unpaged(r, route, len(recs), func(i int) []byte { return recs[i].json })
}

// listInterviews serves an application's interviews or scorecards: none
// when the candidate did not apply to the job.
func (s *Server) listInterviews(r *http.Request, route string, q query, jobID, candID string, scorecards bool) (int, []byte) {
	l, err := parseList(route, q)
	if err != nil {
		return badRequest(err)
	}
	shape := s.shape(false)
	s.st.mu.RLock()
	js := s.st.byID[strings.ToLower(jobID)]
	var a *TruthApplication
	if js != nil {
		for _, list := range [][]*app{js.active, js.archived} {
			for _, x := range list {
				if strings.EqualFold(x.truth.CandidateID, candID) {
					a = &x.truth
				}
			}
		}
	}
	s.st.mu.RUnlock()
	if js == nil {
		return notFound("Job")
	}
	var recs [][]byte
	if a != nil {
		h := applicationHire(s.tenant.seed, interviewStageIDs(s.tenant.stages), a)
		recs = h.ijson
		if scorecards {
			recs = h.sjson
		}
	}
	return http.StatusOK, s.page(r, l, shape, len(recs), func(b []byte, i int) []byte { return append(b, recs[i]...) })
}

func (s *Server) listPools(r *http.Request, route string, q query) (int, []byte) {
	l, err := parseList(route, q)
	if err != nil {
		return badRequest(err)
	}
	pools := s.tenant.pools
	return http.StatusOK, s.page(r, l, s.shape(false), len(pools), func(b []byte, i int) []byte { return append(b, pools[i].json...) })
}

func (s *Server) listPoolCandidates(r *http.Request, route string, q query, id string) (int, []byte) {
	l, err := parseList(route, q)
	if err != nil {
		return badRequest(err)
	}
	for _, p := range s.tenant.pools {
		if strings.EqualFold(p.id, id) {
			c := p.candidates
			return http.StatusOK, s.page(r, l, s.shape(false), len(c), func(b []byte, i int) []byte { return append(b, c[i].json...) })
		}
	}
	return notFound("Talent pool")
}
