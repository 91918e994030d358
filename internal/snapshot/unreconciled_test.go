package snapshot_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

func TestRunner_Run_RepeatedPages(t *testing.T) {
	size := kekasim.Size{Jobs: 3, Applications: 1300, Preboarding: 450}
	for _, shape := range []kekasim.Shape{kekasim.ShapeSpec, kekasim.ShapeArray, kekasim.ShapeEnvelope, kekasim.ShapeItems} {
		t.Run(shape.String(), func(t *testing.T) {
			h := newHarness(t, harnessOptions{size: size, sim: kekasim.Options{Shape: shape, IgnorePageNumber: []string{"/hire"}}})
			// The lists this test counts: those of jobs, job candidates and
			// preboarding.
			req := snapshot.Request{Date: day, Datasets: []string{"jobs", "job_candidates", "preboarding_candidates"}}
			res, err := h.runToEnd(t, req, 0, nil)
			if err != nil || res.Status != snapshot.StatusIncomplete {
				t.Fatalf("a Keka that ignores pageNumber gave %+v, %v; want status incomplete", res, err)
			}
			truth := h.sim.Truth()
			long := 0 // lists of more than one page: each must be named
			for _, j := range truth.Jobs {
				for _, archived := range []bool{false, true} {
					n := 0
					for _, a := range truth.Applications {
						if a.JobID == j.ID && a.Archived == archived {
							n++
						}
					}
					if n > keka.PageSize {
						long++
					}
				}
			}
			if len(truth.Preboarding) > keka.PageSize {
				long++
			}
			if long < 3 {
				t.Fatalf("only %d lists need a second page: the tenant is too small to test this", long)
			}
			named := 0
			for _, d := range res.Datasets {
				m := readManifest(t, h.dir, d.Name, day)
				for _, u := range m.Unreconciled {
					if !strings.Contains(u.Reason, "earlier") || !u.Missing() {
						t.Errorf("%s: unreconciled %+v, want the repeated pages as the reason", d.Name, u)
					}
					named++
				}
				if len(m.Unreconciled) != len(d.Unreconciled) {
					t.Errorf("%s: the result names %d lists, the manifest %d", d.Name, len(d.Unreconciled), len(m.Unreconciled))
				}
			}
			if named != long {
				t.Errorf("%d lists named unreconciled, want the %d that have more than one page", named, long)
			}
			// A list whose second page repeats the first costs that page
			// and at most one retry of it, never a run of retries.
			lists := 2 + 2*len(truth.Jobs)
			if got := h.sim.Stats().Requests; got > int64(lists+2*long) {
				t.Errorf("%d requests for %d lists of which %d repeat: the repeats were retried", got, lists, long)
			}
		})
	}
}

// forbiddingProxy answers 403, as Keka does for a job the key may not
// read, for the candidate lists of the jobs for which forbid is true.
func forbiddingProxy(t testing.TB, forbid func(jobID string) bool) func(string) string {
	return interceptProxy(t, func(w http.ResponseWriter, r *http.Request, simPath string) bool {
		rest, ok := strings.CutPrefix(r.URL.Path, simPath+"/hire/jobs/")
		if id, tail, _ := strings.Cut(rest, "/"); ok && tail == "candidates" && forbid(id) {
			kekaError(w, http.StatusForbidden, "You do not have access to this job")
			return true
		}
		return false
	})
}

func TestRunner_Run_JobForbidden(t *testing.T) {
	t.Run("one job answering 403 is recorded and the run goes on", func(t *testing.T) {
		var target atomic.Value
		target.Store("")
		h := newHarness(t, harnessOptions{proxy: forbiddingProxy(t, func(id string) bool { return id == target.Load().(string) })})
		truth := h.sim.Truth()
		refused := truth.Jobs[len(truth.Jobs)/2].ID
		target.Store(refused)
		res, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err != nil || res.Status != snapshot.StatusIncomplete {
			t.Fatalf("run: %+v, %v; want status incomplete", res, err)
		}
		m := readManifest(t, h.dir, "job_candidates", day)
		if len(m.Unreconciled) != 1 || !strings.Contains(m.Unreconciled[0].List, refused) || !strings.Contains(m.Unreconciled[0].Reason, "403") {
			t.Fatalf("manifest unreconciled %+v, want the refused job's list with its reason", m.Unreconciled)
		}
		want := 0
		for _, a := range truth.Applications {
			if a.JobID != refused {
				want++
			}
		}
		if int(m.Rows) != want {
			t.Errorf("job_candidates has %d rows, want the %d of the other jobs", m.Rows, want)
		}
		if rows := readManifest(t, h.dir, "jobs", day).Rows; int(rows) != len(truth.Jobs) {
			t.Errorf("jobs has %d rows, want %d", rows, len(truth.Jobs))
		}
	})

	t.Run("every job answering 403 fails the run for good", func(t *testing.T) {
		h := newHarness(t, harnessOptions{proxy: forbiddingProxy(t, func(string) bool { return true })})
		res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day})
		if err == nil || res.Status != snapshot.StatusFailed || res.Resumable || !errors.Is(err, keka.ErrForbidden) {
			t.Fatalf("run: %+v, %v; want a permanent failure wrapping ErrForbidden", res, err)
		}
		if !strings.Contains(err.Error(), "Hire") {
			t.Errorf("error %q does not say the key lacks Hire access", err)
		}
	})
}
