// Package storetest is the conformance suite that every store.Store
// implementation passes. Tests of an implementation call Run.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/store"
)

// LargeSize is the size of the object written in small writes by the
// streaming case: several parts of the S3 store's default part size.
const LargeSize = 40 << 20

// Data returns n deterministic pseudo-random bytes, different for each seed.
func Data(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n - n%8; i < n; i++ {
		b[i] = byte(r.Uint64())
	}
	return b
}

// Run runs the suite; newStore returns an empty store for each case.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	ctx := context.Background()

	t.Run("put then get round trips", func(t *testing.T) {
		s := newStore(t)
		for _, n := range []int{0, 1, 1000, 1 << 20} {
			key := fmt.Sprintf("round/trip-%d.bin", n)
			want := Data(n, 1)
			mustPut(t, s, key, want)
			got := mustGet(t, s, key)
			if !bytes.Equal(got, want) {
				t.Fatalf("Get(%s) = %d bytes, differs from the %d put", key, len(got), len(want))
			}
		}
	})

	t.Run("put replaces", func(t *testing.T) {
		s := newStore(t)
		mustPut(t, s, "a/b.json", []byte(`{"v":1}`))
		mustPut(t, s, "a/b.json", []byte(`{"v":2}`))
		if got := string(mustGet(t, s, "a/b.json")); got != `{"v":2}` {
			t.Fatalf("Get after second Put = %q, want the second content", got)
		}
	})

	t.Run("get missing is ErrNotExist", func(t *testing.T) {
		s := newStore(t)
		mustPut(t, s, "present/x", []byte("x"))
		for _, key := range []string{"missing", "present/y", "nothere/x"} {
			_, err := s.Get(ctx, key)
			if !errors.Is(err, store.ErrNotExist) {
				t.Errorf("Get(%s) error = %v, want ErrNotExist", key, err)
			}
			_, err = s.Open(ctx, key)
			if !errors.Is(err, store.ErrNotExist) {
				t.Errorf("Open(%s) error = %v, want ErrNotExist", key, err)
			}
		}
	})

	t.Run("invalid keys are rejected", func(t *testing.T) {
		s := newStore(t)
		for _, key := range []string{"", "/abs", "../up", "a/../b", "a/./b", "a//b", "a/", `a\b`, ".."} {
			if err := s.Put(ctx, key, []byte("x")); err == nil {
				t.Errorf("Put(%q) succeeded, want an error", key)
			}
			if _, err := s.Get(ctx, key); err == nil || errors.Is(err, store.ErrNotExist) {
				t.Errorf("Get(%q) error = %v, want an invalid-key error", key, err)
			}
			if w, err := s.Create(ctx, key); err == nil {
				w.Abort()
				t.Errorf("Create(%q) succeeded, want an error", key)
			}
			if err := s.Delete(ctx, key); err == nil {
				t.Errorf("Delete(%q) succeeded, want an error", key)
			}
		}
		if got := list(t, s, ""); len(got) != 0 {
			t.Fatalf("List after rejected writes = %v, want nothing", got)
		}
	})

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

	t.Run("open reads ranges", func(t *testing.T) {
		s := newStore(t)
		data := Data(100_000, 7)
		mustPut(t, s, "r/obj.parquet", data)
		o, err := s.Open(ctx, "r/obj.parquet")
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer o.Close()
		if o.Size() != int64(len(data)) {
			t.Fatalf("Size = %d, want %d", o.Size(), len(data))
		}
		for _, c := range []struct {
			off, n int64
			want   int // bytes read
			eof    bool
		}{
			{0, 4, 4, false},
			{100_000 - 8, 8, 8, false}, // a Parquet footer
			{50_000, 1000, 1000, false},
			{99_990, 100, 10, true}, // short at the end
			{100_000, 10, 0, true},  // at the end
			{200_000, 10, 0, true},  // past the end
			{10, 0, 0, false},
		} {
			p := make([]byte, c.n)
			n, err := o.ReadAt(p, c.off)
			if n != c.want || (err == io.EOF) != c.eof || (err != nil && err != io.EOF) {
				t.Errorf("ReadAt(%d bytes at %d) = %d, %v; want %d, eof %v", c.n, c.off, n, err, c.want, c.eof)
				continue
			}
			if n > 0 && !bytes.Equal(p[:n], data[c.off:c.off+int64(n)]) {
				t.Errorf("ReadAt(%d bytes at %d) returned the wrong bytes", c.n, c.off)
			}
		}
		// io.SectionReader over the object reads it whole.
		all, err := io.ReadAll(io.NewSectionReader(o, 0, o.Size()))
		if err != nil || !bytes.Equal(all, data) {
			t.Fatalf("reading through a SectionReader: %d bytes, %v", len(all), err)
		}
	})

	t.Run("list and delete", func(t *testing.T) {
		s := newStore(t)
		keys := map[string]int{
			"jobs/dt=2026-11-25/part-00000.parquet":             10,
			"jobs/dt=2026-11-25/_manifest.json":                 3,
			"jobs/dt=2026-11-26/part-00000.parquet":             11,
			"job_candidates/dt=2026-11-26/part-00000.parquet":   12,
			"_runs/dt=2026-11-26/r1/jobs/segment-00000.parquet": 4,
			"_runs/dt=2026-11-26/checkpoint.json":               2,
			"top":                                               1,
		}
		for k, n := range keys {
			mustPut(t, s, k, Data(n, 8))
		}
		infos := func(ks ...string) []store.ObjectInfo {
			var out []store.ObjectInfo
			for _, k := range ks {
				out = append(out, store.ObjectInfo{Key: k, Size: int64(keys[k])})
			}
			return out
		}
		for _, c := range []struct {
			prefix string
			want   []store.ObjectInfo
		}{
			{"", infos("_runs/dt=2026-11-26/checkpoint.json", "_runs/dt=2026-11-26/r1/jobs/segment-00000.parquet",
				"job_candidates/dt=2026-11-26/part-00000.parquet", "jobs/dt=2026-11-25/_manifest.json",
				"jobs/dt=2026-11-25/part-00000.parquet", "jobs/dt=2026-11-26/part-00000.parquet", "top")},
			{"jobs/", infos("jobs/dt=2026-11-25/_manifest.json", "jobs/dt=2026-11-25/part-00000.parquet",
				"jobs/dt=2026-11-26/part-00000.parquet")},
			{"job", infos("job_candidates/dt=2026-11-26/part-00000.parquet", "jobs/dt=2026-11-25/_manifest.json",
				"jobs/dt=2026-11-25/part-00000.parquet", "jobs/dt=2026-11-26/part-00000.parquet")},
			{"jobs/dt=2026-11-2", infos("jobs/dt=2026-11-25/_manifest.json", "jobs/dt=2026-11-25/part-00000.parquet",
				"jobs/dt=2026-11-26/part-00000.parquet")},
			{"jobs/dt=2026-11-26/", infos("jobs/dt=2026-11-26/part-00000.parquet")},
			{"_runs/dt=2026-11-26/r1/", infos("_runs/dt=2026-11-26/r1/jobs/segment-00000.parquet")},
			{"top", infos("top")},
			{"nothing/", nil},
			{"jobs/dt=2026-11-27/", nil},
		} {
			if got := list(t, s, c.prefix); !slices.Equal(got, c.want) {
				t.Errorf("List(%q) =\n%v\nwant\n%v", c.prefix, got, c.want)
			}
		}

		if err := s.Delete(ctx); err != nil {
			t.Fatalf("Delete of nothing: %v", err)
		}
		if err := s.Delete(ctx, "_runs/dt=2026-11-26/r1/jobs/segment-00000.parquet", "jobs/dt=2026-11-25/_manifest.json", "never/was"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		for _, k := range []string{"_runs/dt=2026-11-26/r1/jobs/segment-00000.parquet", "jobs/dt=2026-11-25/_manifest.json"} {
			if _, err := s.Get(ctx, k); !errors.Is(err, store.ErrNotExist) {
				t.Errorf("Get(%s) after Delete: error = %v, want ErrNotExist", k, err)
			}
		}
		if got, want := list(t, s, "_runs/"), infos("_runs/dt=2026-11-26/checkpoint.json"); !slices.Equal(got, want) {
			t.Errorf("List(_runs/) after Delete = %v, want %v", got, want)
		}
		if got, want := list(t, s, "jobs/"), infos("jobs/dt=2026-11-25/part-00000.parquet", "jobs/dt=2026-11-26/part-00000.parquet"); !slices.Equal(got, want) {
			t.Errorf("List(jobs/) after Delete = %v, want %v", got, want)
		}
		// A new write under a directory that Delete may have removed.
		mustPut(t, s, "_runs/dt=2026-11-26/r1/jobs/segment-00001.parquet", []byte("again"))
		if got := string(mustGet(t, s, "_runs/dt=2026-11-26/r1/jobs/segment-00001.parquet")); got != "again" {
			t.Errorf("Get after re-creating the directory = %q", got)
		}
	})

	t.Run("delete many", func(t *testing.T) {
		s := newStore(t)
		var ks []string
		for i := range 1205 { // more than one DeleteObjects batch
			k := fmt.Sprintf("many/%04d", i)
			ks = append(ks, k)
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, 16)
		for _, k := range ks {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				if err := s.Put(ctx, k, []byte(k)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := list(t, s, "many/"); len(got) != len(ks) {
			t.Fatalf("List = %d objects, want %d", len(got), len(ks))
		}
		if err := s.Delete(ctx, ks[:1201]...); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		want := []store.ObjectInfo{{Key: "many/1201", Size: 9}, {Key: "many/1202", Size: 9}, {Key: "many/1203", Size: 9}, {Key: "many/1204", Size: 9}}
		if got := list(t, s, "many/"); !slices.Equal(got, want) {
			t.Fatalf("List after Delete = %v, want %v", got, want)
		}
	})

	t.Run("copy", func(t *testing.T) {
		s := newStore(t)
		data := Data(70_000, 9)
		mustPut(t, s, "_runs/r1/jobs/segment-00000.parquet", data)
		mustPut(t, s, "jobs/dt=2026-11-26/part-00000.parquet", []byte("old"))
		if err := s.Copy(ctx, "_runs/r1/jobs/segment-00000.parquet", "jobs/dt=2026-11-26/part-00000.parquet"); err != nil {
			t.Fatalf("Copy over an existing object: %v", err)
		}
		if err := s.Copy(ctx, "_runs/r1/jobs/segment-00000.parquet", "jobs/dt=2026-11-27/part-00000.parquet"); err != nil {
			t.Fatalf("Copy to a new key: %v", err)
		}
		for _, k := range []string{"_runs/r1/jobs/segment-00000.parquet", "jobs/dt=2026-11-26/part-00000.parquet", "jobs/dt=2026-11-27/part-00000.parquet"} {
			if got := mustGet(t, s, k); !bytes.Equal(got, data) {
				t.Errorf("Get(%s) after Copy = %d bytes, want the %d of the source", k, len(got), len(data))
			}
		}
		err := s.Copy(ctx, "_runs/r1/jobs/missing.parquet", "jobs/dt=2026-11-26/part-00000.parquet")
		if !errors.Is(err, store.ErrNotExist) {
			t.Fatalf("Copy of a missing source: error = %v, want ErrNotExist", err)
		}
		if got := mustGet(t, s, "jobs/dt=2026-11-26/part-00000.parquet"); !bytes.Equal(got, data) {
			t.Fatalf("failed Copy changed the destination")
		}
		if err := s.Copy(ctx, "../x", "y"); err == nil {
			t.Fatalf("Copy from an invalid key succeeded")
		}
	})

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

	t.Run("keys with unusual characters", func(t *testing.T) {
		s := newStore(t)
		for _, k := range []string{"a b/c+d=e&f.json", "ünï/cödé", "q?x#y%20"} {
			mustPut(t, s, k, []byte(k))
			if got := string(mustGet(t, s, k)); got != k {
				t.Errorf("Get(%q) = %q", k, got)
			}
			if err := s.Copy(ctx, k, k+".copy"); err != nil {
				t.Errorf("Copy(%q): %v", k, err)
			} else if got := string(mustGet(t, s, k+".copy")); got != k {
				t.Errorf("Get(%q) = %q", k+".copy", got)
			}
		}
	})
}

func mustPut(t *testing.T, s store.Store, key string, data []byte) {
	t.Helper()
	if err := s.Put(context.Background(), key, data); err != nil {
		t.Fatalf("Put(%s): %v", key, err)
	}
}

func mustGet(t *testing.T, s store.Store, key string) []byte {
	t.Helper()
	b, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	return b
}

func list(t *testing.T, s store.Store, prefix string) []store.ObjectInfo {
	t.Helper()
	got, err := s.List(context.Background(), prefix)
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return got
}
