// Package local implements store.Store over a directory of the local file
// system. Writes go to a hidden temporary file in the destination's directory,
// are synced, and are renamed into place, so a key always holds a whole object.
package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kekaexport/keka-hire-export/internal/store"
)

var _ store.Store = (*Store)(nil)

// Store is a store.Store rooted at a directory.
type Store struct {
	root string
	lock string // the file locked around conditional writes
}

// New returns a Store rooted at dir, creating dir if needed, and removes
// the temporary files that crashed processes left in it. It returns an
// error if dir is empty or cannot be created.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("local: empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("local: directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("local: create directory %s: %w", abs, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	sum := sha256.Sum256([]byte(abs))
	s := &Store{root: abs, lock: filepath.Join(os.TempDir(), "keka-hire-export-"+hex.EncodeToString(sum[:8])+".lock")}
	if err := s.sweep(); err != nil {
		return nil, fmt.Errorf("local: remove leftover temporary files under %s: %w", abs, err)
	}
	return s, nil
}

// Dir returns the absolute root directory.
func (s *Store) Dir() string { return s.root }

func (s *Store) path(key string) (string, error) {
	if err := store.ValidKey(key); err != nil {
		return "", fmt.Errorf("local: %w", err)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if strings.HasPrefix(seg, tmpPrefix) {
			return "", fmt.Errorf("local: invalid key %q: a segment starts with %q, reserved for temporary files", key, tmpPrefix)
		}
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

// Create returns a Writer to a hidden temporary file next to key's path; Close
// syncs it and renames it into place.
func (s *Store) Create(ctx context.Context, key string) (store.Writer, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("local: create %s: %w", key, err)
	}
	f, err := s.createTemp(p)
	if err != nil {
		return nil, fmt.Errorf("local: create %s: %w", key, err)
	}
	return &writer{ctx: ctx, key: key, dst: p, f: f}, nil
}

type writer struct {
	ctx    context.Context
	key    string
	dst    string
	f      *os.File
	done   bool
	closed bool // Close succeeded
}

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, fmt.Errorf("local: write %s: writer is closed", w.key)
	}
	if err := w.ctx.Err(); err != nil {
		return 0, fmt.Errorf("local: write %s: %w", w.key, err)
	}
	n, err := w.f.Write(p)
	if err != nil {
		return n, fmt.Errorf("local: write %s: %w", w.key, err)
	}
	return n, nil
}

func (w *writer) Close() error {
	if w.done {
		if w.closed {
			return nil
		}
		return fmt.Errorf("local: close %s: writer was aborted or failed", w.key)
	}
	w.done = true
	if err := w.ctx.Err(); err != nil {
		w.discard()
		return fmt.Errorf("local: close %s: %w", w.key, err)
	}
	if err := commit(w.f, w.dst); err != nil {
		return fmt.Errorf("local: close %s: %w", w.key, err)
	}
	w.closed = true
	return nil
}

func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	if err := w.discard(); err != nil {
		return fmt.Errorf("local: abort %s: %w", w.key, err)
	}
	return nil
}

func (w *writer) discard() error {
	_ = w.f.Close()
	if err := os.Remove(w.f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Open opens key for random access. It returns an error wrapping
// store.ErrNotExist when key is missing.
func (s *Store) Open(ctx context.Context, key string) (store.Object, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("local: open %s: %w", key, notExist(err))
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("local: open %s: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("local: open %s: not a regular file: %w", key, store.ErrNotExist)
	}
	return &object{File: f, size: fi.Size()}, nil
}

type object struct {
	*os.File
	size int64
}

func (o *object) Size() int64 { return o.size }

// Get returns the content of key, or an error wrapping store.ErrNotExist.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("local: get %s: %w", key, notExist(err))
	}
	return b, nil
}

// Put writes data to key atomically.
func (s *Store) Put(ctx context.Context, key string, data []byte) error {
	return s.write(ctx, "put", key, bytes.NewReader(data))
}

// Copy copies src to dst atomically on dst. It returns an error wrapping
// store.ErrNotExist when src is missing.
func (s *Store) Copy(ctx context.Context, src, dst string) error {
	sp, err := s.path(src)
	if err != nil {
		return err
	}
	f, err := os.Open(sp)
	if err != nil {
		return fmt.Errorf("local: copy %s to %s: %w", src, dst, notExist(err))
	}
	defer f.Close()
	return s.write(ctx, "copy "+src+" to", dst, f)
}

func (s *Store) write(ctx context.Context, op, key string, r io.Reader) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("local: %s %s: %w", op, key, err)
	}
	f, err := s.createTemp(p)
	if err != nil {
		return fmt.Errorf("local: %s %s: %w", op, key, err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("local: %s %s: %w", op, key, err)
	}
	if err := commit(f, p); err != nil {
		return fmt.Errorf("local: %s %s: %w", op, key, err)
	}
	return nil
}

// List returns the objects whose keys start with prefix, sorted by key,
// skipping temporary files of writes in progress.
func (s *Store) List(ctx context.Context, prefix string) ([]store.ObjectInfo, error) {
	// Walk only the deepest directory the prefix names in full.
	dir := ""
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		dir = prefix[:i]
		if err := store.ValidKey(dir); err != nil {
			return nil, fmt.Errorf("local: list %q: %w", prefix, err)
		}
	}
	start := filepath.Join(s.root, filepath.FromSlash(dir))
	var out []store.ObjectInfo
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == start && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !d.Type().IsRegular() || isTemp(d.Name()) {
			return nil
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted while listing
		}
		if err != nil {
			return err
		}
		out = append(out, store.ObjectInfo{Key: key, Size: fi.Size()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("local: list %q: %w", prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// Delete removes keys, ignoring missing ones, and then the directories the
// removals left empty, up to the root.
func (s *Store) Delete(ctx context.Context, keys ...string) error {
	paths := make([]string, len(keys))
	for i, key := range keys {
		p, err := s.path(key)
		if err != nil {
			return err
		}
		paths[i] = p
	}
	for i, p := range paths {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("local: delete %s: %w", keys[i], err)
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("local: delete %s: %w", keys[i], err)
		}
		s.removeEmptyParents(keys[i])
	}
	return nil
}

// removeEmptyParents removes the parent directories of key while they are
// empty. os.Remove fails on a non-empty directory, which ends the climb.
func (s *Store) removeEmptyParents(key string) {
	for dir := path.Dir(key); dir != "."; dir = path.Dir(dir) {
		if os.Remove(filepath.Join(s.root, filepath.FromSlash(dir))) != nil {
			return
		}
	}
}

// notExist maps a missing file to store.ErrNotExist.
func notExist(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return store.ErrNotExist
	}
	return err
}
