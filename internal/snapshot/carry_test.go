package snapshot_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
	"github.com/kekaexport/keka-hire-export/internal/store"
)

var carrySel = []string{"jobs", "job_candidates", "interviews", "scorecards", "job_candidate_changes"}

// perApplicationRequests counts the 2xx answers to interviews and
// scorecards requests since base, by application key.
func perApplicationRequests(now, base map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for path, n := range now {
		rest, ok := strings.CutPrefix(path, "/api/v1/hire/jobs/")
		if !ok || !(strings.HasSuffix(rest, "/interviews") || strings.HasSuffix(rest, "/scorecards")) {
			continue
		}
		parts := strings.Split(rest, "/") // job, "candidate", candidate, list
		if d := n - base[path]; d > 0 && len(parts) == 4 {
			out[parts[0]+"/"+parts[2]] += d
		}
	}
	return out
}

// TestRunner_Run_FetchedWhereChanged runs a day, moves, archives, removes
// and adds applications, and runs the next day: interviews and scorecards
// are asked for only for the changed and new applications (by the
// simulator's request log), the rest are carried over, and both datasets
// equal the tenant's truth.
func TestRunner_Run_FetchedWhereChanged(t *testing.T) {
	h := newHarness(t, harnessOptions{size: kekasim.Size{Jobs: 8, Applications: 400}})
	first, err := h.runToEnd(t, snapshot.Request{Date: day, Datasets: carrySel}, 0, nil)
	if err != nil || first.Status != snapshot.StatusComplete {
		t.Fatalf("first run: %+v, %v", first, err)
	}
	base := h.sim.Answers().OKByPath
	if n := len(perApplicationRequests(base, nil)); n != len(h.sim.Truth().Applications) {
		t.Fatalf("the first run read %d applications' lists, the tenant has %d", n, len(h.sim.Truth().Applications))
	}
	touched := changeTenant(t, h.sim, 9, 5, 4, 6)
	checkDryRun(t, h, len(h.sim.Truth().Applications), 20)
	second, err := h.runToEnd(t, snapshot.Request{Date: nextDay, Datasets: carrySel}, 0, nil)
	if err != nil || second.Status != snapshot.StatusComplete {
		t.Fatalf("second run: %+v, %v", second, err)
	}
	checkFetchedWhereChanged(t, h, base, touched, second.RunID)
	checkLastRead(t, h, touched)
	for _, ds := range []string{"interviews", "scorecards", "job_candidate_changes"} {
		m := readManifest(t, h.dir, ds, nextDay)
		if m.PreviousSnapshot != day.Format(time.DateOnly) || (ds != "job_candidate_changes") != (m.CarriedOver > 0) {
			t.Errorf("%s manifest: previous snapshot %q, %d rows carried over", ds, m.PreviousSnapshot, m.CarriedOver)
		}
	}
}

func checkFetchedWhereChanged(t *testing.T, h *harness, base map[string]int64, touched map[string]bool, runID string) {
	t.Helper()
	got := perApplicationRequests(h.sim.Answers().OKByPath, base)
	tr := h.sim.Truth()
	current := map[string]bool{}
	for _, a := range tr.Applications {
		current[a.JobID+"/"+a.CandidateID] = true
	}
	unchanged, changed := 0, 0
	for k := range current {
		switch {
		case touched[k] && got[k] != 2:
			t.Errorf("changed or new application %s: %d requests, want 2 (interviews, scorecards)", k, got[k])
		case touched[k]:
			changed++
		case got[k] != 0:
			t.Errorf("unchanged application %s: %d requests, want 0", k, got[k])
		default:
			unchanged++
		}
	}
	for k, n := range got {
		if !current[k] {
			t.Errorf("%d requests for %s, no longer an application", n, k)
		}
	}
	t.Logf("second run: %d changed or new applications read (%d requests), %d unchanged read 0 times", changed, 2*changed, unchanged)
	if changed != 9+5+6 {
		t.Errorf("%d changed or new applications read, want 20", changed)
	}
	checkInterviews(t, h.at(nextDay), runID, tr.Interviews)
	checkScorecards(t, h.at(nextDay), runID, tr.Scorecards)
}

// checkLastRead checks last_read_at: the first run's for carried rows, the
// second's for the rows of changed applications.
func checkLastRead(t *testing.T, h *harness, touched map[string]bool) {
	t.Helper()
	firstRead := map[string]time.Time{}
	for _, r := range readRows[dataset.InterviewRow](t, h.dir, "interviews", day) {
		firstRead[r.InterviewID] = r.LastReadAt
	}
	carried := 0
	for _, r := range readRows[dataset.InterviewRow](t, h.dir, "interviews", nextDay) {
		was, ok := firstRead[r.InterviewID]
		switch {
		case touched[r.Application()] && !r.LastReadAt.Equal(r.ExtractedAt):
			t.Errorf("interview %s of a changed application: last read %s, extracted %s", r.InterviewID, r.LastReadAt, r.ExtractedAt)
		case !touched[r.Application()] && (!ok || !r.LastReadAt.Equal(was) || !r.ExtractedAt.After(was)):
			t.Errorf("carried interview %s: last read %s (the first run read it %s), extracted %s", r.InterviewID, r.LastReadAt, was, r.ExtractedAt)
		case !touched[r.Application()]:
			carried++
		}
	}
	if carried == 0 {
		t.Error("no interview was carried over")
	}
}

// TestRunner_Run_CarryOverResumes stops the second run's carry-over after
// every chunk of three rows and checks that the rows carried over across
// the invocations are exactly the truth's: none twice, none lost.
func TestRunner_Run_CarryOverResumes(t *testing.T) {
	defer snapshot.SetCarryChunkRows(3)()
	h := newHarness(t, harnessOptions{size: kekasim.Size{Jobs: 6, Applications: 200},
		config: func(c *snapshot.Config) { c.CheckpointEvery = time.Nanosecond }})
	first, err := h.runToEnd(t, snapshot.Request{Date: day, Datasets: carrySel}, 0, nil)
	if err != nil || first.Status != snapshot.StatusComplete {
		t.Fatalf("first run: %+v, %v", first, err)
	}
	touched := changeTenant(t, h.sim, 4, 2, 2, 3)
	base := h.sim.Answers().OKByPath
	// Fetch in invocations of 50 ms, then carry over with StopAt already
	// past: each invocation carries one chunk and stops.
	req := snapshot.Request{Date: nextDay, Datasets: carrySel, StopAt: time.Now().Add(50 * time.Millisecond)}
	res, err := h.runner.Run(context.Background(), req)
	carrying := 0
	for i := 0; err == nil && res.Status == snapshot.StatusInProgress && i < 2000; i++ {
		req = snapshot.Request{Date: nextDay, RunID: res.RunID, StopAt: time.Now().Add(50 * time.Millisecond)}
		if res.Progress != nil && res.Progress.Fetched {
			req.StopAt = time.Now().Add(-time.Second)
			carrying++
		}
		res, err = h.runner.Run(context.Background(), req)
	}
	if err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("second run: %+v, %v", res, err)
	}
	if carrying < 10 {
		t.Errorf("the carry-over took %d invocations; the test wants it stopped many times", carrying)
	}
	t.Logf("second run: %d invocations, %d of them carrying rows over", res.Invocations, carrying)
	checkFetchedWhereChanged2(t, h, base, touched, res.RunID)
}

func checkFetchedWhereChanged2(t *testing.T, h *harness, base map[string]int64, touched map[string]bool, runID string) {
	t.Helper()
	got := perApplicationRequests(h.sim.Answers().OKByPath, base)
	for k, n := range got {
		if !touched[k] {
			t.Errorf("unchanged application %s: %d requests, want 0", k, n)
		}
	}
	tr := h.sim.Truth()
	checkInterviews(t, h.at(nextDay), runID, tr.Interviews)
	checkScorecards(t, h.at(nextDay), runID, tr.Scorecards)
}

// checkDryRun checks that a dry run of the next day predicts reading the
// lists of exactly the changed or new applications, one request each.
func checkDryRun(t *testing.T, h *harness, apps, changed int) {
	t.Helper()
	res, err := h.runner.Run(context.Background(), snapshot.Request{Date: nextDay, Datasets: carrySel, DryRun: true})
	if err != nil || res.Plan == nil {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	for _, d := range res.Plan.Datasets {
		if d.Name != "interviews" && d.Name != "scorecards" {
			continue
		}
		if d.Applications == nil || d.Carried == nil || *d.Applications != int64(changed) || *d.Carried != int64(apps-changed) || d.Requests != int64(changed) {
			t.Errorf("dry run of %s: %d requests, applications %v, carried %v; want %d, %d, %d", d.Name, d.Requests, show(d.Applications), show(d.Carried), changed, changed, apps-changed)
		}
	}
	t.Logf("dry run: %d requests in all, %d per application list", res.Plan.Requests, changed)
}

// TestRunner_Run_CarryOverSurvivesFailedWrites fails every third staged
// segment of interviews and scorecards in the second run, while rows are
// fetched and carried over: each failure rolls the invocation back to its
// last checkpoint, the next invocation goes on from there, and every row
// ends up exported once.
func TestRunner_Run_CarryOverSurvivesFailedWrites(t *testing.T) {
	defer snapshot.SetCarryChunkRows(5)()
	var failing atomic.Bool
	var creates atomic.Int64
	h := newHarness(t, harnessOptions{size: kekasim.Size{Jobs: 6, Applications: 200},
		config: func(c *snapshot.Config) { c.CheckpointEvery = time.Nanosecond },
		store: func(st store.Store) store.Store {
			return &faultyStore{Store: st, create: func(key string) error {
				if failing.Load() && (strings.Contains(key, "/interviews/segment-") || strings.Contains(key, "/scorecards/segment-")) && creates.Add(1)%3 == 0 {
					return errCrash
				}
				return nil
			}}
		}})
	first, err := h.runToEnd(t, snapshot.Request{Date: day, Datasets: carrySel}, 0, nil)
	if err != nil || first.Status != snapshot.StatusComplete {
		t.Fatalf("first run: %+v, %v", first, err)
	}
	touched := changeTenant(t, h.sim, 4, 2, 2, 3)
	base := h.sim.Answers().OKByPath
	failing.Store(true)
	req := snapshot.Request{Date: nextDay, Datasets: carrySel}
	var res snapshot.Result
	failures := 0
	for i := 0; i < 2000; i++ {
		res, err = h.runner.Run(context.Background(), req)
		if res.Status == snapshot.StatusComplete {
			break
		}
		if err != nil && !res.Resumable {
			t.Fatalf("invocation %d: %+v, %v", i+1, res, err)
		}
		if err != nil {
			failures++
		}
		req = snapshot.Request{Date: nextDay, RunID: res.RunID}
	}
	if res.Status != snapshot.StatusComplete || failures < 3 {
		t.Fatalf("second run: %+v after %d failed invocations", res, failures)
	}
	t.Logf("second run: %d invocations, %d of them failed writing a segment", res.Invocations, failures)
	checkFetchedWhereChanged2(t, h, base, touched, res.RunID)
}

// TestRunner_Run_NoCarryOverAcrossPIIModes: after a snapshot under
// EXPORT_PII=keep, a run under drop carries no row over (the rows it would
// copy hold comments the new policy drops): it reads every application.
func TestRunner_Run_NoCarryOverAcrossPIIModes(t *testing.T) {
	h := newHarness(t, harnessOptions{size: kekasim.Size{Jobs: 4, Applications: 100}})
	if res, err := h.runToEnd(t, snapshot.Request{Date: day, Datasets: carrySel}, 0, nil); err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("first run: %+v, %v", res, err)
	}
	base := h.sim.Answers().OKByPath
	drop, err := snapshot.New(snapshot.Config{Client: h.client, Store: h.store, MaxShrink: 0.2, PII: dataset.PII{Mode: dataset.PIIDrop}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := drop.Run(context.Background(), snapshot.Request{Date: nextDay, Datasets: carrySel})
	if err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("second run: %+v, %v", res, err)
	}
	apps := len(h.sim.Truth().Applications)
	if got := perApplicationRequests(h.sim.Answers().OKByPath, base); len(got) != apps {
		t.Errorf("the run under another PII mode read %d of %d applications, want all", len(got), apps)
	}
	for _, r := range readRows[dataset.ScorecardRow](t, h.dir, "scorecards", nextDay) {
		if r.OverallComments != nil {
			t.Fatalf("scorecard %s keeps its comments under drop", r.ScorecardID)
		}
	}
	if m := readManifest(t, h.dir, "scorecards", nextDay); m.CarriedOver != 0 || m.PreviousSnapshot != "" {
		t.Errorf("scorecards manifest: %d carried over from %q", m.CarriedOver, m.PreviousSnapshot)
	}
}
