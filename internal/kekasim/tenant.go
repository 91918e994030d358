package kekasim

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
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
	seed     int64
	initial  *state
	pools    []*pool
	boards   []byte
	nPersons int
}

// pool is a talent pool: the pool record and its candidates, pre-rendered.
type pool struct {
	id         string
	json       []byte
	candidates [][]byte
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

	t := &Tenant{seed: seed, initial: st, nPersons: len(g.persons)}
	t.pools = g.pools(4)
	t.boards = jobBoards()
	return t
}

// Truth returns the ground truth of the tenant as generated. The returned
// values share pointers with the tenant: treat them as read-only.
func (t *Tenant) Truth() Truth { return t.initial.truth() }

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

// ---- random helpers ----

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// between returns a random instant in [a, b) truncated to prec.
func (g *gen) between(a, b time.Time, prec time.Duration) time.Time {
	d := b.Sub(a)
	if d <= 0 {
		return a.Truncate(prec)
	}
	return a.Add(time.Duration(g.r.Int64N(int64(d)))).Truncate(prec).UTC()
}

// instant returns a random instant in [a, b): mostly whole seconds,
// sometimes with milliseconds.
func (g *gen) instant(a, b time.Time) time.Time {
	if g.chance(0.3) {
		return g.between(a, b, time.Millisecond)
	}
	return g.between(a, b, time.Second)
}

func (g *gen) uuid() string { return string(g.appendUUID(nil)) }

// appendUUID appends a random version 4 UUID.
func (g *gen) appendUUID(b []byte) []byte {
	const hex = "0123456789abcdef"
	hi, lo := g.r.Uint64(), g.r.Uint64()
	hi = hi&^(0xf<<12) | 4<<12         // version 4
	lo = lo&^(0x3<<62) | uint64(2)<<62 // variant 10
	for i := range 32 {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b = append(b, '-')
		}
		v := hi
		if i >= 16 {
			v = lo
		}
		b = append(b, hex[v>>(60-4*(i%16))&0xf])
	}
	return b
}

func ptr[T any](v T) *T { return &v }

// ---- nullable wire values ----

// optStr writes v, or for nil one of null, "" or nothing at all.
func (g *gen) optStr(w *jw, k string, v *string) {
	if v != nil {
		w.kstr(k, *v)
		return
	}
	switch g.r.IntN(3) {
	case 0:
		w.knull(k)
	case 1:
		w.kstr(k, "")
	}
}

// optInt writes v, or for nil null or nothing.
func (g *gen) optInt(w *jw, k string, v *int) {
	if v != nil {
		w.kint(k, *v)
		return
	}
	if g.chance(0.5) {
		w.knull(k)
	}
}

// Wire forms of a date. Each field has its own mix, as seen on live accounts.
type form uint8

const (
	formISOZ     form = iota // 2026-10-02T09:14:00Z
	formISOLocal             // 2026-10-02T09:14:00 (UTC)
	formISOIST               // 2026-10-02T14:44:00+05:30
	formEpoch                // "1789573328.01" (needs a time on a 10 ms boundary)
)

var ist = time.FixedZone("IST", 5*3600+1800)

func formatTime(t time.Time, f form) string { return string(appendTime(nil, t, f)) }

func appendTime(b []byte, t time.Time, f form) []byte {
	switch f {
	case formISOLocal:
		return t.UTC().AppendFormat(b, "2006-01-02T15:04:05.9999999")
	case formISOIST:
		return t.In(ist).AppendFormat(b, "2006-01-02T15:04:05.9999999Z07:00")
	case formEpoch:
		cs := t.Nanosecond() / int(10*time.Millisecond) // hundredths
		b = strconv.AppendInt(b, t.Unix(), 10)
		b = append(b, '.', byte('0'+cs/10))
		if cs%10 != 0 {
			b = append(b, byte('0'+cs%10))
		}
		return b
	default:
		return t.UTC().AppendFormat(b, "2006-01-02T15:04:05.9999999Z07:00")
	}
}

// optTime writes t in one of forms, or for nil one of null, "" or nothing.
func (g *gen) optTime(w *jw, k string, t *time.Time, forms ...form) {
	if t == nil {
		g.optStr(w, k, nil)
		return
	}
	f := forms[g.r.IntN(len(forms))]
	if f == formEpoch && t.Nanosecond()%int(10*time.Millisecond) != 0 {
		f = formISOZ
	}
	w.ktime(k, *t, f)
}

// maybeTime returns nil with probability p, else a pointer to t.
func (g *gen) maybeTime(p float64, t time.Time) *time.Time {
	if g.chance(p) {
		return nil
	}
	if len(g.times) == 0 {
		g.times = make([]time.Time, 1024) // fewer, larger allocations
	}
	tp := &g.times[0]
	g.times = g.times[1:]
	*tp = t
	return tp
}

// maybePtr returns nil with probability p, else v.
func (g *gen) maybePtr(p float64, v *string) *string {
	if g.chance(p) {
		return nil
	}
	return v
}

func (g *gen) maybeStr(p float64, s string) *string {
	if g.chance(p) {
		return nil
	}
	return &s
}

func (g *gen) maybeInt(p float64, n int) *int {
	if g.chance(p) {
		return nil
	}
	if n >= 0 && n < len(smallInts) {
		return &smallInts[n]
	}
	return &n
}

// smallInts and interned give shared pointers for truth values, so that a
// million applications do not mean millions of tiny allocations. Truth
// values are read-only.
var smallInts = [16]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}

func interned(list []string) []*string {
	out := make([]*string, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}

func (g *gen) pickPtr(list []*string) *string { return list[g.r.IntN(len(list))] }

// scratch returns the generator's reusable writer, emptied, for a fragment
// without braces; keep copies the result out.
func (g *gen) scratch() *jw {
	g.w.b = g.w.b[:0]
	g.w.more = append(g.w.more[:0], false)
	return &g.w
}

// keep copies b into a large pointer-free chunk, so that pre-rendered
// records cost neither an allocation each nor the slack of a grown slice.
func (g *gen) keep(b []byte) []byte {
	if len(b) > cap(g.chunk)-len(g.chunk) {
		g.chunk = make([]byte, 0, max(1<<20, len(b)))
	}
	off := len(g.chunk)
	g.chunk = append(g.chunk, b...)
	return g.chunk[off:len(g.chunk):len(g.chunk)]
}

// ---- people ----

type name struct{ display, ascii string }

var (
	firstNamePtrs = displayPtrs(firstNames)
	lastNamePtrs  = displayPtrs(lastNames)
)

func displayPtrs(names []name) []*string {
	out := make([]*string, len(names))
	for i := range names {
		out[i] = &names[i].display
	}
	return out
}

var firstNames = []name{
	{"Asha", "asha"}, {"Rahul", "rahul"}, {"Priya", "priya"}, {"Ananya", "ananya"},
	{"Vikram", "vikram"}, {"Arjun", "arjun"}, {"Kavya", "kavya"}, {"Rohan", "rohan"},
	{"Sneha", "sneha"}, {"Aditya", "aditya"}, {"Meera", "meera"}, {"Karthik", "karthik"},
	{"Divya", "divya"}, {"Nikhil", "nikhil"}, {"Pooja", "pooja"}, {"Sanjay", "sanjay"},
	{"Lakshmi", "lakshmi"}, {"Farhan", "farhan"}, {"Ayesha", "ayesha"}, {"Imran", "imran"},
	{"Gurpreet", "gurpreet"}, {"Deepa", "deepa"}, {"Venkat", "venkat"}, {"Srinivas", "srinivas"},
	{"Emma", "emma"}, {"Liam", "liam"}, {"Olivia", "olivia"}, {"Noah", "noah"},
	{"Mei", "mei"}, {"Hiroshi", "hiroshi"}, {"Fatima", "fatima"}, {"Omar", "omar"},
	{"Zoë", "zoe"}, {"José", "jose"}, {"Søren", "soren"}, {"Renée", "renee"},
	{"Łukasz", "lukasz"}, {"François", "francois"}, {"Jürgen", "juergen"}, {"Chloé", "chloe"},
	{"अनन्या", "ananya.d"}, {"Ravi \"Rocky\"", "ravi"},
}

var lastNames = []name{
	{"Rao", "rao"}, {"Sharma", "sharma"}, {"Iyer", "iyer"}, {"Reddy", "reddy"},
	{"Patel", "patel"}, {"Nair", "nair"}, {"Gupta", "gupta"}, {"Singh", "singh"},
	{"Menon", "menon"}, {"Kulkarni", "kulkarni"}, {"Chatterjee", "chatterjee"}, {"Khan", "khan"},
	{"Das", "das"}, {"Joshi", "joshi"}, {"Pillai", "pillai"}, {"Bhat", "bhat"},
	{"Smith", "smith"}, {"Garcia", "garcia"}, {"Tanaka", "tanaka"}, {"Chen", "chen"},
	{"Müller", "mueller"}, {"Núñez", "nunez"}, {"Nguyễn", "nguyen"}, {"Østergaard", "ostergaard"},
	{"D'Souza", "dsouza"}, {"O'Brien", "obrien"}, {"Krishnamurthy", "krishnamurthy"},
}

var (
	middleNames = []string{"Kumar", "Devi", "Lal", "Marie", "Prasad", "Ann"}
	mailDomains = []string{"example.com", "example.org", "example.net", "mail.example.in"}
	skills      = []string{"Go", "SQL", "Python", "Java", "Kubernetes", "AWS", "React", "Excel", "Tally", "Sales", "Recruiting", "C#", "Figma", "Negotiation"}
	tags        = []string{"Referral", "Campus", "Silver medallist", "Rehire", "Diversity hire", "Notice: immediate"}
	degrees     = []string{"BTech", "BE", "BSc", "BCom", "MBA", "MCA", "MTech", "BA"}
	branches    = []string{"CS", "ECE", "Mechanical", "Finance", "Marketing", "Physics", ""}
	univs       = []string{"VTU", "Anna University", "IIT Bombay", "Pune University", "Delhi University", "JNTU", "Universität Wien"}
	cities      = []string{"Bengaluru", "Pune", "Hyderabad", "Chennai", "Mumbai", "Gurugram", "Kochi", "Noida", "Ahmedabad", "Remote"}
	states      = map[string]string{"Bengaluru": "Karnataka", "Pune": "Maharashtra", "Hyderabad": "Telangana", "Chennai": "Tamil Nadu", "Mumbai": "Maharashtra", "Gurugram": "Haryana", "Kochi": "Kerala", "Noida": "Uttar Pradesh", "Ahmedabad": "Gujarat", "Remote": ""}
	companies   = []string{"Acme", "Infosys", "Wipro", "Zoho", "Freshworks", "Flipkart", "TCS", "Swiggy", "Razorpay", "Initech"}
	designs     = []string{"Engineer", "Senior Engineer", "Analyst", "Associate", "Manager", "Intern", "Consultant"}
	notices     = []string{"Immediate", "15 days", "30 days", "60 days", "90 days"}
)

// newPerson makes a candidate. The first two people of a tenant always
// carry a name with a double quote and a non-ASCII name.
func (g *gen) newPerson() *person {
	n := g.seq
	g.seq++
	fi, li := g.r.IntN(len(firstNames)), g.r.IntN(len(lastNames))
	switch n {
	case 0:
		fi, li = len(firstNames)-1, len(lastNames)-3
	case 1:
		fi, li = 32, 20
	}
	fn, ln := firstNames[fi], lastNames[li]
	if len(g.people) == 0 {
		g.people = make([]person, 256)
	}
	p := &g.people[0]
	g.people = g.people[1:]
	p.id, p.first, p.gender = g.uuid(), firstNamePtrs[fi], g.r.IntN(4)
	if !g.chance(0.04) { // single-name people are common
		p.last = lastNamePtrs[li]
	}
	local := fn.ascii
	if p.last != nil {
		local += "." + ln.ascii
	}
	p.emailV = local + strconv.Itoa(n) + "@" + g.pick(mailDomains)
	p.email = g.maybePtr(0.02, &p.emailV)
	if g.chance(0.85) {
		p.countryCode = "+91"
		p.mobile = "9" + strconv.Itoa(800000000+g.r.IntN(199999999))
		p.phoneV = p.countryCode + " " + p.mobile[:5] + " " + p.mobile[5:]
	} else {
		p.countryCode = "+1"
		p.mobile = "415555" + strconv.Itoa(1000+g.r.IntN(9000))
		p.phoneV = "+1 415-555-" + p.mobile[6:]
	}
	p.phone = g.maybePtr(0.1, &p.phoneV)

	w := g.scratch()
	w.kstr("id", p.id)
	w.kstr("firstName", *p.first)
	if g.chance(0.2) {
		w.kstr("middleName", g.pick(middleNames))
	} else {
		w.knull("middleName")
	}
	g.optStr(w, "lastName", p.last)
	if g.chance(0.05) {
		w.knull("gender")
	} else {
		w.kint("gender", p.gender)
	}
	g.optStr(w, "email", p.email)
	g.optStr(w, "phone", p.phone)
	w.key("skills")
	w.begin('[')
	for range g.r.IntN(4) {
		w.elem()
		w.str(g.pick(skills))
	}
	w.end(']')
	w.key("candidateTags")
	w.begin('[')
	for range g.r.IntN(3) / 2 {
		w.elem()
		w.begin('{')
		w.kstr("identifier", g.uuid()[:8])
		w.kstr("name", g.pick(tags))
		w.kstr("description", "")
		w.end('}')
	}
	w.end(']')
	start := g.between(genEpoch.AddDate(-20, 0, 0), genEpoch.AddDate(-2, 0, 0), 24*time.Hour)
	w.key("educationDetails")
	w.begin('[')
	if g.chance(0.7) {
		w.elem()
		w.begin('{')
		w.kstr("degree", g.pick(degrees))
		w.kstr("branch", g.pick(branches))
		w.kstr("university", g.pick(univs))
		w.kstr("location", g.pick(cities))
		w.ktime("dateOfJoining", start, formISOLocal)
		w.ktime("dateOfCompletion", start.AddDate(4, 0, -60), formISOLocal)
		w.end('}')
	}
	w.end(']')
	w.key("experienceDetails")
	w.begin('[')
	if g.chance(0.6) {
		current := g.chance(0.5)
		w.elem()
		w.begin('{')
		w.kstr("companyName", g.pick(companies))
		w.kstr("designation", g.pick(designs))
		w.kbool("isCurrentlyWorking", current)
		w.kstr("location", g.pick(cities))
		w.ktime("dateOfJoining", start.AddDate(4, 1, 0), formISOLocal)
		if current {
			w.knull("dateOfRelieving")
		} else {
			w.ktime("dateOfRelieving", start.AddDate(6, 2, 0), formISOLocal)
		}
		w.end('}')
	}
	w.end(']')
	w.key("additionalCandidateDetails")
	w.begin('{')
	if g.chance(0.7) {
		w.kstr("Notice period", g.pick(notices))
	}
	if g.chance(0.3) {
		w.kstr("Current CTC (LPA)", strconv.Itoa(3+g.r.IntN(40)))
	}
	w.end('}')
	if g.chance(0.1) { // a field no document mentions
		w.kstr("linkedInProfileUrl", "https://www.linkedin.com/in/"+local+strconv.Itoa(n))
	}
	p.frag = g.keep(w.b)
	g.persons = append(g.persons, p)
	return p
}

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
	t := &a.truth
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
	a.detail = g.keep(w.b)
	a.arch = g.archivedDetails(archived, moved)
	return a
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
