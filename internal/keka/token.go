package keka

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// earlyExpiry is how long before its expiry a token is replaced.
const earlyExpiry = 5 * time.Minute

// DefaultCredentialsRecheck is how often, by default, the client asks for
// the credentials again.
const DefaultCredentialsRecheck = 5 * time.Minute

// tokenCache owns the access token: one token at a time, fetched by one
// caller while the others wait for it. It keeps no credentials: each token
// request asks the CredentialsFunc, the one cache of credentials, and so
// does a recheck every recheck interval (a rotated secret then gets a new
// token before Keka rejects the old one).
type tokenCache struct {
	c       *Client
	url     string
	creds   CredentialsFunc
	recheck time.Duration
	life    context.Context // from New: no token request outlives it

	mu      sync.Mutex
	cur     token     // zero when there is none
	seq     uint64    // token requests made so far
	refresh bool      // the next token request asks for the credentials with refresh=true
	checked time.Time // when the credentials were last asked for
	flight  *flight   // the token request under way, if any
	worked  uint64    // the newest token request whose token the API accepted
}

// token is an access token, the request that gave it and a fingerprint of
// the credentials it was granted for (to notice a rotation).
type token struct {
	value  string
	expiry time.Time // zero: no expiry stated
	seq    uint64
	creds  [sha256.Size]byte
}

func (t token) usable() bool {
	return t.value != "" && (t.expiry.IsZero() || time.Until(t.expiry) > earlyExpiry)
}

// flight is one token request that several callers may wait for.
type flight struct {
	done      chan struct{}
	tok       token
	v         verdict
	abandoned bool // the caller making it went away: the others try themselves
}

// rejectedError is the token endpoint refusing the credentials of request
// seq. The page loop asks for the credentials again, once.
type rejectedError struct {
	seq    uint64
	status int
	code   string
}

func (e *rejectedError) Error() string {
	return fmt.Sprintf("keka: token endpoint rejected the credentials (%s); asking for them again", e.code)
}

// get returns a usable token, with the verdict of the token request when
// there is none. A caller that finds a request under way waits for it and
// shares its outcome.
func (tc *tokenCache) get(ctx context.Context, n int) (token, verdict) {
	for {
		tc.mu.Lock()
		cur, f := tc.cur, tc.flight
		due := tc.c.now().Sub(tc.checked) >= tc.recheck
		if cur.usable() && (f != nil || !due) {
			tc.mu.Unlock()
			return cur, verdict{}
		}
		if f == nil {
			return tc.fly(ctx, n, cur) // unlocks
		}
		tc.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return token{}, failed(fmt.Errorf("get token: %w", ctx.Err()))
		}
		if !f.abandoned {
			v := f.v
			v.limited = false // counted once, by the caller who made the request
			return f.tok, v
		}
	}
}

// fly makes the token request (or the recheck of the credentials) as the
// flight others wait for. tc.mu must be held; fly unlocks it.
func (tc *tokenCache) fly(ctx context.Context, n int, cur token) (token, verdict) {
	f := &flight{done: make(chan struct{})}
	tc.flight = f
	refresh := tc.refresh
	tc.refresh = false
	tc.checked = tc.c.now()
	tc.mu.Unlock()

	f.tok, f.v = tc.fetch(ctx, n, cur, refresh)
	f.abandoned = f.v.err != nil && ctx.Err() != nil

	tc.mu.Lock()
	if f.v.err == nil {
		tc.cur = f.tok
	}
	tc.flight = nil
	tc.mu.Unlock()
	close(f.done)
	return f.tok, f.v
}

// fetch asks for the credentials and, unless cur is usable and was granted
// for the same ones, requests a token with them.
func (tc *tokenCache) fetch(ctx context.Context, n int, cur token, refresh bool) (token, verdict) {
	creds, err := tc.creds(ctx, refresh)
	if err != nil {
		if cur.usable() {
			tc.c.log.Warn("keka: could not check the credentials again; keeping those in use", "error", tc.c.secrets.redact(err.Error()))
			return cur, verdict{}
		}
		if refresh {
			tc.mu.Lock()
			tc.refresh = true // still owed
			tc.mu.Unlock()
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = ctxErr
		}
		what := "get credentials"
		if refresh {
			what = "get credentials again after Keka refused them"
		}
		return token{}, failed(fmt.Errorf("%s: %w", what, err))
	}
	if err := checkCredentials(creds); err != nil {
		return token{}, failed(err)
	}
	tc.c.secrets.secret(creds.ClientSecret, creds.APIKey)
	sum := sha256.Sum256([]byte(creds.ClientID + "\x00" + creds.ClientSecret + "\x00" + creds.APIKey))
	if cur.usable() {
		if sum == cur.creds {
			return cur, verdict{}
		}
		tc.c.log.Info("keka: the credentials changed; getting a token for the new ones")
	}
	return tc.request(ctx, n, creds, sum)
}

func checkCredentials(creds Credentials) error {
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
	return nil
}

// request makes one token request, bounded by the request timeout, the
// caller's context and the client's.
func (tc *tokenCache) request(ctx context.Context, n int, creds Credentials, sum [sha256.Size]byte) (token, verdict) {
	conf := &clientcredentials.Config{
		ClientID:     creds.ClientID,
		ClientSecret: creds.ClientSecret,
		TokenURL:     tc.url,
		Scopes:       []string{"kekaapi"},
		EndpointParams: map[string][]string{
			"grant_type": {"kekaapi"},
			"api_key":    {creds.APIKey},
		},
		AuthStyle: oauth2.AuthStyleInParams,
	}
	rctx, cancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, tc.c.http), tc.c.timeout)
	defer cancel()
	defer context.AfterFunc(tc.life, cancel)()

	tc.mu.Lock()
	tc.seq++
	seq := tc.seq
	tc.mu.Unlock()
	tc.c.tokenFetches.Add(1)
	t, err := conf.Token(rctx)
	if err != nil {
		return token{}, tc.judge(ctx, err, seq, n)
	}
	tc.c.secrets.token(t.AccessToken)
	return token{value: t.AccessToken, expiry: t.Expiry, seq: seq, creds: sum}, verdict{}
}

// accepted records that the API answered a request made with the token of
// request seq.
func (tc *tokenCache) accepted(seq uint64) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	tc.worked = max(tc.worked, seq)
}

// expired reports whether a 401 to the token of request seq is only its
// expiry: that token, or a newer one, was accepted before. With several
// requests in flight, a token can expire under some of them after others
// used it; only a token the API never accepted says the key is refused.
func (tc *tokenCache) expired(seq uint64) bool {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return seq <= tc.worked
}

// invalidate drops the token of request seq after the API refused it,
// unless another caller already did.
func (tc *tokenCache) invalidate(seq uint64) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.cur.seq == seq {
		tc.cur = token{}
	}
}

// rotate makes the next token request ask for the credentials with
// refresh=true (bypassing the source's cache), unless a token request was
// made since request seq, whose credentials were refused.
func (tc *tokenCache) rotate(seq uint64) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.seq == seq {
		tc.cur = token{}
		tc.refresh = true
	}
}

// judge sorts a failed token request.
//
// Only an OAuth error code that is about the client (invalid_client,
// invalid_grant, unauthorized_client) means the credentials were rejected.
// A 400 or 401 without any code (an HTML or empty body, as a WAF or a proxy
// in front of the endpoint gives) is not Keka's answer to the credentials
// and is retried; one with another code (unsupported_grant_type,
// invalid_scope, invalid_request) is permanent, and so is an HTML 403.
func (tc *tokenCache) judge(ctx context.Context, err error, seq uint64, n int) verdict {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return failed(fmt.Errorf("get token: %w", ctxErr))
	}
	if lifeErr := tc.life.Err(); lifeErr != nil {
		return failed(fmt.Errorf("get token: the client's context is done: %w", lifeErr))
	}
	at := tokenEndpoint(tc.url)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		msg := clean(tc.c.secrets.redact(transportError(err).Error()))
		return tc.c.classify(answer{err: err, at: at}, fmt.Errorf("keka: token request to %s failed: %s", tc.url, msg), n)
	}
	status := re.Response.StatusCode
	code := clean(tc.c.secrets.redact(re.ErrorCode))
	switch code {
	case "invalid_client", "invalid_grant", "unauthorized_client":
		return verdict{err: &rejectedError{seq: seq, status: status, code: code}, retry: true, status: status}
	}
	fail := fmt.Errorf("keka: token endpoint %s answered %s", tc.url, tc.describe(re, code))
	switch {
	case status == http.StatusForbidden && isHTML(re.Body):
		return failed(&permanentError{fmt.Errorf("keka: token endpoint %s answered 403 Forbidden with an HTML page: a gateway or firewall refused the request", tc.url)})
	case (status == http.StatusBadRequest || status == http.StatusUnauthorized) && code == "",
		status >= 200 && status < 300:
		return verdict{err: fail, retry: true, after: tc.c.retryAfter(re.Response.Header, false), status: status, reason: "status " + http.StatusText(status)}
	case retryableStatus(status):
		return tc.c.classify(answer{status: status, header: re.Response.Header, at: at}, fail, n)
	}
	return failed(&permanentError{fmt.Errorf("%w: check the token URL and environment", fail)})
}

// describe says what the token endpoint answered without its body (which
// could echo what was sent): status, OAuth code and description.
func (tc *tokenCache) describe(re *oauth2.RetrieveError, code string) string {
	status := re.Response.StatusCode
	s := fmt.Sprintf("%d %s", status, http.StatusText(status))
	if code != "" {
		s += " (" + code
		if re.ErrorDescription != "" {
			s += ": " + re.ErrorDescription
		}
		s += ")"
	}
	// Redact before clean: a secret cut by clean's length limit would no
	// longer match.
	return clean(tc.c.secrets.redact(s))
}

// isHTML reports whether body looks like an HTML page.
func isHTML(body []byte) bool {
	b := bytes.TrimSpace(body)
	return len(b) > 0 && b[0] == '<'
}
