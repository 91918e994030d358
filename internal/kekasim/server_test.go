package kekasim_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

// fast is a rate limit that tests which do not test it never reach.
const fast = 1_000_000

func TestServer_Token(t *testing.T) {
	s := start(t, kekasim.NewTenant(1, small), kekasim.Options{RequestsPerMinute: fast})
	with := func(k, v string) url.Values {
		f := tokenForm()
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	cases := []struct {
		name      string
		form      url.Values
		status    int
		errorCode string
	}{
		{"valid", tokenForm(), 200, ""},
		{"client_credentials grant", with("grant_type", "client_credentials"), 400, "unsupported_grant_type"},
		{"no grant", with("grant_type", ""), 400, "invalid_request"},
		{"wrong secret", with("client_secret", "nope"), 400, "invalid_client"},
		{"wrong client id", with("client_id", "nope"), 400, "invalid_client"},
		{"wrong api key", with("api_key", "nope"), 400, "invalid_client"},
		{"apikey spelling", func() url.Values { f := with("api_key", ""); f.Set("apikey", "sim-api-key"); return f }(), 400, "invalid_client"},
		{"other scope", with("scope", "openid"), 400, "invalid_scope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, m := postToken(t, s, c.form)
			if status != c.status {
				t.Fatalf("status %d, want %d (%v)", status, c.status, m)
			}
			if c.errorCode != "" {
				if m["error"] != c.errorCode {
					t.Fatalf("error %v, want %s", m["error"], c.errorCode)
				}
				return
			}
			if m["token_type"] != "Bearer" || m["scope"] != "kekaapi" || m["expires_in"] != float64(86400) || m["access_token"] == "" {
				t.Fatalf("token response %v", m)
			}
		})
	}

	t.Run("tokens are random", func(t *testing.T) {
		first, second := token(t, s), token(t, s)
		if first == second {
			t.Fatal("two token requests gave the same token")
		}
	})

	t.Run("basic auth", func(t *testing.T) {
		f := tokenForm()
		f.Del("client_id")
		f.Del("client_secret")
		req, _ := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("sim-client-id", "sim-client-secret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})

	t.Run("GET is refused", func(t *testing.T) {
		resp, err := http.Get(s.TokenURL())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})

	t.Run("short TTL", func(t *testing.T) {
		for ttl, want := range map[time.Duration]float64{100 * time.Millisecond: 1, 1500 * time.Millisecond: 2, time.Hour: 3600} {
			s := start(t, kekasim.NewTenant(1, kekasim.Size{}), kekasim.Options{TokenTTL: ttl})
			if _, m := postToken(t, s, tokenForm()); m["expires_in"] != want {
				t.Errorf("TTL %v: expires_in %v, want %v", ttl, m["expires_in"], want)
			}
		}
	})

	t.Run("rotate credentials", func(t *testing.T) {
		s := start(t, kekasim.NewTenant(1, small), kekasim.Options{RequestsPerMinute: fast})
		old := token(t, s)
		mustGet(t, s, old, "/hire/jobs", 200)
		s.RotateCredentials("new-secret")
		if status, m := postToken(t, s, tokenForm()); status != 400 || m["error"] != "invalid_client" {
			t.Fatalf("old secret: %d %v", status, m)
		}
		mustGet(t, s, old, "/hire/jobs", 401)
		status, m := postToken(t, s, with("client_secret", "new-secret"))
		if status != 200 {
			t.Fatalf("new secret: %d %v", status, m)
		}
		mustGet(t, s, m["access_token"].(string), "/hire/jobs", 200)
	})

	t.Run("401 for bad credentials when asked", func(t *testing.T) {
		s := start(t, kekasim.NewTenant(1, kekasim.Size{}), kekasim.Options{InvalidClientStatus: 401})
		for _, f := range []url.Values{with("client_secret", "nope"), with("api_key", "nope")} {
			if status, m := postToken(t, s, f); status != 401 || m["error"] != "invalid_client" {
				t.Fatalf("bad credentials: %d %v, want 401 invalid_client", status, m)
			}
		}
		if status, m := postToken(t, s, with("grant_type", "client_credentials")); status != 400 || m["error"] != "unsupported_grant_type" {
			t.Fatalf("other errors keep their status: %d %v", status, m)
		}
		token(t, s)
	})

	t.Run("expire tokens", func(t *testing.T) {
		s := start(t, kekasim.NewTenant(1, small), kekasim.Options{RequestsPerMinute: fast})
		old := token(t, s)
		s.ExpireTokens()
		var body map[string]any
		if err := json.Unmarshal(mustGet(t, s, old, "/hire/jobs", 401), &body); err != nil || body["message"] != "token expired" || body["succeeded"] != false {
			t.Fatalf("expired token body %v (%v)", body, err)
		}
		mustGet(t, s, token(t, s), "/hire/jobs", 200)
	})

	if st := s.Stats(); st.TokenRequests < int64(len(cases)) || st.Requests != 0 {
		t.Errorf("stats %+v: token requests must be counted apart", st)
	}
}

func TestServer_Auth(t *testing.T) {
	tn := kekasim.NewTenant(1, small)
	s := start(t, tn, kekasim.Options{RequestsPerMinute: fast})
	tok := token(t, s)
	job := tn.Truth().Jobs[0].ID

	t.Run("no token", func(t *testing.T) {
		var body map[string]any
		if err := json.Unmarshal(mustGet(t, s, "", "/hire/jobs", 401), &body); err != nil || body["succeeded"] != false {
			t.Fatalf("body %v (%v)", body, err)
		}
	})
	t.Run("unknown token", func(t *testing.T) { mustGet(t, s, "forged", "/hire/jobs", 401) })
	t.Run("no User-Agent", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, s.BaseURL()+"/hire/jobs", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("User-Agent", "") // net/http then sends none
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("status %d, want 400", resp.StatusCode)
		}
	})
	t.Run("path without v1", func(t *testing.T) {
		u := strings.Replace(s.BaseURL(), "/api/v1", "/api", 1) + "/hire/jobs"
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Fatalf("status %d, want 404", resp.StatusCode)
		}
	})
	t.Run("unknown job", func(t *testing.T) { mustGet(t, s, tok, "/hire/jobs/no-such-job/candidates", 404) })
	t.Run("unknown route", func(t *testing.T) { mustGet(t, s, tok, "/hire/offers", 404) })
	t.Run("case-insensitive path", func(t *testing.T) { mustGet(t, s, tok, "/Hire/Jobs/"+strings.ToUpper(job)+"/Candidates", 200) })
	t.Run("no hire scope", func(t *testing.T) {
		s := start(t, tn, kekasim.Options{NoHireScope: true, RequestsPerMinute: fast})
		tok := token(t, s)
		for _, p := range []string{"/hire/jobs", "/hire/jobs/" + job + "/candidates", "/hire/preboarding/candidates"} {
			mustGet(t, s, tok, p, 403)
		}
	})
}

func TestServer_Paging(t *testing.T) {
	tn := kekasim.NewTenant(3, kekasim.Size{Jobs: 450, Applications: 1000, Preboarding: 30})
	s := start(t, tn, kekasim.Options{RequestsPerMinute: fast, Shape: kekasim.ShapeEnvelope})
	tok := token(t, s)
	tr := tn.Truth()
	base := s.BaseURL()
	ids := func(p page) []string {
		var out []string
		for _, r := range p.records {
			out = append(out, r["id"].(string))
		}
		return out
	}
	num := func(p page, k string) int {
		n, _ := strconv.Atoi(string(p.env[k].(json.Number)))
		return n
	}
	cases := []struct {
		query                     string
		pageNumber, pageSize, n   int
		first                     int // index in truth of the first record
		next, prev                string
		totalPages                int
		lastPageURL, firstPageURL string
	}{
		{"", 1, 100, 100, 0, base + "/hire/jobs?pageNumber=2&pageSize=100", "", 5, base + "/hire/jobs?pageNumber=5&pageSize=100", base + "/hire/jobs?pageNumber=1&pageSize=100"},
		{"?pageSize=250&pageNumber=2", 2, 200, 200, 200, base + "/hire/jobs?pageNumber=3&pageSize=200", base + "/hire/jobs?pageNumber=1&pageSize=200", 3, base + "/hire/jobs?pageNumber=3&pageSize=200", base + "/hire/jobs?pageNumber=1&pageSize=200"},
		{"?pageNumber=3&pageSize=200", 3, 200, 50, 400, "", base + "/hire/jobs?pageNumber=2&pageSize=200", 3, base + "/hire/jobs?pageNumber=3&pageSize=200", base + "/hire/jobs?pageNumber=1&pageSize=200"},
		{"?pageNumber=9&pageSize=200", 9, 200, 0, 0, "", "", 3, base + "/hire/jobs?pageNumber=3&pageSize=200", base + "/hire/jobs?pageNumber=1&pageSize=200"},
		{"?PAGENUMBER=2&pagesize=10&lastModified=2000-01-01T00:00:00Z", 2, 10, 10, 10,
			base + "/hire/jobs?pageNumber=3&pageSize=10", // nextPage drops lastModified
			base + "/hire/jobs?pageNumber=1&pageSize=10&lastModified=2000-01-01T00%3A00%3A00Z", 45,
			base + "/hire/jobs?pageNumber=45&pageSize=10&lastModified=2000-01-01T00%3A00%3A00Z",
			base + "/hire/jobs?pageNumber=1&pageSize=10&lastModified=2000-01-01T00%3A00%3A00Z"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			p := decodePage(t, mustGet(t, s, tok, "/hire/jobs"+c.query, 200))
			if p.shape != "envelope" {
				t.Fatalf("shape %s", p.shape)
			}
			if got := len(p.records); got != c.n {
				t.Fatalf("%d records, want %d", got, c.n)
			}
			for i, id := range ids(p) {
				if want := tr.Jobs[c.first+i].ID; id != want {
					t.Fatalf("record %d is %s, want %s", i, id, want)
				}
			}
			if num(p, "pageNumber") != c.pageNumber || num(p, "pageSize") != c.pageSize || num(p, "totalRecords") != 450 || num(p, "totalPages") != c.totalPages {
				t.Fatalf("envelope numbers %v", p.env)
			}
			if p.env["succeeded"] != true || p.env["message"] != "" || len(p.env["errors"].([]any)) != 0 {
				t.Fatalf("envelope status fields %v", p.env)
			}
			link := func(k, want string) {
				got, _ := p.env[k].(string)
				if got != want || (want == "" && p.env[k] != nil) {
					t.Errorf("%s = %v, want %q", k, p.env[k], want)
				}
			}
			link("nextPage", c.next)
			link("previousPage", c.prev)
			link("firstPage", c.firstPageURL)
			link("lastPage", c.lastPageURL)
		})
	}

	t.Run("following nextPage gives every job once", func(t *testing.T) {
		var got []string
		next := base + "/hire/jobs?pageSize=200"
		for next != "" {
			p := decodePage(t, mustGet(t, s, tok, strings.TrimPrefix(next, base), 200))
			got = append(got, ids(p)...)
			next, _ = p.env["nextPage"].(string)
		}
		if len(got) != len(tr.Jobs) {
			t.Fatalf("%d jobs, want %d", len(got), len(tr.Jobs))
		}
		for i, j := range tr.Jobs {
			if got[i] != j.ID {
				t.Fatalf("job %d is %s, want %s", i, got[i], j.ID)
			}
		}
	})

	for _, q := range []string{"?pageNumber=0", "?pageNumber=x", "?pageSize=0", "?pageSize=-5", "?lastModified=1789573328", "?lastModified=yesterday", "?JobStatus=open"} {
		t.Run("400 "+q, func(t *testing.T) {
			var body map[string]any
			if err := json.Unmarshal(mustGet(t, s, tok, "/hire/jobs"+q, 400), &body); err != nil || body["succeeded"] != false {
				t.Fatalf("body %v (%v)", body, err)
			}
		})
	}
}

// TestServer_RecordsMatchTruth reads every record over HTTP, parses it the
// way a client must, and compares each exported column with the truth; it
// also checks that each documented quirk occurs. It does so under the
// options that change how records travel, and checks that the truth is the
// same under each.
func TestServer_RecordsMatchTruth(t *testing.T) {
	tn := kekasim.NewTenant(5, kekasim.Size{Jobs: 40, Applications: 4000, Preboarding: 300})
	tr := tn.Truth()
	if len(tr.Drafts) == 0 {
		t.Fatal("the tenant has no draft jobs")
	}
	cases := []struct {
		name    string
		o       kekasim.Options
		numbers []string // the forms noOfOpenings and jobType must come in
	}{
		{"defaults", kekasim.Options{}, []string{"string", "number"}},
		{"envelope", kekasim.Options{Shape: kekasim.ShapeEnvelope}, []string{"string", "number"}},
		{"mixed shapes, numbers as strings", kekasim.Options{Shape: kekasim.ShapeMixed, JobNumbers: kekasim.JobNumbersString, Seed: 3}, []string{"string"}},
		{"items, numbers as numbers", kekasim.Options{Shape: kekasim.ShapeItems, JobNumbers: kekasim.JobNumbersNumber}, []string{"number"}},
		{"gateway, latency, 401 for bad credentials", kekasim.Options{Gateway: true, Latency: 50 * time.Microsecond, LatencyJitter: 100 * time.Microsecond, InvalidClientStatus: 401}, []string{"string", "number"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.o.RequestsPerMinute = fast
			s := start(t, tn, c.o)
			if !reflect.DeepEqual(s.Truth(), tr) {
				t.Fatal("the server's truth differs from the tenant's")
			}
			seen := checkRecords(t, s, tr)
			quirks := []string{"publishedOn empty", "orgJobId repeated", "candidate on several jobs", "epoch string with fraction",
				"date without zone", "date with offset", "date null", "key with space", "unknown field", "jobtitle spelling", "jobTitle spelling"}
			for _, f := range c.numbers {
				quirks = append(quirks, "noOfOpenings as "+f, "jobType as "+f)
			}
			for _, q := range quirks {
				if seen[q] == 0 {
					t.Errorf("quirk never seen: %s", q)
				}
			}
			for _, f := range []string{"string", "number"} {
				if !slices.Contains(c.numbers, f) && seen["noOfOpenings as "+f]+seen["jobType as "+f] > 0 {
					t.Errorf("job numbers came as %s: %v", f, seen)
				}
			}
			if !reflect.DeepEqual(s.Truth(), tr) {
				t.Fatal("reading every list changed the server's truth")
			}
		})
	}
}

// checkRecords reads every list of s and compares it with tr, record by
// record; it returns how often each quirk was seen.
func checkRecords(t *testing.T, s *kekasim.Server, tr kekasim.Truth) map[string]int {
	t.Helper()
	tok := token(t, s)
	seen := map[string]int{}

	jobs := all(t, s, tok, "/hire/jobs")
	if len(jobs) != len(tr.Jobs) {
		t.Fatalf("%d jobs, want %d", len(jobs), len(tr.Jobs))
	}
	drafts := map[string]bool{}
	for _, d := range tr.Drafts {
		if d.Status == nil || *d.Status != 0 {
			t.Fatalf("draft %s has status %s", d.ID, show(d.Status))
		}
		drafts[d.ID] = true
	}
	orgIDs := map[string]int{}
	for i, w := range jobs {
		want := tr.Jobs[i]
		got := kekasim.TruthJob{
			ID: w["id"].(string), Title: w["title"].(string),
			DepartmentName: wireStr(w, "departmentName"), Status: wireInt(t, w, "status"),
			NoOfOpenings: wireNumText(t, w, "noOfOpenings", seen), JobType: wireNumText(t, w, "jobType", seen),
			CreatedOn: wireTime(t, w, "createdOn"), PublishedOn: wireTime(t, w, "publishedOn"), TargetHireDate: wireTime(t, w, "targetHireDate"),
		}
		if got.ID != want.ID || got.Title != want.Title || !eqPtr(got.DepartmentName, want.DepartmentName) || !eqPtr(got.Status, want.Status) ||
			!eqPtr(got.NoOfOpenings, want.NoOfOpenings) || !eqPtr(got.JobType, want.JobType) || !eqTime(got.CreatedOn, want.CreatedOn) ||
			!eqTime(got.PublishedOn, want.PublishedOn) || !eqTime(got.TargetHireDate, want.TargetHireDate) {
			t.Fatalf("job %d:\n wire  %+v\n truth %+v", i, got, want)
		}
		if drafts[got.ID] || (got.Status != nil && *got.Status == 0) {
			t.Fatalf("job %d (%s) is a draft, and /hire/jobs does not list drafts", i, got.ID)
		}
		if got.JobType != nil && *got.JobType != 1 && *got.JobType != 2 {
			t.Fatalf("job %d: jobType %d is not one Keka publishes", i, *got.JobType)
		}
		if w["publishedOn"] == "" {
			seen["publishedOn empty"]++
		}
		if org, ok := w["orgJobId"].(string); ok {
			orgIDs[org]++
			if orgIDs[org] == 2 {
				seen["orgJobId repeated"]++
			}
		}
		for _, k := range []string{"jobLocations", "hiringTeam", "customFields"} {
			if _, ok := w[k].([]any); !ok {
				t.Fatalf("job %d: %s is %T", i, k, w[k])
			}
		}
	}

	var apps []map[string]any
	var archivedFlags []bool
	for _, j := range tr.Jobs {
		for _, arch := range []bool{false, true} {
			recs := all(t, s, tok, fmt.Sprintf("/hire/jobs/%s/candidates?isArchived=%v", j.ID, arch))
			apps = append(apps, recs...)
			for range recs {
				archivedFlags = append(archivedFlags, arch)
			}
		}
	}
	if len(apps) != len(tr.Applications) {
		t.Fatalf("%d applications, want %d", len(apps), len(tr.Applications))
	}
	jobsOf := map[string]int{}
	for i, w := range apps {
		want := tr.Applications[i]
		d, _ := w["jobApplicationDetails"].(map[string]any)
		if d == nil {
			t.Fatalf("application %d has no jobApplicationDetails", i)
		}
		got := kekasim.TruthApplication{
			JobID: want.JobID, CandidateID: w["id"].(string),
			FirstName: wireStr(w, "firstName"), LastName: wireStr(w, "lastName"), Email: wireStr(w, "email"), Phone: wireStr(w, "phone"),
			Archived: archivedFlags[i],
			Stage:    wireStr(d, "jobHiringStageId"), Status: wireInt(t, d, "status"),
			AppliedOn: wireTime(t, d, "appliedOn"), MovedToStageOn: wireTime(t, d, "movedtoStageOn"),
			Source: wireStr(d, "sourceTitle"), SourcedBy: wireStr(d, "sourcedBy"),
		}
		if got.CandidateID != want.CandidateID || got.Archived != want.Archived ||
			!eqPtr(got.FirstName, want.FirstName) || !eqPtr(got.LastName, want.LastName) || !eqPtr(got.Email, want.Email) || !eqPtr(got.Phone, want.Phone) ||
			!eqPtr(got.Stage, want.Stage) || !eqPtr(got.Status, want.Status) || !eqTime(got.AppliedOn, want.AppliedOn) ||
			!eqTime(got.MovedToStageOn, want.MovedToStageOn) || !eqPtr(got.Source, want.Source) || !eqPtr(got.SourcedBy, want.SourcedBy) {
			t.Fatalf("application %d:\n wire  %+v\n truth %+v\n moved %s/%s applied %s/%s", i, got, want,
				show(got.MovedToStageOn), show(want.MovedToStageOn), show(got.AppliedOn), show(want.AppliedOn))
		}
		jobsOf[got.CandidateID]++
		if jobsOf[got.CandidateID] == 2 {
			seen["candidate on several jobs"]++
		}
		if m, ok := d["movedtoStageOn"].(string); ok && epochRe.MatchString(m) && strings.Contains(m, ".") {
			seen["epoch string with fraction"]++
		}
		if a, ok := d["appliedOn"].(string); ok && len(a) >= 19 && !strings.HasSuffix(a, "Z") && !strings.Contains(a[10:], "+") {
			seen["date without zone"]++
		}
		if a, ok := d["appliedOn"].(string); ok && strings.HasSuffix(a, "+05:30") {
			seen["date with offset"]++
		}
		if v, ok := d["appliedOn"]; ok && v == nil {
			seen["date null"]++
		}
		if ad, ok := w["archivedDetails"].(map[string]any); ok {
			if _, ok := ad["archived On"]; ok {
				seen["key with space"]++
			}
			if archivedFlags[i] && ad["archived On"] == "" {
				t.Fatalf("application %d is archived without a date", i)
			}
		}
		if _, ok := w["profileScore"]; ok {
			seen["unknown field"]++
		}
		if _, ok := d["screeningQuestionsResponse"].(map[string]any); !ok {
			t.Fatalf("application %d: screeningQuestionsResponse is %T", i, d["screeningQuestionsResponse"])
		}
		for _, k := range []string{"skills", "candidateTags", "educationDetails", "experienceDetails"} {
			if _, ok := w[k].([]any); !ok {
				t.Fatalf("application %d: %s is %T", i, k, w[k])
			}
		}
	}

	pre := all(t, s, tok, "/hire/preboarding/candidates")
	if len(pre) != len(tr.Preboarding) {
		t.Fatalf("%d preboarding, want %d", len(pre), len(tr.Preboarding))
	}
	for i, w := range pre {
		want := tr.Preboarding[i]
		title := wireStr(w, "jobTitle")
		_, upper := w["jobTitle"]
		if _, ok := w["jobtitle"]; ok {
			title = wireStr(w, "jobtitle")
			seen["jobtitle spelling"]++
			if upper {
				t.Fatalf("preboarding %d has both spellings", i)
			}
		} else if upper {
			seen["jobTitle spelling"]++
		}
		got := kekasim.TruthPreboarding{
			CandidateID: w["id"].(string), FirstName: wireStr(w, "firstName"), LastName: wireStr(w, "lastName"), Email: wireStr(w, "email"),
			Stage: wireInt(t, w, "stage"), Status: wireInt(t, w, "status"), JobTitle: title, Department: wireStr(w, "department"),
			ExpectedDateOfJoining: wireTime(t, w, "expectedDateOfJoining"),
		}
		if got.CandidateID != want.CandidateID || !eqPtr(got.FirstName, want.FirstName) || !eqPtr(got.LastName, want.LastName) ||
			!eqPtr(got.Email, want.Email) || !eqPtr(got.Stage, want.Stage) || !eqPtr(got.Status, want.Status) ||
			!eqPtr(got.JobTitle, want.JobTitle) || !eqPtr(got.Department, want.Department) || !eqTime(got.ExpectedDateOfJoining, want.ExpectedDateOfJoining) {
			t.Fatalf("preboarding %d:\n wire  %+v\n truth %+v", i, got, want)
		}
	}

	if seen["jobtitle spelling"] <= seen["jobTitle spelling"] {
		t.Errorf("jobtitle on %d records, jobTitle on %d: the spec's spelling must be the common one", seen["jobtitle spelling"], seen["jobTitle spelling"])
	}
	return seen
}

func TestServer_Shapes(t *testing.T) {
	tn := kekasim.NewTenant(1, small)
	tr := tn.Truth()
	job := tr.Applications[0].JobID // one with applications
	for _, sh := range []kekasim.Shape{kekasim.ShapeSpec, kekasim.ShapeEnvelope, kekasim.ShapeArray, kekasim.ShapeItems, kekasim.ShapeMixed} {
		t.Run(sh.String(), func(t *testing.T) {
			s := start(t, tn, kekasim.Options{Shape: sh, RequestsPerMinute: fast, Seed: 4})
			tok := token(t, s)
			shapes := map[string]map[string]int{}
			for range 30 {
				for _, l := range []string{"/hire/jobs", "/hire/jobs/" + job + "/candidates", "/hire/preboarding/candidates"} {
					p := decodePage(t, mustGet(t, s, tok, l+"?pageSize=7", 200))
					if len(p.records) != 7 {
						t.Fatalf("%s: %d records", l, len(p.records))
					}
					kind := "list"
					if strings.Contains(l, "preboarding") {
						kind = "preboarding"
						if p.shape == "items" && (p.env["totalItems"] != json.Number(strconv.Itoa(len(tr.Preboarding))) || p.env["page"] != json.Number("1")) {
							t.Fatalf("items wrapper %v", p.env)
						}
					}
					if shapes[kind] == nil {
						shapes[kind] = map[string]int{}
					}
					shapes[kind][p.shape]++
				}
			}
			want := map[kekasim.Shape]map[string][]string{
				kekasim.ShapeSpec:     {"list": {"array"}, "preboarding": {"items"}},
				kekasim.ShapeEnvelope: {"list": {"envelope"}, "preboarding": {"envelope"}},
				kekasim.ShapeArray:    {"list": {"array"}, "preboarding": {"array"}},
				kekasim.ShapeItems:    {"list": {"envelope"}, "preboarding": {"items"}},
				kekasim.ShapeMixed:    {"list": {"envelope", "array"}, "preboarding": {"envelope", "array", "items"}},
			}[sh]
			for kind, shapesWanted := range want {
				if len(shapes[kind]) != len(shapesWanted) {
					t.Errorf("%s lists came as %v, want %v", kind, shapes[kind], shapesWanted)
				}
				for _, w := range shapesWanted {
					if shapes[kind][w] == 0 {
						t.Errorf("%s lists never came as %s: %v", kind, w, shapes[kind])
					}
				}
			}
		})
	}
}

func TestServer_Filters(t *testing.T) {
	tn := kekasim.NewTenant(9, kekasim.Size{Jobs: 30, Applications: 3000, Preboarding: 200})
	tr := tn.Truth()
	s := start(t, tn, kekasim.Options{RequestsPerMinute: fast})
	tok := token(t, s)
	count := func(path string) int { return len(all(t, s, tok, path)) }

	var job string
	var active, archived int
	for _, j := range tr.Jobs {
		a, r := 0, 0
		for _, x := range tr.Applications {
			if x.JobID == j.ID {
				if x.Archived {
					r++
				} else {
					a++
				}
			}
		}
		if r > 0 && a > r {
			job, active, archived = j.ID, a, r
			break
		}
	}
	if got := count("/hire/jobs/" + job + "/candidates"); got != active {
		t.Errorf("default candidates: %d, want %d active", got, active)
	}
	if got := count("/hire/jobs/" + job + "/candidates?isArchived=True"); got != archived {
		t.Errorf("isArchived=True: %d, want %d", got, archived)
	}
	if got := count("/hire/jobs/" + job + "/candidates?isArchived=false&lastModified=2000-01-01"); got != active {
		t.Errorf("lastModified in the past: %d, want %d", got, active)
	}
	if got := count("/hire/jobs/" + job + "/candidates?lastModified=2100-01-01T00:00:00Z"); got != 0 {
		t.Errorf("lastModified in the future: %d, want 0", got)
	}
	mustGet(t, s, tok, "/hire/jobs/"+job+"/candidates?isArchived=maybe", 400)

	for status := range 5 {
		want := 0
		for _, j := range tr.Jobs {
			if j.Status != nil && *j.Status == status {
				want++
			}
		}
		if got := count(fmt.Sprintf("/hire/jobs?JobStatus=%d", status)); got != want {
			t.Errorf("JobStatus=%d: %d jobs, want %d", status, got, want)
		}
	}
	for stage := range 6 {
		want := 0
		for _, p := range tr.Preboarding {
			if p.Stage != nil && *p.Stage == stage && p.Status != nil && *p.Status == 1 {
				want++
			}
		}
		if got := count(fmt.Sprintf("/hire/preboarding/candidates?stage=%d&status=1", stage)); got != want {
			t.Errorf("stage=%d&status=1: %d, want %d", stage, got, want)
		}
	}
	ids := tr.Preboarding[3].CandidateID + "," + tr.Preboarding[17].CandidateID
	got := all(t, s, tok, "/hire/preboarding/candidates?candidateIds="+ids)
	if len(got) != 2 || got[0]["id"] != tr.Preboarding[3].CandidateID || got[1]["id"] != tr.Preboarding[17].CandidateID {
		t.Errorf("candidateIds=%s gave %d records", ids, len(got))
	}
}

func TestServer_RateLimit(t *testing.T) {
	tn := kekasim.NewTenant(1, small)
	t.Run("fixed window", func(t *testing.T) {
		s := start(t, tn, kekasim.Options{RequestsPerMinute: 10, Window: time.Hour})
		s.SetFaults(kekasim.Faults{RetryAfter: true})
		tok := token(t, s)
		ok, limited := 0, 0
		for range 15 {
			resp, b, err := get(s, tok, "/hire/jobs?pageSize=1")
			if err != nil {
				t.Fatal(err)
			}
			switch resp.StatusCode {
			case 200:
				ok++
			case 429:
				limited++
				var body map[string]any
				if err := json.Unmarshal(b, &body); err != nil || body["message"] != "rateLimitExceeded" || body["succeeded"] != false {
					t.Fatalf("429 body %s", b)
				}
				if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 3600 {
					t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
				}
			default:
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
		if ok != 10 || limited != 5 {
			t.Fatalf("%d ok and %d 429s, want 10 and 5", ok, limited)
		}
		token(t, s) // token requests are not limited
		if st := s.Stats(); st.RateLimited != 5 || st.Requests != 15 {
			t.Fatalf("stats %+v", st)
		}
	})
	t.Run("no Retry-After unless asked", func(t *testing.T) {
		s := start(t, tn, kekasim.Options{RequestsPerMinute: 1, Window: time.Hour})
		tok := token(t, s)
		mustGet(t, s, tok, "/hire/jobs", 200)
		resp, _, err := get(s, tok, "/hire/jobs")
		if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" {
			t.Fatalf("second request: %v %v, Retry-After %q", resp.StatusCode, err, resp.Header.Get("Retry-After"))
		}
	})
	t.Run("next window", func(t *testing.T) {
		const window = 200 * time.Millisecond
		s := start(t, tn, kekasim.Options{RequestsPerMinute: 3, Window: window})
		tok := token(t, s)
		for {
			resp, _, err := get(s, tok, "/hire/jobs?pageSize=1")
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode == 429 {
				break
			}
		}
		time.Sleep(window + 10*time.Millisecond) // a fresh window has begun
		mustGet(t, s, tok, "/hire/jobs?pageSize=1", 200)
	})
}

func TestServer_Faults(t *testing.T) {
	tn := kekasim.NewTenant(1, small)
	job := tn.Truth().Jobs[0].ID
	newServer := func(t *testing.T, f kekasim.Faults) (*kekasim.Server, string) {
		s := start(t, tn, kekasim.Options{RequestsPerMinute: fast, Seed: 11})
		tok := token(t, s)
		s.SetFaults(f)
		return s, tok
	}

	t.Run("429 with Retry-After", func(t *testing.T) {
		s, tok := newServer(t, kekasim.Faults{TooManyRequests: 1, RetryAfter: true})
		resp, b, err := get(s, tok, "/hire/jobs")
		if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "rateLimitExceeded") {
			t.Fatalf("got %v %v %q %s", resp.StatusCode, err, resp.Header.Get("Retry-After"), b)
		}
		if st := s.Stats(); st.FaultsInjected != 1 || st.RateLimited != 0 {
			t.Fatalf("stats %+v", st)
		}
	})

	t.Run("server errors", func(t *testing.T) {
		s, tok := newServer(t, kekasim.Faults{ServerError: 1})
		codes, bodies := map[int]int{}, map[string]int{}
		for range 40 {
			resp, b, err := get(s, tok, "/hire/jobs")
			if err != nil {
				t.Fatal(err)
			}
			codes[resp.StatusCode]++
			switch {
			case len(b) == 0:
				bodies["empty"]++
			case b[0] == '<':
				bodies["html"]++
			case json.Valid(b):
				bodies["json"]++
			default:
				t.Fatalf("body %q", b)
			}
		}
		for c := range codes {
			if c != 500 && c != 502 && c != 503 && c != 504 {
				t.Fatalf("status %d", c)
			}
		}
		if len(codes) < 2 || len(bodies) != 3 {
			t.Fatalf("statuses %v, bodies %v: want variety", codes, bodies)
		}
	})

	t.Run("dropped connection", func(t *testing.T) {
		s, tok := newServer(t, kekasim.Faults{DropConnection: 1})
		if resp, _, err := get(s, tok, "/hire/jobs"); err == nil {
			t.Fatalf("got status %d, want a transport error", resp.StatusCode)
		}
	})

	t.Run("malformed JSON", func(t *testing.T) {
		s, tok := newServer(t, kekasim.Faults{MalformedJSON: 1})
		b := mustGet(t, s, tok, "/hire/jobs", 200)
		if json.Valid(b) || len(b) == 0 || b[0] == '<' {
			t.Fatalf("body is valid JSON or an HTML page: %.100s", b)
		}
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if inner, err := io.ReadAll(zr); err != nil || !json.Valid(inner) {
			t.Fatalf("the malformed body is not the answer gzipped: %v", err)
		}
	})

	t.Run("HTML page", func(t *testing.T) {
		s, tok := newServer(t, kekasim.Faults{HTMLPage: 1})
		resp, b, err := get(s, tok, "/hire/jobs")
		if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(string(b), "<html>") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("got %v %v %q %.100s", resp.StatusCode, err, resp.Header.Get("Content-Type"), b)
		}
		if st := s.Stats(); st.FaultsInjected != 1 {
			t.Fatalf("stats %+v", st)
		}
	})

	t.Run("truncated JSON", func(t *testing.T) {
		s, tok := newServer(t, kekasim.Faults{TruncatedJSON: 1})
		cut := mustGet(t, s, tok, "/hire/jobs", 200)
		s.SetFaults(kekasim.Faults{})
		whole := mustGet(t, s, tok, "/hire/jobs", 200)
		if json.Valid(cut) || !strings.HasPrefix(string(whole), string(cut)) || len(cut) == 0 || len(cut) >= len(whole) {
			t.Fatalf("truncated body of %d bytes is not a cut of the %d-byte body", len(cut), len(whole))
		}
	})

	t.Run("slow still answers", func(t *testing.T) {
		s, tok := newServer(t, kekasim.Faults{Slow: 1, SlowDelay: 20 * time.Millisecond})
		if b := mustGet(t, s, tok, "/hire/jobs", 200); !json.Valid(b) {
			t.Fatal("slow response is not JSON")
		}
		if st := s.Stats(); st.FaultsInjected != 1 {
			t.Fatalf("stats %+v", st)
		}
	})

	t.Run("token expires every 3rd request", func(t *testing.T) {
		s, tok := newServer(t, kekasim.Faults{ExpireTokenEvery: 3})
		mustGet(t, s, tok, "/hire/jobs", 200)
		mustGet(t, s, tok, "/hire/jobs", 200)
		if b := mustGet(t, s, tok, "/hire/jobs", 401); !strings.Contains(string(b), "token expired") {
			t.Fatalf("body %s", b)
		}
		tok = token(t, s)
		mustGet(t, s, tok, "/hire/jobs", 200)
		mustGet(t, s, tok, "/hire/jobs", 200)
		mustGet(t, s, tok, "/hire/jobs", 401)
	})

	t.Run("fail once", func(t *testing.T) {
		s, tok := newServer(t, kekasim.Faults{FailOnce: map[string]int{"/candidates": 2, "/connect/token": 1}})
		mustGet(t, s, tok, "/hire/jobs", 200)
		mustGet(t, s, tok, "/hire/jobs/"+job+"/candidates", 503)
		mustGet(t, s, tok, "/hire/jobs/"+job+"/candidates", 503)
		mustGet(t, s, tok, "/hire/jobs/"+job+"/candidates", 200)
		if status, _ := postToken(t, s, tokenForm()); status != 503 {
			t.Fatalf("first token request: %d, want 503", status)
		}
		token(t, s)
		if st := s.Stats(); st.FaultsInjected != 3 {
			t.Fatalf("stats %+v", st)
		}
	})

	t.Run("probabilities", func(t *testing.T) {
		s, tok := newServer(t, kekasim.Faults{ServerError: 0.3})
		failed := 0
		for range 200 {
			resp, _, err := get(s, tok, "/hire/jobs?pageSize=1")
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode >= 500 {
				failed++
			}
		}
		if failed < 30 || failed > 90 {
			t.Fatalf("%d of 200 failed at p=0.3", failed)
		}
		if st := s.Stats(); st.FaultsInjected != int64(failed) {
			t.Fatalf("FaultsInjected %d, want %d", st.FaultsInjected, failed)
		}
	})

	t.Run("faults come after auth", func(t *testing.T) {
		s, _ := newServer(t, kekasim.Faults{ServerError: 1})
		mustGet(t, s, "forged", "/hire/jobs", 401)
	})
}

func TestServer_Mutations(t *testing.T) {
	tn := kekasim.NewTenant(2, kekasim.Size{Jobs: 10, Applications: 2000, Preboarding: 40})
	s := start(t, tn, kekasim.Options{RequestsPerMinute: fast, Seed: 3})
	tok := token(t, s)
	s.SetFaults(kekasim.Faults{MutateEveryPages: 2, MaxMutations: 3})
	pre := s.Truth()

	// The job with the most active applications.
	counts := map[string]int{}
	for _, a := range pre.Applications {
		if !a.Archived {
			counts[a.JobID]++
		}
	}
	job := pre.Jobs[0].ID
	for id, n := range counts {
		if n > counts[job] {
			job = id
		}
	}
	listed := func(tr kekasim.Truth, archived bool) []string {
		var out []string
		for _, a := range tr.Applications {
			if a.JobID == job && a.Archived == archived {
				out = append(out, a.CandidateID)
			}
		}
		return out
	}
	pageIDs := func(path string) []string {
		var out []string
		for _, r := range decodePage(t, mustGet(t, s, tok, path, 200)).records {
			out = append(out, r["id"].(string))
		}
		return out
	}
	same := func(what string, got, want []string) {
		t.Helper()
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%s:\n got  %v\n want %v", what, got, want)
		}
	}
	path := "/hire/jobs/" + job + "/candidates?pageSize=50"

	first := pageIDs(path) // list request 1: no mutation
	same("page before mutation", first, listed(pre, false)[:50])
	second := pageIDs(path) // list request 2: mutates first
	post := s.Truth()
	same("page after mutation", second, listed(post, false)[:50])
	if second[0] == first[0] || second[1] != first[0] && contains(listed(post, false), first[0]) {
		t.Fatalf("page did not shift: before %v, after %v", first[:3], second[:3])
	}
	if contains(listed(pre, false), second[0]) || contains(listed(pre, true), second[0]) {
		t.Fatalf("front record %s is not new", second[0])
	}
	if a, b := len(listed(post, false)), len(listed(pre, false)); a != b {
		t.Fatalf("active: %d after, %d before; want equal (one added, one archived)", a, b)
	}
	arch := listed(post, true)
	if len(arch) != len(listed(pre, true))+1 || !contains(listed(pre, false), arch[0]) {
		t.Fatalf("archived list did not gain a formerly active application at the front")
	}
	same("archived list over HTTP", pageIDs("/hire/jobs/"+job+"/candidates?isArchived=true&pageSize=50"), arch[:min(50, len(arch))])
	if len(post.Jobs) != len(pre.Jobs)+1 || len(post.Preboarding) != len(pre.Preboarding)+1 || len(post.Applications) != len(pre.Applications)+1 {
		t.Fatalf("after one mutation: %d jobs, %d preboarding, %d applications (before %d, %d, %d)",
			len(post.Jobs), len(post.Preboarding), len(post.Applications), len(pre.Jobs), len(pre.Preboarding), len(pre.Applications))
	}
	if post.Jobs[1].ID != pre.Jobs[0].ID || post.Preboarding[1].CandidateID != pre.Preboarding[0].CandidateID {
		t.Fatal("new job or preboarding candidate not inserted at the front")
	}

	for range 10 {
		pageIDs("/hire/jobs")
	}
	if st := s.Stats(); st.Mutations != 3 {
		t.Fatalf("%d mutations, want 3 (MaxMutations)", st.Mutations)
	}
	if got := len(s.Truth().Jobs); got != len(pre.Jobs)+3 {
		t.Fatalf("%d jobs after 3 mutations, want %d", got, len(pre.Jobs)+3)
	}
	if len(tn.Truth().Jobs) != len(pre.Jobs) {
		t.Fatal("mutations leaked into the Tenant")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestServer_Concurrent(t *testing.T) {
	tn := kekasim.NewTenant(4, small)
	s := start(t, tn, kekasim.Options{RequestsPerMinute: fast, Shape: kekasim.ShapeMixed})
	tok := token(t, s)
	s.SetFaults(kekasim.Faults{MutateEveryPages: 3})
	jobs := tn.Truth().Jobs
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				p := "/hire/jobs/" + jobs[(g+i)%len(jobs)].ID + "/candidates?pageSize=20"
				if i%3 == 0 {
					p = "/hire/preboarding/candidates"
				}
				resp, b, err := get(s, tok, p)
				if err != nil || resp.StatusCode != 200 || !json.Valid(b) {
					errs <- fmt.Errorf("GET %s: %v %v", p, resp, err)
					return
				}
				_ = s.Truth()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st := s.Stats(); st.Mutations == 0 || st.Requests != 200 {
		t.Errorf("stats %+v", st)
	}
}

func TestServer_OtherEndpoints(t *testing.T) {
	tn := kekasim.NewTenant(1, small)
	tr := tn.Truth()
	s := start(t, tn, kekasim.Options{RequestsPerMinute: fast})
	tok := token(t, s)
	a := tr.Applications[0]

	var boards []map[string]any
	if err := json.Unmarshal(mustGet(t, s, tok, "/hire/jobboards", 200), &boards); err != nil || len(boards) == 0 || boards[0]["jobBoardName"] == nil {
		t.Fatalf("job boards %v (%v)", boards, err)
	}
	var fields []map[string]any
	if err := json.Unmarshal(mustGet(t, s, tok, "/hire/jobs/"+a.JobID+"/applicationfields", 200), &fields); err != nil || len(fields) == 0 {
		t.Fatalf("application fields %v (%v)", fields, err)
	}
	for _, f := range fields {
		ft, _ := f["fieldType"].(float64)
		_, required := f["required"].(bool)
		_, options := f["fieldOptions"].([]any)
		if id, _ := f["id"].(string); id == "" || !required || !options || !slices.Contains([]float64{1, 2, 3, 4, 5, 6, 9}, ft) {
			t.Fatalf("application field %v lacks id, required or fieldOptions, or has a type Keka does not publish", f)
		}
	}
	total := 0
	for _, x := range tr.Applications[:40] {
		for _, kind := range []string{"interviews", "scorecards"} {
			recs := all(t, s, tok, "/hire/jobs/"+x.JobID+"/candidate/"+x.CandidateID+"/"+kind)
			total += len(recs)
			for _, r := range recs {
				if r["candidateId"] != x.CandidateID || r["jobId"] != x.JobID {
					t.Fatalf("%s record %v is not for %s/%s", kind, r, x.JobID, x.CandidateID)
				}
				for _, k := range map[string][]string{"interviews": {"interviewType", "panelMembers"}, "scorecards": {"overallFeedbackDecision"}}[kind] {
					if _, ok := r[k].(string); !ok {
						t.Fatalf("%s record: %s is %T, the spec types it as a string", kind, k, r[k])
					}
				}
			}
		}
	}
	if total == 0 {
		t.Error("no interviews or scorecards at all")
	}
	if recs := all(t, s, tok, "/hire/jobs/"+a.JobID+"/candidate/not-an-applicant/interviews"); len(recs) != 0 {
		t.Errorf("%d interviews for a non-applicant", len(recs))
	}
	pools := all(t, s, tok, "/hire/talentpool")
	if len(pools) == 0 {
		t.Fatal("no talent pools")
	}
	all(t, s, tok, "/hire/talentpool/"+pools[0]["id"].(string)+"/candidates")
	mustGet(t, s, tok, "/hire/talentpool/nope/candidates", 404)
}
