package snapshot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
	"github.com/kekaexport/keka-hire-export/internal/store"
	s3store "github.com/kekaexport/keka-hire-export/internal/store/s3"
	"github.com/kekaexport/keka-hire-export/internal/testenv"
)

// readAll returns every file under dir by its relative path.
func readAll(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// race runs two processes' worth of invocation loops on one date at once
// and returns the results of each loop's last invocation.
func race(t *testing.T, a, b *harness, budget time.Duration) ([2]error, int64) {
	t.Helper()
	var wg sync.WaitGroup
	var errs [2]error
	var completed, busy atomic.Int64
	start := make(chan struct{})
	for i, h := range []*harness{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := h.runToEnd(t, snapshot.Request{Date: day}, budget, nil)
			switch {
			case err == nil && res.Status == snapshot.StatusComplete:
				completed.Add(1)
			case errors.Is(err, snapshot.ErrBusy):
				busy.Add(1)
			default:
				errs[i] = fmt.Errorf("process %d ended with %+v, %v; want complete or ErrBusy", i+1, res, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if completed.Load() == 0 && errs[0] == nil && errs[1] == nil {
		errs[0] = errors.New("neither process completed the run")
	}
	return errs, busy.Load()
}

func TestRunner_Run_ConcurrentRunsOfOneDate(t *testing.T) {
	size := kekasim.Size{Jobs: 12, Applications: 900, Preboarding: 250}
	envelope := kekasim.Options{Shape: kekasim.ShapeEnvelope}

	t.Run("local store", func(t *testing.T) {
		var busy int64
		for i := range 12 {
			dir := t.TempDir()
			a := newHarness(t, harnessOptions{dir: dir, size: size, sim: envelope})
			b := newHarness(t, harnessOptions{dir: dir, size: size, sim: envelope})
			errs, n := race(t, a, b, 40*time.Millisecond)
			for _, err := range errs {
				if err != nil {
					t.Fatalf("pair %d: %v\nlogs a:\n%s\nlogs b:\n%s", i, err, a.logs, b.logs)
				}
			}
			busy += n
			cp := readCheckpoint(t, dir)
			if cp.Status != snapshot.StatusComplete {
				t.Fatalf("pair %d: the date's checkpoint says %q, want complete", i, cp.Status)
			}
			checkAgainstTruth(t, a, day, cp.RunID, checkOptions{})
			for rel := range readAll(t, dir) {
				if strings.HasPrefix(rel, "_runs/") && rel != "_runs/dt=2026-11-26/checkpoint.json" {
					t.Errorf("pair %d: %s left behind", i, rel)
				}
			}
		}
		if busy == 0 {
			t.Fatalf("in 12 pairs no invocation ever found the date held: the test does not race")
		}
	})

	t.Run("S3", func(t *testing.T) {
		m := testenv.StartMoto(t)
		for i := range 3 {
			bucket := m.CreateBucket(t, fmt.Sprintf("lease-race-%d", i))
			s3s, err := s3store.New(m.S3(t), s3store.Options{Bucket: bucket, Prefix: "keka"})
			if err != nil {
				t.Fatal(err)
			}
			onS3 := func(store.Store) store.Store { return s3s }
			a := newHarness(t, harnessOptions{size: size, sim: envelope, store: onS3})
			b := newHarness(t, harnessOptions{size: size, sim: envelope, store: onS3})
			errs, _ := race(t, a, b, 150*time.Millisecond)
			for _, err := range errs {
				if err != nil {
					t.Fatalf("pair %d: %v", i, err)
				}
			}
			// Bring the bucket down to a directory and check it there.
			dir := t.TempDir()
			objs, err := s3s.List(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objs {
				data, err := s3s.Get(context.Background(), o.Key)
				if err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(dir, filepath.FromSlash(o.Key))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, data, 0o644); err != nil {
					t.Fatal(err)
				}
				if strings.HasPrefix(o.Key, "_runs/") && !strings.HasSuffix(o.Key, "/checkpoint.json") {
					t.Errorf("pair %d: %s left behind", i, o.Key)
				}
			}
			cp := readCheckpoint(t, dir)
			if cp.Status != snapshot.StatusComplete {
				t.Fatalf("pair %d: checkpoint status %q, want complete", i, cp.Status)
			}
			a.dir = dir
			checkAgainstTruth(t, a, day, cp.RunID, checkOptions{})
		}
	})
}

type checkpointView struct {
	RunID      string `json:"runId"`
	Status     string `json:"status"`
	Publishing bool   `json:"publishing"`
	Segments   map[string][]struct {
		Key   string `json:"key"`
		Bytes int64  `json:"bytes"`
	} `json:"segments"`
	Published []string `json:"published"`
}

func readCheckpoint(t testing.TB, dir string) checkpointView {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "_runs", "dt="+day.Format(time.DateOnly), "checkpoint.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cp checkpointView
	if err := json.Unmarshal(b, &cp); err != nil {
		t.Fatal(err)
	}
	return cp
}

func TestRunner_Run_Lease(t *testing.T) {
	t.Run("an invocation that loses the checkpoint stops and changes nothing more", func(t *testing.T) {
		dir := t.TempDir()
		var stolen atomic.Bool
		var stolenWith atomic.Value
		var h *harness
		// While the first invocation works, a second one overwrites the
		// checkpoint as if its lease had lapsed.
		steal := func(st store.Store) store.Store {
			return &faultyStore{Store: st, create: func(key string) error {
				if strings.Contains(key, "/job_candidates/segment-") && stolen.CompareAndSwap(false, true) {
					b, _, err := st.GetVersion(context.Background(), "_runs/dt=2026-11-26/checkpoint.json")
					if err != nil {
						return err
					}
					stolen := append(b, ' ')
					stolenWith.Store(string(stolen))
					if err := st.Put(context.Background(), "_runs/dt=2026-11-26/checkpoint.json", stolen); err != nil {
						return err
					}
				}
				return nil
			}}
		}
		h = newHarness(t, harnessOptions{dir: dir, store: steal, config: func(c *snapshot.Config) { c.CheckpointEvery = time.Nanosecond }})
		res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day})
		if !errors.Is(err, snapshot.ErrBusy) || res.Status != snapshot.StatusFailed || res.Resumable {
			t.Fatalf("the invocation that lost its checkpoint returned %+v, %v; want a failure wrapping ErrBusy", res, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "jobs", "dt=2026-11-26")); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("the losing invocation published: %v", err)
		}
		got, err := os.ReadFile(filepath.Join(dir, "_runs", "dt=2026-11-26", "checkpoint.json"))
		if err != nil || string(got) != stolenWith.Load().(string) {
			t.Errorf("the losing invocation changed the checkpoint the other one wrote (%v)", err)
		}
	})

	t.Run("a live lease turns away a second invocation, whatever its event", func(t *testing.T) {
		dir := t.TempDir()
		h := newHarness(t, harnessOptions{dir: dir})
		release := make(chan struct{})
		var once sync.Once
		var arrived = make(chan struct{})
		first := newHarness(t, harnessOptions{dir: dir, config: func(c *snapshot.Config) {
			c.Progress = func(p snapshot.Progress) {
				if p.Dataset == "job_candidates" {
					once.Do(func() { close(arrived); <-release })
				}
			}
		}})
		done := make(chan error, 1)
		go func() {
			_, err := first.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
			done <- err
		}()
		<-arrived
		cp := readCheckpoint(t, dir)
		before := readAll(t, dir)
		for _, req := range []snapshot.Request{
			{Date: day},
			{Date: day, RunID: cp.RunID},
			{Date: day, RunID: cp.RunID, Restart: true},
			{Date: day, RunID: cp.RunID, Force: true},
		} {
			res, err := h.runner.Run(context.Background(), req)
			if !errors.Is(err, snapshot.ErrBusy) {
				t.Errorf("%+v while the date is held: %+v, %v; want ErrBusy", req, res, err)
			}
			if !strings.Contains(fmt.Sprint(err), cp.RunID) {
				t.Errorf("the busy answer does not name the run: %v", err)
			}
		}
		after := readAll(t, dir)
		for k, v := range before {
			if after[k] != v && !strings.HasSuffix(k, "checkpoint.json") {
				t.Errorf("%s changed while the second invocations were turned away", k)
			}
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatalf("the holder: %v", err)
		}
		checkAgainstTruth(t, h, day, cp.RunID, checkOptions{})
	})
}

// TestRunner_Run_WedgedDates starts from each state that left a date
// unrecoverable before runs held leases, and recovers it with one event.
func TestRunner_Run_WedgedDates(t *testing.T) {
	// publishingWith fetches a run, fails its publish after jobs, and then
	// damages the staged segments of job_candidates with damage.
	publishingWith := func(t *testing.T, damage func(dir string, key string)) (*harness, checkpointView) {
		var armed atomic.Bool
		h := newHarness(t, harnessOptions{store: failingManifest("job_candidates", &armed), config: func(c *snapshot.Config) { c.CheckpointEvery = time.Nanosecond }})
		armed.Store(true)
		res, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err == nil || !res.Resumable {
			t.Fatalf("want a resumable publish failure: %+v, %v", res, err)
		}
		armed.Store(false)
		cp := readCheckpoint(t, h.dir)
		if !cp.Publishing || len(cp.Segments["job_candidates"]) == 0 {
			t.Fatalf("checkpoint is not publishing with staged job_candidates: %+v", cp)
		}
		damage(h.dir, cp.Segments["job_candidates"][0].Key)
		// Resuming cannot finish this run, and restart is the way out.
		if res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, RunID: cp.RunID}); err == nil {
			t.Fatalf("resuming a run with damaged segments succeeded: %+v", res)
		}
		return h, cp
	}
	recover := func(t *testing.T, h *harness, cp checkpointView) {
		t.Helper()
		res, err := h.runToEnd(t, snapshot.Request{Date: day, RunID: cp.RunID, Restart: true}, 0, nil)
		if err != nil || res.Status != snapshot.StatusComplete || res.RunID == cp.RunID {
			t.Fatalf("restart of the wedged run: %+v, %v", res, err)
		}
		checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
	}

	t.Run("a staged segment is missing", func(t *testing.T) {
		h, cp := publishingWith(t, func(dir, key string) {
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(key))); err != nil {
				t.Fatal(err)
			}
		})
		recover(t, h, cp)
	})
	t.Run("a staged segment was overwritten by another run's", func(t *testing.T) {
		h, cp := publishingWith(t, func(dir, key string) {
			other := cp0(t, dir)
			if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(key)), other, 0o644); err != nil {
				t.Fatal(err)
			}
		})
		recover(t, h, cp)
	})
	t.Run("restart stays refused while the publishing run is intact", func(t *testing.T) {
		var armed atomic.Bool
		h := newHarness(t, harnessOptions{store: failingManifest("job_candidates", &armed)})
		armed.Store(true)
		res, _ := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		armed.Store(false)
		if _, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, RunID: res.RunID, Restart: true}); !errors.Is(err, snapshot.ErrInvalidRequest) {
			t.Fatalf("restart of an intact publishing run = %v, want ErrInvalidRequest", err)
		}
	})
}

// cp0 returns the published jobs object: Parquet of another shape and
// size than any job_candidates segment.
func cp0(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "jobs", "dt=2026-11-26", snapshot.DataObject))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
