package kekasim

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sizes of the long values of the edge-case tenant.
const (
	EdgeDescriptionBytes = 3 << 20   // the description of job 1: an HTML job ad with an inline image
	EdgeRawJSONBytes     = 250 << 10 // at least this much raw_json on application 1 (a long cover letter)
)

// NewEdgeCaseTenant returns a small hand-written tenant of the values that
// break Parquet readers and warehouses: a job description of 3 MB, a
// record of more than 250 KB, null and empty lists, "" beside null,
// astral-plane and right-to-left text, combining marks, invalid UTF-8 (sent
// as raw bytes: Truth holds them as sent, and a JSON reader sees U+FFFD in
// their place), dates before 1970 and in the year 9999, and codes without a
// published label. Its records are served as written (any Options.JobNumbers
// but the default renders its jobs anew from Truth).
func NewEdgeCaseTenant() *Tenant {
	st := &state{byID: map[string]*jobState{}, clock: genEpoch}
	mod := genEpoch.AddDate(0, 0, -1)
	add := func(j *job) *jobState {
		js := &jobState{job: j}
		st.jobs = append(st.jobs, js)
		st.byID[strings.ToLower(j.truth.ID)] = js
		return js
	}
	j1 := add(edgeJob(TruthJob{ID: "edge-job-1", Title: "🚀 Rocket Engineer 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", Status: ptr(1), JobType: ptr(2),
		CreatedOn: edgeTime("1969-07-20T20:17:40Z"), TargetHireDate: edgeTime("9999-12-31T00:00:00Z")}, mod,
		`"description":`+quote(edgeDescription())+`,"jobType":"2","jobLocations":[],"hiringTeam":null`))
	j2 := add(edgeJob(TruthJob{ID: "edge-job-2", Title: "مهندس برمجيات — Cafe\u0301 Ñ", DepartmentName: nil, Status: ptr(4), JobType: ptr(1),
		CreatedOn: edgeTime("1900-01-01T00:00:00Z")}, mod,
		`"description":"","departmentName":"","jobType":1,"jobLocations":null,"hiringTeam":[{"identifier":"e1","displayName":"רות כהן","type":"Recruiter"}]`))
	add(edgeJob(TruthJob{ID: "edge-job-3", Title: "Bad \xff\xfe title", Status: ptr(7)}, mod,
		`"description":null,"jobType":"Full time","jobLocations":[{"name":null,"city":"Zürich"}]`))

	const line = "Dear team, שלום, مرحبا, 你好 😀 — e\u0301te\u0301. "
	letter := strings.Repeat(line, EdgeRawJSONBytes/len(line)+1)
	p1 := &person{id: "edge-cand-1", first: ptr("שרה"), last: ptr("Nguye\u0302\u0303n"), email: ptr("sara@example.com")}
	p1.frag = []byte(`"id":"edge-cand-1","firstName":"שרה","middleName":null,"lastName":"Nguye\u0302\u0303n","email":"sara@example.com","phone":"","gender":9,` +
		`"skills":[],"candidateTags":null,"educationDetails":null,"experienceDetails":[],"additionalCandidateDetails":{"Cover letter":` + quote(letter) + `}`)
	p2 := &person{id: "edge-cand-2", first: ptr(""), last: ptr("O'Brien \"Bob\"")}
	p2.frag = []byte(`"id":"edge-cand-2","firstName":"","lastName":"O'Brien \"Bob\"","email":null,"skills":null,"candidateTags":[{"name":""},{"name":"🏷️ tag"}]`)
	p3 := &person{id: "edge-cand-1", first: ptr("שרה"), last: ptr("Bad \xff bytes")}
	p3.frag = []byte(`"id":"edge-cand-1","firstName":"שרה","lastName":"Bad ` + "\xff" + ` bytes","skills":["Go","𝔾𝕠"],"educationDetails":[{"degree":"BSc","dateOfJoining":"1958-09-01T00:00:00","dateOfCompletion":"9999-12-31"}]`)

	j1.active = []*app{edgeApp(j1.job, p1, false, mod, ptr("Shortlisted 🎯"), ptr(0), "1965-03-01T00:00:00Z", "9999-12-31T23:59:59Z")}
	j1.archived = []*app{edgeApp(j1.job, p2, true, mod, ptr(""), nil, "", "")}
	j2.active = []*app{edgeApp(j2.job, p3, false, mod, ptr("Applied"), ptr(3), "2026-10-02T09:14:00Z", "")}

	st.pre = []*preRec{
		edgePre(TruthPreboarding{CandidateID: "edge-pre-1", FirstName: ptr("عائشة"), Stage: ptr(5), Status: ptr(5),
			JobTitle: ptr("𝔇𝔞𝔱𝔞 Lead"), ExpectedDateOfJoining: edgeTime("9999-12-31T00:00:00Z")}, mod,
			`"firstName":"عائشة","stage":5,"status":5,"jobtitle":"𝔇𝔞𝔱𝔞 Lead","expectedDateOfJoining":"9999-12-31T00:00:00Z"`),
		edgePre(TruthPreboarding{CandidateID: "edge-pre-2", FirstName: ptr(""), Stage: ptr(9), JobTitle: ptr("Analyst"),
			ExpectedDateOfJoining: edgeTime("1950-06-15T00:00:00Z")}, mod,
			`"firstName":"","stage":9,"status":null,"jobTitle":"","jobtitle":"Analyst","expectedDateOfJoining":"1950-06-15T00:00:00Z"`),
		edgePre(TruthPreboarding{CandidateID: "edge-pre-3"}, mod, `"firstName":null,"stage":null,"expectedDateOfJoining":""`),
	}
	t := &Tenant{seed: 0, initial: st, nPersons: 3}
	t.boardTruth, t.boards = jobBoards()
	t.stages = newGen(0, 0x65646765).stages() // "edge"
	return t
}

// edgeJob renders a job of t with the given extra fields as written.
func edgeJob(t TruthJob, mod time.Time, extra string) *job {
	var b strings.Builder
	b.WriteString(`{"id":` + quote(t.ID) + `,"title":` + rawQuote(t.Title))
	if t.Status != nil {
		b.WriteString(`,"status":` + strconv.Itoa(*t.Status))
	}
	for _, f := range []struct {
		key string
		v   *time.Time
	}{{"createdOn", t.CreatedOn}, {"targetHireDate", t.TargetHireDate}} {
		if f.v != nil {
			b.WriteString(`,"` + f.key + `":"` + f.v.Format(time.RFC3339) + `"`)
		}
	}
	b.WriteString("," + extra + "}")
	return &job{truth: t, mod: mod, wire: jobWire{truth: t}, json: []byte(b.String())}
}

func edgeApp(j *job, p *person, archived bool, mod time.Time, stage *string, status *int, applied, moved string) *app {
	a := TruthApplication{JobID: j.truth.ID, CandidateID: p.id, FirstName: p.first, LastName: p.last, Email: p.email,
		Archived: archived, Stage: stage, Status: status, AppliedOn: edgeTime(applied), MovedToStageOn: edgeTime(moved)}
	detail := `"jobApplicationDetails":{"jobHiringStageId":` + rawQuote(*stage) + `,"appliedOn":"` + applied + `","movedtoStageOn":"` + moved + `"`
	if status != nil {
		detail += `,"status":` + strconv.Itoa(*status)
	}
	detail += "}"
	var arch []byte
	if archived {
		arch = []byte(`"archivedDetails":{"archived On":"1789573328.5","reason":"ممتاز ✓"}`)
	}
	return &app{truth: a, person: p, detail: []byte(detail), arch: arch, mod: mod}
}

func edgePre(t TruthPreboarding, mod time.Time, fields string) *preRec {
	return &preRec{truth: t, person: &person{id: t.CandidateID}, mod: mod, json: []byte(`{"id":` + quote(t.CandidateID) + "," + fields + "}")}
}

// edgeDescription is an HTML job ad of EdgeDescriptionBytes with an inline
// image: mostly base64 of random bytes, which no compression shrinks much.
func edgeDescription() string {
	r := rand.New(rand.NewPCG(10, 10))
	img := make([]byte, EdgeDescriptionBytes*3/4)
	for i := range img {
		img[i] = byte(r.Uint32())
	}
	s := `<h1>Rocket Engineer</h1><img src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(img) + `">`
	return s[:EdgeDescriptionBytes-2] + "\">"
}

func edgeTime(s string) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic("kekasim: edge-case time " + s + ": " + err.Error())
	}
	return &t
}

// quote is s as a JSON string.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// rawQuote is s as a JSON string, with bytes that are not UTF-8 kept as
// they are (json.Marshal would replace them).
func rawQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && n == 1 {
			b.WriteByte(s[0])
		} else {
			q := quote(s[:n])
			b.WriteString(q[1 : len(q)-1])
		}
		s = s[n:]
	}
	b.WriteByte('"')
	return b.String()
}
