package kekasim_test

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

var small = kekasim.Size{Jobs: 20, Applications: 2000, Preboarding: 60}

// wireDump fetches every list of s as bare arrays, concatenated.
func wireDump(t *testing.T, s *kekasim.Server) []byte {
	t.Helper()
	tok := token(t, s)
	var buf bytes.Buffer
	lists := []string{"/hire/jobs", "/hire/preboarding/candidates", "/hire/talentpool"}
	for _, j := range s.Truth().Jobs {
		lists = append(lists, "/hire/jobs/"+j.ID+"/candidates", "/hire/jobs/"+j.ID+"/candidates?isArchived=true")
	}
	for _, l := range lists {
		sep := "?"
		if strings.Contains(l, "?") {
			sep = "&"
		}
		for n := 1; ; n++ {
			b := mustGet(t, s, tok, fmt.Sprintf("%s%spageNumber=%d&pageSize=200", l, sep, n), http.StatusOK)
			buf.Write(b)
			if bytes.Equal(b, []byte("[]")) {
				break
			}
		}
	}
	return buf.Bytes()
}

func TestTenant_Deterministic(t *testing.T) {
	a, b := kekasim.NewTenant(7, small), kekasim.NewTenant(7, small)
	if !reflect.DeepEqual(a.Truth(), b.Truth()) {
		t.Fatal("same seed and size gave different truths")
	}
	wa := wireDump(t, start(t, a, kekasim.Options{Shape: kekasim.ShapeArray, RequestsPerMinute: 1e6}))
	wb := wireDump(t, start(t, b, kekasim.Options{Shape: kekasim.ShapeArray, RequestsPerMinute: 1e6}))
	if !bytes.Equal(wa, wb) {
		t.Fatal("same seed and size gave different JSON")
	}
	if len(wa) < 100000 {
		t.Fatalf("wire dump is only %d bytes", len(wa))
	}
	c := kekasim.NewTenant(8, small)
	if reflect.DeepEqual(a.Truth(), c.Truth()) {
		t.Fatal("different seeds gave the same truth")
	}
}

func TestTenant_Size(t *testing.T) {
	size := kekasim.Size{Jobs: 300, Applications: 20000, Preboarding: 500}
	tr := kekasim.NewTenant(1, size).Truth()
	if len(tr.Jobs) != 300 || len(tr.Applications) != 20000 || len(tr.Preboarding) != 500 {
		t.Fatalf("got %d jobs, %d applications, %d preboarding", len(tr.Jobs), len(tr.Applications), len(tr.Preboarding))
	}
	perJob := map[string]int{}
	keys := map[string]bool{}
	jobsOf := map[string]map[string]bool{}
	archived := 0
	for _, a := range tr.Applications {
		perJob[a.JobID]++
		k := a.JobID + "/" + a.CandidateID
		if keys[k] {
			t.Fatalf("duplicate application key %s", k)
		}
		keys[k] = true
		if jobsOf[a.CandidateID] == nil {
			jobsOf[a.CandidateID] = map[string]bool{}
		}
		jobsOf[a.CandidateID][a.JobID] = true
		if a.Archived {
			archived++
		}
	}
	empty, big := 0, 0
	for _, j := range tr.Jobs {
		switch n := perJob[j.ID]; {
		case n == 0:
			empty++
		case n > 400:
			big++
		}
	}
	if empty == 0 || big == 0 {
		t.Errorf("jobs with no applications: %d, with more than 400: %d; want both > 0", empty, big)
	}
	if share := float64(archived) / float64(len(tr.Applications)); share < 0.15 || share > 0.25 {
		t.Errorf("archived share %.3f, want about 0.2", share)
	}
	multi := 0
	for _, js := range jobsOf {
		if len(js) > 1 {
			multi++
		}
	}
	if multi == 0 {
		t.Error("no candidate applied to several jobs")
	}
	var nonASCII, quote bool
	for _, a := range tr.Applications {
		for _, p := range []*string{a.FirstName, a.LastName} {
			if p == nil {
				continue
			}
			if !isASCII(*p) && utf8.ValidString(*p) {
				nonASCII = true
			}
			if strings.Contains(*p, `"`) {
				quote = true
			}
		}
	}
	if !nonASCII || !quote {
		t.Errorf("non-ASCII name: %v, name with a quote: %v; want both", nonASCII, quote)
	}

	none := kekasim.NewTenant(1, kekasim.Size{Jobs: 5, Applications: 100, ArchivedShare: -1}).Truth()
	for _, a := range none.Applications {
		if a.Archived {
			t.Fatal("ArchivedShare -1 still archived an application")
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func BenchmarkNewTenant(b *testing.B) {
	for _, size := range []kekasim.Size{
		{Jobs: 300, Applications: 20000, Preboarding: 500},
		{Jobs: 300, Applications: 200000, Preboarding: 500},
	} {
		b.Run(fmt.Sprint(size.Applications), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				kekasim.NewTenant(1, size)
			}
		})
	}
}

func TestTenant_Drafts(t *testing.T) {
	tn := kekasim.NewTenant(6, kekasim.Size{Jobs: 30, Applications: 3000, Preboarding: 20, Drafts: 7})
	tr := tn.Truth()
	if len(tr.Jobs) != 30 || len(tr.Drafts) != 7 || len(tr.Applications) != 3000 {
		t.Fatalf("%d jobs, %d drafts, %d applications; want 30, 7, 3000", len(tr.Jobs), len(tr.Drafts), len(tr.Applications))
	}
	drafts := map[string]bool{}
	for _, d := range tr.Drafts {
		if d.Status == nil || *d.Status != 0 || d.PublishedOn != nil {
			t.Errorf("draft %s: status %s, published %s", d.ID, show(d.Status), show(d.PublishedOn))
		}
		drafts[d.ID] = true
	}
	for _, j := range tr.Jobs {
		if j.Status != nil && *j.Status == 0 {
			t.Errorf("listed job %s has status 0", j.ID)
		}
	}
	for _, a := range tr.Applications {
		if drafts[a.JobID] {
			t.Fatalf("application %s/%s is on a draft", a.JobID, a.CandidateID)
		}
	}

	s := start(t, tn, kekasim.Options{Shape: kekasim.ShapeEnvelope, RequestsPerMinute: fast, Seed: 2})
	tok := token(t, s)
	for _, q := range []string{"", "?JobStatus=0"} {
		for _, j := range all(t, s, tok, "/hire/jobs"+q) {
			if drafts[j["id"].(string)] {
				t.Fatalf("/hire/jobs%s lists draft %s", q, j["id"])
			}
		}
	}
	if n := len(all(t, s, tok, "/hire/jobs?JobStatus=0")); n != 0 {
		t.Errorf("JobStatus=0 lists %d jobs", n)
	}
	p := decodePage(t, mustGet(t, s, tok, "/hire/jobs?pageSize=10", 200))
	if p.env["totalRecords"] != jsonNum(30) {
		t.Errorf("totalRecords %v, want the 30 listed jobs", p.env["totalRecords"])
	}
	if n := len(all(t, s, tok, "/hire/jobs/"+tr.Drafts[0].ID+"/candidates")); n != 0 {
		t.Errorf("a draft has %d candidates", n)
	}

	// Mutations add listed jobs and never put applications on drafts.
	s.SetFaults(kekasim.Faults{MutateEveryPages: 1, MaxMutations: 40})
	for range 40 {
		mustGet(t, s, tok, "/hire/jobs?pageSize=1", 200)
	}
	after := s.Truth()
	if len(after.Jobs) != 70 || len(after.Drafts) != 7 || len(after.Applications) != 3040 {
		t.Fatalf("after 40 mutations: %d jobs, %d drafts, %d applications; want 70, 7, 3040", len(after.Jobs), len(after.Drafts), len(after.Applications))
	}
	for _, a := range after.Applications {
		if drafts[a.JobID] {
			t.Fatalf("a mutation put application %s on draft %s", a.CandidateID, a.JobID)
		}
	}

	if d := kekasim.NewTenant(6, kekasim.Size{Jobs: 30, Drafts: -1}).Truth().Drafts; len(d) != 0 {
		t.Errorf("Drafts -1 gave %d drafts", len(d))
	}
	if d := kekasim.NewTenant(6, kekasim.Size{Jobs: 30}).Truth().Drafts; len(d) != 2 {
		t.Errorf("30 jobs by default gave %d drafts, want 2", len(d))
	}
}
