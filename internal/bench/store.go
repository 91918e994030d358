package bench

import (
	"context"
	"sync/atomic"

	"github.com/kekaexport/keka-hire-export/internal/store"
)

// Ops counts a run's calls to its store, by kind: what S3 requests a run
// makes besides those that depend on its length (lease renewals,
// checkpoints on the clock).
type Ops struct {
	Create, Open, Get, Put, Copy, List, Delete, GetVersion, PutIf atomic.Int64
}

// countingStore is a store.Store that counts calls into ops.
type countingStore struct {
	store.Store
	ops *Ops
}

func (s countingStore) Create(ctx context.Context, key string) (store.Writer, error) {
	s.ops.Create.Add(1)
	return s.Store.Create(ctx, key)
}

func (s countingStore) Open(ctx context.Context, key string) (store.Object, error) {
	s.ops.Open.Add(1)
	return s.Store.Open(ctx, key)
}

func (s countingStore) Get(ctx context.Context, key string) ([]byte, error) {
	s.ops.Get.Add(1)
	return s.Store.Get(ctx, key)
}

func (s countingStore) Put(ctx context.Context, key string, data []byte) error {
	s.ops.Put.Add(1)
	return s.Store.Put(ctx, key, data)
}

func (s countingStore) Copy(ctx context.Context, src, dst string) error {
	s.ops.Copy.Add(1)
	return s.Store.Copy(ctx, src, dst)
}

func (s countingStore) List(ctx context.Context, prefix string) ([]store.ObjectInfo, error) {
	s.ops.List.Add(1)
	return s.Store.List(ctx, prefix)
}

func (s countingStore) Delete(ctx context.Context, keys ...string) error {
	s.ops.Delete.Add(1)
	return s.Store.Delete(ctx, keys...)
}

func (s countingStore) GetVersion(ctx context.Context, key string) ([]byte, string, error) {
	s.ops.GetVersion.Add(1)
	return s.Store.GetVersion(ctx, key)
}

func (s countingStore) PutIf(ctx context.Context, key string, data []byte, version string) (string, error) {
	s.ops.PutIf.Add(1)
	return s.Store.PutIf(ctx, key, data, version)
}

// Counts returns the counts by the store method's name.
func (o *Ops) Counts() map[string]int64 {
	return map[string]int64{
		"Create": o.Create.Load(), "Open": o.Open.Load(), "Get": o.Get.Load(), "Put": o.Put.Load(), "Copy": o.Copy.Load(),
		"List": o.List.Load(), "Delete": o.Delete.Load(), "GetVersion": o.GetVersion.Load(), "PutIf": o.PutIf.Load(),
	}
}
