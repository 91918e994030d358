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
	created := make([]time.Time, nJobs)
	for i := range created {
		created[i] = g.between(genEpoch.AddDate(-3, 0, 0), genEpoch.AddDate(0, 0, -7), time.Millisecond)
	}
	slices.SortFunc(created, func(a, b time.Time) int { return b.Compare(a) }) // newest first, as a front insert leaves it
	var jobs []*job
	for i := range nJobs {
		jobs = append(jobs, g.job(created[i], i))
	}
	if len(jobs) >= 2 { // orgJobId is not unique
		jobs[1] = renderJob(jobs[1].wire.withOrg(jobs[0].wire.orgJobID))
	}
	counts := spread(g.r, nJobs, max(size.Applications, 0))
	var all []*app
	for i, j := range jobs {
		js := &jobState{job: j}
		js.active, js.archived = g.applications(j, counts[i], share)
		all = append(all, js.active...)
		all = append(all, js.archived...)
		st.jobs = append(st.jobs, js)
		st.byID[strings.ToLower(j.truth.ID)] = js
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
	seq     int // next person number, for unique e-mail addresses
}

func newGen(seed, stream uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, stream))}
}

// person is one candidate: the same id, names and profile on every job
// the person applied to. frag is the JSON object body without braces.
type person struct {
	id                        string
	first, last, email, phone *string
	countryCode, mobile       string
	gender                    int
	frag                      []byte
}

type job struct {
	truth TruthJob
	mod   time.Time
	wire  jobWire
	json  []byte
}

// jobWire keeps what rendering a job needs, so one field can be changed and
// the job rendered again.
type jobWire struct {
	truth    TruthJob
	orgJobID string
	seed     uint64
}

func (w jobWire) withOrg(org string) jobWire { w.orgJobID = org; return w }

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

func (g *gen) uuid() string {
	var b [36]byte
	hi, lo := g.r.Uint64(), g.r.Uint64()
	hi = hi&^(0xf<<12) | 4<<12         // version 4
	lo = lo&^(0x3<<62) | uint64(2)<<62 // variant 10
	const hex = "0123456789abcdef"
	n := 0
	for i := range 32 {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b[n] = '-'
			n++
		}
		var nib uint64
		if i < 16 {
			nib = hi >> (60 - 4*i) & 0xf
		} else {
			nib = lo >> (60 - 4*(i-16)) & 0xf
		}
		b[n] = hex[nib]
		n++
	}
	return string(b[:])
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

func formatTime(t time.Time, f form) string {
	switch f {
	case formISOLocal:
		return t.UTC().Format("2006-01-02T15:04:05.9999999")
	case formISOIST:
		return t.In(ist).Format("2006-01-02T15:04:05.9999999Z07:00")
	case formEpoch:
		cs := t.Nanosecond() / int(10*time.Millisecond)
		frac := strconv.Itoa(cs / 10)
		if cs%10 != 0 {
			frac = strconv.Itoa(cs/10) + strconv.Itoa(cs%10)
		}
		return strconv.FormatInt(t.Unix(), 10) + "." + frac
	default:
		return t.UTC().Format("2006-01-02T15:04:05.9999999Z07:00")
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
	w.kstr(k, formatTime(*t, f))
}

// maybeTime returns nil with probability p, else a pointer to t.
func (g *gen) maybeTime(p float64, t time.Time) *time.Time {
	if g.chance(p) {
		return nil
	}
	return &t
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
	return &n
}

// ---- people ----

type name struct{ display, ascii string }

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
	fn, ln := firstNames[g.r.IntN(len(firstNames))], lastNames[g.r.IntN(len(lastNames))]
	switch n {
	case 0:
		fn, ln = firstNames[len(firstNames)-1], lastNames[len(lastNames)-3]
	case 1:
		fn, ln = firstNames[32], lastNames[20]
	}
	p := &person{id: g.uuid(), first: ptr(fn.display), gender: g.r.IntN(4)}
	if !g.chance(0.04) { // single-name people are common
		p.last = ptr(ln.display)
	}
	local := fn.ascii
	if p.last != nil {
		local += "." + ln.ascii
	}
	p.email = g.maybeStr(0.02, local+strconv.Itoa(n)+"@"+g.pick(mailDomains))
	if g.chance(0.85) {
		p.countryCode = "+91"
		p.mobile = "9" + strconv.Itoa(800000000+g.r.IntN(199999999))
		p.phone = g.maybeStr(0.1, p.countryCode+" "+p.mobile[:5]+" "+p.mobile[5:])
	} else {
		p.countryCode = "+1"
		p.mobile = "415555" + strconv.Itoa(1000+g.r.IntN(9000))
		p.phone = g.maybeStr(0.1, "+1 415-555-"+p.mobile[6:])
	}

	w := jw{more: []bool{false}}
	w.kstr("id", p.id)
	w.kstr("firstName", *p.first)
	if g.chance(0.2) {
		w.kstr("middleName", g.pick(middleNames))
	} else {
		w.knull("middleName")
	}
	g.optStr(&w, "lastName", p.last)
	if g.chance(0.05) {
		w.knull("gender")
	} else {
		w.kint("gender", p.gender)
	}
	g.optStr(&w, "email", p.email)
	g.optStr(&w, "phone", p.phone)
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
		w.kstr("dateOfJoining", formatTime(start, formISOLocal))
		w.kstr("dateOfCompletion", formatTime(start.AddDate(4, 0, -60), formISOLocal))
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
		w.kstr("dateOfJoining", formatTime(start.AddDate(4, 1, 0), formISOLocal))
		if current {
			w.knull("dateOfRelieving")
		} else {
			w.kstr("dateOfRelieving", formatTime(start.AddDate(6, 2, 0), formISOLocal))
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
	p.frag = w.b
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
	jobTypes    = []int{0, 1, 2, 3}
	experiences = []string{"0-1 years", "2-4 years", "3-5 years", "5-8 years", "8+ years", "Fresher"}
)

func (g *gen) job(created time.Time, idx int) *job {
	t := TruthJob{
		ID:             g.uuid(),
		Title:          g.pick(titles),
		DepartmentName: g.maybeStr(0.06, g.pick(departments)),
		Status:         g.maybeInt(0.03, g.r.IntN(5)),
		NoOfOpenings:   g.maybeInt(0.05, 1+g.r.IntN(8)),
		CreatedOn:      g.maybeTime(0.02, created),
	}
	if g.chance(0.3) {
		t.Title = "Senior " + t.Title
	}
	if g.chance(0.55) {
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
	return renderJob(jobWire{truth: t, orgJobID: org, seed: g.r.Uint64()})
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
	r.optInt(&w, "noOfOpenings", t.NoOfOpenings)
	r.optStr(&w, "departmentName", t.DepartmentName)
	w.kint("jobType", jobTypes[r.r.IntN(len(jobTypes))])
	w.kbool("isReferralEnabled", r.chance(0.6))
	fromReq := r.chance(0.4)
	w.kbool("isCreatedFromRequisition", fromReq)
	if fromReq {
		w.kstr("requisitionIdentifier", r.uuid())
	} else {
		w.knull("requisitionIdentifier")
	}
	w.kbool("canAllowInternalEmployees", r.chance(0.5))
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
	stages       = []string{"Sourced", "Applied", "Screening", "Shortlisted", "Interview", "Offered", "Hired"}
	sources      = []string{"LinkedIn", "Naukri", "Careers page", "Referral", "Indeed", "Agency", "Campus"}
	sourcedBys   = []string{"Careers page", "Recruiter", "Employee referral", "Job board", "Agency"}
	archReasons  = []string{"Not a fit", "Candidate withdrew", "Position filled", "No show", "Salary mismatch"}
	screeningQs  = []string{"Willing to relocate?", "Open to hybrid work?", "Notice period negotiable?"}
	screeningAns = []string{"Yes", "No", "Maybe"}
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
	var used map[*person]bool
	for _, at := range times {
		p := g.applicant(&used)
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
// another job (never twice to the same job).
func (g *gen) applicant(used *map[*person]bool) *person {
	if len(g.persons) > 0 && g.chance(reuseRate) {
		for range reuseAttempts {
			p := g.persons[g.r.IntN(len(g.persons))]
			if !(*used)[p] {
				if *used == nil {
					*used = map[*person]bool{}
				}
				(*used)[p] = true
				return p
			}
		}
	}
	return g.newPerson()
}

// application makes one application of p to j, applied at applied; now
// bounds the later dates.
func (g *gen) application(j *job, p *person, applied time.Time, archived bool, now time.Time) *app {
	moved := g.between(applied, now.Add(time.Second), 10*time.Millisecond)
	if moved.Before(applied) {
		moved = applied
	}
	stage := g.pick(stages)
	if archived && g.chance(0.6) {
		stage = "Rejected"
	}
	t := TruthApplication{
		JobID: j.truth.ID, CandidateID: p.id,
		FirstName: p.first, LastName: p.last, Email: p.email, Phone: p.phone,
		Archived:       archived,
		Stage:          g.maybeStr(0.03, stage),
		Status:         g.maybeInt(0.03, g.r.IntN(5)),
		AppliedOn:      g.maybeTime(0.03, applied),
		MovedToStageOn: g.maybeTime(0.08, moved),
		Source:         g.maybeStr(0.1, g.pick(sources)),
		SourcedBy:      g.maybeStr(0.2, g.pick(sourcedBys)),
	}
	w := jw{more: []bool{false}}
	w.key("jobApplicationDetails")
	w.begin('{')
	g.optStr(&w, "jobHiringStageId", t.Stage)
	g.optTime(&w, "movedtoStageOn", t.MovedToStageOn, formEpoch, formEpoch, formISOZ, formISOLocal)
	g.optTime(&w, "appliedOn", t.AppliedOn, formISOZ, formISOZ, formISOLocal, formISOIST)
	g.optInt(&w, "status", t.Status)
	g.optStr(&w, "sourcedBy", t.SourcedBy)
	g.optStr(&w, "sourceTitle", t.Source)
	if g.chance(0.7) {
		w.kstr("assignedTo", g.uuid())
		w.kstr("assignedOn", formatTime(moved, formISOLocal))
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
	a := &app{truth: t, person: p, detail: w.b, mod: moved}
	a.arch = g.archivedDetails(archived, moved)
	return a
}

// archivedDetails renders the "archivedDetails" key: a date and reason
// when archived, blanks (or null, or nothing) otherwise.
func (g *gen) archivedDetails(archived bool, at time.Time) []byte {
	w := jw{more: []bool{false}}
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
		return w.b
	}
	w.key("archivedDetails")
	w.begin('{')
	w.kstr("archived On", formatTime(at, []form{formISOZ, formISOLocal}[g.r.IntN(2)]))
	w.kstr("reason", g.pick(archReasons))
	w.end('}')
	return w.b
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
	if g.chance(0.15) {
		g.optStr(&w, "jobtitle", t.JobTitle) // spelling seen on some records
	} else {
		g.optStr(&w, "jobTitle", t.JobTitle)
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

// applicationFields renders a job's application form fields, derived from
// the job id so every call agrees.
func applicationFields(seed int64, jobID string) []byte {
	g := newGen(uint64(seed), hashString(jobID))
	w := jw{}
	w.begin('[')
	for i, f := range []string{"Resume", "Cover letter", "Current CTC", "Expected CTC", "Notice period", "Portfolio URL"} {
		if i > 1 && g.chance(0.4) {
			continue
		}
		w.elem()
		w.begin('{')
		w.kstr("fieldName", f)
		w.kint("fieldType", g.r.IntN(6))
		w.kbool("isRequired", i == 0 || g.chance(0.3))
		w.kbool("isEnabled", true)
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
			w.kint("overallFeedbackDecision", g.r.IntN(4))
			w.kstr("overallComments", "Solid fundamentals.")
			w.kstr("feedbackSubmittedByName", fn.display+" "+ln.display)
			w.key("sections")
			w.begin('[')
			w.elem()
			w.begin('{')
			w.kstr("sectionName", "Technical")
			w.kstr("skillTitle", g.pick(skills))
			w.kint("skillScore", 1+g.r.IntN(5))
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
			w.kint("interviewType", g.r.IntN(3))
			w.kstr("stageId", g.pick(stages))
			w.key("panelMembers")
			w.begin('[')
			w.elem()
			w.str(fn.display + " " + ln.display)
			w.end(']')
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

// ---- a small JSON writer: fast, and key order is fixed ----

// jw appends JSON to b. more has one entry per open object or array: true
// once it holds a member, so the next one needs a comma.
type jw struct {
	b    []byte
	more []bool
}

func (w *jw) begin(c byte) { w.b = append(w.b, c); w.more = append(w.more, false) }
func (w *jw) end(c byte)   { w.b = append(w.b, c); w.more = w.more[:len(w.more)-1] }

func (w *jw) elem() {
	if n := len(w.more) - 1; n >= 0 {
		if w.more[n] {
			w.b = append(w.b, ',')
		}
		w.more[n] = true
	}
}

func (w *jw) key(k string) {
	w.elem()
	w.b = appendQuoted(w.b, k)
	w.b = append(w.b, ':')
}

func (w *jw) str(s string)           { w.b = appendQuoted(w.b, s) }
func (w *jw) kstr(k, v string)       { w.key(k); w.b = appendQuoted(w.b, v) }
func (w *jw) kint(k string, v int)   { w.key(k); w.b = strconv.AppendInt(w.b, int64(v), 10) }
func (w *jw) kbool(k string, v bool) { w.key(k); w.b = strconv.AppendBool(w.b, v) }
func (w *jw) knull(k string)         { w.key(k); w.b = append(w.b, "null"...) }

// appendQuoted appends s as a JSON string; UTF-8 passes through.
func appendQuoted(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
