package keka

import (
	"net/url"
	"slices"
	"strings"
	"sync"
)

// redactor knows the values that must never be shown: every client secret
// and API key the client was given and the last few access tokens. It
// holds them only to cut them out of server text, never to make requests.
type redactor struct {
	mu      sync.Mutex
	secrets []string
	tokens  []string
}

// secret records credential values to redact.
func (r *redactor) secret(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range values {
		if len(s) >= 4 && !slices.Contains(r.secrets, s) {
			r.secrets = append(r.secrets, s)
		}
	}
}

// token records an access token to redact; only the last few are kept.
func (r *redactor) token(access string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(access) < 4 || slices.Contains(r.tokens, access) {
		return
	}
	r.tokens = append(r.tokens, access)
	if len(r.tokens) > 8 {
		r.tokens = slices.Delete(r.tokens, 0, len(r.tokens)-8)
	}
}

// redact replaces any known secret or access token in a message from a
// server, in the raw form and in the forms url.QueryEscape and
// url.PathEscape give (a token endpoint echoing the form body it got shows
// client_secret=abc%2Bdef), longest first so that no form is left half
// replaced.
func (r *redactor) redact(s string) string {
	if s == "" {
		return s
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var forms []string
	for _, v := range slices.Concat(r.secrets, r.tokens) {
		forms = append(forms, v, url.QueryEscape(v), url.PathEscape(v))
	}
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	for _, v := range forms {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}
