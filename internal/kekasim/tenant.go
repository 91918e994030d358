package kekasim

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Size says how big a generated tenant is.
type Size struct {
	Jobs         int // number of job requisitions
	Applications int // job candidates across all jobs, spread unevenly (some jobs 0, one > 400 when there are enough)
	Preboarding  int // preboarding candidates
	// ArchivedShare is the share of applications that are archived; 0 means
	// the default 0.2, a negative value means none.
	ArchivedShare float64
	// Drafts is the number of draft jobs (status 0) besides Jobs: /hire/jobs
	// never lists them, they have no applications, and Truth keeps them
	// apart (Truth.Drafts). 0 means one per 15 jobs, rounded up; a negative
	// value means none.
	Drafts int
}

// Tenant is a generated Keka Hire account. It never changes after NewTenant:
// every Server works on its own copy, so one Tenant can back several servers
// and mutations on one server are invisible to the others.
type Tenant struct {
	seed       int64
	initial    *state
	pools      []*pool
	boards     []rec
	boardTruth []TruthJobBoard
	stages     []*stageRec
	nPersons   int
}

// genEpoch is the tenant's "now": every generated past date lies before it.
var genEpoch = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// NewTenant generates a tenant. The same seed and size give an identical
// tenant and byte-identical JSON. Negative counts are treated as zero, and
// applications need at least one job.
func NewTenant(seed int64, size Size) *Tenant {
	share := size.ArchivedShare
	switch {
	case share == 0:
		share = 0.2
	case share < 0:
		share = 0
	case share > 1:
		share = 1
	}
	g := newGen(uint64(seed), 0x6b656b6173696d31) // "kekasim1"
	st := &state{byID: map[string]*jobState{}, clock: genEpoch}

	nJobs := max(size.Jobs, 0)
	nDrafts := size.Drafts
	switch {
	case nDrafts == 0:
		nDrafts = (nJobs + 14) / 15
	case nDrafts < 0:
		nDrafts = 0
	}
	created := make([]time.Time, nJobs+nDrafts)
	for i := range created {
		created[i] = g.between(genEpoch.AddDate(-3, 0, 0), genEpoch.AddDate(0, 0, -7), time.Millisecond)
	}
	slices.SortFunc(created, func(a, b time.Time) int { return b.Compare(a) }) // newest first, as a front insert leaves it
	draft := make([]bool, len(created))
	for _, i := range g.r.Perm(len(created))[:nDrafts] {
		draft[i] = true
	}
	var jobs []*job // listed jobs, in list order
	for i := range created {
		j := g.job(created[i], i, draft[i])
		js := &jobState{job: j}
		st.jobs = append(st.jobs, js)
		st.byID[strings.ToLower(j.truth.ID)] = js
		if !draft[i] {
			jobs = append(jobs, j)
		}
	}
	if len(jobs) >= 2 { // orgJobId is not unique
		again := renderJob(jobs[1].wire.withOrg(jobs[0].wire.orgJobID))
		*jobs[1] = *again
	}
	counts := spread(g.r, len(jobs), max(size.Applications, 0))
	var all []*app
	n := 0
	for _, js := range st.jobs {
		if js.job.draft() {
			continue
		}
		js.active, js.archived = g.applications(js.job, counts[n], share)
		n++
		all = append(all, js.active...)
		all = append(all, js.archived...)
	}
	onboarded := map[*person]bool{}
	for range max(size.Preboarding, 0) {
		var p *person
		if len(all) > 0 && g.r.Float64() < 0.4 {
			p = all[g.r.IntN(len(all))].person // an applicant who accepted an offer
			if onboarded[p] {
				p = nil
			}
		}
		rec := g.preboarding(p, st.jobs)
		onboarded[rec.person] = true
		st.pre = append(st.pre, rec)
	}

	t := &Tenant{seed: seed, initial: st}
	t.pools = g.pools(4)
	t.boardTruth, t.boards = jobBoards()
	t.stages = g.stages()
	t.nPersons = len(g.persons)
	return t
}

// Truth returns the ground truth of the tenant as generated. The returned
// values share pointers with the tenant: treat them as read-only.
func (t *Tenant) Truth() Truth { return t.hireTruth(t.initial.truth()) }

// spread divides n applications over jobs unevenly: about one job in eight
// gets none, sizes are log-normal, and when n allows one job gets more than
// 400 so its lists run over several pages of 200.
func spread(r *rand.Rand, jobs, n int) []int {
	counts := make([]int, jobs)
	if jobs == 0 || n == 0 {
		return counts
	}
	w := make([]float64, jobs)
	var sum float64
	for i := range w {
		if jobs >= 3 && (i == jobs-1 || r.Float64() < 0.12) {
			continue // the oldest job never got applicants
		}
		w[i] = math.Exp(r.NormFloat64() * 1.1)
		sum += w[i]
	}
	if sum == 0 {
		w[0], sum = 1, 1
	}
	given := 0
	for i := range w {
		counts[i] = int(float64(n) * w[i] / sum)
		given += counts[i]
	}
	for given < n {
		if i := r.IntN(jobs); w[i] > 0 {
			counts[i]++
			given++
		}
	}
	big := 0
	for i := range counts {
		if counts[i] > counts[big] {
			big = i
		}
	}
	const need = 401
	for moved := true; moved && counts[big] < need && n >= 2*need; {
		moved = false
		for i := range counts {
			if i != big && counts[i] > 1 && counts[big] < need {
				counts[i]--
				counts[big]++
				moved = true
			}
		}
	}
	return counts
}

// gen generates records. It is not safe for concurrent use.
type gen struct {
	r       *rand.Rand
	persons []*person
	seq     int        // next person number, for unique e-mail addresses
	numbers JobNumbers // how new jobs send noOfOpenings and jobType

	w      jw          // scratch writer
	chunk  []byte      // see keep
	times  []time.Time // see maybeTime
	apps   []app       // slab for new applications
	people []person    // slab for new persons
}

func newGen(seed, stream uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, stream))}
}

// person is one candidate: the same id, names and profile on every job
// the person applied to. frag is the JSON object body without braces.
type person struct {
	id                        string
	first, last, email, phone *string
	emailV, phoneV            string // what email and phone point to
	countryCode, mobile       string
	gender                    int
	frag                      []byte
	lastJob                   *job // while generating: the last job applied to
}

type job struct {
	truth TruthJob
	mod   time.Time
	wire  jobWire
	json  []byte
}

// draft reports whether the job is a draft (status 0), which /hire/jobs
// does not list.
func (j *job) draft() bool { return j.truth.Status != nil && *j.truth.Status == 0 }

// jobWire keeps what rendering a job needs, so one field can be changed and
// the job rendered again.
type jobWire struct {
	truth    TruthJob
	orgJobID string
	seed     uint64
	numbers  JobNumbers
}

func (w jobWire) withOrg(org string) jobWire       { w.orgJobID = org; return w }
func (w jobWire) withNumbers(n JobNumbers) jobWire { w.numbers = n; return w }

type app struct {
	truth  TruthApplication
	person *person
	detail []byte // "jobApplicationDetails":{...} and other per-application keys
	arch   []byte // "archivedDetails":... or empty (key missing)
	mod    time.Time
}

func (a *app) appendJSON(b []byte) []byte {
	b = append(b, '{')
	b = append(b, a.person.frag...)
	b = append(b, ',')
	b = append(b, a.detail...)
	if len(a.arch) > 0 {
		b = append(b, ',')
		b = append(b, a.arch...)
	}
	return append(b, '}')
}

type preRec struct {
	truth  TruthPreboarding
	person *person
	mod    time.Time
	json   []byte
}
