package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/store"
)

// runStreaming is the part of the suite about Create: streamed writes,
// aborts, cancellation and concurrent writers.
func runStreaming(t *testing.T, newStore func(t *testing.T) store.Store) {
	ctx := context.Background()

	t.Run("create streams a large object in small writes", func(t *testing.T) {
		s := newStore(t)
		want := Data(LargeSize, 2)
		w, err := s.Create(ctx, "big/part-00000.parquet")
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		defer w.Abort()
		for off := 0; off < len(want); {
			n := min(32<<10+off%1000, len(want)-off) // uneven, 32 KiB-ish
			if _, err := w.Write(want[off : off+n]); err != nil {
				t.Fatalf("Write at %d: %v", off, err)
			}
			off += n
			if off == len(want)/2 {
				// Not visible before Close.
				if _, err := s.Get(ctx, "big/part-00000.parquet"); !errors.Is(err, store.ErrNotExist) {
					t.Fatalf("Get during the write: error = %v, want ErrNotExist", err)
				}
			}
		}
		if err := w.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := w.Abort(); err != nil {
			t.Fatalf("Abort after Close: %v, want nil", err)
		}
		got := mustGet(t, s, "big/part-00000.parquet")
		if !bytes.Equal(got, want) {
			t.Fatalf("Get = %d bytes, differs from the %d written", len(got), len(want))
		}
		if got := list(t, s, ""); !slices.Equal(got, []store.ObjectInfo{{Key: "big/part-00000.parquet", Size: LargeSize}}) {
			t.Fatalf("List = %v, want only the object", got)
		}
	})

	t.Run("create of an empty object", func(t *testing.T) {
		s := newStore(t)
		w, err := s.Create(ctx, "empty")
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if got := mustGet(t, s, "empty"); len(got) != 0 {
			t.Fatalf("Get = %d bytes, want 0", len(got))
		}
	})

	t.Run("abort leaves nothing", func(t *testing.T) {
		s := newStore(t)
		for _, n := range []int{0, 1000, 12 << 20} { // before, inside and past the first part
			key := fmt.Sprintf("aborted/%d.parquet", n)
			w, err := s.Create(ctx, key)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if _, err := w.Write(Data(n, 3)); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if err := w.Abort(); err != nil {
				t.Fatalf("Abort: %v", err)
			}
			if _, err := w.Write([]byte("x")); err == nil {
				t.Fatalf("Write after Abort succeeded")
			}
			if err := w.Close(); err == nil {
				t.Fatalf("Close after Abort succeeded")
			}
			if _, err := s.Get(ctx, key); !errors.Is(err, store.ErrNotExist) {
				t.Fatalf("Get after Abort: error = %v, want ErrNotExist", err)
			}
		}
		if got := list(t, s, ""); len(got) != 0 {
			t.Fatalf("List after Abort = %v, want nothing", got)
		}
	})

	t.Run("abort keeps the previous object", func(t *testing.T) {
		s := newStore(t)
		old := Data(5000, 4)
		mustPut(t, s, "k/part-00000.parquet", old)
		w, err := s.Create(ctx, "k/part-00000.parquet")
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if _, err := w.Write(Data(10<<20, 5)); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if err := w.Abort(); err != nil {
			t.Fatalf("Abort: %v", err)
		}
		if got := mustGet(t, s, "k/part-00000.parquet"); !bytes.Equal(got, old) {
			t.Fatalf("Get after Abort = %d bytes, want the previous %d", len(got), len(old))
		}
	})

	t.Run("canceled write fails and keeps the previous object", func(t *testing.T) {
		s := newStore(t)
		old := []byte("previous")
		mustPut(t, s, "c/part-00000.parquet", old)
		for _, n := range []int{100, 12 << 20} {
			cctx, cancel := context.WithCancel(ctx)
			w, err := s.Create(cctx, "c/part-00000.parquet")
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if _, err := w.Write(Data(n, 6)); err != nil {
				t.Fatalf("Write: %v", err)
			}
			cancel()
			if err := w.Close(); err == nil {
				t.Fatalf("Close after cancel succeeded, want an error")
			}
			if err := w.Abort(); err != nil {
				t.Fatalf("Abort after failed Close: %v", err)
			}
			if got := mustGet(t, s, "c/part-00000.parquet"); !bytes.Equal(got, old) {
				t.Fatalf("Get after failed write = %q, want %q", got, old)
			}
		}
		if got := list(t, s, "c/"); !slices.Equal(got, []store.ObjectInfo{{Key: "c/part-00000.parquet", Size: int64(len(old))}}) {
			t.Fatalf("List = %v, want only the previous object", got)
		}
	})

	t.Run("concurrent writers", func(t *testing.T) {
		s := newStore(t)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				w, err := s.Create(ctx, fmt.Sprintf("same/dir/%d.parquet", i))
				if err != nil {
					errs[i] = err
					return
				}
				if _, err := w.Write(Data(1000+i, uint64(i))); err != nil {
					w.Abort()
					errs[i] = err
					return
				}
				errs[i] = w.Close()
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("writer %d: %v", i, err)
			}
			if got := mustGet(t, s, fmt.Sprintf("same/dir/%d.parquet", i)); !bytes.Equal(got, Data(1000+i, uint64(i))) {
				t.Fatalf("object %d differs", i)
			}
		}
	})
}
