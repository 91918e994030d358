package kekasim

import (
	"bytes"
	"compress/gzip"
	"maps"
	"slices"
	"strings"
	"time"
)

// Faults are the failures a Server injects. Probabilities are in [0, 1] and
// drawn per API request from the server's seeded generator, after rate
// limiting and authentication; token requests see only FailOnce.
type Faults struct {
	TooManyRequests float64 // 429 {"succeeded":false,"message":"rateLimitExceeded"}
	RetryAfter      bool    // every 429, injected or real, carries Retry-After (seconds)
	ServerError     float64 // 500, 502, 503 or 504, with an HTML, empty or JSON body
	DropConnection  float64 // close the connection without a response
	Slow            float64 // delay the response by SlowDelay (then answer normally)
	SlowDelay       time.Duration
	MalformedJSON   float64 // 200 whose body is not JSON: the answer gzipped, without Content-Encoding
	HTMLPage        float64 // 200 with an HTML page instead of JSON, as a proxy or portal may send
	TruncatedJSON   float64 // 200 whose JSON is cut in the middle
	// ExpireTokenEvery makes every Nth API request first expire all tokens,
	// so that request gets 401 "token expired". 0 is off.
	ExpireTokenEvery int
	// MutateEveryPages changes the tenant before answering every Nth list
	// request (jobs, job candidates, preboarding). One mutation inserts a new
	// application at the front of a job's active list, archives an active
	// application (to the front of that job's archived list), inserts a
	// preboarding candidate at the front and a job at the front. The first
	// two act on the listed job when the request lists a job's candidates,
	// on a random job otherwise. 0 is off.
	MutateEveryPages int
	MaxMutations     int // cap on mutations, so runs converge; 0 is no cap
	// FailOnce fails the first N requests whose path contains the key with
	// 503, before any other fault; it applies to the token endpoint too.
	FailOnce map[string]int
}

// plan is what the faults decided for one request.
type plan struct {
	status              int // 429 or 5xx; 0 for none
	body                []byte
	drop, slow          bool
	delay               time.Duration // when slow
	malformed, truncate bool
	html                bool
}

var htmlError = []byte("<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n")

// failOnceLocked reports whether FailOnce fails this path. s.mu is held.
func (s *Server) failOnceLocked(path string) bool {
	for _, k := range slices.Sorted(maps.Keys(s.failLeft)) {
		if s.failLeft[k] > 0 && strings.Contains(path, k) {
			s.failLeft[k]--
			s.stats.FaultsInjected++
			return true
		}
	}
	return false
}

// planLocked draws the faults for one API request. s.mu is held.
func (s *Server) planLocked(path string) plan {
	f := s.faults
	var p plan
	if s.failOnceLocked(path) {
		p.status, p.body = 503, pagedError("Service Unavailable")
		return p
	}
	hit := func(prob float64) bool { return prob > 0 && s.rng.Float64() < prob }
	p.slow, p.delay = hit(f.Slow) && f.SlowDelay > 0, f.SlowDelay
	switch {
	case hit(f.TooManyRequests):
		p.status, p.body = 429, rateLimitBody
	case hit(f.ServerError):
		p.status = []int{500, 502, 503, 504}[s.rng.IntN(4)]
		switch s.rng.IntN(3) {
		case 0:
			p.body = htmlError
		case 1:
			p.body = nil
		default:
			p.body = pagedError("An error occurred while processing your request.")
		}
	case hit(f.DropConnection):
		p.drop = true
	case hit(f.MalformedJSON):
		p.malformed = true
	case hit(f.TruncatedJSON):
		p.truncate = true
	case hit(f.HTMLPage):
		p.html = true
	}
	if p.slow || p.status != 0 || p.drop || p.malformed || p.truncate || p.html {
		s.stats.FaultsInjected++
	}
	return p
}

// htmlPage is a 200 body that is an HTML page, as a proxy might send.
var htmlPage = []byte("<html><body>Request accepted. Please wait...</body></html>")

// gzipped returns b compressed, as a proxy that compresses twice or drops
// Content-Encoding leaves a body.
func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b) //nolint:errcheck // a bytes.Buffer does not fail
	zw.Close()  //nolint:errcheck
	return buf.Bytes()
}

// mutationDue counts a list request and reports whether to mutate before
// answering it.
func (s *Server) mutationDue() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists++
	f := s.faults
	if f.MutateEveryPages <= 0 || s.lists%int64(f.MutateEveryPages) != 0 {
		return false
	}
	if f.MaxMutations > 0 && s.stats.Mutations >= int64(f.MaxMutations) {
		return false
	}
	s.stats.Mutations++
	return true
}

// mutate changes the tenant once (see Faults.MutateEveryPages). jobID, when
// it names a job, is where the new and the archived application go.
func (s *Server) mutate(jobID string) {
	st, g := s.st, s.mgen
	st.mu.Lock()
	defer st.mu.Unlock()
	st.clock = st.clock.Add(time.Minute)
	now := st.clock

	target := st.byID[strings.ToLower(jobID)]
	if target != nil && target.job.draft() {
		target = nil // drafts get no applications
	}
	if target == nil {
		var listed []*jobState
		for _, j := range st.jobs {
			if !j.job.draft() {
				listed = append(listed, j)
			}
		}
		if len(listed) > 0 {
			target = listed[g.r.IntN(len(listed))]
		}
	}
	if target != nil {
		a := g.application(target.job, g.newPerson(), now, false, now)
		a.mod = now
		target.active = slices.Insert(target.active, 0, a)
	}

	// Archive an active application, other than the one just added.
	from := target
	if from == nil || len(from.active) < 2 {
		from = nil
		for i, n := g.r.IntN(len(st.jobs)+1), 0; n < len(st.jobs); i, n = i+1, n+1 {
			if j := st.jobs[i%len(st.jobs)]; len(j.active) >= 2 {
				from = j
				break
			}
		}
	}
	if from != nil {
		i := 1 + g.r.IntN(len(from.active)-1)
		moved := *from.active[i]
		moved.truth.Archived = true
		moved.arch = g.archivedDetails(true, now)
		moved.mod = now
		from.active = slices.Delete(from.active, i, i+1)
		from.archived = slices.Insert(from.archived, 0, &moved)
	}

	p := g.preboarding(nil, st.jobs)
	p.mod = now
	st.pre = slices.Insert(st.pre, 0, p)

	j := g.job(now, len(st.jobs), false)
	j.mod = now
	js := &jobState{job: j}
	st.jobs = slices.Insert(st.jobs, 0, js)
	st.byID[strings.ToLower(j.truth.ID)] = js
	s.logf("kekasim: mutation at %s", now.Format(time.RFC3339))
}
