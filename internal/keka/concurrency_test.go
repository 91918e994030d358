package keka_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// TestClient_Concurrent: eight goroutines share one client against a
// server that allows 10 requests per 1-second window (600 a minute, Keka's
// 50 in 60 seconds scaled down) and answers one request with a 429 and
// Retry-After. The shared limiter keeps every window within the limit, and
// the 429 holds back every goroutine, not only the one that got it.
func TestClient_Concurrent(t *testing.T) {
	const (
		workers    = 8
		pages      = 3
		perWindow  = 10
		throttleAt = 10 // the request answered 429
		retryAfter = 500 * time.Millisecond
	)
	var (
		mu       sync.Mutex
		windows  = map[int64]int{}
		arrivals []time.Time
		t429     time.Time
	)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		bearer(t, r)
		now := time.Now()
		mu.Lock()
		windows[now.Unix()]++
		arrivals = append(arrivals, now)
		mu.Unlock()
		if n == throttleAt {
			w.Header().Set("Retry-After", fmt.Sprint(retryAfter.Seconds()))
			w.WriteHeader(http.StatusTooManyRequests)
			mu.Lock()
			t429 = time.Now()
			mu.Unlock()
			return
		}
		envelopePage(w, askedPage(r), 100, 1)
	})
	c := newClient(t, f, func(o *keka.Options) {
		o.RequestsPerMinute = 540 // 10% under the server's 600, as 45 of Keka's 50
		o.MaxBackoff = time.Second
	})
	var wg sync.WaitGroup
	var failures atomic.Int64
	for g := range workers {
		wg.Go(func() {
			for p := 1; p <= pages; p++ {
				if _, err := c.Page(context.Background(), keka.JobsList(), g*pages+p); err != nil {
					failures.Add(1)
					t.Errorf("worker %d page %d: %v", g, p, err)
				}
			}
		})
	}
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	if t429.IsZero() || failures.Load() != 0 {
		t.Fatalf("the 429 was never sent or pages failed: the checks below prove nothing")
	}
	for sec, n := range windows {
		if n > perWindow {
			t.Errorf("window %d got %d requests, over the limit of %d", sec, n, perWindow)
		}
	}
	// A request already on its way when the 429 went out may still arrive
	// just after it; after that, none until Retry-After has passed.
	from, to := t429.Add(50*time.Millisecond), t429.Add(retryAfter-50*time.Millisecond)
	for _, at := range arrivals {
		if at.After(from) && at.Before(to) {
			t.Errorf("a request arrived %v after the 429 that asked every caller to wait %v", at.Sub(t429), retryAfter)
		}
	}
	st := c.Stats()
	if want := int64(workers*pages + 1); st.Requests != want || st.Throttled != 1 || st.Retries != 1 || st.TokenFetches != 1 {
		t.Errorf("stats %+v; want %d requests, 1 throttled, 1 retry, 1 token fetch", st, want)
	}
}

// TestClient_ConcurrentToken: goroutines needing a token at once share one
// token request and its failure; a rejection of the credentials makes one
// refresh, not one per goroutine.
func TestClient_ConcurrentToken(t *testing.T) {
	t.Run("a token endpoint failure is shared", func(t *testing.T) {
		f := newFake(t, scripted(t, okPage(1)))
		release := make(chan struct{})
		f.tokenScript = func(w http.ResponseWriter, r *http.Request, n int64) bool {
			if n == 1 {
				<-release // hold the first request until every goroutine waits for it
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			}
			return false
		}
		c := newClient(t, f)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				if _, err := c.Page(context.Background(), keka.JobsList(), i+1); err != nil {
					t.Errorf("page %d: %v", i+1, err)
				}
			})
		}
		time.Sleep(50 * time.Millisecond)
		close(release)
		wg.Wait()
		if st := c.Stats(); st.TokenFetches > 3 || st.Requests != 8 {
			t.Errorf("stats %+v; want the goroutines to share token requests (at most 3) and 8 API requests", st)
		}
	})
	t.Run("rotated credentials are fetched once for all", func(t *testing.T) {
		f := newFake(t, scripted(t, okPage(1)))
		newSecret := "SECRET-rotated-c0ffee"
		f.secret.Store(&newSecret)
		var refreshes atomic.Int64
		c := newClient(t, f, func(o *keka.Options) {
			o.Credentials = func(_ context.Context, refresh bool) (keka.Credentials, error) {
				s := testSecret
				if refresh {
					refreshes.Add(1)
					s = newSecret
				}
				return keka.Credentials{ClientID: testClientID, ClientSecret: s, APIKey: testAPIKey}, nil
			}
		})
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				if _, err := c.Page(context.Background(), keka.JobsList(), i+1); err != nil {
					t.Errorf("page %d: %v", i+1, err)
				}
			})
		}
		wg.Wait()
		if n := refreshes.Load(); n != 1 {
			t.Errorf("credentials refreshed %d times, want 1", n)
		}
		if st := c.Stats(); st.TokenFetches != 2 || st.Requests != 8 {
			t.Errorf("stats %+v; want 2 token fetches (rejected, then granted) and 8 requests", st)
		}
	})
}

// TestClient_Page_TokenExpiringUnderOthers: with several requests in
// flight, a token can expire between one caller's answers after other
// callers used it. A 401 to a token the API accepted before is its expiry,
// not a refusal of the key: the caller gets a new token as often as that
// happens, and only a token that never worked counts against the key.
func TestClient_Page_TokenExpiringUnderOthers(t *testing.T) {
	var (
		mu      sync.Mutex
		expired = map[string]bool{}
		victims atomic.Int64
	)
	var c *keka.Client
	other := keka.PreboardingList()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		mu.Lock()
		gone := expired[tok]
		mu.Unlock()
		if gone {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"succeeded": false, "message": "token expired"})
			return
		}
		if !strings.Contains(r.URL.Path, "/hire/jobs") {
			writeJSON(w, http.StatusOK, []any{})
			return
		}
		if victims.Add(1) > 3 {
			writeJSON(w, http.StatusOK, []any{})
			return
		}
		// Another caller uses this token and is answered, then the token
		// expires before this caller's answer.
		if _, err := c.Page(r.Context(), other, 1); err != nil {
			t.Errorf("the other caller: %v", err)
		}
		mu.Lock()
		expired[tok] = true
		mu.Unlock()
		writeJSON(w, http.StatusUnauthorized, map[string]any{"succeeded": false, "message": "token expired"})
	})
	c = newClient(t, f)
	if _, err := c.Page(context.Background(), keka.JobsList(), 1); err != nil {
		t.Fatalf("Page through three expiries of tokens that worked: %v", err)
	}
	if got := len(f.tokens()); got != 4 {
		t.Errorf("%d tokens granted, want 4 (one per expiry)", got)
	}
}
