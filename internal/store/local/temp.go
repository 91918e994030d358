package local

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// tmpPrefix starts every temporary file's name: ".tmp-{pid}-{random}". The
// name starts with "." and holds nothing of the destination's name, so no
// table reader crawling the directory takes it for data or a manifest, and
// the pid tells a later process whether its writer is still alive. No key
// may have a segment that starts with it.
const tmpPrefix = ".tmp-"

// staleAge is how old a temporary file whose writer cannot be identified
// must be before it is taken for a crash's leftover.
const staleAge = time.Hour

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

func isTemp(name string) bool {
	// Earlier versions named them ".{base}.tmp-{random}": those count too.
	return strings.HasPrefix(name, ".") && strings.Contains(name, tmpPrefix)
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
