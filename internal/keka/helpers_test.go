package keka_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// Credentials of the fake tenant. Long and distinctive, so a leak is easy
// to spot in error strings and logs.
const (
	testClientID = "client-7f3e"
	testSecret   = "SECRET-b41d9a77c0e2f5"
	testAPIKey   = "APIKEY-e19c3f0a2b7d64"
)

// fakeKeka is a Keka API and token endpoint on 127.0.0.1. Token requests
// are checked for the form Keka expects; each grants a distinct token.
type fakeKeka struct {
	t   *testing.T
	srv *httptest.Server

	// secret is the client secret the token endpoint accepts.
	secret atomic.Pointer[string]
	// expiresIn is the token lifetime granted, in seconds.
	expiresIn atomic.Int64
	// tokenScript, when set, answers token request n (from 1) instead of
	// the normal grant; returning false falls through to the grant.
	tokenScript func(w http.ResponseWriter, r *http.Request, n int64) bool
	// api answers API request n (from 1).
	api func(w http.ResponseWriter, r *http.Request, n int64)

	tokenCalls, apiCalls atomic.Int64

	mu     sync.Mutex
	issued []string // access tokens granted, in order
}

func newFake(t *testing.T, api func(w http.ResponseWriter, r *http.Request, n int64)) *fakeKeka {
	t.Helper()
	f := &fakeKeka{t: t, api: api}
	s := testSecret
	f.secret.Store(&s)
	f.expiresIn.Store(86400)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /connect/token", f.token)
	mux.HandleFunc("GET /api/v1/", func(w http.ResponseWriter, r *http.Request) {
		f.api(w, r, f.apiCalls.Add(1))
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeKeka) token(w http.ResponseWriter, r *http.Request) {
	n := f.tokenCalls.Add(1)
	if f.tokenScript != nil && f.tokenScript(w, r, n) {
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if _, _, ok := r.BasicAuth(); ok {
		f.t.Errorf("token request used basic auth; want credentials in the form")
	}
	want := map[string]string{
		"grant_type": "kekaapi", "scope": "kekaapi",
		"client_id": testClientID, "api_key": testAPIKey,
	}
	for k, v := range want {
		if got := r.PostForm.Get(k); got != v {
			f.t.Errorf("token form %s = %q, want %q", k, got, v)
		}
	}
	if r.PostForm.Get("client_secret") != *f.secret.Load() {
		writeJSON(w, http.StatusBadRequest, map[string]string{
			"error": "invalid_client",
			// A careless server echoing what it got: must never reach an error or a log.
			"error_description": "unknown secret " + r.PostForm.Get("client_secret") + " for key " + r.PostForm.Get("api_key"),
		})
		return
	}
	tok := fmt.Sprintf("ACCESS-TOKEN-%d-9c2f6e1a", n)
	f.mu.Lock()
	f.issued = append(f.issued, tok)
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "expires_in": f.expiresIn.Load(), "token_type": "Bearer", "scope": "kekaapi",
	})
}

func (f *fakeKeka) tokens() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.issued...)
}

// bearer returns the token of an API request, failing the test when the
// headers Keka expects are missing.
func bearer(t *testing.T, r *http.Request) string {
	t.Helper()
	if got := r.Header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept = %q, want application/json", got)
	}
	if r.Header.Get("User-Agent") == "" {
		t.Errorf("no User-Agent")
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		t.Errorf("Authorization = %q, want a bearer token", r.Header.Get("Authorization"))
	}
	return tok
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// envelopePage writes Keka's envelope with n records on page p of total.
func envelopePage(w http.ResponseWriter, p, total, n int) {
	data := make([]map[string]any, n)
	for i := range data {
		data[i] = map[string]any{"id": fmt.Sprintf("p%d-r%d", p, i), "title": "Engineer"}
	}
	var next any
	if p < total {
		next = fmt.Sprintf("https://acme.keka.com/api/v1/hire/jobs?pageNumber=%d&pageSize=200", p+1)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"succeeded": true, "message": "", "errors": []string{}, "data": data,
		"pageNumber": p, "pageSize": 200, "totalPages": total, "totalRecords": total * n,
		"nextPage": next, "previousPage": nil,
	})
}

// askedPage returns the pageNumber a request asked for (0 without one).
func askedPage(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("pageNumber"))
	return n
}

type option func(*keka.Options)

// newClient returns a client of f with fast retries; opts adjust it.
func newClient(t *testing.T, f *fakeKeka, opts ...option) *keka.Client {
	t.Helper()
	o := keka.Options{
		BaseURL:  f.srv.URL + "/api/v1",
		TokenURL: f.srv.URL + "/connect/token",
		Credentials: func(context.Context, bool) (keka.Credentials, error) {
			return keka.Credentials{ClientID: testClientID, ClientSecret: testSecret, APIKey: testAPIKey}, nil
		},
		RequestsPerMinute: 600000,
		RequestTimeout:    5 * time.Second,
		MaxAttempts:       5,
		MinBackoff:        time.Millisecond,
		MaxBackoff:        5 * time.Millisecond,
	}
	for _, opt := range opts {
		opt(&o)
	}
	c, err := keka.New(context.Background(), o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// logBuffer collects log output from concurrent goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the JSON log records.
func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func withLogger(b *logBuffer) option {
	return func(o *keka.Options) {
		o.Logger = slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
}
