package keka_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// TestClient_CredentialsRecheck: a secret rotated in the store is used from
// the next recheck on, before Keka rejects the old one.
func TestClient_CredentialsRecheck(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		envelopePage(w, askedPage(r), 1, 1)
	})
	var current atomic.Pointer[string]
	old := testSecret
	current.Store(&old)
	var asked atomic.Int64
	var clock atomic.Int64 // minutes since the start
	start := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	c := newClient(t, f, func(o *keka.Options) {
		o.Credentials = func(_ context.Context, refresh bool) (keka.Credentials, error) {
			asked.Add(1)
			return keka.Credentials{ClientID: testClientID, ClientSecret: *current.Load(), APIKey: testAPIKey}, nil
		}
		o.Now = func() time.Time { return start.Add(time.Duration(clock.Load()) * time.Minute) }
		o.CredentialsRecheck = 10 * time.Minute
	})
	page := func() {
		t.Helper()
		if _, err := c.Page(context.Background(), keka.JobsList(), 1); err != nil {
			t.Fatal(err)
		}
	}
	page()
	if n := asked.Load(); n != 1 {
		t.Fatalf("credentials asked %d times on first use, want 1", n)
	}
	clock.Store(5)
	page()
	if n := asked.Load(); n != 1 {
		t.Fatalf("credentials asked again before the recheck interval: %d", n)
	}

	// Rotate: Keka accepts only the new secret from now on.
	rotated := "SECRET-rotated-77aa"
	current.Store(&rotated)
	f.secret.Store(&rotated)
	clock.Store(11)
	before := len(f.tokens())
	page()
	if n := asked.Load(); n != 2 {
		t.Errorf("credentials asked %d times after the recheck interval, want 2", n)
	}
	if got := len(f.tokens()); got != before+1 {
		t.Errorf("%d new tokens after the rotation, want 1 for the new secret", got-before)
	}
	if st := c.Stats(); st.Retries != 0 {
		t.Errorf("the rotation cost %d retries; the new secret should be used before any rejection", st.Retries)
	}
}

// TestClient_CredentialsRecheckFails: a failed recheck keeps the credentials
// in use (and does not hang the client).
func TestClient_CredentialsRecheckFails(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		envelopePage(w, askedPage(r), 1, 1)
	})
	var calls atomic.Int64
	var clock atomic.Int64
	start := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	c := newClient(t, f, func(o *keka.Options) {
		o.Credentials = func(context.Context, bool) (keka.Credentials, error) {
			if calls.Add(1) > 1 {
				return keka.Credentials{}, errors.New("secretsmanager: ThrottlingException")
			}
			return keka.Credentials{ClientID: testClientID, ClientSecret: testSecret, APIKey: testAPIKey}, nil
		}
		o.Now = func() time.Time { return start.Add(time.Duration(clock.Load()) * time.Minute) }
		o.CredentialsRecheck = time.Minute
	})
	for i := range 3 {
		clock.Store(int64(i * 2))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := c.Page(ctx, keka.JobsList(), 1)
		cancel()
		if err != nil {
			t.Fatalf("page %d after a failed recheck: %v", i+1, err)
		}
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("credentials asked %d times, want 3 (first use and two rechecks)", n)
	}
}
