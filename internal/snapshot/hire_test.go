package snapshot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// hireFaults is every fault at once, as TestRunner_Run_Faults has it,
// without the slow responses.
var hireFaults = kekasim.Faults{
	TooManyRequests: 0.05, RetryAfter: true, ServerError: 0.05, DropConnection: 0.03,
	MalformedJSON: 0.03, TruncatedJSON: 0.03, ExpireTokenEvery: 13,
}

// TestRunner_Run_PerApplicationDatasets exports interviews and scorecards,
// listed per application (their parent job_candidates, itself listed per
// job, is read without being written), through faults and across
// invocations, and compares every row with the simulator's ground truth.
func TestRunner_Run_PerApplicationDatasets(t *testing.T) {
	h := newHarness(t, harnessOptions{sim: kekasim.Options{Shape: kekasim.ShapeMixed}, size: kekasim.Size{Jobs: 10, Applications: 300, Preboarding: 5}})
	h.sim.SetFaults(hireFaults)
	res, err := h.runToEnd(t, snapshot.Request{Date: day, Datasets: []string{"interviews", "scorecards"}}, 150*time.Millisecond, nil)
	if err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("run: %+v, %v", res, err)
	}
	t.Logf("%d invocations, %d requests", res.Invocations, res.Requests)
	if st := h.sim.Stats(); st.FaultsInjected == 0 {
		t.Errorf("no fault was injected: %+v", st)
	}
	for _, f := range partitionFiles(t, h.dir) {
		if !hasPrefix(f, "interviews/", "scorecards/", "_manifests/interviews/", "_manifests/scorecards/", "_runs/") {
			t.Errorf("unselected dataset written: %s", f)
		}
	}
	truth := h.sim.Truth()
	checkInterviews(t, h, res.RunID, truth.Interviews)
	checkScorecards(t, h, res.RunID, truth.Scorecards)
}

func hasPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if len(s) >= len(p) && s[:len(p)] == p {
			return true
		}
	}
	return false
}

// sameRows compares exported rows with the truth by key: every key once,
// nothing else, and equal values (compared through JSON).
func sameRows[R any, W any](t *testing.T, h *harness, ds, runID string, want []W, wantKey func(W) string, gotKey func(R) (string, string), view func(R) any, truthView func(W) any) {
	t.Helper()
	rows := readRows[R](t, h.dir, ds, h.snapshotDate())
	byKey := map[string]W{}
	for _, w := range want {
		byKey[wantKey(w)] = w
	}
	seen := map[string]bool{}
	for _, r := range rows {
		k, run := gotKey(r)
		if seen[k] {
			t.Errorf("%s: %s exported twice", ds, k)
		}
		seen[k] = true
		if run != runID {
			t.Errorf("%s %s: run_id %q, want %q", ds, k, run, runID)
		}
		w, ok := byKey[k]
		if !ok {
			t.Errorf("%s: %s is not in the tenant", ds, k)
			continue
		}
		g, _ := json.Marshal(view(r))
		e, _ := json.Marshal(truthView(w))
		if string(g) != string(e) {
			t.Errorf("%s %s:\n got %s\nwant %s", ds, k, g, e)
		}
	}
	if len(seen) != len(byKey) || len(byKey) == 0 {
		t.Errorf("%s: %d rows exported, the tenant has %d", ds, len(seen), len(byKey))
	}
	if m := readManifest(t, h.dir, ds, h.snapshotDate()); m.Rows != int64(len(rows)) {
		t.Errorf("%s manifest rows %d, want %d", ds, m.Rows, len(rows))
	}
}

func checkInterviews(t *testing.T, h *harness, runID string, want []kekasim.TruthInterview) {
	t.Helper()
	sameRows(t, h, "interviews", runID, want,
		func(w kekasim.TruthInterview) string { return w.ID },
		func(r dataset.InterviewRow) (string, string) { return r.InterviewID, r.RunID },
		func(r dataset.InterviewRow) any {
			return []any{r.JobID, r.CandidateID, r.InterviewDate, r.StartTime, r.EndTime, r.TimeZoneID, r.ScheduledBy,
				r.ScheduledDate, r.InterviewType, r.StageID, r.PanelMembers, json.Valid([]byte(r.RawJSON))}
		},
		func(w kekasim.TruthInterview) any {
			return []any{w.JobID, w.CandidateID, w.InterviewDate, w.StartTime, w.EndTime, w.TimeZoneID, w.ScheduledBy,
				w.ScheduledDate, w.InterviewType, w.StageID, w.PanelMembers, true}
		})
}

func checkScorecards(t *testing.T, h *harness, runID string, want []kekasim.TruthScorecard) {
	t.Helper()
	sameRows(t, h, "scorecards", runID, want,
		func(w kekasim.TruthScorecard) string { return w.ID },
		func(r dataset.ScorecardRow) (string, string) { return r.ScorecardID, r.RunID },
		func(r dataset.ScorecardRow) any {
			secs := []string{}
			for _, s := range r.Sections {
				secs = append(secs, fmt.Sprint(show(s.SectionName), show(s.SkillTitle), show(s.SkillScore), show(s.SectionComments)))
			}
			return []any{r.JobID, r.CandidateID, r.InterviewID, r.StageID, r.OverallFeedbackDecision, r.OverallComments, r.FeedbackSubmittedBy, secs}
		},
		func(w kekasim.TruthScorecard) any {
			secs := []string{}
			for _, s := range w.Sections {
				secs = append(secs, fmt.Sprint(show(s.SectionName), show(s.SkillTitle), show(s.SkillScore), show(s.SectionComments)))
			}
			return []any{w.JobID, w.CandidateID, w.InterviewID, w.StageID, w.Decision, w.Comments, w.SubmittedBy, secs}
		})
}

// defaultNames returns the names of the datasets a request naming none
// exports.
func defaultNames() []string {
	var out []string
	for _, d := range dataset.Default() {
		out = append(out, d.Name)
	}
	return out
}

// TestRunner_Run_HireLists exports the default selection, the stage, talent
// pool, job board and application field datasets among it, through every
// fault at once and across invocations, and compares every row with the
// simulator's ground truth.
func TestRunner_Run_HireLists(t *testing.T) {
	h := newHarness(t, harnessOptions{sim: kekasim.Options{Shape: kekasim.ShapeMixed}, size: kekasim.Size{Jobs: 14, Applications: 500, Preboarding: 30}})
	h.sim.SetFaults(hireFaults)
	res, err := h.runToEnd(t, snapshot.Request{Date: day}, 150*time.Millisecond, nil)
	if err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("run: %+v, %v", res, err)
	}
	t.Logf("%d invocations, %d requests", res.Invocations, res.Requests)
	if st := h.sim.Stats(); st.FaultsInjected == 0 {
		t.Errorf("no fault was injected: %+v", st)
	}
	if got, want := resultNames(res.Datasets), defaultNames(); !slices.Equal(got, want) {
		t.Errorf("datasets %v, want %v", got, want)
	}
	checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
	checkHireLists(t, h, res.RunID, h.sim.Truth())
}

func resultNames(ds []snapshot.DatasetResult) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name
	}
	return out
}

// checkHireLists compares hiring_stages, talent_pools,
// talent_pool_candidates, job_boards and application_fields with truth.
func checkHireLists(t *testing.T, h *harness, runID string, truth kekasim.Truth) {
	t.Helper()
	sameRows(t, h, "hiring_stages", runID, truth.Stages,
		func(w kekasim.TruthStage) string { return w.ID },
		func(r dataset.HiringStageRow) (string, string) { return r.StageID, r.RunID },
		func(r dataset.HiringStageRow) any {
			reasons := []string{}
			for _, a := range r.ArchiveReasons {
				reasons = append(reasons, show(a.ID)+" "+show(a.Reason))
			}
			return []any{r.Name, r.StageType, r.SortOrder, reasons}
		},
		func(w kekasim.TruthStage) any {
			reasons := []string{}
			for _, a := range w.ArchiveReasons {
				reasons = append(reasons, a.ID+" "+a.Reason)
			}
			return []any{w.Name, w.Type, w.Order, reasons}
		})
	sameRows(t, h, "talent_pools", runID, truth.TalentPools,
		func(w kekasim.TruthTalentPool) string { return w.ID },
		func(r dataset.TalentPoolRow) (string, string) { return r.TalentPoolID, r.RunID },
		func(r dataset.TalentPoolRow) any { return []any{r.Name, r.AddedBy, r.AddedOn} },
		func(w kekasim.TruthTalentPool) any { return []any{w.Name, w.AddedBy, w.AddedOn} })
	sameRows(t, h, "talent_pool_candidates", runID, truth.PoolCandidates,
		func(w kekasim.TruthPoolCandidate) string { return w.PoolID + "/" + w.CandidateID },
		func(r dataset.TalentPoolCandidateRow) (string, string) { return r.Key(), r.RunID },
		func(r dataset.TalentPoolCandidateRow) any {
			return []any{r.FirstName, r.LastName, r.Email, r.Phone, r.TalentPoolDetails}
		},
		func(w kekasim.TruthPoolCandidate) any {
			return []any{w.FirstName, w.LastName, w.Email, w.Phone, w.Details}
		})
	sameRows(t, h, "job_boards", runID, truth.JobBoards,
		func(w kekasim.TruthJobBoard) string { return w.Identifier },
		func(r dataset.JobBoardRow) (string, string) { return r.JobBoardIdentifier, r.RunID },
		func(r dataset.JobBoardRow) any { return []any{r.JobBoardName, r.IsActive} },
		func(w kekasim.TruthJobBoard) any { return []any{w.Name, w.IsActive} })
	sameRows(t, h, "application_fields", runID, truth.ApplicationFields,
		func(w kekasim.TruthApplicationField) string { return w.JobID + "/" + w.ID },
		func(r dataset.ApplicationFieldRow) (string, string) { return r.Key(), r.RunID },
		func(r dataset.ApplicationFieldRow) any {
			opts := []string{}
			for _, o := range r.Options {
				opts = append(opts, show(o.ID)+" "+show(o.Value))
			}
			return []any{r.FieldName, r.Required, r.FieldType, opts}
		},
		func(w kekasim.TruthApplicationField) any {
			opts := []string{}
			for _, o := range w.Options {
				opts = append(opts, o.ID+" "+o.Value)
			}
			return []any{w.Name, w.Required, w.FieldType, opts}
		})
}

// TestRunner_Run_DryRunPerApplication: a dry run naming interviews and
// scorecards, on a tenant's first snapshot, reports a request per
// application and list (every application is new), without asking Keka
// for them and without writing anything.
func TestRunner_Run_DryRunPerApplication(t *testing.T) {
	h := newHarness(t, harnessOptions{sim: kekasim.Options{Shape: kekasim.ShapeEnvelope}, size: kekasim.Size{Jobs: 6, Applications: 120, Preboarding: 5}})
	res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, DryRun: true, Datasets: []string{"interviews", "scorecards"}})
	if err != nil || res.Plan == nil {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	truth := h.sim.Truth()
	got := map[string]snapshot.PlanDataset{}
	for _, d := range res.Plan.Datasets {
		got[d.Name] = d
	}
	apps := int64(len(truth.Applications))
	for _, name := range []string{"interviews", "scorecards"} {
		d := got[name]
		if d.Requests != apps || d.Applications == nil || *d.Applications != apps || d.Carried == nil || *d.Carried != 0 {
			t.Errorf("%s: plan %d requests, applications %s, carried %s; want %d, %d, 0", name, d.Requests, show(d.Applications), show(d.Carried), apps, apps)
		}
	}
	for path := range h.sim.Answers().OKByPath {
		if strings.HasSuffix(path, "/interviews") || strings.HasSuffix(path, "/scorecards") {
			t.Errorf("the dry run asked Keka for %s", path)
		}
	}
	if files := partitionFiles(t, h.dir); len(files) != 0 {
		t.Errorf("dry run wrote %v", files)
	}
}
