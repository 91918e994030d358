// Package keka is the client of Keka's Hire API: OAuth token, paged lists,
// retries with backoff, a client-side rate limit, typed errors, Keka's record
// types and its many date forms. It knows nothing of Parquet or storage.
package keka

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Credentials are the values of a Keka API key.
type Credentials struct{ ClientID, ClientSecret, APIKey string }

// CredentialsFunc returns the credentials; refresh=true bypasses any cache
// (asked once after Keka rejected the cached ones). It is the only cache of
// credentials: the client keeps none and asks it (refresh=false) for every
// token request and every CredentialsRecheck, so it should be cheap when
// nothing changed. It may be called from several goroutines at once.
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
	HTTPClient        *http.Client     // optional; copied, with no redirects followed and UserAgent on every request; each attempt is also bounded by RequestTimeout
	UserAgent         string           // default "keka-hire-export/dev"; sent on every request, the token request included
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

// maxBody bounds a response body read into memory.
const maxBody = 64 << 20

// Client calls Keka's API. It is safe for concurrent use: every goroutine
// shares one rate limiter, one token and the counters.
type Client struct {
	baseURL     string
	http        *http.Client // no redirects, the product's User-Agent
	limiter     *limiter
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

	tokens  *tokenCache
	secrets redactor

	requests, retries, throttled, tokenFetches atomic.Int64
}

// New builds a client. ctx bounds the client's life: once it ends, no
// token is requested any more. It returns an error when a URL is missing or
// not https (loopback excepted), Credentials is nil, or a number is
// negative.
func New(ctx context.Context, o Options) (*Client, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	o.setDefaults()
	c := &Client{
		baseURL:     strings.TrimRight(o.BaseURL, "/"),
		http:        newHTTPClient(o.HTTPClient, o.UserAgent),
		limiter:     newLimiter(o.RequestsPerMinute),
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
	c.tokens = &tokenCache{c: c, url: o.TokenURL, creds: o.Credentials, recheck: o.CredentialsRecheck, life: ctx}
	return c, nil
}

// check returns an error for options New cannot work with.
func (o *Options) check() error {
	if o.Credentials == nil {
		return errors.New("keka: options: Credentials is required")
	}
	if o.BaseURL == "" || o.TokenURL == "" {
		return errors.New("keka: options: BaseURL and TokenURL are required (see keka.BaseURL and keka.TokenURL)")
	}
	if err := CheckURL(o.BaseURL); err != nil {
		return fmt.Errorf("keka: options: base URL: %w", err)
	}
	if err := CheckURL(o.TokenURL); err != nil {
		return fmt.Errorf("keka: options: token URL: %w", err)
	}
	if o.RequestsPerMinute < 0 || math.IsNaN(o.RequestsPerMinute) || math.IsInf(o.RequestsPerMinute, 0) ||
		o.RequestTimeout < 0 || o.MaxAttempts < 0 || o.MinBackoff < 0 || o.MaxBackoff < 0 {
		return errors.New("keka: options: RequestsPerMinute, RequestTimeout, MaxAttempts and backoffs must be positive (or zero for the default)")
	}
	return nil
}

// setDefaults fills in the zero values.
func (o *Options) setDefaults() {
	if o.RequestsPerMinute == 0 {
		o.RequestsPerMinute = DefaultRequestsPerMinute
	}
	o.RequestTimeout = cmp.Or(o.RequestTimeout, DefaultRequestTimeout)
	o.MaxAttempts = cmp.Or(o.MaxAttempts, DefaultMaxAttempts)
	o.MinBackoff = cmp.Or(o.MinBackoff, DefaultMinBackoff)
	o.MaxBackoff = max(cmp.Or(o.MaxBackoff, DefaultMaxBackoff), o.MinBackoff)
	o.UserAgent = cmp.Or(o.UserAgent, DefaultUserAgent)
	if o.CredentialsRecheck <= 0 {
		o.CredentialsRecheck = DefaultCredentialsRecheck
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
// Transport failures, 408, 429, 5xx other than 501 and 505, truncated
// bodies and Keka's succeeded:false are retried; a 429 or a Retry-After
// pauses every caller of the client. A 401 is retried first with a new
// token, then with credentials fetched again (CredentialsFunc with
// refresh=true). A page stating another page number than asked is asked
// once more, then returned as sent with Stated telling so (a server
// ignoring pageNumber).
// It returns an *APIError for an answer that is not a page (errors.Is
// ErrUnauthorized, ErrForbidden, ErrNotFound by status; Status 200 for
// succeeded:false), an error matching ErrConfiguration for a URL that
// cannot work, an error wrapping ctx's error when ctx ends, and an error
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
	pc := &pageCall{
		c:      c,
		path:   l.Path,
		number: pageNumber,
		target: c.baseURL + l.Path + "?" + q.Encode(),
		where:  fmt.Sprintf("keka: GET %s page %d", l.Path, pageNumber),
	}
	err := c.do(ctx, pc.where, []any{"path", l.Path, "page", pageNumber}, pc.attempt)
	if err != nil {
		return Page{}, err
	}
	return pc.page, nil
}
