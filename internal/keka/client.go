// Package keka is the client of Keka's Hire API: OAuth token, paged lists,
// retries with backoff, a client-side rate limit, typed errors, Keka's record
// types and its many date forms. It knows nothing of Parquet or storage.
package keka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Credentials are the values of a Keka API key.
type Credentials struct{ ClientID, ClientSecret, APIKey string }

// CredentialsFunc returns the credentials; refresh=true bypasses any cache
// (called once after Keka's token endpoint rejected the cached ones).
type CredentialsFunc func(ctx context.Context, refresh bool) (Credentials, error)

// Options configure a Client. Zero values take the defaults shown.
type Options struct {
	BaseURL, TokenURL string           // from BaseURL and TokenURL, or loopback overrides
	Credentials       CredentialsFunc  // required
	RequestsPerMinute float64          // default 50; the limiter uses burst 1
	RequestTimeout    time.Duration    // default 30s, per HTTP attempt (API and token endpoint)
	MaxAttempts       int              // default 8 per request
	MinBackoff        time.Duration    // default 1s
	MaxBackoff        time.Duration    // default 60s; Retry-After is capped at 5×MaxBackoff
	HTTPClient        *http.Client     // optional; each attempt is also bounded by RequestTimeout
	UserAgent         string           // default "keka-hire-export/dev"
	Logger            *slog.Logger     // default: discard
	Rand              func() float64   // jitter source in [0,1), default math/rand/v2
	Now               func() time.Time // clock for Retry-After dates, default time.Now
	// CredentialsRecheck is how often the client asks Credentials again
	// (refresh=false, so a caching source answers from its cache until its
	// own TTL passes), so that a rotated secret is used before Keka rejects
	// the old one. Default 5 minutes.
	CredentialsRecheck time.Duration
}

// Defaults of Options.
const (
	DefaultRequestsPerMinute = 50
	DefaultRequestTimeout    = 30 * time.Second
	DefaultMaxAttempts       = 8
	DefaultMinBackoff        = time.Second
	DefaultMaxBackoff        = 60 * time.Second
	DefaultUserAgent         = "keka-hire-export/dev"
)

// limiterMargin slows the limiter to 97% of RequestsPerMinute. The server
// counts requests in fixed 60-second windows by when they arrive, and
// arrival times jitter (network, TLS handshakes, a retried connection, the
// server's own queueing): at exactly rpm/60 one request arriving early can
// put rpm+1 in one window. At 97%, rpm+1 requests span 60/0.97 ≈ 61.9s, so
// arrivals may drift by up to ~1.8s before two of them can squeeze an extra
// request into a window. The cost is 3% of throughput.
const limiterMargin = 0.97

// maxBody bounds a response body read into memory.
const maxBody = 64 << 20

// Client calls Keka's API. It is safe for concurrent use.
type Client struct {
	baseURL     string
	http        *http.Client
	limiter     *rate.Limiter
	interval    time.Duration // 60s / RequestsPerMinute, without the margin
	timeout     time.Duration
	maxAttempts int
	maxBody     int
	minBackoff  time.Duration
	maxBackoff  time.Duration
	log         *slog.Logger
	now         func() time.Time

	randMu sync.Mutex
	rand   func() float64

	tokens *tokenState

	requests, retries, throttled, tokenFetches atomic.Int64
}

// New builds a client; ctx is long-lived (the token source keeps it for
// every token request). It returns an error when a URL is missing or not
// https (loopback excepted), Credentials is nil, or a number is negative.
func New(ctx context.Context, o Options) (*Client, error) {
	if o.Credentials == nil {
		return nil, errors.New("keka: options: Credentials is required")
	}
	if o.BaseURL == "" || o.TokenURL == "" {
		return nil, errors.New("keka: options: BaseURL and TokenURL are required (see keka.BaseURL and keka.TokenURL)")
	}
	if err := CheckURL(o.BaseURL); err != nil {
		return nil, fmt.Errorf("keka: options: base URL: %w", err)
	}
	if err := CheckURL(o.TokenURL); err != nil {
		return nil, fmt.Errorf("keka: options: token URL: %w", err)
	}
	if o.RequestsPerMinute < 0 || math.IsNaN(o.RequestsPerMinute) || math.IsInf(o.RequestsPerMinute, 0) ||
		o.RequestTimeout < 0 || o.MaxAttempts < 0 || o.MinBackoff < 0 || o.MaxBackoff < 0 {
		return nil, errors.New("keka: options: RequestsPerMinute, RequestTimeout, MaxAttempts and backoffs must be positive (or zero for the default)")
	}
	if o.RequestsPerMinute == 0 {
		o.RequestsPerMinute = DefaultRequestsPerMinute
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.MinBackoff == 0 {
		o.MinBackoff = DefaultMinBackoff
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = o.MinBackoff
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	hc := newHTTPClient(o.HTTPClient, o.UserAgent)
	// The token source cannot take a per-call context, so its requests are
	// bounded by the client's Timeout instead.
	tokenHC := *hc
	tokenHC.Timeout = o.RequestTimeout
	baseURL := strings.TrimRight(o.BaseURL, "/")

	c := &Client{
		baseURL:     baseURL,
		http:        hc,
		limiter:     rate.NewLimiter(rate.Limit(o.RequestsPerMinute/60*limiterMargin), 1),
		interval:    time.Duration(float64(time.Minute) / o.RequestsPerMinute),
		timeout:     o.RequestTimeout,
		maxAttempts: o.MaxAttempts,
		maxBody:     maxBody,
		minBackoff:  o.MinBackoff,
		maxBackoff:  o.MaxBackoff,
		log:         o.Logger,
		now:         o.Now,
		rand:        o.Rand,
	}
	c.tokens = newTokenState(ctx, c, o.TokenURL, o.Credentials, &tokenHC)
	c.tokens.recheck = o.CredentialsRecheck
	if c.tokens.recheck <= 0 {
		c.tokens.recheck = DefaultCredentialsRecheck
	}
	return c, nil
}

// Stats counts what the client did since New.
type Stats struct {
	Requests     int64 // HTTP attempts to the API (token requests not included)
	Retries      int64 // attempts repeated after a transient failure, succeeded:false or a 401
	Throttled    int64 // 429 answers from the API or the token endpoint, and succeeded:false with rateLimitExceeded
	TokenFetches int64 // requests to the token endpoint
}

// Stats returns the counters so far.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:     c.requests.Load(),
		Retries:      c.retries.Load(),
		Throttled:    c.throttled.Load(),
		TokenFetches: c.tokenFetches.Load(),
	}
}

// Page fetches one page (pageNumber from 1) with retries and the rate limit.
// Transport failures, 408, 429, 5xx other than 501 and 505, malformed bodies,
// pages numbered other than asked and Keka's succeeded:false are retried; a
// 401 is retried first with a new token, then with credentials fetched again
// (CredentialsFunc with refresh=true). A page that still states another page
// number than asked when MaxAttempts are spent is returned as sent, with
// PageNumber the number asked for (a server ignoring pageNumber; the
// caller's check for repeated pages ends the list).
// It returns an *APIError for an answer that is not a page (errors.Is
// ErrUnauthorized, ErrForbidden, ErrNotFound by status; Status 200 for
// succeeded:false), an error wrapping ctx's error when ctx ends, and an error
// wrapping the last failure when MaxAttempts are spent.
func (c *Client) Page(ctx context.Context, l List, pageNumber int) (Page, error) {
	if pageNumber < 1 {
		return Page{}, fmt.Errorf("keka: GET %s: page number must be 1 or more, got %d", l.Path, pageNumber)
	}
	if !strings.HasPrefix(l.Path, "/") {
		return Page{}, fmt.Errorf("keka: list path must start with /, got %q", l.Path)
	}
	q := url.Values{}
	for k, v := range l.Query {
		q[k] = append([]string(nil), v...)
	}
	q.Set("pageNumber", strconv.Itoa(pageNumber))
	q.Set("pageSize", strconv.Itoa(PageSize))
	target := c.baseURL + l.Path + "?" + q.Encode()
	where := fmt.Sprintf("keka: GET %s page %d", l.Path, pageNumber)

	unauthorized := 0 // 401 answers so far
	mismatched := false
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return Page{}, fmt.Errorf("%s: %w", where, err)
		}
		tok, err := c.tokens.token(ctx)
		if err != nil {
			if Permanent(err) {
				return Page{}, err // about the credentials, not this page
			}
			return Page{}, fmt.Errorf("%s: %w", where, err)
		}
		if err := c.wait(ctx); err != nil {
			return Page{}, fmt.Errorf("%s: %w", where, err)
		}
		res := c.attempt(ctx, target, tok.value)
		c.log.Debug("keka: request", "path", l.Path, "page", pageNumber, "status", res.status,
			"attempt", attempt, "duration", res.duration)
		if res.ctxErr != nil {
			return Page{}, fmt.Errorf("%s: %w", where, res.ctxErr)
		}

		var fail error
		retry := false
		reason := res.reason()
		var after time.Duration = -1
		switch {
		case res.err != nil:
			fail = fmt.Errorf("%s: %w", where, res.err)
			retry = res.retryable
		case res.status == http.StatusNoContent:
			return Page{Records: []json.RawMessage{}, PageNumber: pageNumber, TotalRecords: -1, TotalPages: -1, Last: true}, nil
		case res.status >= 200 && res.status < 300:
			p, err := ParsePage(res.body, pageNumber)
			if err == nil && p.Stated != 0 && p.Stated != pageNumber {
				if !mismatched && attempt < c.maxAttempts {
					// A cache may have mixed up one answer: ask once more.
					mismatched = true
					fail = fmt.Errorf("%s: the response says it is page %d", where, p.Stated)
					retry, reason = true, "another page than asked"
					break
				}
				// Again another page: a server or proxy that ignores
				// pageNumber. Retrying longer changes nothing; the page goes
				// back as sent, Stated telling the caller.
				c.log.Warn("keka: the server answers another page than asked; returning it as sent",
					"path", l.Path, "page", pageNumber, "stated_page", p.Stated, "attempts", attempt)
				return p, nil
			}
			if err == nil {
				return p, nil
			}
			retry = true
			var fe *failedError
			if errors.As(err, &fe) {
				// succeeded:false is retried like a malformed body: Keka
				// sends it for passing failures, its rate limit among them.
				fail = &APIError{Status: http.StatusOK, Path: l.Path, Page: pageNumber, Message: clean(c.tokens.redact(fe.text))}
				reason = "Keka reported a failure"
				if fe.rateLimited {
					c.throttled.Add(1)
					after = c.retryAfter(res.header, true)
					reason = "rate limited (in a 200)"
					if after < 0 {
						after = c.throttleWait(attempt)
					}
				}
				break
			}
			fail = fmt.Errorf("%s: %w", where, err)
			retry = !Permanent(err)
		case res.status == http.StatusUnauthorized && unauthorized < 2:
			unauthorized++
			fail = c.apiError(l.Path, pageNumber, res)
			retry = true
			after = 0
			if unauthorized == 1 {
				// The token may have been revoked or expired early: get a new one.
				c.tokens.invalidate(tok)
				break
			}
			// A fresh token was refused too: the secret may have been rotated
			// and the old key revoked. Fetch the credentials again, bypassing
			// any cache, and try once more with a token from them.
			reason = "unauthorized with a fresh token, fetching the credentials again"
			if err := c.tokens.rotate(ctx, tok.credsGen); err != nil {
				return Page{}, fmt.Errorf("%s: 401 with a fresh token, then fetching the credentials again failed: %w", where, err)
			}
		default:
			fail = c.apiError(l.Path, pageNumber, res)
			retry = retryableStatus(res.status)
			if retry {
				rateLimited := res.status == http.StatusTooManyRequests
				after = c.retryAfter(res.header, rateLimited)
				if rateLimited {
					c.throttled.Add(1)
					if after < 0 {
						after = c.throttleWait(attempt)
					}
				}
			}
		}
		if !retry {
			return Page{}, fail
		}
		if attempt >= c.maxAttempts {
			return Page{}, fmt.Errorf("%s: giving up after %d attempts: %w", where, attempt, fail)
		}
		wait := after
		if wait < 0 {
			wait = c.backoff(attempt)
		}
		c.retries.Add(1)
		c.log.Warn("keka: retrying", "path", l.Path, "page", pageNumber, "attempt", attempt,
			"status", res.status, "reason", reason, "wait", wait)
		if err := sleep(ctx, wait); err != nil {
			return Page{}, fmt.Errorf("%s: %w", where, err)
		}
	}
}

// ErrNoTimeLeft is returned (wrapped) at once when the context's deadline
// falls before the rate limiter would let the next request go. It wraps
// context.DeadlineExceeded.
var ErrNoTimeLeft = fmt.Errorf("keka: the next request slot is after the deadline: %w", context.DeadlineExceeded)

// wait blocks on the rate limiter. When ctx's deadline falls before the
// limiter would let the request go, it returns ErrNoTimeLeft at once rather
// than waiting for nothing.
func (c *Client) wait(ctx context.Context) error {
	if err := c.limiter.Wait(ctx); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return ErrNoTimeLeft
	}
	return nil
}

// result is the outcome of one HTTP attempt.
type result struct {
	status    int
	header    http.Header
	body      []byte
	err       error // transport or read failure; never holds the token
	retryable bool
	ctxErr    error // the caller's context ended
	duration  time.Duration
}

func (r result) reason() string {
	switch {
	case r.err != nil:
		var ne net.Error
		if errors.As(r.err, &ne) && ne.Timeout() || errors.Is(r.err, context.DeadlineExceeded) {
			return "timeout"
		}
		return "connection"
	case r.status >= 200 && r.status < 300:
		return "malformed body"
	case r.status == http.StatusUnauthorized:
		return "unauthorized, fetching a new token"
	}
	return "status " + strconv.Itoa(r.status)
}

// attempt makes one GET under its own timeout and reads the whole body.
func (c *Client) attempt(ctx context.Context, target, token string) result {
	start := time.Now()
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, target, nil)
	if err != nil {
		return result{err: fmt.Errorf("build request: %w", err)}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	// Go's transport may itself replay a GET once when a reused keep-alive
	// connection turns out closed before any answer; such a replay is not
	// counted here nor rate limited. It is rare, and the server has (almost
	// always) not processed the first try. Every other failure comes back
	// to Page's loop, which counts, limits and backs off.
	c.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportResult(ctx, err, start)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(c.maxBody)+1))
	if err != nil {
		return c.transportResult(ctx, fmt.Errorf("read body: %w", err), start)
	}
	r := result{status: resp.StatusCode, header: resp.Header, body: body, duration: time.Since(start)}
	if len(body) > c.maxBody {
		// The same answer would come back on a retry.
		r.err = &permanentError{fmt.Errorf("%d response with a body larger than %d bytes", r.status, c.maxBody)}
	}
	return r
}

func (c *Client) transportResult(ctx context.Context, err error, start time.Time) result {
	r := result{duration: time.Since(start)}
	if ctxErr := ctx.Err(); ctxErr != nil {
		r.ctxErr = ctxErr
		return r
	}
	if cfg := configProblem(err, apiBase(c.baseURL)); cfg != nil {
		r.err = cfg
		return r
	}
	r.err = transportError(err)
	r.retryable = retryableTransport(err)
	return r
}

// transportError strips the URL from a *url.Error (it adds nothing the
// caller's message does not already say) and explains timeouts.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within the request timeout: %w", err)
	}
	return err
}

// retryableTransport is false for an unknown host, which a retry does not
// fix. (Configuration problems are sorted out before, by configProblem.)
func retryableTransport(err error) bool {
	var dnsErr *net.DNSError
	return !errors.As(err, &dnsErr) || !dnsErr.IsNotFound
}

func (c *Client) apiError(path string, page int, r result) *APIError {
	return &APIError{Status: r.status, Path: path, Page: page, Message: clean(c.tokens.redact(errorText(r.body)))}
}

// backoff is capped exponential backoff with full jitter: a uniform wait in
// [0, min(MaxBackoff, MinBackoff·2^(attempt-1))).
//
// cenkalti/backoff/v5 is not used: its jitter is a ±randomization factor
// around the interval (not full jitter) drawn from the global source (not
// injectable), and its Retry-After support takes whole seconds only. The
// loop in Page also needs per-answer decisions (a 401 retried at once with a
// new token) that fit a plain loop better than an Operation closure.
func (c *Client) backoff(attempt int) time.Duration {
	ceiling := c.minBackoff
	for i := 1; i < attempt && ceiling < c.maxBackoff; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, c.maxBackoff)
	return time.Duration(c.jitter() * float64(ceiling))
}

// throttleWait is the wait after a 429 that says nothing of when to come
// back: at least one limiter interval (60s/RequestsPerMinute) times a
// factor in [1,2), or the backoff when that is longer, capped at
// MaxBackoff. A 429 means the server's window is spent; the backoff alone
// starts at MinBackoff, and a retry that soon would land in the same
// window and be refused again.
func (c *Client) throttleWait(attempt int) time.Duration {
	floor := time.Duration((1 + c.jitter()) * float64(c.interval))
	return min(max(floor, c.backoff(attempt)), c.maxBackoff)
}

// jitter returns a number in [0,1) from the jitter source.
func (c *Client) jitter() float64 {
	c.randMu.Lock()
	f := c.rand()
	c.randMu.Unlock()
	if f < 0 || f >= 1 || math.IsNaN(f) {
		f = 0.5
	}
	return f
}

// retryAfter reads Retry-After (seconds or an HTTP date) and, for 429s,
// X-RateLimit-Reset (epoch seconds, or seconds from now when small). It
// returns -1 when neither is present or readable, and caps the wait at
// 5×MaxBackoff.
func (c *Client) retryAfter(h http.Header, rateLimited bool) time.Duration {
	d := time.Duration(-1)
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 && !math.IsInf(secs, 0) {
			d = time.Duration(math.Min(secs, 1e6) * float64(time.Second))
		} else if t, err := http.ParseTime(v); err == nil {
			d = max(t.Sub(c.now()), 0)
		}
	}
	if d < 0 && rateLimited {
		if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
			if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 && !math.IsInf(n, 0) {
				if n > 1e9 { // epoch seconds
					if n < 1e11 {
						d = max(time.Unix(int64(n), 0).Sub(c.now()), 0)
					}
				} else {
					d = time.Duration(math.Min(n, 1e6) * float64(time.Second))
				}
			}
		}
	}
	if limit := 5 * c.maxBackoff; d > limit {
		d = limit
	}
	return d
}

// sleep waits d or until ctx ends, returning ctx's error in that case.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
