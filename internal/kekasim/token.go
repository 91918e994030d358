package kekasim

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type token struct {
	expires time.Time
	expired bool // by ExpireTokens or ExpireTokenEvery
	revoked bool // by RotateCredentials
}

// RotateCredentials replaces the client secret: the old one no longer gets
// tokens, and every token issued so far answers 401.
func (s *Server) RotateCredentials(clientSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secret = clientSecret
	for _, t := range s.tokens {
		t.revoked = true
	}
}

// ExpireTokens makes every token issued so far answer 401 "token expired".
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked()
}

func (s *Server) expireLocked() {
	for _, t := range s.tokens {
		t.expired = true
	}
}

// authorizeLocked returns "" for a valid bearer token, else why not.
func (s *Server) authorizeLocked(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "missing bearer token"
	}
	t := s.tokens[strings.TrimSpace(tok)]
	switch {
	case t == nil:
		return "invalid token"
	case t.revoked:
		return "token revoked"
	case t.expired || !time.Now().Before(t.expires):
		return "token expired"
	}
	return ""
}

// serveToken is Keka's POST /connect/token.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	fail := s.failOnceLocked(r.URL.Path)
	s.mu.Unlock()
	if fail {
		s.reply(w, r, http.StatusServiceUnavailable, nil)
		return
	}
	oauthErr := func(status int, code string) {
		w.Header().Set("Cache-Control", "no-store")
		s.reply(w, r, status, []byte(`{"error":"`+code+`"}`))
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		oauthErr(http.StatusMethodNotAllowed, "invalid_request")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		oauthErr(http.StatusBadRequest, "invalid_request")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthErr(http.StatusBadRequest, "invalid_request")
		return
	}
	f := r.PostForm
	id, secret := f.Get("client_id"), f.Get("client_secret")
	if bid, bsecret, ok := r.BasicAuth(); ok && id == "" {
		id, _ = url.QueryUnescape(bid)
		secret, _ = url.QueryUnescape(bsecret)
	}
	switch gt := f.Get("grant_type"); {
	case gt == "":
		oauthErr(http.StatusBadRequest, "invalid_request")
		return
	case gt != "kekaapi":
		oauthErr(http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	s.mu.Lock()
	ok := id == s.o.ClientID && secret == s.secret && f.Get("api_key") == s.o.APIKey
	s.mu.Unlock()
	if !ok {
		oauthErr(s.o.InvalidClientStatus, "invalid_client")
		return
	}
	if sc := f.Get("scope"); sc != "" && sc != "kekaapi" {
		oauthErr(http.StatusBadRequest, "invalid_scope")
		return
	}
	var raw [32]byte
	rand.Read(raw[:])
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	s.mu.Lock()
	s.tokens[tok] = &token{expires: time.Now().Add(s.o.TokenTTL)}
	s.mu.Unlock()
	secs := max(1, int(math.Ceil(s.o.TokenTTL.Seconds())))
	w.Header().Set("Cache-Control", "no-store")
	s.reply(w, r, http.StatusOK, fmt.Appendf(nil, `{"access_token":%q,"expires_in":%d,"token_type":"Bearer","scope":"kekaapi"}`, tok, secs))
}
