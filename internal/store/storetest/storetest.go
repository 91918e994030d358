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

	runStreaming(t, newStore)

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

	runPutIf(t, newStore)

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
