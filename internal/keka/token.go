package keka

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// earlyExpiry is how long before its expiry a token is replaced.
const earlyExpiry = 5 * time.Minute

// tokenState holds the credentials and the reusing token source built from
// them. gen changes whenever the source is rebuilt, so that of many callers
// who saw the same bad token or rejected credentials only one rebuilds.
type tokenState struct {
	ctx      context.Context // long-lived, from New, with the token HTTP client
	c        *Client
	tokenURL string
	credsFn  CredentialsFunc

	recheck time.Duration // how often current asks credsFn again

	mu       sync.Mutex
	creds    Credentials
	loadedAt time.Time          // when creds were last asked for
	src      oauth2.TokenSource // nil until first use
	gen      uint64             // source generation
	credsGen uint64             // credentials generation
	secrets  []string           // values never to show: every secret and API key seen
	tokens   []string           // and the last few access tokens
}

// token is an access token and the generations of the source and of the
// credentials that gave it.
type token struct {
	value    string
	gen      uint64
	credsGen uint64
}

func newTokenState(ctx context.Context, c *Client, tokenURL string, fn CredentialsFunc, hc *http.Client) *tokenState {
	return &tokenState{
		ctx:      context.WithValue(ctx, oauth2.HTTPClient, hc),
		c:        c,
		tokenURL: tokenURL,
		credsFn:  fn,
	}
}

// countingSource fetches a new token on every call, counting the fetches.
// The clientcredentials source is not used directly: it already wraps itself
// in a reusing source with a 10-second margin, which would hide the 5-minute
// margin of the outer one.
type countingSource struct {
	ctx  context.Context
	conf *clientcredentials.Config
	c    *Client
	ts   *tokenState
}

func (s countingSource) Token() (*oauth2.Token, error) {
	s.c.tokenFetches.Add(1)
	t, err := s.conf.Token(s.ctx)
	if err == nil {
		s.ts.remember(t.AccessToken)
	}
	return t, err
}

// build makes a new reusing source from ts.creds. ts.mu must be held.
func (ts *tokenState) build() {
	conf := &clientcredentials.Config{
		ClientID:     ts.creds.ClientID,
		ClientSecret: ts.creds.ClientSecret,
		TokenURL:     ts.tokenURL,
		Scopes:       []string{"kekaapi"},
		EndpointParams: map[string][]string{
			"grant_type": {"kekaapi"},
			"api_key":    {ts.creds.APIKey},
		},
		AuthStyle: oauth2.AuthStyleInParams,
	}
	ts.src = oauth2.ReuseTokenSourceWithExpiry(nil, countingSource{ctx: ts.ctx, conf: conf, c: ts.c, ts: ts}, earlyExpiry)
	ts.gen++
}

// load fetches credentials (from cache unless refresh) and rebuilds the
// source. ts.mu must be held.
func (ts *tokenState) load(ctx context.Context, refresh bool) error {
	creds, err := ts.credsFn(ctx, refresh)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("get credentials: %w", ctxErr)
		}
		return fmt.Errorf("get credentials: %w", err)
	}
	return ts.use(creds)
}

// use checks creds and rebuilds the source from them. ts.mu must be held.
func (ts *tokenState) use(creds Credentials) error {
	var missing []string
	if creds.ClientID == "" {
		missing = append(missing, "client_id")
	}
	if creds.ClientSecret == "" {
		missing = append(missing, "client_secret")
	}
	if creds.APIKey == "" {
		missing = append(missing, "api_key")
	}
	if len(missing) > 0 {
		return &permanentError{fmt.Errorf("keka: credentials lack %s", strings.Join(missing, ", "))}
	}
	ts.creds = creds
	ts.loadedAt = ts.c.now()
	ts.addSecret(creds.ClientSecret)
	ts.addSecret(creds.APIKey)
	ts.credsGen++
	ts.build()
	return nil
}

// DefaultCredentialsRecheck is how often, by default, the client asks for
// the credentials again.
const DefaultCredentialsRecheck = 5 * time.Minute

// current returns the source, loading credentials on first use and asking
// for them again every recheck: when they changed (a rotated secret), the
// source is rebuilt and the next request gets a token for the new ones. A
// failed recheck keeps the credentials in use.
func (ts *tokenState) current(ctx context.Context) (oauth2.TokenSource, uint64, uint64, error) {
	ts.mu.Lock()
	if ts.src == nil {
		err := ts.load(ctx, false)
		src, gen, credsGen := ts.src, ts.gen, ts.credsGen
		ts.mu.Unlock()
		return src, gen, credsGen, err
	}
	due := ts.c.now().Sub(ts.loadedAt) >= ts.recheck
	if due {
		ts.loadedAt = ts.c.now() // this caller rechecks; the others go on
	}
	src, gen, credsGen := ts.src, ts.gen, ts.credsGen
	ts.mu.Unlock()
	if !due {
		return src, gen, credsGen, nil
	}

	// Ask outside the lock: it may be a network call.
	creds, err := ts.credsFn(ctx, false)
	if err != nil {
		ts.c.log.Warn("keka: could not check the credentials again; keeping those in use", "error", ts.redact(err.Error()))
		return src, gen, credsGen, nil
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if creds != ts.creds && ts.credsGen == credsGen {
		ts.c.log.Info("keka: the credentials changed; getting a token for the new ones")
		if err := ts.use(creds); err != nil {
			return nil, 0, 0, err
		}
	}
	return ts.src, ts.gen, ts.credsGen, nil
}

// invalidate drops the cached token t after the API refused it, unless
// another caller already did.
func (ts *tokenState) invalidate(t token) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.gen == t.gen {
		ts.build()
	}
}

// rotate fetches the credentials again, bypassing any cache, unless another
// caller already did since credsGen.
func (ts *tokenState) rotate(ctx context.Context, credsGen uint64) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.credsGen != credsGen {
		return nil
	}
	return ts.load(ctx, true)
}

// token returns a valid access token, fetching one when needed. Token
// endpoint 429, 5xx and network failures are retried like API calls; a
// rejection of the credentials makes it fetch them again once.
func (ts *tokenState) token(ctx context.Context) (token, error) {
	c := ts.c
	rotated := false
	for attempt := 1; ; attempt++ {
		src, gen, credsGen, err := ts.current(ctx)
		if err != nil {
			return token{}, err
		}
		t, err := fetch(ctx, src)
		if err == nil {
			return token{value: t.AccessToken, gen: gen, credsGen: credsGen}, nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return token{}, fmt.Errorf("get token: %w", ctxErr)
		}
		if baseErr := ts.ctx.Err(); baseErr != nil {
			return token{}, fmt.Errorf("get token: the client's context is done: %w", baseErr)
		}
		if cfg := configProblem(err, tokenEndpoint(ts.tokenURL)); cfg != nil {
			return token{}, cfg
		}
		kind, status, code, hdr := classifyTokenError(err)
		code = clean(ts.redact(code)) // server text: without secrets, then one short line
		var fail error
		after := time.Duration(-1)
		switch kind {
		case tokenRejected:
			if rotated {
				return token{}, &credentialsError{status: status, code: code}
			}
			rotated = true
			c.log.Warn("keka: token endpoint rejected the credentials; fetching them again", "status", status, "error", code)
			if err := ts.rotate(ctx, credsGen); err != nil {
				return token{}, fmt.Errorf("get token: after the credentials were rejected (%s): %w", code, err)
			}
			continue // a new attempt at once, with the new credentials
		case tokenPermanent:
			return token{}, &permanentError{ts.refusal(status, code, err)}
		case tokenThrottled:
			c.throttled.Add(1)
			after = c.retryAfter(hdr, true)
			if after < 0 {
				after = c.throttleWait(attempt)
			}
			fail = fmt.Errorf("token endpoint answered %s", ts.describe(status, code, err))
		default:
			after = c.retryAfter(hdr, false)
			fail = fmt.Errorf("token request failed: %s", ts.describe(status, code, err))
		}
		if attempt >= c.maxAttempts {
			return token{}, fmt.Errorf("%w (gave up after %d attempts)", fail, attempt)
		}
		wait := after
		if wait < 0 {
			wait = c.backoff(attempt)
		}
		c.retries.Add(1)
		c.log.Warn("keka: retrying token request", "attempt", attempt, "status", status, "wait", wait)
		if err := sleep(ctx, wait); err != nil {
			return token{}, fmt.Errorf("get token: %w", err)
		}
	}
}

// fetch calls src.Token but returns as soon as ctx ends: the source runs on
// the long-lived context, bounded by the request timeout of its HTTP client.
func fetch(ctx context.Context, src oauth2.TokenSource) (*oauth2.Token, error) {
	type res struct {
		t   *oauth2.Token
		err error
	}
	ch := make(chan res, 1)
	go func() {
		t, err := src.Token()
		ch <- res{t, err}
	}()
	select {
	case r := <-ch:
		return r.t, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type tokenErrorKind int

const (
	tokenTransient tokenErrorKind = iota
	tokenThrottled
	tokenRejected
	tokenPermanent
)

// classifyTokenError sorts a token source error. It returns the HTTP status
// (0 without one), the OAuth error code and the answer's headers.
//
// Only an OAuth error code that is about the client (invalid_client,
// invalid_grant, unauthorized_client) means the credentials were rejected.
// A 400 or 401 without any code (an HTML or empty body, as a WAF or a proxy
// in front of the endpoint gives) is not Keka's answer to the credentials
// and is retried; one with another code (unsupported_grant_type,
// invalid_scope, invalid_request) is permanent.
func classifyTokenError(err error) (tokenErrorKind, int, string, http.Header) {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return tokenTransient, 0, "", nil
	}
	status, code, hdr := re.Response.StatusCode, re.ErrorCode, re.Response.Header
	switch code {
	case "invalid_client", "invalid_grant", "unauthorized_client":
		return tokenRejected, status, code, hdr
	}
	switch {
	case status == http.StatusTooManyRequests:
		return tokenThrottled, status, code, hdr
	case (status == http.StatusBadRequest || status == http.StatusUnauthorized) && code == "",
		retryableStatus(status), status >= 200 && status < 300:
		return tokenTransient, status, code, hdr
	}
	return tokenPermanent, status, code, hdr
}

// refusal is the error for an answer of the token endpoint that no retry
// changes. An HTML 403 is a gateway or firewall in front of the endpoint
// (Azure's application gateway answers so), not a wrong URL.
func (ts *tokenState) refusal(status int, code string, err error) error {
	var re *oauth2.RetrieveError
	if status == http.StatusForbidden && errors.As(err, &re) && isHTML(re.Body) {
		return fmt.Errorf("keka: token endpoint %s answered 403 Forbidden with an HTML page: a gateway or firewall refused the request", ts.tokenURL)
	}
	return fmt.Errorf("keka: token endpoint %s answered %s: check the token URL and environment", ts.tokenURL, ts.describe(status, code, err))
}

// isHTML reports whether body looks like an HTML page.
func isHTML(body []byte) bool {
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '<'
}

// describe says what the token endpoint answered without its body (which
// could echo what was sent): status, OAuth code and description, or the
// transport error.
func (ts *tokenState) describe(status int, code string, err error) string {
	if status == 0 {
		return clean(ts.redact(transportError(err).Error()))
	}
	s := fmt.Sprintf("%d %s", status, http.StatusText(status))
	var re *oauth2.RetrieveError
	if code != "" {
		s += " (" + code
		if errors.As(err, &re) && re.ErrorDescription != "" {
			s += ": " + re.ErrorDescription
		}
		s += ")"
	}
	// Redact before clean: a secret cut by clean's length limit would no
	// longer match.
	return clean(ts.redact(s))
}

// remember records an access token to redact; only the last few are kept.
func (ts *tokenState) remember(access string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if len(access) < 4 || slices.Contains(ts.tokens, access) {
		return
	}
	ts.tokens = append(ts.tokens, access)
	if len(ts.tokens) > 8 {
		ts.tokens = slices.Delete(ts.tokens, 0, len(ts.tokens)-8)
	}
}

// addSecret records a credential value to redact. ts.mu must be held.
func (ts *tokenState) addSecret(s string) {
	if len(s) < 4 || slices.Contains(ts.secrets, s) {
		return
	}
	ts.secrets = append(ts.secrets, s)
}

// redact replaces any known secret or access token in a message from a
// server, in the raw form and in the forms url.QueryEscape and
// url.PathEscape give (a token endpoint echoing the form body it got shows
// client_secret=abc%2Bdef), longest first so that no form is left half
// replaced.
func (ts *tokenState) redact(s string) string {
	if s == "" {
		return s
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var forms []string
	for _, v := range slices.Concat(ts.secrets, ts.tokens) {
		forms = append(forms, v, url.QueryEscape(v), url.PathEscape(v))
	}
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	for _, v := range forms {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}
