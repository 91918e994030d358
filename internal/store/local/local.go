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
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/store"
)

var _ store.Store = (*Store)(nil)

// tmpPrefix starts every temporary file's name: ".tmp-{pid}-{random}". The
// name starts with "." and holds nothing of the destination's name, so no
// table reader crawling the directory takes it for data or a manifest, and
// the pid tells a later process whether its writer is still alive. No key
// may have a segment that starts with it.
const tmpPrefix = ".tmp-"

// oldTmpMarker is in the temporary names of earlier versions,
// ".{base}.tmp-{random}", which name no process.
const oldTmpMarker = ".tmp-"

// staleAge is how old a temporary file whose writer cannot be identified
// must be before it is taken for a crash's leftover.
const staleAge = time.Hour

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

// createTemp creates the temporary file for the destination p, creating its
// directory. It tries twice because a concurrent Delete may remove the
// directory once it is empty.
func (s *Store) createTemp(p string) (*os.File, error) {
	dir := filepath.Dir(p)
	var err error
	for range 2 {
		if err = os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		var f *os.File
		f, err = os.CreateTemp(dir, tmpPrefix+strconv.Itoa(os.Getpid())+"-*")
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, err
}

// commit syncs and closes f, then renames it to dst; on failure it removes f.
func commit(f *os.File, dst string) error {
	err := f.Chmod(0o644)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), dst)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	syncDir(filepath.Dir(dst))
	return nil
}

// syncDir makes a rename durable. Some systems cannot sync a directory; the
// rename is still atomic there, so the error is ignored.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
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

func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, oldTmpMarker)
}

// sweep removes the temporary files of writers that are gone: those whose
// name gives the pid of a process no longer running, and those that name
// none (earlier versions) once they are staleAge old. The temporary files
// of live processes, another run's included, are left alone.
func (s *Store) sweep() error {
	now := time.Now()
	return filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() || !isTemp(d.Name()) {
			return nil
		}
		if pid, ok := tempPid(d.Name()); ok {
			if processAlive(pid) {
				return nil
			}
		} else if fi, err := d.Info(); err != nil || now.Sub(fi.ModTime()) < staleAge {
			return nil
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
}

// tempPid returns the pid in a temporary name ".tmp-{pid}-{random}".
func tempPid(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, tmpPrefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	return pid, err == nil && pid > 0
}

// processAlive reports whether a process with this pid runs on this
// machine (signal 0 probes without signalling). A process that exists but
// belongs to another user counts as alive.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
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
