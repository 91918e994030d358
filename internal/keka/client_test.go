package keka_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

type step func(w http.ResponseWriter, r *http.Request)

func status(code int, body string, header ...string) step {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

func okPage(n int) step {
	return func(w http.ResponseWriter, r *http.Request) { p := askedPage(r); envelopePage(w, p, p, n) }
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

// cutShort promises a longer body than it sends, then closes.
func cutShort(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	fmt.Fprint(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"data\":[{\"id\":")
	buf.Flush()
	conn.Close()
}

// slow answers only after the client has given up (or after 5s).
func slow(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
	envelopePage(w, askedPage(r), askedPage(r), 1)
}

// scripted answers request n with steps[n-1], and the last step after that.
func scripted(t *testing.T, steps ...step) func(http.ResponseWriter, *http.Request, int64) {
	return func(w http.ResponseWriter, r *http.Request, n int64) {
		bearer(t, r)
		i := min(int(n), len(steps)) - 1
		steps[i](w, r)
	}
}

func TestClient_Page_Retries(t *testing.T) {
	cases := []struct {
		name         string
		steps        []step
		timeout      time.Duration
		noKeepAlive  bool // fresh connections, so Go's transport cannot replay the GET itself
		wantRecords  int
		wantErr      error  // errors.Is target; nil when the call succeeds
		wantErrText  string // substring of the error
		wantPerm     bool
		wantRequests int64
		wantRetries  int64
		wantThrottle int64
	}{
		{name: "success at once", steps: []step{okPage(3)}, wantRecords: 3, wantRequests: 1},
		{name: "429 with Retry-After then success",
			steps:       []step{status(429, `{"message":"rateLimitExceeded"}`, "Retry-After", "0"), okPage(2)},
			wantRecords: 2, wantRequests: 2, wantRetries: 1, wantThrottle: 1},
		{name: "429 without Retry-After then success",
			steps:       []step{status(429, ""), status(429, ""), okPage(2)},
			wantRecords: 2, wantRequests: 3, wantRetries: 2, wantThrottle: 2},
		{name: "503 then success",
			steps:       []step{status(503, "<html>down</html>"), okPage(1)},
			wantRecords: 1, wantRequests: 2, wantRetries: 1},
		{name: "500 502 504 then success",
			steps:       []step{status(500, ""), status(502, ""), status(504, ""), okPage(1)},
			wantRecords: 1, wantRequests: 4, wantRetries: 3},
		{name: "dropped connection then success",
			steps: []step{hangUp, okPage(1)}, noKeepAlive: true,
			wantRecords: 1, wantRequests: 2, wantRetries: 1},
		{name: "body cut short then success",
			steps:       []step{cutShort, okPage(1)},
			wantRecords: 1, wantRequests: 2, wantRetries: 1},
		{name: "slow answer beyond the request timeout then success",
			steps:   []step{slow, okPage(1)},
			timeout: 100 * time.Millisecond, wantRecords: 1, wantRequests: 2, wantRetries: 1},
		{name: "malformed JSON then success",
			steps:       []step{status(200, `{"succeeded":true,"data":[{"id":"a"},{"id":`), okPage(4)},
			wantRecords: 4, wantRequests: 2, wantRetries: 1},
		{name: "400 is not retried",
			steps:       []step{status(400, `{"succeeded":false,"message":"lastModified must be ISO 8601","errors":["bad lastModified"]}`), okPage(1)},
			wantErrText: "400 Bad Request: lastModified must be ISO 8601; bad lastModified",
			wantPerm:    true, wantRequests: 1},
		{name: "403 is not retried",
			steps:   []step{status(403, "")},
			wantErr: keka.ErrForbidden, wantErrText: "lacks Hire access", wantPerm: true, wantRequests: 1},
		{name: "404 is not retried",
			steps:   []step{status(404, "<!DOCTYPE html><html>Not found</html>")},
			wantErr: keka.ErrNotFound, wantErrText: "404 Not Found (check company and environment)", wantPerm: true, wantRequests: 1},
		{name: "succeeded false in a 200 then success",
			steps:       []step{status(200, `{"succeeded":false,"message":"Invalid job","errors":[],"data":null}`), okPage(2)},
			wantRecords: 2, wantRequests: 2, wantRetries: 1},
		{name: "succeeded false in a 200 until attempts run out is not permanent",
			steps:        []step{status(200, `{"succeeded":false,"message":"Invalid job","errors":[],"data":null}`)},
			wantErrText:  "giving up after 5 attempts: keka: GET /hire/jobs page 1: Keka reported a failure: Invalid job",
			wantRequests: 5, wantRetries: 4},
		{name: "succeeded false with rateLimitExceeded counts as throttled",
			steps:       []step{status(200, `{"succeeded":false,"message":"RateLimitExceeded","errors":[]}`), okPage(1)},
			wantRecords: 1, wantRequests: 2, wantRetries: 1, wantThrottle: 1},
		{name: "succeeded false with rateLimitExceeded among the errors until attempts run out",
			steps:        []step{status(200, `{"succeeded":false,"message":"","errors":["rateLimitExceeded"]}`)},
			wantErrText:  "Keka reported a failure: rateLimitExceeded (rate limited: lower the requests per minute)",
			wantRequests: 5, wantRetries: 4, wantThrottle: 5},
		{name: "any 5xx but 501 and 505 is retried",
			steps:       []step{status(507, ""), status(520, "<html>origin error</html>"), status(599, ""), status(511, ""), okPage(1)},
			wantRecords: 1, wantRequests: 5, wantRetries: 4},
		{name: "501 is not retried",
			steps:       []step{status(501, ""), okPage(1)},
			wantErrText: "keka: GET /hire/jobs page 1: 501 Not Implemented", wantPerm: true, wantRequests: 1},
		{name: "505 is not retried",
			steps:       []step{status(505, ""), okPage(1)},
			wantErrText: "keka: GET /hire/jobs page 1: 505 HTTP Version Not Supported", wantPerm: true, wantRequests: 1},
		{name: "another page number than asked then success",
			steps:       []step{status(200, `{"succeeded":true,"data":[{"id":"a"},{"id":"b"},{"id":"c"}],"pageNumber":2,"totalPages":3}`), okPage(1)},
			wantRecords: 1, wantRequests: 2, wantRetries: 1},
		{name: "another page number than asked twice is returned as sent",
			steps:       []step{status(200, `{"items":[{"id":"a"},{"id":"b"}],"page":4,"totalPages":3}`)},
			wantRecords: 2, wantRequests: 2, wantRetries: 1},
		{name: "503 until attempts run out",
			steps:        []step{status(503, `{"message":"maintenance"}`)},
			wantErrText:  "giving up after 5 attempts: keka: GET /hire/jobs page 1: 503 Service Unavailable: maintenance",
			wantRequests: 5, wantRetries: 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, scripted(t, tc.steps...))
			c := newClient(t, f, func(o *keka.Options) {
				if tc.timeout > 0 {
					o.RequestTimeout = tc.timeout
				}
				if tc.noKeepAlive {
					o.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
				}
			})
			p, err := c.Page(context.Background(), keka.JobsList(), 1)
			wantFail := tc.wantErr != nil || tc.wantErrText != ""
			switch {
			case wantFail && err == nil:
				t.Fatalf("Page succeeded with %d records; want an error", len(p.Records))
			case !wantFail && err != nil:
				t.Fatalf("Page: %v", err)
			}
			if err != nil {
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Errorf("error %q is not %v", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErrText) {
					t.Errorf("error %q does not contain %q", err, tc.wantErrText)
				}
				if got := keka.Permanent(err); got != tc.wantPerm {
					t.Errorf("Permanent = %v, want %v", got, tc.wantPerm)
				}
				var ae *keka.APIError
				if !errors.As(err, &ae) {
					t.Errorf("error %q is not an *APIError", err)
				} else if ae.Path != "/hire/jobs" || ae.Page != 1 {
					t.Errorf("APIError path %q page %d, want /hire/jobs page 1", ae.Path, ae.Page)
				}
			}
			if len(p.Records) != tc.wantRecords {
				t.Errorf("records = %d, want %d", len(p.Records), tc.wantRecords)
			}
			st := c.Stats()
			if st.Requests != tc.wantRequests || st.Retries != tc.wantRetries || st.Throttled != tc.wantThrottle {
				t.Errorf("stats = %+v, want requests %d retries %d throttled %d", st, tc.wantRequests, tc.wantRetries, tc.wantThrottle)
			}
			if got := f.apiCalls.Load(); got != tc.wantRequests {
				t.Errorf("server saw %d requests, want %d", got, tc.wantRequests)
			}
			if st.TokenFetches != 1 {
				t.Errorf("token fetches = %d, want 1", st.TokenFetches)
			}
		})
	}
}

// TestClient_RetryWait reads the wait the client chose from its warn log.
func TestClient_RetryWait(t *testing.T) {
	base := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		header []string
		status int
		body   string
		rpm    float64
		now    time.Time
		minB   time.Duration
		maxB   time.Duration
		rand   float64
		want   time.Duration
	}{
		{name: "Retry-After seconds", status: 429, header: []string{"Retry-After", "0"}, maxB: time.Second, want: 0},
		{name: "Retry-After seconds capped at 5 x MaxBackoff", status: 429, header: []string{"Retry-After", "120"},
			maxB: 4 * time.Millisecond, want: 20 * time.Millisecond},
		{name: "Retry-After HTTP date", status: 503, header: []string{"Retry-After", base.Format(http.TimeFormat)},
			now: base.Add(-30 * time.Millisecond), maxB: time.Second, want: 30 * time.Millisecond},
		{name: "Retry-After date in the past", status: 429, header: []string{"Retry-After", base.Format(http.TimeFormat)},
			now: base.Add(time.Hour), maxB: time.Second, want: 0},
		{name: "X-RateLimit-Reset epoch seconds", status: 429, header: []string{"X-RateLimit-Reset", fmt.Sprint(base.Unix())},
			now: base.Add(-40 * time.Millisecond), maxB: time.Second, want: 40 * time.Millisecond},
		{name: "X-RateLimit-Reset delta seconds capped", status: 429, header: []string{"X-RateLimit-Reset", "30"},
			maxB: 2 * time.Millisecond, want: 10 * time.Millisecond},
		{name: "no header: full jitter of MinBackoff", status: 429, minB: 8 * time.Millisecond, maxB: time.Second,
			rand: 0.5, want: 4 * time.Millisecond},
		{name: "unreadable Retry-After falls back to jitter", status: 503, header: []string{"Retry-After", "soon"},
			minB: 8 * time.Millisecond, maxB: time.Second, rand: 0.25, want: 2 * time.Millisecond},
		{name: "429 without headers waits a limiter interval times 1 plus jitter", status: 429, rpm: 6000,
			minB: time.Millisecond, maxB: time.Second, rand: 0.5, want: 15 * time.Millisecond},
		{name: "429 without headers waits the backoff when longer", status: 429, rpm: 6000,
			minB: 40 * time.Millisecond, maxB: time.Second, rand: 0.5, want: 20 * time.Millisecond},
		{name: "429 without headers is capped at MaxBackoff", status: 429, rpm: 6000,
			minB: time.Millisecond, maxB: 12 * time.Millisecond, rand: 0.5, want: 12 * time.Millisecond},
		{name: "503 without headers waits only the backoff", status: 503, rpm: 6000,
			minB: time.Millisecond, maxB: time.Second, rand: 0.5, want: 500 * time.Microsecond},
		{name: "rateLimitExceeded in a 200 waits like a 429", status: 200, body: `{"succeeded":false,"message":"rateLimitExceeded"}`,
			rpm: 6000, minB: time.Millisecond, maxB: time.Second, rand: 0.5, want: 15 * time.Millisecond},
		{name: "rateLimitExceeded in a 200 honours Retry-After", status: 200, body: `{"succeeded":false,"message":"rateLimitExceeded"}`,
			header: []string{"Retry-After", "0.003"}, rpm: 6000, maxB: time.Second, want: 3 * time.Millisecond},
		{name: "other succeeded false waits the backoff", status: 200, body: `{"succeeded":false,"message":"try later"}`,
			rpm: 6000, minB: 8 * time.Millisecond, maxB: time.Second, rand: 0.5, want: 4 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, scripted(t, status(tc.status, tc.body, tc.header...), okPage(1)))
			var logs logBuffer
			c := newClient(t, f, withLogger(&logs), func(o *keka.Options) {
				if tc.rpm > 0 {
					o.RequestsPerMinute = tc.rpm
				}
				o.MaxBackoff = tc.maxB
				o.MinBackoff = cmpOr(tc.minB, time.Millisecond)
				o.Rand = func() float64 { return tc.rand }
				if !tc.now.IsZero() {
					o.Now = func() time.Time { return tc.now }
				}
			})
			if _, err := c.Page(context.Background(), keka.JobsList(), 1); err != nil {
				t.Fatalf("Page: %v", err)
			}
			var waits []time.Duration
			for _, l := range logs.lines(t) {
				if l["msg"] == "keka: retrying" {
					waits = append(waits, time.Duration(l["wait"].(float64)))
				}
			}
			if len(waits) != 1 || waits[0] != tc.want {
				t.Errorf("waits = %v, want [%v]", waits, tc.want)
			}
		})
	}
}

func cmpOr(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func TestClient_Page_Context(t *testing.T) {
	t.Run("deadline during backoff", func(t *testing.T) {
		f := newFake(t, scripted(t, status(503, "", "Retry-After", "30")))
		c := newClient(t, f, func(o *keka.Options) { o.MaxBackoff = time.Minute })
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := c.Page(ctx, keka.JobsList(), 1)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want context.DeadlineExceeded", err)
		}
		if keka.Permanent(err) {
			t.Errorf("Permanent(%v) = true", err)
		}
	})
	t.Run("cancel during a slow answer", func(t *testing.T) {
		f := newFake(t, scripted(t, slow))
		c := newClient(t, f)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for f.apiCalls.Load() == 0 {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}()
		_, err := c.Page(ctx, keka.JobsList(), 1)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		if got := c.Stats().Requests; got != 1 {
			t.Errorf("requests = %d, want 1 (no retry after cancel)", got)
		}
	})
	t.Run("deadline before the next rate limit slot", func(t *testing.T) {
		f := newFake(t, scripted(t, okPage(1)))
		c := newClient(t, f, func(o *keka.Options) { o.RequestsPerMinute = 1 })
		if _, err := c.Page(context.Background(), keka.JobsList(), 1); err != nil {
			t.Fatalf("first page: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := c.Page(ctx, keka.JobsList(), 2)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, want context.DeadlineExceeded", err)
		}
		if got := f.apiCalls.Load(); got != 1 {
			t.Errorf("server saw %d requests, want 1", got)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		f := newFake(t, scripted(t, okPage(1)))
		c := newClient(t, f)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.Page(ctx, keka.JobsList(), 1); !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
		if got := f.apiCalls.Load() + f.tokenCalls.Load(); got != 0 {
			t.Errorf("server saw %d requests, want 0", got)
		}
	})
}

func TestClient_Page_URL(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64) {
		bearer(t, r)
		if r.URL.Path != "/api/v1/hire/jobs/job%201/candidates" && r.URL.EscapedPath() != "/api/v1/hire/jobs/job%201/candidates" {
			t.Errorf("path = %q", r.URL.EscapedPath())
		}
		q := r.URL.Query()
		for k, v := range map[string]string{"isArchived": "true", "pageNumber": "3", "pageSize": "200"} {
			if q.Get(k) != v {
				t.Errorf("query %s = %q, want %q (query %q)", k, q.Get(k), v, r.URL.RawQuery)
			}
		}
		if got := r.Header.Get("User-Agent"); got != "keka-hire-export/test" {
			t.Errorf("User-Agent = %q", got)
		}
		envelopePage(w, 3, 3, 1)
	})
	c := newClient(t, f, func(o *keka.Options) { o.UserAgent = "keka-hire-export/test" })
	p, err := c.Page(context.Background(), keka.JobCandidatesList("job 1", true), 3)
	if err != nil {
		t.Fatalf("Page: %v", err)
	}
	if !p.Last || p.PageNumber != 3 || p.TotalPages != 3 {
		t.Errorf("page = %+v, want last page 3 of 3", p)
	}
}

func TestClient_Token(t *testing.T) {
	t.Run("one token for many pages", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64) {
			if got := bearer(t, r); got != "ACCESS-TOKEN-1-9c2f6e1a" {
				t.Errorf("token = %q", got)
			}
			envelopePage(w, int(n), 10, 2)
		})
		c := newClient(t, f)
		for n := 1; n <= 10; n++ {
			p, err := c.Page(context.Background(), keka.JobsList(), n)
			if err != nil {
				t.Fatalf("page %d: %v", n, err)
			}
			if p.Last != (n == 10) {
				t.Errorf("page %d Last = %v", n, p.Last)
			}
		}
		if st := c.Stats(); st.TokenFetches != 1 || f.tokenCalls.Load() != 1 || st.Requests != 10 {
			t.Errorf("stats %+v, server token calls %d; want 1 token fetch and 10 requests", st, f.tokenCalls.Load())
		}
	})
	t.Run("one token for concurrent pages", func(t *testing.T) {
		f := newFake(t, scripted(t, okPage(1)))
		c := newClient(t, f)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				for n := 1; n <= 4; n++ {
					if _, err := c.Page(context.Background(), keka.JobsList(), n+i); err != nil {
						t.Errorf("page: %v", err)
					}
				}
			})
		}
		wg.Wait()
		if st := c.Stats(); st.TokenFetches != 1 || st.Requests != 32 {
			t.Errorf("stats %+v; want 1 token fetch and 32 requests", st)
		}
	})
	t.Run("token within 5 minutes of expiry is replaced", func(t *testing.T) {
		f := newFake(t, scripted(t, okPage(1)))
		f.expiresIn.Store(240)
		c := newClient(t, f)
		for n := 1; n <= 3; n++ {
			if _, err := c.Page(context.Background(), keka.JobsList(), n); err != nil {
				t.Fatalf("page %d: %v", n, err)
			}
		}
		if got := c.Stats().TokenFetches; got != 3 {
			t.Errorf("token fetches = %d, want 3", got)
		}
	})
	t.Run("401 then a new token succeeds", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64) {
			if bearer(t, r) == "ACCESS-TOKEN-1-9c2f6e1a" {
				status(401, "")(w, r)
				return
			}
			envelopePage(w, askedPage(r), askedPage(r), 1)
		})
		c := newClient(t, f)
		if _, err := c.Page(context.Background(), keka.JobsList(), 1); err != nil {
			t.Fatalf("Page: %v", err)
		}
		if st := c.Stats(); st.TokenFetches != 2 || st.Requests != 2 || st.Retries != 1 {
			t.Errorf("stats %+v; want 2 token fetches, 2 requests, 1 retry", st)
		}
		// The new token is kept for later pages.
		if _, err := c.Page(context.Background(), keka.JobsList(), 2); err != nil {
			t.Fatalf("Page 2: %v", err)
		}
		if got := c.Stats().TokenFetches; got != 2 {
			t.Errorf("token fetches = %d, want 2", got)
		}
	})
	t.Run("rotated credentials", func(t *testing.T) {
		f := newFake(t, scripted(t, okPage(1)))
		newSecret := "SECRET-rotated-0d5e8f"
		f.secret.Store(&newSecret)
		var refreshes []bool
		var mu sync.Mutex
		c := newClient(t, f, func(o *keka.Options) {
			o.Credentials = func(_ context.Context, refresh bool) (keka.Credentials, error) {
				mu.Lock()
				defer mu.Unlock()
				refreshes = append(refreshes, refresh)
				s := testSecret
				if refresh {
					s = newSecret
				}
				return keka.Credentials{ClientID: testClientID, ClientSecret: s, APIKey: testAPIKey}, nil
			}
		})
		if _, err := c.Page(context.Background(), keka.JobsList(), 1); err != nil {
			t.Fatalf("Page: %v", err)
		}
		if fmt.Sprint(refreshes) != "[false true]" {
			t.Errorf("credential calls (refresh) = %v, want [false true]", refreshes)
		}
		if st := c.Stats(); st.TokenFetches != 2 || st.Requests != 1 {
			t.Errorf("stats %+v; want 2 token fetches, 1 request", st)
		}
	})
	t.Run("credentials still rejected after a refresh", func(t *testing.T) {
		f := newFake(t, scripted(t, okPage(1)))
		other := "SECRET-nobody-has-this"
		f.secret.Store(&other)
		refreshes := 0
		c := newClient(t, f, func(o *keka.Options) {
			o.Credentials = func(_ context.Context, refresh bool) (keka.Credentials, error) {
				if refresh {
					refreshes++
				}
				return keka.Credentials{ClientID: testClientID, ClientSecret: testSecret, APIKey: testAPIKey}, nil
			}
		})
		_, err := c.Page(context.Background(), keka.JobsList(), 1)
		want := "keka: token endpoint rejected the credentials (invalid_client): check client_id, client_secret and api_key"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v, want it to contain %q", err, want)
		}
		if !keka.Permanent(err) || !errors.Is(err, keka.ErrUnauthorized) {
			t.Errorf("error %v: want permanent and ErrUnauthorized", err)
		}
		if refreshes != 1 || f.tokenCalls.Load() != 2 || f.apiCalls.Load() != 0 {
			t.Errorf("refreshes %d, token calls %d, API calls %d; want 1, 2, 0", refreshes, f.tokenCalls.Load(), f.apiCalls.Load())
		}
	})
	t.Run("token endpoint 503, 429 and a bare 400 are retried", func(t *testing.T) {
		f := newFake(t, scripted(t, okPage(1)))
		f.tokenScript = func(w http.ResponseWriter, r *http.Request, n int64) bool {
			switch n {
			case 1:
				w.WriteHeader(503)
				return true
			case 2:
				w.Header().Set("Retry-After", "0")
				writeJSON(w, 429, map[string]string{"error": "slow_down"})
				return true
			case 3: // a WAF in front of the endpoint
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(400)
				fmt.Fprint(w, "<html><body>Request blocked</body></html>")
				return true
			}
			return false
		}
		refreshes := 0
		c := newClient(t, f, func(o *keka.Options) {
			o.Credentials = func(_ context.Context, refresh bool) (keka.Credentials, error) {
				if refresh {
					refreshes++
				}
				return keka.Credentials{ClientID: testClientID, ClientSecret: testSecret, APIKey: testAPIKey}, nil
			}
		})
		if _, err := c.Page(context.Background(), keka.JobsList(), 1); err != nil {
			t.Fatalf("Page: %v", err)
		}
		if st := c.Stats(); st.TokenFetches != 4 || st.Retries != 3 || st.Throttled != 1 || st.Requests != 1 || refreshes != 0 {
			t.Errorf("stats %+v, credential refreshes %d; want 4 token fetches, 3 retries, 1 throttled, 1 request, no refresh", st, refreshes)
		}
	})
	t.Run("token endpoint failures", func(t *testing.T) {
		cases := []struct {
			name        string
			status      int
			contentType string
			body        string
			want        string
			perm        bool
			unauth      bool // errors.Is ErrUnauthorized
			calls       int64
		}{
			{name: "503 until attempts run out", status: 503,
				want: "keka: GET /hire/jobs page 1: giving up after 3 attempts: keka: token endpoint {url} answered 503 Service Unavailable", calls: 3},
			{name: "404 is permanent", status: 404,
				want: "keka: token endpoint {url} answered 404 Not Found: check the token URL and environment", perm: true, calls: 1},
			{name: "501 is permanent", status: 501,
				want: "keka: token endpoint {url} answered 501 Not Implemented: check the token URL and environment", perm: true, calls: 1},
			{name: "400 with an HTML body is retried, not rejected credentials", status: 400,
				contentType: "text/html", body: "<html><body>Request blocked by WAF</body></html>",
				want:  "keka: GET /hire/jobs page 1: giving up after 3 attempts: keka: token endpoint {url} answered 400 Bad Request",
				calls: 3},
			{name: "400 with an empty body is retried", status: 400,
				want:  "keka: GET /hire/jobs page 1: giving up after 3 attempts: keka: token endpoint {url} answered 400 Bad Request",
				calls: 3},
			{name: "401 without an OAuth code is retried", status: 401, contentType: "text/plain", body: "Unauthorized",
				want:  "keka: GET /hire/jobs page 1: giving up after 3 attempts: keka: token endpoint {url} answered 401 Unauthorized",
				calls: 3},
			{name: "400 unsupported_grant_type is permanent", status: 400,
				contentType: "application/json", body: `{"error":"unsupported_grant_type"}`,
				want: "keka: token endpoint {url} answered 400 Bad Request (unsupported_grant_type): check the token URL and environment",
				perm: true, calls: 1},
			{name: "400 invalid_grant is rejected credentials", status: 400,
				contentType: "application/json", body: `{"error":"invalid_grant"}`,
				want: "keka: token endpoint rejected the credentials (invalid_grant): check client_id, client_secret and api_key",
				perm: true, unauth: true, calls: 2},
			{name: "401 unauthorized_client is rejected credentials", status: 401,
				contentType: "application/json", body: `{"error":"unauthorized_client"}`,
				want: "keka: token endpoint rejected the credentials (unauthorized_client): check client_id, client_secret and api_key",
				perm: true, unauth: true, calls: 2},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f := newFake(t, scripted(t, okPage(1)))
				f.tokenScript = func(w http.ResponseWriter, r *http.Request, n int64) bool {
					if tc.contentType != "" {
						w.Header().Set("Content-Type", tc.contentType)
					}
					w.WriteHeader(tc.status)
					fmt.Fprint(w, tc.body)
					return true
				}
				c := newClient(t, f, func(o *keka.Options) { o.MaxAttempts = 3 })
				_, err := c.Page(context.Background(), keka.JobsList(), 1)
				want := strings.ReplaceAll(tc.want, "{url}", f.srv.URL+"/connect/token")
				if err == nil || err.Error() != want || keka.Permanent(err) != tc.perm {
					t.Fatalf("error %v (permanent %v), want %q (permanent %v)", err, keka.Permanent(err), want, tc.perm)
				}
				if got := errors.Is(err, keka.ErrUnauthorized); got != tc.unauth {
					t.Errorf("errors.Is(ErrUnauthorized) = %v, want %v", got, tc.unauth)
				}
				if st := c.Stats(); st.TokenFetches != tc.calls || st.Requests != 0 {
					t.Errorf("stats %+v; want %d token fetches, no requests", st, tc.calls)
				}
			})
		}
	})
	t.Run("credentials func error", func(t *testing.T) {
		f := newFake(t, scripted(t, okPage(1)))
		c := newClient(t, f, func(o *keka.Options) {
			o.Credentials = func(context.Context, bool) (keka.Credentials, error) {
				return keka.Credentials{}, errors.New("secret: AccessDenied")
			}
		})
		_, err := c.Page(context.Background(), keka.JobsList(), 1)
		if err == nil || !strings.Contains(err.Error(), "get credentials: secret: AccessDenied") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("incomplete credentials", func(t *testing.T) {
		f := newFake(t, scripted(t, okPage(1)))
		c := newClient(t, f, func(o *keka.Options) {
			o.Credentials = func(context.Context, bool) (keka.Credentials, error) {
				return keka.Credentials{ClientID: "x"}, nil
			}
		})
		_, err := c.Page(context.Background(), keka.JobsList(), 1)
		if err == nil || !keka.Permanent(err) || !strings.Contains(err.Error(), "client_secret, api_key") {
			t.Fatalf("error %v, want a permanent error naming client_secret and api_key", err)
		}
	})
}

// TestClient_RateLimit runs against a fake fixed-window limit of 10 requests
// per 1-second window (600 a minute) and counts requests per window.
func TestClient_RateLimit(t *testing.T) {
	run := func(t *testing.T, rpm float64, workers, pages int) (maxPerWindow int, rejected int64, c *keka.Client) {
		var mu sync.Mutex
		windows := map[int64]int{}
		var rejects int64
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64) {
			now := time.Now()
			win := now.Truncate(time.Second)
			mu.Lock()
			windows[win.Unix()]++
			over := windows[win.Unix()] > 10
			if over {
				rejects++
			}
			mu.Unlock()
			if over {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(429)
				return
			}
			envelopePage(w, askedPage(r), askedPage(r), 1)
		})
		c = newClient(t, f, func(o *keka.Options) {
			o.RequestsPerMinute = rpm
			o.MaxBackoff = 50 * time.Millisecond
			o.MaxAttempts = 20
		})
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for n := 1; n <= pages; n++ {
					if _, err := c.Page(context.Background(), keka.JobsList(), n); err != nil {
						t.Errorf("page %d: %v", n, err)
					}
				}
			})
		}
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, n := range windows {
			maxPerWindow = max(maxPerWindow, n)
		}
		return maxPerWindow, rejects, c
	}
	t.Run("a limit 10% under the server's stays within its windows", func(t *testing.T) {
		// The server allows 600 a minute in 1-second windows; 540 leaves the
		// same share of room for arrival jitter as 45 of Keka's 50 would,
		// enough for a loaded test machine.
		maxPer, rejected, c := run(t, 540, 4, 5)
		if rejected != 0 || c.Stats().Throttled != 0 || maxPer > 10 {
			t.Errorf("%d requests rejected, most in one window %d, stats %+v; want none over 10", rejected, maxPer, c.Stats())
		}
		if got := c.Stats().Requests; got != 20 {
			t.Errorf("requests = %d, want 20", got)
		}
	})
	t.Run("control: a limiter ten times too fast is throttled", func(t *testing.T) {
		// 60 requests at about 100 a second: however they fall across the
		// 1-second windows, one window gets more than 10 unless the machine
		// is slower than 10 requests a second.
		_, rejected, c := run(t, 6000, 1, 60)
		if rejected == 0 || c.Stats().Throttled != rejected {
			t.Errorf("rejected %d, stats %+v; want rejections, all counted as throttled", rejected, c.Stats())
		}
	})
}

// TestClient_NoSecrets runs failures that put server text into errors and
// logs, and checks that neither holds a credential or a token.
func TestClient_NoSecrets(t *testing.T) {
	var logs logBuffer
	var errs []string
	var issued []string
	scenarios := []struct {
		name  string
		api   func(t *testing.T, f *fakeKeka) func(http.ResponseWriter, *http.Request, int64)
		setup func(f *fakeKeka)
		creds func(context.Context, bool) (keka.Credentials, error)
	}{
		{name: "API error echoing the request", api: func(t *testing.T, f *fakeKeka) func(http.ResponseWriter, *http.Request, int64) {
			return func(w http.ResponseWriter, r *http.Request, n int64) {
				writeJSON(w, 400, map[string]any{"succeeded": false, "message": "bad header " + r.Header.Get("Authorization"),
					"errors": []map[string]string{{"fieldName": "api_key", "errorMessage": testAPIKey + " " + testSecret}}})
			}
		}},
		{name: "401 twice", api: func(t *testing.T, f *fakeKeka) func(http.ResponseWriter, *http.Request, int64) {
			return func(w http.ResponseWriter, r *http.Request, n int64) {
				writeJSON(w, 401, map[string]any{"message": "token " + bearer(t, r) + " refused"})
			}
		}},
		{name: "503 then success", api: func(t *testing.T, f *fakeKeka) func(http.ResponseWriter, *http.Request, int64) {
			return scripted(t, status(503, "token was "+testSecret), okPage(1))
		}},
		{name: "rejected credentials", setup: func(f *fakeKeka) { s := "SECRET-other"; f.secret.Store(&s) },
			api: func(t *testing.T, f *fakeKeka) func(http.ResponseWriter, *http.Request, int64) {
				return scripted(t, okPage(1))
			}},
		{name: "token endpoint error with description", api: func(t *testing.T, f *fakeKeka) func(http.ResponseWriter, *http.Request, int64) {
			f.tokenScript = func(w http.ResponseWriter, r *http.Request, n int64) bool {
				writeJSON(w, 403, map[string]string{"error": "access_denied", "error_description": "key " + testAPIKey + " secret " + testSecret})
				return true
			}
			return scripted(t, okPage(1))
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			f := newFake(t, nil)
			f.api = sc.api(t, f)
			if sc.setup != nil {
				sc.setup(f)
			}
			c := newClient(t, f, withLogger(&logs))
			for n := 1; n <= 2; n++ {
				if _, err := c.Page(context.Background(), keka.JobsList(), n); err != nil {
					errs = append(errs, err.Error())
				}
			}
			issued = append(issued, f.tokens()...)
		})
	}
	if len(errs) == 0 || len(issued) == 0 || !strings.Contains(logs.String(), "keka: retrying") {
		t.Fatalf("scenarios produced %d errors, %d tokens and logs %q: the check below would prove nothing", len(errs), len(issued), logs.String())
	}
	secrets := append([]string{testSecret, testAPIKey, "SECRET-other"}, issued...)
	for _, s := range secrets {
		for _, e := range errs {
			if strings.Contains(e, s) {
				t.Errorf("error %q contains secret %q", e, s)
			}
		}
		if strings.Contains(logs.String(), s) {
			t.Errorf("log contains secret %q", s)
		}
	}
	// Server text still reaches the error, with the secrets cut out.
	if !strings.Contains(strings.Join(errs, "\n"), "bad header Bearer [redacted]") {
		t.Errorf("errors %q lack Keka's redacted message", errs)
	}
}

func TestNew_Options(t *testing.T) {
	creds := func(context.Context, bool) (keka.Credentials, error) { return keka.Credentials{}, nil }
	cases := []struct {
		name string
		o    keka.Options
		want string
	}{
		{"no credentials", keka.Options{BaseURL: "https://acme.keka.com/api/v1", TokenURL: "https://login.keka.com/connect/token"}, "Credentials is required"},
		{"no URLs", keka.Options{Credentials: creds}, "BaseURL and TokenURL are required"},
		{"http base URL", keka.Options{Credentials: creds, BaseURL: "http://acme.keka.com/api/v1", TokenURL: "https://login.keka.com/connect/token"}, "must use https"},
		{"negative rate", keka.Options{Credentials: creds, BaseURL: "https://acme.keka.com/api/v1", TokenURL: "https://login.keka.com/connect/token", RequestsPerMinute: -1}, "must be positive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := keka.New(context.Background(), tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestClient_Page_Unauthorized(t *testing.T) {
	cases := []struct {
		name          string
		acceptFrom    int  // the first access token (1, 2, ...) the API accepts; 0: none
		refreshFails  bool // the credentials func fails when asked to refresh
		wantErr       string
		wantUnauth    bool
		wantRefreshes string // refresh argument of each credentials call
		wantRequests  int64
		wantFetches   int64
		wantRetries   int64
	}{
		{name: "401 then a new token succeeds", acceptFrom: 2,
			wantRefreshes: "[false false]", wantRequests: 2, wantFetches: 2, wantRetries: 1},
		{name: "401 twice then fresh credentials succeed", acceptFrom: 3,
			wantRefreshes: "[false false true]", wantRequests: 3, wantFetches: 3, wantRetries: 2},
		{name: "401 three times is ErrUnauthorized",
			wantErr:       "keka: GET /hire/jobs page 1: 401 Unauthorized: Unauthorized (refused again with a freshly fetched token: check that the API key belongs to this environment)",
			wantUnauth:    true,
			wantRefreshes: "[false false true]", wantRequests: 3, wantFetches: 3, wantRetries: 2},
		{name: "credentials fail to load after the second 401", refreshFails: true,
			wantErr:       "keka: GET /hire/jobs page 1: get credentials again after Keka refused them: secret: throttled",
			wantRefreshes: "[false false true]", wantRequests: 2, wantFetches: 2, wantRetries: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, nil)
			f.api = func(w http.ResponseWriter, r *http.Request, n int64) {
				tok := bearer(t, r)
				for i := 1; tc.acceptFrom > 0 && i < tc.acceptFrom; i++ {
					if tok == fmt.Sprintf("ACCESS-TOKEN-%d-9c2f6e1a", i) {
						writeJSON(w, 401, map[string]any{"message": "Unauthorized"})
						return
					}
				}
				if tc.acceptFrom == 0 {
					writeJSON(w, 401, map[string]any{"message": "Unauthorized"})
					return
				}
				envelopePage(w, askedPage(r), askedPage(r), 1)
			}
			var mu sync.Mutex
			var refreshes []bool
			c := newClient(t, f, func(o *keka.Options) {
				o.Credentials = func(_ context.Context, refresh bool) (keka.Credentials, error) {
					mu.Lock()
					defer mu.Unlock()
					refreshes = append(refreshes, refresh)
					if refresh && tc.refreshFails {
						return keka.Credentials{}, errors.New("secret: throttled")
					}
					return keka.Credentials{ClientID: testClientID, ClientSecret: testSecret, APIKey: testAPIKey}, nil
				}
			})
			_, err := c.Page(context.Background(), keka.JobsList(), 1)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Page: %v", err)
			case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
				t.Fatalf("error\n got %v\nwant %s", err, tc.wantErr)
			}
			if got := errors.Is(err, keka.ErrUnauthorized); got != tc.wantUnauth {
				t.Errorf("errors.Is(ErrUnauthorized) = %v, want %v", got, tc.wantUnauth)
			}
			if tc.wantUnauth && !keka.Permanent(err) {
				t.Errorf("error %v is not permanent", err)
			}
			if got := fmt.Sprint(refreshes); got != tc.wantRefreshes {
				t.Errorf("credential calls (refresh) = %s, want %s", got, tc.wantRefreshes)
			}
			if st := c.Stats(); st.Requests != tc.wantRequests || st.TokenFetches != tc.wantFetches || st.Retries != tc.wantRetries {
				t.Errorf("stats %+v; want %d requests, %d token fetches, %d retries", st, tc.wantRequests, tc.wantFetches, tc.wantRetries)
			}
		})
	}
}

// TestClient_RedactsEscapedSecrets uses credentials with characters that
// URL escaping changes, and servers that echo them escaped.
func TestClient_RedactsEscapedSecrets(t *testing.T) {
	const (
		secret = "SEC+ret/b41d=9a77+c0"
		apiKey = "KEY/e19c+3f0=a2b7/64"
	)
	grant := func(w http.ResponseWriter) {
		writeJSON(w, 200, map[string]any{"access_token": "ACCESS+tok/en=7d1e", "expires_in": 86400, "token_type": "Bearer"})
	}
	cases := []struct {
		name  string
		token func(w http.ResponseWriter, r *http.Request, n int64) bool
		api   func(w http.ResponseWriter, r *http.Request, n int64)
	}{
		{name: "token endpoint echoes the form body",
			token: func(w http.ResponseWriter, r *http.Request, n int64) bool {
				body, _ := io.ReadAll(r.Body)
				if !strings.Contains(string(body), url.QueryEscape(secret)) {
					t.Errorf("form body %q does not hold the query-escaped secret: the case tests nothing", body)
				}
				writeJSON(w, 400, map[string]string{"error": "invalid_request", "error_description": "cannot read " + string(body)})
				return true
			}},
		{name: "API error echoes the query-escaped secret and key",
			token: func(w http.ResponseWriter, r *http.Request, n int64) bool { grant(w); return true },
			api: func(w http.ResponseWriter, r *http.Request, n int64) {
				writeJSON(w, 400, map[string]any{"succeeded": false,
					"message": "bad client_secret=" + url.QueryEscape(secret) + "&api_key=" + url.QueryEscape(apiKey)})
			}},
		{name: "API error echoes the path-escaped key and token",
			token: func(w http.ResponseWriter, r *http.Request, n int64) bool { grant(w); return true },
			api: func(w http.ResponseWriter, r *http.Request, n int64) {
				writeJSON(w, 404, map[string]any{"message": "no /keys/" + url.PathEscape(apiKey) + "/" + url.PathEscape(secret) +
					" for " + url.QueryEscape(bearer(t, r))})
			}},
		{name: "succeeded false with a secret where the message is cut",
			token: func(w http.ResponseWriter, r *http.Request, n int64) bool { grant(w); return true },
			api: func(w http.ResponseWriter, r *http.Request, n int64) {
				writeJSON(w, 200, map[string]any{"succeeded": false, "message": strings.Repeat("x", 290) + " " + secret})
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.api)
			f.tokenScript = tc.token
			var logs logBuffer
			c := newClient(t, f, withLogger(&logs), func(o *keka.Options) {
				o.Credentials = func(context.Context, bool) (keka.Credentials, error) {
					return keka.Credentials{ClientID: testClientID, ClientSecret: secret, APIKey: apiKey}, nil
				}
				o.MaxAttempts = 2
			})
			_, err := c.Page(context.Background(), keka.JobsList(), 1)
			if err == nil {
				t.Fatal("Page succeeded; want an error")
			}
			if !strings.Contains(err.Error(), "[redact") {
				t.Errorf("error %q has nothing redacted: the check below proves nothing", err)
			}
			for _, v := range []string{secret, apiKey, "ACCESS+tok/en=7d1e"} {
				for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v), v[:10]} {
					if strings.Contains(err.Error(), form) {
						t.Errorf("error %q contains %q", err, form)
					}
					if strings.Contains(logs.String(), form) {
						t.Errorf("log contains %q", form)
					}
				}
			}
		})
	}
}

func TestNew_LimiterRate(t *testing.T) {
	cases := []struct {
		rpm  float64
		want float64 // requests per second
	}{
		{0, 50.0 / 60 * 0.97},
		{50, 50.0 / 60 * 0.97},
		{600, 9.7},
		{1, 0.97 / 60},
	}
	for _, tc := range cases {
		c, err := keka.New(context.Background(), keka.Options{
			BaseURL: "https://acme.keka.com/api/v1", TokenURL: "https://login.keka.com/connect/token",
			Credentials:       func(context.Context, bool) (keka.Credentials, error) { return keka.Credentials{}, nil },
			RequestsPerMinute: tc.rpm,
		})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		if got := keka.LimiterRate(c); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("rpm %v: limiter rate %v/s, want %v/s", tc.rpm, got, tc.want)
		}
	}
}
