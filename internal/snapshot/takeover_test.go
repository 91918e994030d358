package snapshot_test

// Takeover tests: runs that lose their lease, writes whose outcome is
// unknown, and retried events, each against the guarantee of the README
// it must keep.

import (
	"context"
	"errors"
	"net/http"
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
)

// later is a clock past any lease taken with the real one.
func later() time.Time { return time.Now().Add(snapshot.DefaultLeaseTTL + time.Second) }

// badRequestProxy answers 400 (a permanent Keka error) to every API
// request while armed.
func badRequestProxy(t testing.TB, armed *atomic.Bool) func(string) string {
	return interceptProxy(t, func(w http.ResponseWriter, r *http.Request, _ string) bool {
		if armed.Load() {
			kekaError(w, http.StatusBadRequest, "bad request")
			return true
		}
		return false
	})
}

// blockingProgress returns a Progress hook that, at its first call,
// signals arrived and waits for release.
func blockingProgress(arrived, release chan struct{}) func(snapshot.Progress) {
	var once sync.Once
	return func(snapshot.Progress) { once.Do(func() { close(arrived); <-release }) }
}

// A resumed invocation takes the lease before it does anything else, so a
// second invocation of the date is turned away, not left to work the run
// beside it.
func TestRunner_Run_ResumedInvocationHoldsTheLease(t *testing.T) {
	dir := t.TempDir()
	h0 := newHarness(t, harnessOptions{dir: dir})
	startUnfinished(t, h0) // leaves an in-progress run, lease released

	arrived, release := make(chan struct{}), make(chan struct{})
	a := newHarness(t, harnessOptions{dir: dir, config: func(c *snapshot.Config) { c.Progress = blockingProgress(arrived, release) }})
	done := make(chan error, 1)
	go func() {
		_, err := a.runner.Run(context.Background(), snapshot.Request{Date: day})
		done <- err
	}()
	<-arrived // A has resumed the run and taken a page

	b := newHarness(t, harnessOptions{dir: dir})
	res, err := b.runner.Run(context.Background(), snapshot.Request{Date: day})
	close(release)
	aerr := <-done
	if !errors.Is(err, snapshot.ErrBusy) {
		t.Errorf("a second invocation while a resumed one works the run = status %q, %v; want ErrBusy (README: a live lease turns it away). The first invocation then ended with: %v", res.Status, err, aerr)
	}
}

// An invocation whose lease lapsed and was taken over, but that has not
// noticed yet, meets a permanent error: it learns it lost the run when it
// saves the failure, answers DateBusy, and removes nothing of what the new
// holder staged.
func TestRunner_Run_LostHolderDeletesTheWinnersSegments(t *testing.T) {
	dir := t.TempDir()
	var bad atomic.Bool
	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	a := newHarness(t, harnessOptions{dir: dir, proxy: badRequestProxy(t, &bad), config: func(c *snapshot.Config) {
		c.Concurrency = 1 // so that A's next step after the pause is a request, not a settle
		c.Progress = func(p snapshot.Progress) {
			if p.Dataset == "job_candidates" {
				once.Do(func() { close(arrived); <-release })
			}
		}
	}})
	type outcome struct {
		res snapshot.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := a.runner.Run(context.Background(), snapshot.Request{Date: day})
		done <- outcome{res, err}
	}()
	<-arrived

	// B comes after A's lease has lapsed (by its clock), resumes the run,
	// checkpoints segments of its own and stops at its deadline.
	b := newHarness(t, harnessOptions{dir: dir, config: func(c *snapshot.Config) {
		c.Now = later
		c.CheckpointEvery = time.Nanosecond
	}})
	b.sim.SetFaults(kekasim.Faults{Slow: 1, SlowDelay: 2 * time.Millisecond})
	bres, berr := b.runner.Run(context.Background(), snapshot.Request{Date: day, StopAt: time.Now().Add(40 * time.Millisecond)})
	b.sim.SetFaults(kekasim.Faults{})
	if berr != nil || bres.Status != snapshot.StatusInProgress {
		close(release)
		<-done
		t.Fatalf("B: %+v, %v; want in progress", bres, berr)
	}
	cp := readCheckpoint(t, dir)
	var named []string
	for _, segs := range cp.Segments {
		for _, s := range segs {
			named = append(named, s.Key)
		}
	}
	if len(named) == 0 {
		close(release)
		<-done
		t.Fatal("B committed no segment; the test needs one")
	}

	// A goes on and meets a permanent Keka error.
	bad.Store(true)
	close(release)
	ao := <-done
	if !errors.Is(ao.err, snapshot.ErrBusy) {
		t.Errorf("A, which had lost the run to B, returned %q (class %s): %v; want ErrBusy and nothing changed", ao.res.Status, snapshot.Classify(ao.err), ao.err)
	}
	for _, k := range named {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(k))); err != nil {
			t.Errorf("segment %s named by B's checkpoint is gone: %v", k, err)
		}
	}
	// The date's run should still finish by resuming.
	c := newHarness(t, harnessOptions{dir: dir, config: func(c *snapshot.Config) {
		c.Now = func() time.Time { return later().Add(2 * snapshot.DefaultLeaseTTL) }
	}})
	res, err := c.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
	if err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("resuming B's run after A's failure: %q, %v; want complete", res.Status, err)
	}
	checkAgainstTruth(t, c, day, res.RunID, checkOptions{})
}

// ambiguousStore makes one checkpoint PutIf land and then report a
// failure, as an S3 PUT whose response is lost does.
type ambiguousStore struct {
	store.Store
	n, at atomic.Int64
}

func (s *ambiguousStore) PutIf(ctx context.Context, key string, data []byte, version string) (string, error) {
	v, err := s.Store.PutIf(ctx, key, data, version)
	if err == nil && strings.HasSuffix(key, "checkpoint.json") && strings.Contains(string(data), "/job_candidates/segment-") && s.n.Add(1) == s.at.Load() {
		return "", errors.New("s3: put object: operation error S3: PutObject, https response error: context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
	}
	return v, err
}

// A checkpoint write that landed but reported a failure (a lost S3
// response) is recognised as this invocation's own: the segments it names
// stay, and the run is not taken for another invocation's.
func TestRunner_Run_AmbiguousCheckpointWrite(t *testing.T) {
	dir := t.TempDir()
	amb := &ambiguousStore{}
	amb.at.Store(3)
	h := newHarness(t, harnessOptions{dir: dir, store: func(st store.Store) store.Store { amb.Store = st; return amb }, config: func(c *snapshot.Config) { c.CheckpointEvery = time.Nanosecond }})
	res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day})
	t.Logf("invocation with the ambiguous write: status %q resumable %v class %s: %v", res.Status, res.Resumable, snapshot.Classify(err), err)
	if errors.Is(err, snapshot.ErrBusy) || strings.Contains(h.logs.String(), "written by another invocation") {
		t.Errorf("the invocation took its own checkpoint write for another invocation's")
	}
	cp := readCheckpoint(t, dir)
	if cp.Status == snapshot.StatusComplete {
		// The write that seemed to fail was recognised as landed, and the
		// run went on to the end.
		checkAgainstTruth(t, h, day, cp.RunID, checkOptions{})
		return
	}
	for _, segs := range cp.Segments {
		for _, s := range segs {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(s.Key))); err != nil {
				t.Errorf("the checkpoint names segment %s, which was removed: %v", s.Key, err)
			}
		}
	}
	h2 := newHarness(t, harnessOptions{dir: dir, config: func(c *snapshot.Config) { c.Now = later }})
	res, err = h2.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
	if err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("resuming after the ambiguous write: %q, %v; want complete", res.Status, err)
	}
	checkAgainstTruth(t, h2, day, res.RunID, checkOptions{})
}

// A redelivered continuation event ({date, runId}) of a run that failed
// for good is answered with that run's failure, as the first delivery was.
func TestRunner_Run_RedeliveredEventOfAFailedRun(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	first := startUnfinished(t, h)
	revoking := revokingRunner(t, h)
	event := snapshot.Request{Date: day, RunID: first.RunID}
	failed, err := revoking.Run(context.Background(), event)
	if err == nil || failed.Resumable || snapshot.Classify(err) != snapshot.ClassRunFailed {
		t.Fatalf("the run should fail for good: %+v, %v", failed, err)
	}
	h.sim.RotateCredentials(simClientSecret)
	again, err := h.runner.Run(context.Background(), event) // the same event, redelivered
	if c := snapshot.Classify(err); c != snapshot.ClassRunFailed || again.RunID != first.RunID {
		t.Errorf("the redelivered event of a failed run: class %s, run %q: %v; want RunFailed for run %s", c, again.RunID, err, first.RunID)
	}
}
