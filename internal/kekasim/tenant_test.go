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
