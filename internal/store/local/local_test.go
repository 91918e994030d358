package local_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/store"
	"github.com/kekaexport/keka-hire-export/internal/store/local"
	"github.com/kekaexport/keka-hire-export/internal/store/storetest"
)

func TestStore_Conformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := local.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// entries returns the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestStore_Create(t *testing.T) {
	ctx := context.Background()

	t.Run("writes a hidden temp file and renames it on close", func(t *testing.T) {
		root := t.TempDir()
		s, err := local.New(root)
		if err != nil {
			t.Fatal(err)
		}
		w, err := s.Create(ctx, "jobs/dt=2026-11-26/part-00000.parquet")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("PAR1")); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, "jobs", "dt=2026-11-26")
		names := entries(t, dir)
		if len(names) != 1 || !strings.HasPrefix(names[0], ".") ||
			strings.HasSuffix(names[0], ".parquet") || strings.HasSuffix(names[0], ".json") {
			t.Fatalf("during the write the directory holds %q, want one hidden temp file not ending in .parquet or .json", names)
		}
		if got, err := s.List(ctx, ""); err != nil || len(got) != 0 {
			t.Fatalf("List during the write = %v, %v; want nothing", got, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if names := entries(t, dir); len(names) != 1 || names[0] != "part-00000.parquet" {
			t.Fatalf("after Close the directory holds %q, want only part-00000.parquet", names)
		}
		fi, err := os.Stat(filepath.Join(dir, "part-00000.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("mode = %v, want 0644", fi.Mode().Perm())
		}
	})

	t.Run("abort removes the temp file", func(t *testing.T) {
		root := t.TempDir()
		s, err := local.New(root)
		if err != nil {
			t.Fatal(err)
		}
		w, err := s.Create(ctx, "a/b.json")
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("{}"))
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if names := entries(t, filepath.Join(root, "a")); len(names) != 0 {
			t.Fatalf("after Abort the directory holds %q, want nothing", names)
		}
	})
}

func TestStore_Delete(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"_runs/dt=2026-11-26/r1/jobs/segment-00000.parquet", "_runs/dt=2026-11-26/checkpoint.json"} {
		if err := s.Put(ctx, k, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(ctx, "_runs/dt=2026-11-26/r1/jobs/segment-00000.parquet"); err != nil {
		t.Fatal(err)
	}
	if names := entries(t, filepath.Join(root, "_runs", "dt=2026-11-26")); len(names) != 1 || names[0] != "checkpoint.json" {
		t.Fatalf("after Delete _runs/dt=2026-11-26 holds %q, want only checkpoint.json (empty directories removed)", names)
	}
	if err := s.Delete(ctx, "_runs/dt=2026-11-26/checkpoint.json"); err != nil {
		t.Fatal(err)
	}
	if names := entries(t, root); len(names) != 0 {
		t.Fatalf("after deleting everything the root holds %q, want nothing", names)
	}
}

func TestNew(t *testing.T) {
	if _, err := local.New(""); err == nil {
		t.Error("New(\"\") succeeded")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := local.New(file); err == nil {
		t.Error("New(a regular file) succeeded")
	}
	dir := filepath.Join(t.TempDir(), "new", "dir")
	s, err := local.New(dir)
	if err != nil {
		t.Fatalf("New(missing dir): %v", err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() || s.Dir() != dir {
		t.Fatalf("New did not create %s: %v", dir, err)
	}
}

func TestNew_SweepsLeftovers(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "jobs", "dt=2026-11-26")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A pid that cannot be running: above the kernel's pid_max.
	const deadPid = 1 << 30
	write := func(name string, age time.Duration) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("personal data"), 0o600); err != nil {
			t.Fatal(err)
		}
		old := time.Now().Add(-age)
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		return name
	}
	dead := write(fmt.Sprintf(".tmp-%d-123456", deadPid), 0)
	live := write(fmt.Sprintf(".tmp-%d-654321", os.Getpid()), 2*time.Hour)
	oldStale := write(".part-00000.parquet.tmp-998877", 2*time.Hour)
	oldFresh := write("._manifest.json.tmp-112233", time.Minute)
	if err := os.WriteFile(filepath.Join(dir, "part-00000.parquet"), []byte("PAR1"), 0o644); err != nil {
		t.Fatal(err)
	}

	s, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	got := entries(t, dir)
	for _, gone := range []string{dead, oldStale} {
		if slices.Contains(got, gone) {
			t.Errorf("%s survived New, want it removed (its writer is gone); directory holds %q", gone, got)
		}
	}
	for _, kept := range []string{live, oldFresh, "part-00000.parquet"} {
		if !slices.Contains(got, kept) {
			t.Errorf("%s was removed by New, want it kept (a live writer's, or data); directory holds %q", kept, got)
		}
	}
	if objs, err := s.List(ctx, ""); err != nil || len(objs) != 1 {
		t.Fatalf("List = %v, %v; want only the data object", objs, err)
	}
}

func TestStore_ReservedTempNames(t *testing.T) {
	s, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{".tmp-1-2", "jobs/.tmp-123-456", ".tmp-x/part-00000.parquet"} {
		if err := s.Put(context.Background(), key, []byte("x")); err == nil {
			t.Errorf("Put(%q) succeeded, want a refusal: temporary names are reserved", key)
		}
	}
}
