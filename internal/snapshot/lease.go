package snapshot

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/store"
)

// ErrBusy is wrapped by the error of an invocation that found its date's
// run held by another live invocation (a second run of the same date at
// the same time), or that lost the run to one. It changed nothing; the
// holder finishes the run. Invoke again once the holder is done, or after
// the lease expires if the holder died.
var ErrBusy = errors.New("snapshot: the date is held by another invocation")

// lease says which invocation holds a run, and until when. The holder
// renews it while it works and releases it when it stops; a lease that is
// not renewed (its holder died) lapses at Until.
type lease struct {
	Holder string    `json:"holder,omitempty"`
	Until  time.Time `json:"until,omitzero"`
}

// heldBy reports whether the lease is held at now by another holder than me.
func (l lease) heldBy(me string, now time.Time) bool {
	return l.Holder != "" && l.Holder != me && now.Before(l.Until)
}

// keeper writes a date's checkpoint for one invocation. Every write is a
// compare-and-swap on the version it last read or wrote, so two
// invocations can never both move one run on: the first to write wins,
// and the other learns it has lost (ErrBusy) at its next write. Between
// writes a goroutine renews the lease every ttl/4.
type keeper struct {
	st     store.Store
	key    string
	holder string
	ttl    time.Duration
	now    func() time.Time

	mu      sync.Mutex
	version string // of the checkpoint as last read or written; "" for none
	saved   []byte // the checkpoint as last written, for renewals
	lost    error  // set once another writer has taken the checkpoint

	stop chan struct{}
	done chan struct{}
}

func newKeeper(st store.Store, key string, ttl time.Duration, now func() time.Time) *keeper {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return &keeper{st: st, key: key, holder: hex.EncodeToString(b[:]), ttl: ttl, now: now}
}

// read returns the checkpoint's bytes (nil when there is none) and
// remembers its version as the one the next write must replace.
func (k *keeper) read(ctx context.Context) ([]byte, error) {
	b, v, err := k.st.GetVersion(ctx, k.key)
	if errors.Is(err, store.ErrNotExist) {
		b, v, err = nil, "", nil
	}
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	k.version = v
	k.mu.Unlock()
	return b, nil
}

// write saves s, holding the lease (or releasing it, when release is
// set), and returns the bytes written.
func (k *keeper) write(ctx context.Context, s *state, release bool) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.lost != nil {
		return nil, k.lost
	}
	s.Lease = lease{Holder: k.holder, Until: k.now().Add(k.ttl).UTC()}
	if release {
		s.Lease = lease{}
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("snapshot: encode checkpoint: %w", err)
	}
	if err := k.swap(ctx, b); err != nil {
		return nil, err
	}
	return b, nil
}

// swap writes b over the version held; k.mu is held. A conflict is
// checked against what the store now holds: a write whose first attempt
// landed and whose retry then failed its own condition is still ours.
func (k *keeper) swap(ctx context.Context, b []byte) error {
	v, err := k.st.PutIf(ctx, k.key, b, k.version)
	if err != nil {
		// A write can land and still fail (a timeout after S3 stored it,
		// or a retry that then fails its own condition): what the store
		// holds says whether it is ours.
		if now, nv, gerr := k.st.GetVersion(context.WithoutCancel(ctx), k.key); gerr == nil && bytes.Equal(now, b) {
			v, err = nv, nil
		}
	}
	if errors.Is(err, store.ErrConflict) {
		k.lost = fmt.Errorf("snapshot: checkpoint %s was written by another invocation while this one held it (its lease lapsed, or two runs started at once); this invocation stops and changes nothing more: %w", k.key, ErrBusy)
		return k.lost
	}
	if err != nil {
		return fmt.Errorf("snapshot: save checkpoint %s: %w", k.key, err)
	}
	k.version, k.saved = v, b
	return nil
}

// Lost returns the error that ended this invocation's hold on the run, or
// nil while it holds it.
func (k *keeper) Lost() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lost
}

// renewLoop renews the lease until stopRenewing is called.
func (k *keeper) renewLoop(ctx context.Context) {
	k.stop, k.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(k.done)
		t := time.NewTicker(k.ttl / 4)
		defer t.Stop()
		for {
			select {
			case <-k.stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				k.renew(ctx)
			}
		}
	}()
}

func (k *keeper) stopRenewing() {
	if k.stop == nil {
		return
	}
	close(k.stop)
	<-k.done
	k.stop = nil
}

// renew rewrites the last checkpoint with a later Until. A failure other
// than a conflict is left for the next regular write to meet.
func (k *keeper) renew(ctx context.Context) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.lost != nil || k.saved == nil {
		return
	}
	s, err := decodeState(k.saved)
	if err != nil || s.Lease.Holder != k.holder {
		return
	}
	s.Lease.Until = k.now().Add(k.ttl).UTC()
	b, err := json.Marshal(s)
	if err != nil {
		return
	}
	_ = k.swap(ctx, b)
}
