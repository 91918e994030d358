package local_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
