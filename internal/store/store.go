// Package store defines where snapshots go: a small interface over a flat
// namespace of keys, implemented by a local directory (store/local) and an S3
// bucket and prefix (store/s3).
//
// Keys are relative to the store's root and separated by "/". Every write is
// atomic: a reader sees the previous object or the new one, never a part of
// it, and a write that fails or is aborted leaves nothing behind.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Store is where snapshots are written and read back.
type Store interface {
	// Create starts a streaming write of key. The object becomes visible only
	// when the Writer's Close returns nil; ctx governs the whole write, and
	// its cancellation before Close makes the write fail and leave nothing.
	Create(ctx context.Context, key string) (Writer, error)
	// Open gives random access to key, for Parquet footers. It returns an
	// error wrapping ErrNotExist when key is missing.
	Open(ctx context.Context, key string) (Object, error)
	// Get returns the content of key, or an error wrapping ErrNotExist.
	Get(ctx context.Context, key string) ([]byte, error)
	// Put writes data to key atomically.
	Put(ctx context.Context, key string, data []byte) error
	// Copy copies src to dst, atomically on dst. It returns an error wrapping
	// ErrNotExist when src is missing.
	Copy(ctx context.Context, src, dst string) error
	// List returns the objects whose keys start with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
	// Delete removes keys; missing keys are not an error.
	Delete(ctx context.Context, keys ...string) error

	// GetVersion returns the content of key and an opaque version of that
	// content, for a later PutIf, or an error wrapping ErrNotExist.
	GetVersion(ctx context.Context, key string) (data []byte, version string, err error)
	// PutIf writes data to key atomically, only if key still holds version
	// (from GetVersion or an earlier PutIf) or, when version is "", only if
	// key does not exist. It returns the new version; when the condition
	// does not hold it writes nothing and returns an error wrapping
	// ErrConflict. Two PutIf calls on one key never both succeed on the
	// same version: this is the compare-and-swap that run leases rest on.
	PutIf(ctx context.Context, key string, data []byte, version string) (string, error)
}

// Writer streams one object. Exactly one of Close and Abort must be called.
// Abort after a successful Close does nothing and returns nil, so
// `defer w.Abort()` is safe.
type Writer interface {
	io.Writer
	// Close publishes the object; on error nothing was published.
	Close() error
	// Abort discards everything written and leaves nothing behind.
	Abort() error
}

// Object is an open object of known size.
type Object interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

// ObjectInfo describes one object returned by List.
type ObjectInfo struct {
	Key  string
	Size int64
}

// ErrNotExist is wrapped by the errors of Get, Open and Copy for a missing key.
var ErrNotExist = errors.New("store: object does not exist")

// ErrConflict is wrapped by the error of a PutIf whose condition did not
// hold: another writer changed (or created, or removed) the object since
// its version was read.
var ErrConflict = errors.New("store: object changed since it was read")

// ValidKey returns an error unless key is a clean relative key: not empty,
// no leading or trailing "/", no empty, "." or ".." segments, no backslash.
// Every implementation rejects other keys, so that a key means the same
// object in a directory and in a bucket.
func ValidKey(key string) error {
	if key == "" {
		return errors.New("store: empty key")
	}
	if strings.ContainsRune(key, '\\') || strings.ContainsRune(key, 0) {
		return fmt.Errorf("store: invalid key %q: contains a backslash or NUL", key)
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch seg {
		case "":
			return fmt.Errorf("store: invalid key %q: absolute, or an empty segment", key)
		case ".", "..":
			return fmt.Errorf("store: invalid key %q: contains %q", key, seg)
		}
	}
	return nil
}
