package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/kekaexport/keka-hire-export/internal/store"
)

// GetVersion returns the content of key and its version: a digest of the
// content with the file's inode and modification time, so that every write
// (each renames a new file into place) makes a new version.
func (s *Store) GetVersion(ctx context.Context, key string) ([]byte, string, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, "", err
	}
	b, v, err := readVersion(p)
	if err != nil {
		return nil, "", fmt.Errorf("local: get %s: %w", key, notExist(err))
	}
	return b, v, nil
}

func readVersion(p string) ([]byte, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(b)
	var ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = st.Ino
	}
	return b, fmt.Sprintf("%s-%d-%d", hex.EncodeToString(sum[:8]), ino, fi.ModTime().UnixNano()), nil
}

// PutIf writes data to key if key still holds version ("" for: does not
// exist). The check and the rename happen under an exclusive lock on a
// file outside the store (in the system's temporary directory, named after
// the store's root), which every process using the same root takes, and
// which the system releases when a holder dies.
func (s *Store) PutIf(ctx context.Context, key string, data []byte, version string) (string, error) {
	p, err := s.path(key)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("local: put-if %s: %w", key, err)
	}
	unlock, err := s.lockStore()
	if err != nil {
		return "", fmt.Errorf("local: put-if %s: %w", key, err)
	}
	defer unlock()
	_, current, err := readVersion(p)
	switch {
	case err != nil && !os.IsNotExist(err):
		return "", fmt.Errorf("local: put-if %s: %w", key, err)
	case err != nil && version != "":
		return "", fmt.Errorf("local: put-if %s: the object no longer exists: %w", key, store.ErrConflict)
	case err == nil && version == "":
		return "", fmt.Errorf("local: put-if %s: the object already exists: %w", key, store.ErrConflict)
	case err == nil && current != version:
		return "", fmt.Errorf("local: put-if %s: the object has changed: %w", key, store.ErrConflict)
	}
	f, err := s.createTemp(p)
	if err != nil {
		return "", fmt.Errorf("local: put-if %s: %w", key, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("local: put-if %s: %w", key, err)
	}
	if err := commit(f, p); err != nil {
		return "", fmt.Errorf("local: put-if %s: %w", key, err)
	}
	_, v, err := readVersion(p)
	if err != nil {
		return "", fmt.Errorf("local: put-if %s: read back: %w", key, err)
	}
	return v, nil
}

// lockStore takes the store's exclusive lock and returns its release.
func (s *Store) lockStore() (func(), error) {
	f, err := os.OpenFile(s.lock, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", s.lock, err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", s.lock, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}
