package snapshot_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
	"github.com/kekaexport/keka-hire-export/internal/store"
)

// TestRunner_Run_PublishWaitsForABudget: an invocation whose fetching used
// up its budget does not begin publishing (which could run into the hard
// deadline half-way); the next one, with nothing else to do, publishes
// every dataset at once. Each segment takes 150 ms to open and each
// invocation has 100 ms, so every fetching invocation ends past its budget.
func TestRunner_Run_PublishWaitsForABudget(t *testing.T) {
	var mu sync.Mutex
	invocation := 1
	segments, manifests := map[int]int{}, map[int]int{}
	count := func(m map[int]int) {
		mu.Lock()
		m[invocation]++
		mu.Unlock()
	}
	h := newHarness(t, harnessOptions{size: kekasim.Size{Jobs: 6, Applications: 200, Preboarding: 20},
		store: func(st store.Store) store.Store {
			return &faultyStore{Store: st,
				create: func(key string) error {
					if strings.Contains(key, "segment-") {
						time.Sleep(150 * time.Millisecond)
						count(segments)
					}
					return nil
				},
				put: func(key string) error {
					if strings.HasPrefix(key, snapshot.ManifestsPrefix) {
						count(manifests)
					}
					return nil
				}}
		}})
	res, err := h.runToEnd(t, snapshot.Request{Date: day}, 100*time.Millisecond, func(snapshot.Result) {
		mu.Lock()
		invocation++
		mu.Unlock()
	})
	if err != nil || res.Status != snapshot.StatusComplete {
		t.Fatalf("run: %+v, %v", res, err)
	}
	if len(manifests) != 1 {
		t.Fatalf("manifests written in %d invocations (%v), want one: readers would see a mix of runs", len(manifests), manifests)
	}
	for i, n := range manifests {
		if n != len(res.Datasets) {
			t.Errorf("invocation %d wrote %d manifests, want %d", i, n, len(res.Datasets))
		}
		if segments[i] > 0 {
			t.Errorf("invocation %d began publishing after fetching past its budget (%d segments opened)", i, segments[i])
		}
	}
	t.Logf("%d invocations; segments opened %v, manifests written %v", res.Invocations, segments, manifests)
	checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
}
