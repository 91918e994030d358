package kekasim

import (
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a running simulated Keka: API and token endpoint on one
// loopback port. It is safe for concurrent use.
type Server struct {
	o       Options
	tenant  *Tenant
	st      *state
	ln      net.Listener
	hs      *http.Server
	origin  string // http://127.0.0.1:PORT
	started time.Time

	mu       sync.Mutex // guards everything below, except mgen (guarded by st.mu)
	faults   Faults
	failLeft map[string]int
	rng      *mrand.Rand
	latRng   *mrand.Rand // latency jitter
	secret   string
	tokens   map[string]*token
	winIdx   int64
	winCount int
	apiCount int64 // API requests past the rate limit, for ExpireTokenEvery
	lists    int64 // list requests, for MutateEveryPages
	stats    Stats
	answers  Answers

	mgen *gen
}

// Start serves t on a free port of 127.0.0.1. The server works on its own
// copy of t. It returns an error when t is nil, a latency is negative, or
// no port can be had.
func Start(t *Tenant, o Options) (*Server, error) {
	if t == nil {
		return nil, errors.New("kekasim: start: nil tenant")
	}
	if o.ClientID == "" {
		o.ClientID = "sim-client-id"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = "sim-client-secret"
	}
	if o.APIKey == "" {
		o.APIKey = "sim-api-key"
	}
	if o.RequestsPerMinute <= 0 {
		o.RequestsPerMinute = 50
	}
	if o.Window <= 0 {
		o.Window = time.Minute
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = 24 * time.Hour
	}
	if o.InvalidClientStatus == 0 {
		o.InvalidClientStatus = http.StatusBadRequest
	}
	if o.Latency < 0 || o.LatencyJitter < 0 {
		return nil, errors.New("kekasim: start: negative latency")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("kekasim: start: listen: %w", err)
	}
	s := &Server{
		o:        o,
		tenant:   t,
		st:       t.initial.clone(),
		ln:       ln,
		origin:   "http://" + ln.Addr().String(),
		started:  time.Now(),
		failLeft: map[string]int{},
		rng:      mrand.New(mrand.NewPCG(uint64(o.Seed), 0x6661756c7473)),   // "faults"
		latRng:   mrand.New(mrand.NewPCG(uint64(o.Seed), 0x6c6174656e6379)), // "latency"
		secret:   o.ClientSecret,
		tokens:   map[string]*token{},
		stats:    Stats{ByPath: map[string]int64{}},
		mgen:     newGen(uint64(o.Seed)^uint64(t.seed), 0x6d7574617465), // "mutate"
	}
	s.mgen.seq = t.nPersons
	s.mgen.numbers = o.JobNumbers
	if o.JobNumbers != JobNumbersMixed {
		for _, js := range s.st.jobs { // the clone's own jobState: the tenant keeps its rendering
			js.job = renderJob(js.job.wire.withNumbers(o.JobNumbers))
		}
	}
	s.hs = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go s.hs.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Close
	return s, nil
}

// BaseURL returns the API base, http://127.0.0.1:PORT/api/v1 (Keka's is
// https://{company}.keka.com/api/v1).
func (s *Server) BaseURL() string { return s.origin + "/api/v1" }

// TokenURL returns the token endpoint, http://127.0.0.1:PORT/connect/token
// (Keka's is https://login.keka.com/connect/token).
func (s *Server) TokenURL() string { return s.origin + "/connect/token" }

// Close stops the server and drops open connections. It returns the
// listener's close error, if any.
func (s *Server) Close() error {
	if err := s.hs.Close(); err != nil {
		return fmt.Errorf("kekasim: close: %w", err)
	}
	return nil
}

// SetFaults replaces the faults in force; FailOnce counts start afresh.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.failLeft = make(map[string]int, len(f.FailOnce))
	for k, n := range f.FailOnce {
		s.failLeft[k] = n
	}
}

// Truth returns the ground truth of the tenant as this server holds it now,
// after any mutations. Treat the pointed-to values as read-only.
func (s *Server) Truth() Truth { return s.tenant.hireTruth(s.st.truth()) }

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.stats
	c.ByPath = make(map[string]int64, len(s.stats.ByPath))
	for k, v := range s.stats.ByPath {
		c.ByPath[k] = v
	}
	return c
}

func (s *Server) logf(format string, args ...any) {
	if s.o.Logf != nil {
		s.o.Logf(format, args...)
	}
}

// ServeHTTP routes the token endpoint and the API; everything else is 404.
// Every request is counted, then waits out the latency, then meets the
// gateway.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lp := strings.ToLower(r.URL.Path)
	tokenRequest := lp == "/connect/token"
	s.count(r.URL.Path, tokenRequest)
	if !s.delay(r) {
		return
	}
	if s.o.Gateway && defaultAgent(r.Header.Get("User-Agent")) {
		s.mu.Lock()
		s.stats.GatewayRejected++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Server", "Microsoft-Azure-Application-Gateway/v2")
		s.reply(w, r, http.StatusForbidden, gatewayForbidden)
		return
	}
	switch {
	case tokenRequest:
		s.serveToken(w, r)
	case lp == "/api/v1" || strings.HasPrefix(lp, "/api/v1/"):
		s.serveAPI(w, r)
	default:
		s.reply(w, r, http.StatusNotFound, nil)
	}
}

func (s *Server) count(path string, tokenRequest bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tokenRequest {
		s.stats.TokenRequests++
	} else {
		s.stats.Requests++
	}
	s.stats.ByPath[path]++
}

var rateLimitBody = []byte(`{"succeeded":false,"message":"rateLimitExceeded","errors":["rateLimitExceeded"]}`)

// serveAPI runs one API request through user agent check, rate limit,
// authentication, faults, scope and finally the handler.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("User-Agent") == "" {
		s.reply(w, r, http.StatusBadRequest, pagedError("Bad Request", "User-Agent header is required"))
		return
	}

	s.mu.Lock()
	allowed, wait := s.allowLocked(time.Now())
	retryAfter := s.faults.RetryAfter
	if !allowed {
		s.stats.RateLimited++
		s.mu.Unlock()
		if retryAfter {
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
		}
		s.reply(w, r, http.StatusTooManyRequests, rateLimitBody)
		return
	}
	s.apiCount++
	if n := s.faults.ExpireTokenEvery; n > 0 && s.apiCount%int64(n) == 0 {
		s.expireLocked()
		s.stats.FaultsInjected++
	}
	authErr := s.authorizeLocked(r)
	var p plan
	if authErr == "" {
		p = s.planLocked(r.URL.Path)
	}
	s.mu.Unlock()

	if authErr != "" {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+authErr+`"`)
		s.reply(w, r, http.StatusUnauthorized, pagedError(authErr, "Unauthorized"))
		return
	}
	if p.slow {
		select {
		case <-time.After(p.delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case p.drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				s.logf("kekasim: %s %s dropped", r.Method, r.URL.Path)
				return
			}
		}
		panic(http.ErrAbortHandler) // no hijacking: abort the response instead
	case p.status == http.StatusTooManyRequests:
		if retryAfter {
			w.Header().Set("Retry-After", "1")
		}
		s.reply(w, r, p.status, p.body)
		return
	case p.status != 0:
		if p.body != nil && p.body[0] == '<' {
			w.Header().Set("Content-Type", "text/html")
		}
		s.reply(w, r, p.status, p.body)
		return
	}

	rest := r.URL.Path[len("/api/v1"):]
	if s.o.NoHireScope && (strings.EqualFold(rest, "/hire") || strings.HasPrefix(strings.ToLower(rest), "/hire/")) {
		s.reply(w, r, http.StatusForbidden, pagedError("Forbidden", "The API key does not have access to Keka Hire"))
		return
	}
	status, body := s.route(r, rest)
	if status == http.StatusOK {
		switch {
		case p.malformed:
			body = gzipped(body)
		case p.html:
			w.Header().Set("Content-Type", "text/html")
			body = htmlPage
		case p.truncate:
			body = body[:len(body)/2]
		}
	}
	s.reply(w, r, status, body)
}

// allowLocked counts a request in the current fixed window and reports
// whether it is within the limit, else how long until the window ends.
func (s *Server) allowLocked(now time.Time) (bool, time.Duration) {
	idx := int64(now.Sub(s.started) / s.o.Window)
	if idx != s.winIdx {
		s.winIdx, s.winCount = idx, 0
	}
	s.winCount++
	if s.winCount <= s.o.RequestsPerMinute {
		return true, 0
	}
	end := s.started.Add(time.Duration(idx+1) * s.o.Window)
	return false, end.Sub(now)
}

// reply writes a response; a non-empty body is JSON unless a content type
// is already set.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	if len(body) > 0 && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	s.countAnswer(r, status)
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // the client went away
	s.logf("kekasim: %s %s -> %d (%d bytes)", r.Method, r.URL.RequestURI(), status, len(body))
}

// pagedError renders Keka's error body for list endpoints.
func pagedError(message string, errs ...string) []byte {
	w := jw{}
	w.begin('{')
	w.kbool("succeeded", false)
	w.kstr("message", message)
	w.key("errors")
	w.begin('[')
	for _, e := range errs {
		w.elem()
		w.str(e)
	}
	w.end(']')
	w.end('}')
	return w.b
}

// DeleteJob removes a job and its applications, as a recruiter deleting a
// requisition does: from then on its candidate lists answer 404. It reports
// whether the job existed.
func (s *Server) DeleteJob(id string) bool {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	key := strings.ToLower(id)
	js, ok := st.byID[key]
	if !ok {
		return false
	}
	delete(st.byID, key)
	st.jobs = slices.DeleteFunc(st.jobs, func(j *jobState) bool { return j == js })
	return true
}
