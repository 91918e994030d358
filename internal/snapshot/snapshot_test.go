package snapshot_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
	"github.com/kekaexport/keka-hire-export/internal/store"
)

func TestRunner_Run(t *testing.T) {
	t.Run("exports every record exactly once", func(t *testing.T) {
		// The envelope, so that every list reports its total.
		h := newHarness(t, harnessOptions{sim: kekasim.Options{Shape: kekasim.ShapeEnvelope}})
		res, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err != nil || res.Status != snapshot.StatusComplete {
			t.Fatalf("run: %+v, %v", res, err)
		}
		checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
		checkHireLists(t, h, res.RunID, h.sim.Truth())
		want := []string{"_runs/dt=2026-11-26/checkpoint.json"}
		for _, ds := range defaultNames() {
			want = append(want, "_manifests/"+ds+"/dt=2026-11-26.json", ds+"/dt=2026-11-26/part-00000.parquet")
		}
		slices.Sort(want)
		if got := partitionFiles(t, h.dir); !slices.Equal(got, want) {
			t.Errorf("files after the run:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		truth := h.sim.Truth()
		for _, d := range res.Datasets {
			if ds, _ := dataset.Lookup(d.Name); !d.Done || d.Files != 1 || (d.SourceTotal == nil) != (ds.ChangesOf != "") {
				t.Errorf("%s: result %+v", d.Name, d)
			}
		}
		if got := res.Datasets[1].Rows; got != int64(len(truth.Applications)) {
			t.Errorf("result rows of job_candidates %d, want %d", got, len(truth.Applications))
		}
		if res.Throttled != 0 {
			t.Errorf("a healthy run was throttled %d times", res.Throttled)
		}
	})

	t.Run("a second run of the date replaces the first", func(t *testing.T) {
		h := newHarness(t, harnessOptions{})
		first, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		// An object left by some earlier version of the layout must go too.
		stray := filepath.Join(h.dir, "jobs", "dt=2026-11-26", "part-00001.parquet")
		if err := os.WriteFile(stray, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		second, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if first.RunID == second.RunID {
			t.Fatalf("both runs have id %s", first.RunID)
		}
		checkAgainstTruth(t, h, day, second.RunID, checkOptions{})
		if _, err := os.Stat(stray); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("stray object survived the second run: %v", err)
		}
	})

	t.Run("only the selected datasets are written, across invocations", func(t *testing.T) {
		h := newHarness(t, harnessOptions{})
		h.sim.SetFaults(kekasim.Faults{Slow: 1, SlowDelay: 15 * time.Millisecond}) // about 140 ms of requests at concurrency 6
		res, err := h.runToEnd(t, snapshot.Request{Date: day, Datasets: []string{"job_candidates"}}, 60*time.Millisecond, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Invocations < 2 {
			t.Errorf("the run took %d invocation; the test needs several", res.Invocations)
		}
		if len(res.Datasets) != 1 || res.Datasets[0].Rows != int64(len(h.sim.Truth().Applications)) {
			t.Fatalf("result datasets %+v", res.Datasets)
		}
		for _, f := range partitionFiles(t, h.dir) {
			if strings.HasPrefix(f, "jobs/") || strings.HasPrefix(f, "preboarding_candidates/") {
				t.Errorf("unselected dataset written: %s", f)
			}
		}
	})

	t.Run("a dry run writes nothing", func(t *testing.T) {
		h := newHarness(t, harnessOptions{})
		res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, DryRun: true})
		if err != nil || !res.DryRun || res.Status != snapshot.StatusComplete {
			t.Fatalf("dry run: %+v, %v", res, err)
		}
		if files := partitionFiles(t, h.dir); len(files) != 0 {
			t.Errorf("dry run wrote %v", files)
		}
		truth := h.sim.Truth()
		for _, d := range res.Datasets {
			switch d.Name {
			case "jobs":
				if d.SourceTotal == nil || *d.SourceTotal != int64(len(truth.Jobs)) {
					t.Errorf("dry run jobs total %s, want %d", show(d.SourceTotal), len(truth.Jobs))
				}
			case "job_candidates":
				if d.EstimatedPages < int64(2*len(truth.Jobs)) {
					t.Errorf("dry run estimates %d pages of candidates, want at least %d", d.EstimatedPages, 2*len(truth.Jobs))
				}
			}
		}
	})
}

func TestRunner_Run_Faults(t *testing.T) {
	cases := []struct {
		name   string
		faults kekasim.Faults
		shape  kekasim.Shape
	}{
		{"429 storm with Retry-After", kekasim.Faults{TooManyRequests: 0.3, RetryAfter: true}, 0},
		{"429 storm without Retry-After", kekasim.Faults{TooManyRequests: 0.3}, 0},
		{"5xx bursts", kekasim.Faults{ServerError: 0.3}, 0},
		{"dropped connections", kekasim.Faults{DropConnection: 0.2}, 0},
		{"responses slower than the request timeout", kekasim.Faults{Slow: 0.1, SlowDelay: 800 * time.Millisecond}, 0},
		{"malformed JSON", kekasim.Faults{MalformedJSON: 0.2}, 0},
		{"truncated JSON", kekasim.Faults{TruncatedJSON: 0.2}, 0},
		{"token expiring mid-run", kekasim.Faults{ExpireTokenEvery: 7}, 0},
		{"bare arrays and items wrappers", kekasim.Faults{}, kekasim.ShapeMixed},
		{"every fault at once", kekasim.Faults{
			TooManyRequests: 0.05, RetryAfter: true, ServerError: 0.05, DropConnection: 0.05,
			Slow: 0.02, SlowDelay: 800 * time.Millisecond, MalformedJSON: 0.05, TruncatedJSON: 0.05,
			ExpireTokenEvery: 11,
		}, kekasim.ShapeMixed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{sim: kekasim.Options{Shape: tc.shape}, size: kekasim.Size{Jobs: 12, Applications: 900, Preboarding: 210}})
			h.sim.SetFaults(tc.faults)
			res, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
			if err != nil || res.Status != snapshot.StatusComplete {
				t.Fatalf("run: %+v, %v", res, err)
			}
			checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
			checkHireLists(t, h, res.RunID, h.sim.Truth())
			if st := h.sim.Stats(); st.FaultsInjected == 0 && tc.shape == 0 {
				t.Errorf("no fault was injected: %+v", st)
			}
			for _, secret := range []string{simClientSecret, simAPIKey, "Bearer ", "access_token"} {
				if strings.Contains(h.logs.String(), secret) {
					t.Errorf("%q appears in the logs of a faulty run", secret)
				}
			}
		})
	}
}

func TestRunner_Run_DataChangingWhilePaging(t *testing.T) {
	// The envelope, whose totals show the lists moving.
	h := newHarness(t, harnessOptions{size: kekasim.Size{Jobs: 10, Applications: 1200, Preboarding: 450}, sim: kekasim.Options{Shape: kekasim.ShapeEnvelope}})
	before := h.sim.Truth()
	h.sim.SetFaults(kekasim.Faults{MutateEveryPages: 2, MaxMutations: 40})
	res, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
	if err != nil || !finished(res) {
		t.Fatalf("run: %+v, %v", res, err)
	}
	if h.sim.Stats().Mutations == 0 {
		t.Fatal("the tenant did not change during the run")
	}
	checkAgainstTruth(t, h, day, res.RunID, checkOptions{changed: true, before: &before})
	var rereads int64
	for _, d := range res.Datasets {
		rereads += d.Rereads
	}
	if rereads == 0 {
		t.Error("no list was read again although the tenant changed under the run")
	}
}

func TestRunner_Run_JobDeletedMidRun(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	before := h.sim.Truth()
	last := before.Jobs[len(before.Jobs)-1].ID // its candidates are read last
	var deleted atomic.Bool
	r, err := snapshot.New(snapshot.Config{Client: h.client, Store: h.store, Progress: func(p snapshot.Progress) {
		if p.Dataset == "job_candidates" && !deleted.Load() {
			deleted.Store(h.sim.DeleteJob(last))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	h.runner = r
	res, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
	if err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("a job deleted mid-run failed the run: %+v, %v", res, err)
	}
	if !deleted.Load() {
		t.Fatal("the job was not deleted")
	}
	checkAgainstTruth(t, h, day, res.RunID, checkOptions{before: &before})
	m := readManifest(t, h.dir, "job_candidates", day)
	if len(m.Unreconciled) != 1 || !strings.Contains(m.Unreconciled[0].List, last) || !strings.Contains(m.Unreconciled[0].Reason, "404") {
		t.Errorf("manifest unreconciled %+v; want the deleted job %s", m.Unreconciled, last)
	}
}

func TestRunner_Run_KekaTimingOut(t *testing.T) {
	h := newHarness(t, harnessOptions{attempts: 2})
	h.sim.SetFaults(kekasim.Faults{Slow: 1, SlowDelay: 800 * time.Millisecond}) // beyond the 500ms request timeout
	res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, StopAt: time.Now().Add(time.Minute)})
	if err == nil || res.Status != snapshot.StatusFailed || !res.Resumable {
		t.Fatalf("requests that time out on every attempt gave %+v, %v; want a resumable failure", res, err)
	}
}

func TestRunner_Run_KekaIgnoringPageNumber(t *testing.T) {
	// A proxy that always asks for page 1 of the preboarding list: a Keka
	// that ignored pageNumber would make a naive client page forever.
	proxy := pageOneProxy(t, "/preboarding/candidates")
	h := newHarness(t, harnessOptions{size: kekasim.Size{Jobs: 3, Applications: 60, Preboarding: 450}, proxy: proxy, sim: kekasim.Options{Shape: kekasim.ShapeEnvelope}})
	res, err := h.runToEnd(t, snapshot.Request{Date: day, Datasets: []string{"preboarding_candidates"}}, 0, nil)
	if err != nil || res.Status != snapshot.StatusIncomplete {
		t.Fatalf("run: %+v, %v", res, err)
	}
	m := readManifest(t, h.dir, "preboarding_candidates", day)
	if m.Rows != 200 || len(m.Unreconciled) != 1 || m.Unreconciled[0].Reported != 450 {
		t.Errorf("manifest: %d rows, unreconciled %+v; want the 200 of page 1 and the list reported", m.Rows, m.Unreconciled)
	}
}

func TestRunner_Run_ListThatNeverSettles(t *testing.T) {
	h := newHarness(t, harnessOptions{size: kekasim.Size{Jobs: 4, Applications: 900, Preboarding: 450}, sim: kekasim.Options{Shape: kekasim.ShapeEnvelope}})
	before := h.sim.Truth()
	h.sim.SetFaults(kekasim.Faults{MutateEveryPages: 1})
	res, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
	if err != nil || res.Status != snapshot.StatusIncomplete {
		t.Fatalf("run: %+v, %v", res, err)
	}
	checkAgainstTruth(t, h, day, res.RunID, checkOptions{changed: true, before: &before})
	var unreconciled []snapshot.Unreconciled
	for _, ds := range defaultNames() {
		m := readManifest(t, h.dir, ds, day)
		unreconciled = append(unreconciled, m.Unreconciled...)
		if m.Rereads > 3*int64(len(before.Jobs)*2+2) {
			t.Errorf("%s: %d re-reads, more than the bound allows", ds, m.Rereads)
		}
	}
	if len(unreconciled) == 0 {
		t.Fatal("lists that changed on every page were not reported as unreconciled")
	}
	for _, u := range unreconciled {
		if u.List == "" || u.Reported < 0 {
			t.Errorf("unreconciled entry %+v", u)
		}
	}
}

func TestRunner_Run_Resumable(t *testing.T) {
	t.Run("spans invocations and readers never see a mix", func(t *testing.T) {
		h := newHarness(t, harnessOptions{config: func(c *snapshot.Config) { c.CheckpointEvery = 30 * time.Millisecond }})
		old, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		db := duckDB(t)
		between := func(res snapshot.Result) {
			// Between invocations an Athena-style reader still sees the
			// old run only, in every table.
			if got := runIDs(t, db, h.dir); !slices.Equal(got, []string{old.RunID}) {
				t.Fatalf("after invocation %d a reader sees runs %v, want only %s", res.Invocations, got, old.RunID)
			}
		}
		h.sim.SetFaults(kekasim.Faults{Slow: 1, SlowDelay: 24 * time.Millisecond}) // over 300 ms of requests at concurrency 4: 5 budgets or more
		res, err := h.runToEnd(t, snapshot.Request{Date: day}, 60*time.Millisecond, between)
		if err != nil || res.Status != snapshot.StatusComplete {
			t.Fatalf("run: %+v, %v", res, err)
		}
		if res.Invocations < 4 {
			t.Fatalf("the run took %d invocations; the test needs at least 4", res.Invocations)
		}
		checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
		if got := runIDs(t, db, h.dir); !slices.Equal(got, []string{res.RunID}) {
			t.Fatalf("after the run a reader sees runs %v, want only %s", got, res.RunID)
		}
	})

	t.Run("deadline in the middle of a page", func(t *testing.T) {
		h := newHarness(t, harnessOptions{size: kekasim.Size{Jobs: 8, Applications: 700, Preboarding: 205}})
		h.sim.SetFaults(kekasim.Faults{Slow: 0.3, SlowDelay: 150 * time.Millisecond})
		res, err := h.runToEnd(t, snapshot.Request{Date: day}, 100*time.Millisecond, nil)
		if err != nil || res.Status != snapshot.StatusComplete {
			t.Fatalf("run: %+v, %v", res, err)
		}
		if res.Invocations < 2 {
			t.Fatalf("the deadline never interrupted the run (%d invocations)", res.Invocations)
		}
		checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
	})

	t.Run("resumes after a crash between two invocations", func(t *testing.T) {
		var crash atomic.Bool
		var saves atomic.Int64
		wrap := func(st store.Store) store.Store {
			return &faultyStore{Store: st, put: func(key string) error {
				if strings.HasSuffix(key, "checkpoint.json") && saves.Add(1) > 3 && crash.Load() {
					return errCrash
				}
				return nil
			}}
		}
		dir := t.TempDir()
		h := newHarness(t, harnessOptions{dir: dir, store: wrap, config: func(c *snapshot.Config) { c.CheckpointEvery = time.Nanosecond }})
		crash.Store(true)
		res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day})
		if err == nil || res.Status != snapshot.StatusFailed || !res.Resumable {
			t.Fatalf("the crashed invocation returned %+v, %v", res, err)
		}
		// A new process: a new client and runner over the same directory,
		// against a simulator serving the same tenant. The crashed one
		// could not release its lease: at first the date is held, and
		// nothing changes; once the lease has lapsed, the run resumes.
		crash.Store(false)
		before := readAll(t, dir)
		h2 := newHarness(t, harnessOptions{dir: dir})
		res, err = h2.runner.Run(context.Background(), snapshot.Request{Date: day})
		if !errors.Is(err, snapshot.ErrBusy) {
			t.Fatalf("a run while the crashed invocation's lease holds = %+v, %v; want ErrBusy", res, err)
		}
		if after := readAll(t, dir); !maps.Equal(before, after) {
			t.Fatalf("the refused invocation changed the store")
		}
		later := func() time.Time { return time.Now().Add(snapshot.DefaultLeaseTTL + time.Second) }
		h2 = newHarness(t, harnessOptions{dir: dir, config: func(c *snapshot.Config) { c.Now = later }})
		res, err = h2.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err != nil || res.Status != snapshot.StatusComplete {
			t.Fatalf("resumed run: %+v, %v", res, err)
		}
		if res.Invocations < 2 {
			t.Errorf("the run restarted instead of resuming: %d invocations", res.Invocations)
		}
		checkAgainstTruth(t, h2, day, res.RunID, checkOptions{})
	})

	t.Run("a store failure keeps the checkpoint and the previous snapshot", func(t *testing.T) {
		var fail atomic.Bool
		wrap := func(st store.Store) store.Store {
			return &faultyStore{Store: st, create: func(key string) error {
				if fail.Load() && strings.Contains(key, "/job_candidates/segment-") {
					return errors.New("s3: upload part: 500 InternalError")
				}
				return nil
			}}
		}
		h := newHarness(t, harnessOptions{store: wrap, config: func(c *snapshot.Config) { c.CheckpointEvery = 20 * time.Millisecond }})
		old, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		before := readFile(t, h.dir, "job_candidates/dt=2026-11-26/part-00000.parquet")
		fail.Store(true)
		res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day})
		if err == nil || !res.Resumable {
			t.Fatalf("failing store: %+v, %v", res, err)
		}
		if after := readFile(t, h.dir, "job_candidates/dt=2026-11-26/part-00000.parquet"); !bytes.Equal(before, after) {
			t.Fatal("the previous snapshot changed during a failed run")
		}
		checkAgainstTruth(t, h, day, old.RunID, checkOptions{})
		fail.Store(false)
		res, err = h.runToEnd(t, snapshot.Request{Date: day, RunID: res.RunID}, 0, nil)
		if err != nil || res.Status != snapshot.StatusComplete || res.Invocations != 2 {
			t.Fatalf("resumed run: %+v, %v", res, err)
		}
		checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
	})
}

func TestRunner_Run_Credentials(t *testing.T) {
	t.Run("rotated mid-run: the new secret is fetched and the run completes", func(t *testing.T) {
		var current atomic.Value
		current.Store(simClientSecret)
		h := newHarness(t, harnessOptions{creds: func() keka.Credentials {
			return keka.Credentials{ClientID: simClientID, ClientSecret: current.Load().(string), APIKey: simAPIKey}
		}})
		var pages atomic.Int64
		rotate := func(snapshot.Progress) {
			if pages.Add(1) == 10 {
				h.sim.RotateCredentials("rotated-secret")
				current.Store("rotated-secret")
			}
		}
		r, err := snapshot.New(snapshot.Config{Client: h.client, Store: h.store, Progress: rotate})
		if err != nil {
			t.Fatal(err)
		}
		h.runner = r
		res, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err != nil || res.Status != snapshot.StatusComplete {
			t.Fatalf("run: %+v, %v", res, err)
		}
		checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
	})

	t.Run("revoked mid-run: the run fails, cleans up, and the previous snapshot stays", func(t *testing.T) {
		h := newHarness(t, harnessOptions{})
		old, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		before := partitionFiles(t, h.dir)
		var pages atomic.Int64
		r, err := snapshot.New(snapshot.Config{Client: h.client, Store: h.store, Logger: slogTo(h.logs), CheckpointEvery: time.Nanosecond, Progress: func(snapshot.Progress) {
			if pages.Add(1) == 10 {
				h.sim.RotateCredentials("nobody-told-us")
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.Run(context.Background(), snapshot.Request{Date: day})
		if err == nil || res.Status != snapshot.StatusFailed || res.Resumable {
			t.Fatalf("run with revoked credentials: %+v, %v", res, err)
		}
		if !errors.Is(err, keka.ErrUnauthorized) {
			t.Errorf("error %v is not ErrUnauthorized", err)
		}
		if after := partitionFiles(t, h.dir); !slices.Equal(before, after) {
			t.Errorf("files changed by the failed run:\nbefore %v\nafter  %v", before, after)
		}
		checkAgainstTruth(t, h, day, old.RunID, checkOptions{})
		for _, secret := range []string{simClientSecret, simAPIKey, "nobody-told-us", "Bearer "} {
			if strings.Contains(h.logs.String(), secret) || strings.Contains(res.Error, secret) {
				t.Errorf("%q appears in the logs or the result", secret)
			}
		}
	})
}

func TestRunner_Run_GuardRail(t *testing.T) {
	shrunk := kekasim.Size{Jobs: 25, Applications: 600, Preboarding: 230}
	bigThenSmall := func(t *testing.T) *harness {
		dir := t.TempDir()
		big := newHarness(t, harnessOptions{dir: dir})
		if _, err := big.runToEnd(t, snapshot.Request{Date: day.AddDate(0, 0, -1)}, 0, nil); err != nil {
			t.Fatal(err)
		}
		return newHarness(t, harnessOptions{dir: dir, size: shrunk})
	}

	t.Run("refused, then published with force without fetching again", func(t *testing.T) {
		small := bigThenSmall(t)
		res, err := small.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if !errors.Is(err, snapshot.ErrRefused) || res.Status != snapshot.StatusFailed || !res.Resumable ||
			!strings.Contains(res.Error, "job_candidates") || !strings.Contains(res.Error, "force") || !strings.Contains(res.Error, res.RunID) {
			t.Fatalf("a snapshot that lost most applications was not refused: %+v, %v", res, err)
		}
		for _, f := range partitionFiles(t, small.dir) {
			if strings.Contains(f, "dt=2026-11-26") && !strings.HasPrefix(f, "_runs/") {
				t.Errorf("refused run published %s", f)
			}
		}
		requests := small.sim.Stats().Requests
		forced, err := small.runner.Run(context.Background(), snapshot.Request{Date: day, RunID: res.RunID, Force: true})
		if err != nil || forced.Status != snapshot.StatusComplete || forced.RunID != res.RunID {
			t.Fatalf("forced publish: %+v, %v", forced, err)
		}
		if n := small.sim.Stats().Requests - requests; n != 0 {
			t.Errorf("publishing with force made %d requests; the run was already fetched", n)
		}
		checkAgainstTruth(t, small, day, res.RunID, checkOptions{})
	})

	t.Run("force is kept across a run's invocations", func(t *testing.T) {
		// The continuation events carry only the date and the run id.
		small := bigThenSmall(t)
		small.sim.SetFaults(kekasim.Faults{Slow: 1, SlowDelay: 2 * time.Millisecond})
		res, err := small.runToEnd(t, snapshot.Request{Date: day, Force: true}, 20*time.Millisecond, nil)
		if err != nil || res.Status != snapshot.StatusComplete {
			t.Fatalf("forced run: %+v, %v", res, err)
		}
		if res.Invocations < 2 {
			t.Errorf("the forced run took %d invocation; the test needs several", res.Invocations)
		}
		checkAgainstTruth(t, small, day, res.RunID, checkOptions{})
	})
}

func TestRunner_Run_BadRequests(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	for name, req := range map[string]snapshot.Request{
		"unknown dataset": {Date: day, Datasets: []string{"offers"}},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := h.runner.Run(context.Background(), req)
			if err == nil || res.Status != snapshot.StatusFailed {
				t.Fatalf("got %+v, %v", res, err)
			}
			if files := partitionFiles(t, h.dir); len(files) != 0 {
				t.Errorf("a bad request wrote %v", files)
			}
			if n := h.sim.Stats().Requests; n != 0 {
				t.Errorf("a bad request made %d API requests", n)
			}
		})
	}
	t.Run("run id of another run", func(t *testing.T) {
		h.sim.SetFaults(kekasim.Faults{Slow: 1, SlowDelay: 2 * time.Millisecond})
		res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, StopAt: time.Now().Add(5 * time.Millisecond)})
		if err != nil || res.Status != snapshot.StatusInProgress {
			t.Fatalf("the run did not stop at its budget: %+v, %v", res, err)
		}
		res2, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, RunID: "20200101T000000Z-00000000"})
		if err == nil || !strings.Contains(res2.Error, res.RunID) {
			t.Fatalf("got %+v, %v", res2, err)
		}
	})
}

func duckDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// runIDs returns the distinct run ids an Athena-style reader sees across all
// datasets, reading every partition with hive partitioning as Athena does.
func runIDs(t *testing.T, db *sql.DB, dir string) []string {
	t.Helper()
	var parts []string
	for _, ds := range defaultNames() {
		parts = append(parts, "SELECT run_id FROM read_parquet('"+filepath.ToSlash(filepath.Join(dir, ds, "*", "*.parquet"))+"', hive_partitioning = true) WHERE dt = '2026-11-26'")
	}
	rows, err := db.Query("SELECT DISTINCT run_id FROM (" + strings.Join(parts, " UNION ALL ") + ") ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func readFile(t *testing.T, dir, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var errCrash = errors.New("process crashed")

// faultyStore fails chosen operations of the store it wraps.
type faultyStore struct {
	store.Store
	put    func(key string) error
	create func(key string) error
}

func (f *faultyStore) Put(ctx context.Context, key string, data []byte) error {
	if f.put != nil {
		if err := f.put(key); err != nil {
			return err
		}
	}
	return f.Store.Put(ctx, key, data)
}

func (f *faultyStore) PutIf(ctx context.Context, key string, data []byte, version string) (string, error) {
	if f.put != nil {
		if err := f.put(key); err != nil {
			return "", err
		}
	}
	return f.Store.PutIf(ctx, key, data, version)
}

func (f *faultyStore) Create(ctx context.Context, key string) (store.Writer, error) {
	if f.create != nil {
		if err := f.create(key); err != nil {
			return nil, err
		}
	}
	return f.Store.Create(ctx, key)
}

func TestRunner_Run_PII(t *testing.T) {
	for _, mode := range []dataset.PIIMode{dataset.PIIHash, dataset.PIIDrop} {
		t.Run(string(mode), func(t *testing.T) {
			h := newHarness(t, harnessOptions{config: func(c *snapshot.Config) {
				c.PII = dataset.PII{Mode: mode, Key: []byte("0123456789abcdef-test-key")}
			}})
			res, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			truth := map[string]kekasim.TruthApplication{}
			for _, a := range h.sim.Truth().Applications {
				truth[a.JobID+"/"+a.CandidateID] = a
			}
			hashes := map[string]string{} // candidate id -> email hash, across jobs
			checked := 0
			for _, r := range readRows[dataset.JobCandidateRow](t, h.dir, "job_candidates", day) {
				w := truth[r.JobID+"/"+r.CandidateID]
				if w.Email == nil || w.LastName == nil {
					continue
				}
				checked++
				if strings.Contains(r.RawJSON, *w.Email) || strings.Contains(r.RawJSON, `"`+*w.LastName+`"`) {
					t.Fatalf("%s: raw_json still holds the email or last name", r.CandidateID)
				}
				switch mode {
				case dataset.PIIDrop:
					if r.Email != nil || r.LastName != nil || r.FirstName != nil {
						t.Fatalf("%s: personal columns not dropped", r.CandidateID)
					}
				case dataset.PIIHash:
					if r.Email == nil || *r.Email == *w.Email || len(*r.Email) != 64 {
						t.Fatalf("%s: email column %s is not a hash", r.CandidateID, show(r.Email))
					}
					if prev, ok := hashes[r.CandidateID]; ok && prev != *r.Email {
						t.Fatalf("%s: the same email hashes differently on two jobs", r.CandidateID)
					}
					hashes[r.CandidateID] = *r.Email
				}
			}
			if checked == 0 {
				t.Fatal("no application with an email to check")
			}
			if m := readManifest(t, h.dir, "job_candidates", day); m.PII != string(mode) || m.RunID != res.RunID {
				t.Errorf("manifest says pii %q run %s", m.PII, m.RunID)
			}
		})
	}
}

func TestRunner_Run_Restart(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	first := startUnfinished(t, h)
	if res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, Restart: true}); err == nil || !strings.Contains(res.Error, "runId") {
		t.Fatalf("restart without the run to discard: %+v, %v", res, err)
	}

	restart := snapshot.Request{Date: day, Restart: true, RunID: first.RunID, StopAt: time.Now().Add(15 * time.Millisecond)}
	second, err := h.runner.Run(context.Background(), restart)
	if err != nil || second.RunID == first.RunID {
		t.Fatalf("restart: %+v, %v", second, err)
	}
	for _, f := range partitionFiles(t, h.dir) {
		if strings.Contains(f, first.RunID) {
			t.Errorf("the discarded run's object %s is still there", f)
		}
	}
	// The same event again, as a retry delivers it: it must continue the
	// run it started, not discard that one too.
	restart.StopAt = time.Time{}
	again, err := h.runner.Run(context.Background(), restart)
	if err != nil || again.RunID != second.RunID || again.Status != snapshot.StatusComplete {
		t.Fatalf("retried restart: %+v, %v; want run %s completed", again, err, second.RunID)
	}
	checkAgainstTruth(t, h, day, second.RunID, checkOptions{})
}

func TestRunner_Run_UnreadableCheckpoint(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	if err := h.store.Put(context.Background(), "_runs/dt=2026-11-26/checkpoint.json", []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day})
	if err == nil || res.Resumable || !strings.Contains(res.Error, "restart") {
		t.Fatalf("unreadable checkpoint: %+v, %v; want a final error naming restart", res, err)
	}
	res, err = h.runToEnd(t, snapshot.Request{Date: day, Restart: true, RunID: "unreadable"}, 0, nil)
	if err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("restart over an unreadable checkpoint: %+v, %v", res, err)
	}
	checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
}

func TestRunner_Run_SettingsChangedMidRun(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	first := startUnfinished(t, h)
	hashing, err := snapshot.New(snapshot.Config{Client: h.client, Store: h.store, PII: dataset.PII{Mode: dataset.PIIHash, Key: []byte("0123456789abcdef-key")}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := hashing.Run(context.Background(), snapshot.Request{Date: day, RunID: first.RunID})
	if err == nil || res.Resumable || !strings.Contains(res.Error, "PII mode") {
		t.Fatalf("a run continued under another PII mode: %+v, %v", res, err)
	}
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	zoned, err := snapshot.New(snapshot.Config{Client: h.client, Store: h.store, Zone: kolkata})
	if err != nil {
		t.Fatal(err)
	}
	res, err = zoned.Run(context.Background(), snapshot.Request{Date: day, RunID: first.RunID})
	if err == nil || res.Resumable || !strings.Contains(res.Error, "zone of zone-less timestamps (UTC, now Asia/Kolkata)") {
		t.Fatalf("a run continued under another zone: %+v, %v", res, err)
	}
	// Reverting the setting lets the run go on where it was.
	res, err = h.runToEnd(t, snapshot.Request{Date: day, RunID: first.RunID}, 0, nil)
	if err != nil || res.RunID != first.RunID || res.Status != snapshot.StatusComplete {
		t.Fatalf("run after reverting the setting: %+v, %v", res, err)
	}
	checkAgainstTruth(t, h, day, first.RunID, checkOptions{})
}

// finished reports whether res ended the run, as complete exactly when no
// list is recorded as missing records.
func finished(res snapshot.Result) bool {
	missing := false
	for _, d := range res.Datasets {
		for _, u := range d.Unreconciled {
			missing = missing || u.Missing()
		}
	}
	if missing {
		return res.Status == snapshot.StatusIncomplete
	}
	return res.Status == snapshot.StatusComplete
}
