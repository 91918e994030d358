package snapshot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

var nextDay = day.AddDate(0, 0, 1)

// changeTenant makes the changes of a day between two runs: moves some
// active applications to another stage, archives some, removes some, and
// adds some. It returns the changed applications' keys.
func changeTenant(t *testing.T, sim *kekasim.Server, moves, archives, removes, adds int) map[string]bool {
	t.Helper()
	tr := sim.Truth()
	touched := map[string]bool{}
	var active []kekasim.TruthApplication
	for _, a := range tr.Applications {
		if !a.Archived {
			active = append(active, a)
		}
	}
	if len(active) < 3*(moves+archives+removes) {
		t.Fatalf("%d active applications, too few for the changes", len(active))
	}
	i := 0
	next := func() kekasim.TruthApplication {
		a := active[i*3]
		i++
		touched[a.JobID+"/"+a.CandidateID] = true
		return a
	}
	for range moves {
		a := next()
		stage := "Offered"
		if a.Stage != nil && *a.Stage == stage {
			stage = "Hired"
		}
		if err := sim.MoveApplication(a.JobID, a.CandidateID, stage); err != nil {
			t.Fatal(err)
		}
	}
	for range archives {
		a := next()
		if err := sim.ArchiveApplication(a.JobID, a.CandidateID); err != nil {
			t.Fatal(err)
		}
	}
	for range removes {
		a := next()
		if err := sim.RemoveApplication(a.JobID, a.CandidateID); err != nil {
			t.Fatal(err)
		}
	}
	for n := range adds {
		job := tr.Jobs[n%len(tr.Jobs)].ID
		id, err := sim.AddApplication(job)
		if err != nil {
			t.Fatal(err)
		}
		touched[job+"/"+id] = true
	}
	return touched
}

// expectedChanges computes the change rows from the truth of two days.
func expectedChanges(before, after kekasim.Truth) map[string]string {
	state := func(a kekasim.TruthApplication) []any {
		return []any{a.Stage, a.Status, a.Archived, a.MovedToStageOn}
	}
	b := map[string]kekasim.TruthApplication{}
	for _, a := range before.Applications {
		b[a.JobID+"/"+a.CandidateID] = a
	}
	want := map[string]string{}
	for _, a := range after.Applications {
		k := a.JobID + "/" + a.CandidateID
		old, ok := b[k]
		delete(b, k)
		switch {
		case !ok:
			want[k] = show2("new", nil, state(a))
		case !eqPtrs(old.Stage, a.Stage) || !eqPtrs(intp(old.Status), intp(a.Status)) || old.Archived != a.Archived:
			want[k] = show2("changed", state(old), state(a))
		}
	}
	for k, old := range b {
		want[k] = show2("removed", state(old), nil)
	}
	return want
}

func intp(p *int) *int32 {
	if p == nil {
		return nil
	}
	v := int32(*p)
	return &v
}

func eqPtrs[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func show2(kind string, old, cur []any) string {
	b, _ := json.Marshal([]any{kind, old, cur})
	return string(b)
}

func gotChanges(t *testing.T, h *harness, date time.Time, runID string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, r := range readRows[dataset.JobCandidateChangeRow](t, h.dir, "job_candidate_changes", date) {
		k := r.JobID + "/" + r.CandidateID
		if _, dup := got[k]; dup {
			t.Errorf("change of %s written twice", k)
		}
		if r.RunID != runID || r.SnapshotDate != date.Format(time.DateOnly) || r.PreviousSnapshotDate != day.Format(time.DateOnly) {
			t.Errorf("change of %s: run %s, dates %s and %s", k, r.RunID, r.PreviousSnapshotDate, r.SnapshotDate)
		}
		var old, cur []any
		if r.OldIsArchived != nil {
			old = []any{r.OldStage, intp32(r.OldStatus), *r.OldIsArchived, r.OldMovedToStageOn}
		}
		if r.NewIsArchived != nil {
			cur = []any{r.NewStage, intp32(r.NewStatus), *r.NewIsArchived, r.NewMovedToStageOn}
		}
		got[k] = show2(r.ChangeType, old, cur)
	}
	return got
}

func intp32(p *int32) *int {
	if p == nil {
		return nil
	}
	v := int(*p)
	return &v
}

// TestRunner_Run_JobCandidateChanges runs a day, changes the tenant, runs
// the next day across invocations and through faults, and compares the change rows with what
// the two days' ground truth says changed.
func TestRunner_Run_JobCandidateChanges(t *testing.T) {
	h := newHarness(t, harnessOptions{size: kekasim.Size{Jobs: 8, Applications: 400}})
	sel := []string{"jobs", "job_candidates", "job_candidate_changes"}
	first, err := h.runToEnd(t, snapshot.Request{Date: day, Datasets: sel}, 0, nil)
	if err != nil || first.Status != snapshot.StatusComplete {
		t.Fatalf("first run: %+v, %v", first, err)
	}
	if n := len(readRows[dataset.JobCandidateChangeRow](t, h.dir, "job_candidate_changes", day)); n != 0 {
		t.Errorf("the first snapshot has %d change rows, want none (there is nothing to compare with)", n)
	}
	before := h.sim.Truth()
	changeTenant(t, h.sim, 9, 5, 4, 6)
	after := h.sim.Truth()
	h.sim.SetFaults(hireFaults)
	second, err := h.runToEnd(t, snapshot.Request{Date: nextDay, Datasets: sel}, 40*time.Millisecond, nil)
	if err != nil || second.Status != snapshot.StatusComplete {
		t.Fatalf("second run: %+v, %v", second, err)
	}
	want, got := expectedChanges(before, after), gotChanges(t, h, nextDay, second.RunID)
	kinds := map[string]int{}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s:\n got %s\nwant %s", k, got[k], w)
		}
		var v []any
		_ = json.Unmarshal([]byte(w), &v)
		kinds[v[0].(string)]++
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected change %s", k, g)
		}
	}
	// 9 moves + 5 archives change; 6 added are new; 4 removed.
	if kinds["changed"] != 14 || kinds["new"] != 6 || kinds["removed"] != 4 {
		t.Errorf("changes by kind %v, want 14 changed, 6 new, 4 removed", kinds)
	}
	t.Logf("%d change rows over %d invocations, %d faults injected: %v", len(got), second.Invocations, h.sim.Stats().FaultsInjected, kinds)
	if m := readManifest(t, h.dir, "job_candidate_changes", nextDay); m.Rows != int64(len(got)) || m.SourceTotal != nil {
		t.Errorf("manifest rows %d, source total %v; want %d and none", m.Rows, m.SourceTotal, len(got))
	}
}

// TestRunner_Run_ChangesBasePinned: a run compares with the snapshot that
// was the latest when it started, even when a later one is published
// before its last invocation.
func TestRunner_Run_ChangesBasePinned(t *testing.T) {
	h := newHarness(t, harnessOptions{size: kekasim.Size{Jobs: 6, Applications: 200}})
	sel := []string{"jobs", "job_candidates", "job_candidate_changes"}
	if res, err := h.runToEnd(t, snapshot.Request{Date: day, Datasets: sel}, 0, nil); err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("first run: %+v, %v", res, err)
	}
	before := h.sim.Truth()
	changeTenant(t, h.sim, 3, 2, 1, 2)
	later := day.AddDate(0, 0, 2)
	// The run of the later date starts and stops at once...
	res, err := h.runner.Run(context.Background(), snapshot.Request{Date: later, Datasets: sel, StopAt: time.Now()})
	if err != nil || res.Status != snapshot.StatusInProgress {
		t.Fatalf("later run, first invocation: %+v, %v", res, err)
	}
	// ...a run of the day between publishes...
	if mid, err := h.runToEnd(t, snapshot.Request{Date: nextDay, Datasets: sel}, 0, nil); err != nil || mid.Status != snapshot.StatusComplete {
		t.Fatalf("run between: %+v, %v", mid, err)
	}
	// ...and the later run still compares with the first day.
	res, err = h.runToEnd(t, snapshot.Request{Date: later, RunID: res.RunID}, 0, nil)
	if err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("later run: %+v, %v", res, err)
	}
	want := expectedChanges(before, h.sim.Truth())
	rows := readRows[dataset.JobCandidateChangeRow](t, h.dir, "job_candidate_changes", later)
	for _, r := range rows {
		if r.PreviousSnapshotDate != day.Format(time.DateOnly) {
			t.Fatalf("change of %s/%s compares with dt=%s, want the base pinned at the start, dt=%s", r.JobID, r.CandidateID, r.PreviousSnapshotDate, day.Format(time.DateOnly))
		}
	}
	if len(rows) != len(want) || len(want) != 8 {
		t.Errorf("%d change rows, want %d (8 changed applications)", len(rows), len(want))
	}
}

// TestRunner_Run_ChangesWithoutRemovalsWhenIncomplete: when Keka refuses
// one job's candidates in the second run, that job's applications are not
// reported removed (the snapshot missed them; they were not deleted), and
// the manifest says so.
func TestRunner_Run_ChangesWithoutRemovalsWhenIncomplete(t *testing.T) {
	var refuse atomic.Value // the job id whose candidates answer 403
	refuse.Store("")
	h := newHarness(t, harnessOptions{size: kekasim.Size{Jobs: 6, Applications: 200},
		proxy: interceptProxy(t, func(w http.ResponseWriter, r *http.Request, _ string) bool {
			if id := refuse.Load().(string); id != "" && strings.Contains(r.URL.Path, "/hire/jobs/"+id+"/candidates") {
				kekaError(w, http.StatusForbidden, "Forbidden")
				return true
			}
			return false
		})})
	sel := []string{"jobs", "job_candidates", "job_candidate_changes"}
	if res, err := h.runToEnd(t, snapshot.Request{Date: day, Datasets: sel}, 0, nil); err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("first run: %+v, %v", res, err)
	}
	changeTenant(t, h.sim, 2, 0, 1, 0)
	refuse.Store(h.sim.Truth().Jobs[1].ID)
	res, err := h.runToEnd(t, snapshot.Request{Date: nextDay, Datasets: sel, Force: true}, 0, nil)
	if err != nil || res.Status != snapshot.StatusIncomplete {
		t.Fatalf("second run: %+v, %v (want incomplete)", res, err)
	}
	for _, r := range readRows[dataset.JobCandidateChangeRow](t, h.dir, "job_candidate_changes", nextDay) {
		if r.ChangeType == dataset.ChangeRemoved {
			t.Errorf("%s/%s reported removed from an incomplete snapshot", r.JobID, r.CandidateID)
		}
	}
	if m := readManifest(t, h.dir, "job_candidate_changes", nextDay); len(m.Unreconciled) != 1 || !strings.Contains(m.Unreconciled[0].Reason, "no removed rows") {
		t.Errorf("manifest unreconciled %+v, want the removed rows left out", m.Unreconciled)
	}
}
