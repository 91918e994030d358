package snapshot_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
	"github.com/kekaexport/keka-hire-export/internal/store"
)

var errSlowDown = errors.New("s3: 503 SlowDown")

// failingManifest makes the manifest writes of one dataset fail while armed.
func failingManifest(ds string, armed *atomic.Bool) func(store.Store) store.Store {
	return func(s store.Store) store.Store {
		return &faultyStore{Store: s, put: func(key string) error {
			if armed.Load() && strings.HasPrefix(key, snapshot.ManifestsPrefix+ds+"/") {
				return errSlowDown
			}
			return nil
		}}
	}
}

func TestRunner_Run_Publishing(t *testing.T) {
	t.Run("a partly published run finishes even after the settings changed", func(t *testing.T) {
		var armed atomic.Bool
		h := newHarness(t, harnessOptions{store: failingManifest("job_candidates", &armed)})
		armed.Store(true)
		res, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err == nil || !res.Resumable || !res.Datasets[0].Done {
			t.Fatalf("want jobs published and a resumable failure: %+v, %v", res, err)
		}
		armed.Store(false)
		hashing, err := snapshot.New(snapshot.Config{Client: h.client, Store: h.store, PII: dataset.PII{Mode: dataset.PIIHash, Key: []byte("0123456789abcdef-key")}})
		if err != nil {
			t.Fatal(err)
		}
		done, err := hashing.Run(context.Background(), snapshot.Request{Date: day, RunID: res.RunID})
		if err != nil || done.Status != snapshot.StatusComplete || done.RunID != res.RunID {
			t.Fatalf("finishing the publish: %+v, %v", done, err)
		}
		checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
		if m := readManifest(t, h.dir, "job_candidates", day); m.PII != "keep" {
			t.Errorf("manifest says pii %q; the run's rows were written under keep", m.PII)
		}
	})

	t.Run("restart is refused once publishing began, and the run finishes without a mix", func(t *testing.T) {
		var armed atomic.Bool
		h := newHarness(t, harnessOptions{store: failingManifest("jobs", &armed)})
		old, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		armed.Store(true)
		res, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err == nil || !res.Resumable || res.RunID == old.RunID {
			t.Fatalf("want a resumable failure of a second run: %+v, %v", res, err)
		}
		armed.Store(false)
		refused, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, Restart: true, RunID: res.RunID})
		if !errors.Is(err, snapshot.ErrInvalidRequest) || !strings.Contains(refused.Error, "publishing") {
			t.Fatalf("restart during publishing: %+v, %v", refused, err)
		}
		done, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, RunID: res.RunID})
		if err != nil || done.Status != snapshot.StatusComplete {
			t.Fatalf("finishing the publish: %+v, %v", done, err)
		}
		if got := runIDs(t, duckDB(t), h.dir); !slices.Equal(got, []string{res.RunID}) {
			t.Errorf("readers see runs %v, want only %s", got, res.RunID)
		}
	})
}

func TestRunner_Run_RetriedRestartOfAFailedRun(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	first := startUnfinished(t, h)
	revoking := revokingRunner(t, h)
	restart := snapshot.Request{Date: day, Restart: true, RunID: first.RunID}
	failed, err := revoking.Run(context.Background(), restart)
	if err == nil || failed.Resumable {
		t.Fatalf("the restarted run should fail for good: %+v, %v", failed, err)
	}
	h.sim.RotateCredentials(simClientSecret)
	requests := h.sim.Stats().Requests
	again, err := h.runner.Run(context.Background(), restart) // the same event, redelivered
	if err == nil || again.Resumable || again.RunID != failed.RunID || again.Status != snapshot.StatusFailed {
		t.Fatalf("a redelivered restart must report the failed run, not resume it: %+v, %v", again, err)
	}
	if n := h.sim.Stats().Requests - requests; n != 0 {
		t.Errorf("reporting a failed run made %d requests", n)
	}
	res, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
	if err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("a new run after the failure: %+v, %v", res, err)
	}
	checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
}

func TestRunner_Run_JobListIncomplete(t *testing.T) {
	// A Keka that always answers page 1 of the job list: the job ids are
	// incomplete, and the candidates' manifest must say so.
	proxy := pageOneProxy(t, "/hire/jobs")
	h := newHarness(t, harnessOptions{size: kekasim.Size{Jobs: 450, Applications: 2000, Preboarding: 10}, proxy: proxy, sim: kekasim.Options{Shape: kekasim.ShapeEnvelope}})
	res, err := h.runToEnd(t, snapshot.Request{Date: day, Datasets: []string{"job_candidates"}}, 0, nil)
	if err != nil || res.Status != snapshot.StatusIncomplete {
		t.Fatalf("run: %+v, %v", res, err)
	}
	m := readManifest(t, h.dir, "job_candidates", day)
	if int(m.Rows) >= len(h.sim.Truth().Applications) {
		t.Fatalf("the proxy did not hide any job (%d rows)", m.Rows)
	}
	if len(m.Unreconciled) != 1 || !strings.Contains(m.Unreconciled[0].Reason, "jobs list") {
		t.Errorf("manifest unreconciled %+v; want the incomplete job list named", m.Unreconciled)
	}
}

func TestRunner_Run_CheckpointWithoutSettings(t *testing.T) {
	// A checkpoint written before runs recorded their settings resumes.
	h := newHarness(t, harnessOptions{})
	first := startUnfinished(t, h)
	key := "_runs/dt=2026-11-26/checkpoint.json"
	b, err := h.store.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "settings")
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := h.store.Put(context.Background(), key, b); err != nil {
		t.Fatal(err)
	}
	res, err := h.runToEnd(t, snapshot.Request{Date: day, RunID: first.RunID}, 0, nil)
	if err != nil || res.Status != snapshot.StatusComplete || res.RunID != first.RunID {
		t.Fatalf("resume: %+v, %v", res, err)
	}
	checkAgainstTruth(t, h, day, first.RunID, checkOptions{})
}

func TestRunner_Run_Interrupted(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var pages atomic.Int64
	r, err := snapshot.New(snapshot.Config{Client: h.client, Store: h.store, Progress: func(p snapshot.Progress) {
		if p.Dataset == "job_candidates" && pages.Add(1) == 20 {
			cancel() // Ctrl-C
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The datasets whose requests the test counts below.
	res, err := r.Run(ctx, snapshot.Request{Date: day, Datasets: []string{"jobs", "job_candidates", "preboarding_candidates"}})
	if err == nil || !res.Resumable || res.Status != snapshot.StatusInProgress || !strings.Contains(res.Error, "interrupted") {
		t.Fatalf("interrupted run: %+v, %v", res, err)
	}
	saved := res.Datasets[1].Rows
	if saved == 0 {
		t.Fatal("the interrupted invocation saved no progress")
	}
	requests := h.sim.Stats().Requests
	done, err := h.runToEnd(t, snapshot.Request{Date: day, RunID: res.RunID}, 0, nil)
	if err != nil || done.Status != snapshot.StatusComplete || done.Invocations != 2 {
		t.Fatalf("resumed run: %+v, %v", done, err)
	}
	// The saved pages were not fetched again: the resumed invocation needed
	// fewer requests than a whole run (jobs, 2 lists per job, preboarding).
	whole := int64(1 + 2*len(h.sim.Truth().Jobs) + 2)
	if n := h.sim.Stats().Requests - requests; n >= whole {
		t.Errorf("the resumed invocation made %d requests, as many as a whole run (%d)", n, whole)
	}
	checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
}
