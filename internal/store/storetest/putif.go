package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/store"
)

// runPutIf is the part of the suite about conditional writes (GetVersion,
// PutIf), the compare-and-swap that run leases rest on.
func runPutIf(t *testing.T, newStore func(t *testing.T) store.Store) {
	ctx := context.Background()

	t.Run("put-if creates only what does not exist", func(t *testing.T) {
		s := newStore(t)
		v1, err := s.PutIf(ctx, "lease/cp.json", []byte(`{"v":1}`), "")
		if err != nil || v1 == "" {
			t.Fatalf("PutIf on a missing key = %q, %v; want a version", v1, err)
		}
		if _, err := s.PutIf(ctx, "lease/cp.json", []byte(`{"v":2}`), ""); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second create = %v, want ErrConflict", err)
		}
		got, v, err := s.GetVersion(ctx, "lease/cp.json")
		if err != nil || string(got) != `{"v":1}` || v != v1 {
			t.Fatalf("GetVersion = %q, %q, %v; want the first content and version %q", got, v, err, v1)
		}
		if _, _, err := s.GetVersion(ctx, "lease/missing.json"); !errors.Is(err, store.ErrNotExist) {
			t.Fatalf("GetVersion(missing) = %v, want ErrNotExist", err)
		}
	})

	t.Run("put-if swaps only the version read", func(t *testing.T) {
		s := newStore(t)
		v1, err := s.PutIf(ctx, "cas/cp.json", []byte("one"), "")
		if err != nil {
			t.Fatal(err)
		}
		v2, err := s.PutIf(ctx, "cas/cp.json", []byte("two"), v1)
		if err != nil || v2 == "" || v2 == v1 {
			t.Fatalf("PutIf on the current version = %q, %v; want a new version", v2, err)
		}
		// A writer still holding v1 has lost: nothing it writes lands.
		if _, err := s.PutIf(ctx, "cas/cp.json", []byte("stale"), v1); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("PutIf on a stale version = %v, want ErrConflict", err)
		}
		if got := string(mustGet(t, s, "cas/cp.json")); got != "two" {
			t.Fatalf("content after the stale PutIf = %q, want %q", got, "two")
		}
		// The same content written again is still a new version to the
		// writer that read the old one.
		v3, err := s.PutIf(ctx, "cas/cp.json", []byte("two"), v2)
		if err != nil {
			t.Fatalf("PutIf of unchanged content: %v", err)
		}
		if _, err := s.PutIf(ctx, "cas/cp.json", []byte("x"), "not-a-version"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("PutIf on an unknown version = %v, want ErrConflict", err)
		}
		// An unconditional Put changes the version too.
		mustPut(t, s, "cas/cp.json", []byte("three"))
		if _, err := s.PutIf(ctx, "cas/cp.json", []byte("four"), v3); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("PutIf after a plain Put = %v, want ErrConflict", err)
		}
		// A removed object cannot be swapped, only created again.
		if err := s.Delete(ctx, "cas/cp.json"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PutIf(ctx, "cas/cp.json", []byte("five"), v3); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("PutIf on a deleted key = %v, want ErrConflict", err)
		}
		if _, err := s.PutIf(ctx, "cas/cp.json", []byte("five"), ""); err != nil {
			t.Fatalf("create after delete: %v", err)
		}
	})

	t.Run("put-if races have one winner", func(t *testing.T) {
		s := newStore(t)
		v0, err := s.PutIf(ctx, "race/cp.json", []byte("start"), "")
		if err != nil {
			t.Fatal(err)
		}
		const writers = 8
		var wg sync.WaitGroup
		wins := make(chan string, writers)
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				data := fmt.Sprintf("writer-%d", i)
				if _, err := s.PutIf(ctx, "race/cp.json", []byte(data), v0); err == nil {
					wins <- data
				} else if !errors.Is(err, store.ErrConflict) {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(wins)
		close(errs)
		for err := range errs {
			t.Errorf("PutIf: %v, want success or ErrConflict", err)
		}
		var winners []string
		for w := range wins {
			winners = append(winners, w)
		}
		if len(winners) != 1 {
			t.Fatalf("%d writers won the same version (%v), want exactly 1", len(winners), winners)
		}
		if got := string(mustGet(t, s, "race/cp.json")); got != winners[0] {
			t.Fatalf("content = %q, want the winner's %q", got, winners[0])
		}
	})
}
