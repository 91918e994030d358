package keka_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// recorder is a server on another port that records every request it
// gets, headers and body, and answers like a token endpoint and an API
// would, so that a client following a redirect to it would go on.
type recorder struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []string // each request: method, URL, headers and body
}

func newRecorder(t *testing.T) *recorder {
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s\n", r.Method, r.URL)
		_ = r.Header.Write(&b)
		b.Write(body)
		rec.mu.Lock()
		rec.seen = append(rec.seen, b.String())
		rec.mu.Unlock()
		if r.Method == http.MethodPost {
			writeJSON(w, 200, map[string]any{"access_token": "STOLEN-TOKEN-5a1c", "expires_in": 86400, "token_type": "Bearer"})
			return
		}
		envelopePage(w, 1, 1, 1)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

// requests returns what the recorder saw.
func (rec *recorder) requests() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]string(nil), rec.seen...)
}

// checkNothingLeaked fails when the recorder got any credential, token or
// Authorization header.
func (rec *recorder) checkNothingLeaked(t *testing.T, tokens ...string) {
	t.Helper()
	for _, req := range rec.requests() {
		for _, s := range append([]string{testSecret, testAPIKey, "client_secret", "api_key", "Authorization", "Bearer"}, tokens...) {
			if strings.Contains(req, s) {
				t.Errorf("the redirect target got %q:\n%s", s, req)
			}
		}
	}
}

func redirectTo(target string, code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, code)
	}
}

// TestClient_TokenRedirect: the token request never follows a redirect,
// so the credentials in its body go nowhere else.
func TestClient_TokenRedirect(t *testing.T) {
	cases := []struct {
		name string
		code int
		tls  bool // the token endpoint is https, the target plain http
	}{
		{name: "307 to another port", code: http.StatusTemporaryRedirect},
		{name: "308 to another port", code: http.StatusPermanentRedirect},
		{name: "302 to another port", code: http.StatusFound},
		{name: "307 from https to http", code: http.StatusTemporaryRedirect, tls: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t)
			f := newFake(t, scripted(t, okPage(1)))
			var tokenSrv *httptest.Server
			if tc.tls {
				tokenSrv = httptest.NewTLSServer(redirectTo(rec.srv.URL, tc.code))
			} else {
				tokenSrv = httptest.NewServer(redirectTo(rec.srv.URL, tc.code))
			}
			t.Cleanup(tokenSrv.Close)
			tokenURL := tokenSrv.URL + "/connect/token"
			var logs logBuffer
			c := newClient(t, f, withLogger(&logs), func(o *keka.Options) {
				o.TokenURL = tokenURL
				o.HTTPClient = tokenSrv.Client() // trusts the TLS server's certificate
			})
			_, err := c.Page(context.Background(), keka.JobsList(), 1)
			rec.checkNothingLeaked(t, "STOLEN-TOKEN-5a1c")
			if n := len(rec.requests()); n != 0 {
				t.Errorf("the redirect target got %d requests, want none", n)
			}
			want := fmt.Sprintf("keka: token endpoint %s answered %d redirect to another location (%s); tokens are never requested from a redirect target: check KEKA_TOKEN_URL",
				tokenURL, tc.code, rec.srv.URL)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want it to contain %q", err, want)
			}
			if !keka.Permanent(err) || !errors.Is(err, keka.ErrConfiguration) {
				t.Errorf("error %v: want permanent and ErrConfiguration", err)
			}
			if st := c.Stats(); st.TokenFetches != 1 || st.Requests != 0 || f.apiCalls.Load() != 0 {
				t.Errorf("stats %+v, API calls %d; want 1 token fetch and no API request", st, f.apiCalls.Load())
			}
			for _, s := range []string{testSecret, testAPIKey} {
				if strings.Contains(err.Error()+logs.String(), s) {
					t.Errorf("error or log contains %q", s)
				}
			}
		})
	}
}

// TestClient_APIRedirect: API requests never follow a redirect, so the
// bearer token never reaches another port or scheme.
func TestClient_APIRedirect(t *testing.T) {
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			rec := newRecorder(t)
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64) {
				bearer(t, r)
				redirectTo(rec.srv.URL, code)(w, r)
			})
			c := newClient(t, f)
			_, err := c.Page(context.Background(), keka.JobsList(), 1)
			rec.checkNothingLeaked(t, f.tokens()...)
			if n := len(rec.requests()); n != 0 {
				t.Errorf("the redirect target got %d requests, want none", n)
			}
			want := fmt.Sprintf("keka: API base %s/api/v1 answered %d redirect to another location (%s); API requests never follow redirects (the token would go with them): check KEKA_BASE_URL",
				f.srv.URL, code, rec.srv.URL)
			if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "keka: GET /hire/jobs page 1: ") {
				t.Fatalf("error %v, want it to name the list and contain %q", err, want)
			}
			if !keka.Permanent(err) || !errors.Is(err, keka.ErrConfiguration) {
				t.Errorf("error %v: want permanent and ErrConfiguration", err)
			}
			if got := f.apiCalls.Load(); got != 1 {
				t.Errorf("API saw %d requests, want 1 (a redirect is not retried)", got)
			}
		})
	}
}

// gateway answers like Azure's application gateway in front of Keka: an
// HTML 403 to a default client User-Agent.
func gateway(t *testing.T, f *fakeKeka) {
	f.tokenScript = func(w http.ResponseWriter, r *http.Request, n int64) bool {
		ua := r.Header.Get("User-Agent")
		if ua == "" || strings.HasPrefix(ua, "Go-http-client/") {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, "<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center><hr><center>Microsoft-Azure-Application-Gateway/v2</center></body></html>")
			return true
		}
		return false
	}
}

func TestClient_UserAgent(t *testing.T) {
	t.Run("every request carries the product's User-Agent, the token request included", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64) {
			if ua := r.Header.Get("User-Agent"); ua != "keka-hire-export/1.2.3" {
				t.Errorf("API request User-Agent = %q", ua)
			}
			envelopePage(w, askedPage(r), askedPage(r), 1)
		})
		gateway(t, f)
		c := newClient(t, f, func(o *keka.Options) { o.UserAgent = "keka-hire-export/1.2.3" })
		if _, err := c.Page(context.Background(), keka.JobsList(), 1); err != nil {
			t.Fatalf("Page: %v", err)
		}
		if st := c.Stats(); st.TokenFetches != 1 || st.Retries != 0 {
			t.Errorf("stats %+v; want 1 token fetch, no retry", st)
		}
	})
	t.Run("the default User-Agent is the product's too", func(t *testing.T) {
		f := newFake(t, scripted(t, okPage(1)))
		gateway(t, f)
		c := newClient(t, f)
		if _, err := c.Page(context.Background(), keka.JobsList(), 1); err != nil {
			t.Fatalf("Page: %v", err)
		}
	})
	t.Run("a gateway refusing the token request is named as such", func(t *testing.T) {
		f := newFake(t, scripted(t, okPage(1)))
		gateway(t, f)
		var logs logBuffer
		// A transport that puts Go's default agent back: the gateway refuses every token request.
		c := newClient(t, f, withLogger(&logs), func(o *keka.Options) {
			o.HTTPClient = &http.Client{Transport: goAgent{http.DefaultTransport}}
		})
		_, err := c.Page(context.Background(), keka.JobsList(), 1)
		want := "keka: token endpoint " + f.srv.URL + "/connect/token answered 403 Forbidden with an HTML page: a gateway or firewall refused the request"
		if err == nil || err.Error() != want {
			t.Fatalf("error %v, want %q", err, want)
		}
		if !keka.Permanent(err) {
			t.Errorf("error %v is not permanent", err)
		}
		for _, s := range []string{testSecret, testAPIKey, "check the token URL"} {
			if strings.Contains(err.Error()+logs.String(), s) {
				t.Errorf("error or log contains %q", s)
			}
		}
	})
}

// goAgent sets Go's default User-Agent, as a request without the client's
// transport would carry.
type goAgent struct{ next http.RoundTripper }

func (g goAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", "Go-http-client/1.1")
	return g.next.RoundTrip(r)
}

// TestClient_WrongScheme: an https URL pointing at a server that does not
// speak TLS, or whose certificate does not verify, is a configuration
// error found on the first attempt.
func TestClient_WrongScheme(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the plain server got an HTTP request %s %s", r.Method, r.URL)
	}))
	t.Cleanup(plain.Close)
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the TLS server got a request from a client that should not trust it")
	}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	httpsPlain := "https://" + strings.TrimPrefix(plain.URL, "http://")
	cases := []struct {
		name         string
		base, token  string // "" keeps the fake's
		want         []string
		wantFetches  int64
		wantRequests int64
	}{
		{name: "https token URL on a plain http server", token: httpsPlain + "/connect/token",
			want:        []string{"keka: token endpoint " + httpsPlain + "/connect/token is https but the server does not speak TLS", "fix KEKA_TOKEN_URL"},
			wantFetches: 1},
		{name: "https base URL on a plain http server", base: httpsPlain + "/api/v1",
			want:        []string{"keka: GET /hire/jobs page 1: keka: API base " + httpsPlain + "/api/v1 is https but the server does not speak TLS", "fix KEKA_BASE_URL"},
			wantFetches: 1, wantRequests: 1},
		{name: "token endpoint certificate that does not verify", token: tlsSrv.URL + "/connect/token",
			want:        []string{"keka: token endpoint " + tlsSrv.URL + "/connect/token: the server's TLS certificate does not verify", "check KEKA_TOKEN_URL"},
			wantFetches: 1},
		{name: "API certificate that does not verify", base: tlsSrv.URL + "/api/v1",
			want:        []string{"keka: API base " + tlsSrv.URL + "/api/v1: the server's TLS certificate does not verify", "check KEKA_BASE_URL"},
			wantFetches: 1, wantRequests: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, scripted(t, okPage(1)))
			c := newClient(t, f, func(o *keka.Options) {
				o.MaxAttempts = 8
				if tc.base != "" {
					o.BaseURL = tc.base
				}
				if tc.token != "" {
					o.TokenURL = tc.token
				}
			})
			_, err := c.Page(context.Background(), keka.JobsList(), 1)
			if err == nil {
				t.Fatal("Page succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !errors.Is(err, keka.ErrConfiguration) || !keka.Permanent(err) {
				t.Errorf("error %v: want ErrConfiguration and permanent", err)
			}
			if st := c.Stats(); st.TokenFetches != tc.wantFetches || st.Requests != tc.wantRequests || st.Retries != 0 {
				t.Errorf("stats %+v; want %d token fetches, %d requests, no retry", st, tc.wantFetches, tc.wantRequests)
			}
		})
	}
}

// TestClient_Page_Unchanging: answers that come back the same on a retry
// are permanent and asked once.
func TestClient_Page_Unchanging(t *testing.T) {
	deep := `{"succeeded":true,"data":[` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `]}`
	cases := []struct {
		name    string
		step    step
		maxBody int
		want    string
	}{
		{name: "200 with an HTML page", step: status(200, "<!DOCTYPE html><html><body>Keka</body></html>", "Content-Type", "text/html"),
			want: "keka: GET /hire/jobs page 1: keka: page 1: malformed response: an HTML page, not JSON"},
		{name: "body over the size limit", step: okPage(50), maxBody: 1000,
			want: "keka: GET /hire/jobs page 1: 200 response with a body larger than 1000 bytes"},
		{name: "JSON nested deeper than the decoder allows", step: status(200, deep),
			want: "nested deeper than the decoder allows"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, scripted(t, tc.step))
			c := newClient(t, f)
			if tc.maxBody > 0 {
				keka.SetMaxBody(c, tc.maxBody)
			}
			_, err := c.Page(context.Background(), keka.JobsList(), 1)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			if !keka.Permanent(err) {
				t.Errorf("error %v is not permanent", err)
			}
			if got := f.apiCalls.Load(); got != 1 {
				t.Errorf("server saw %d requests, want 1", got)
			}
		})
	}
}

// TestClient_Page_RepeatedPage: a server answering every pageNumber with
// page 1 is asked once more, then its page is returned with Stated.
func TestClient_Page_RepeatedPage(t *testing.T) {
	cases := []struct {
		name string
		body string
	}{
		{"envelope", `{"succeeded":true,"data":[{"id":"a"},{"id":"b"}],"pageNumber":1,"totalPages":3,"totalRecords":6,"nextPage":"https://x/?pageNumber=2"}`},
		{"items wrapper", `{"items":[{"id":"a"},{"id":"b"}],"page":1,"pageSize":100,"totalItems":6,"totalPages":3}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, scripted(t, status(200, tc.body)))
			c := newClient(t, f, func(o *keka.Options) { o.MaxAttempts = 8 })
			p, err := c.Page(context.Background(), keka.JobsList(), 2)
			if err != nil {
				t.Fatalf("Page: %v", err)
			}
			if p.Stated != 1 || p.PageNumber != 2 || len(p.Records) != 2 || p.Last || p.TotalPages != 3 {
				t.Errorf("page %+v; want page 2 stating 1, 2 records, not last, 3 pages", p)
			}
			if got := f.apiCalls.Load(); got > 2 {
				t.Errorf("server saw %d requests for page 2, want at most 2", got)
			}
			// Page 1 is what it says it is: asked once.
			p, err = c.Page(context.Background(), keka.JobsList(), 1)
			if err != nil || p.Stated != 1 {
				t.Fatalf("page 1: %+v, %v", p, err)
			}
			if got := f.apiCalls.Load(); got > 3 {
				t.Errorf("server saw %d requests in all, want at most 3", got)
			}
		})
	}
}
