package kekasim

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Paging limits, as Keka documents them. A larger pageSize is clamped to
// MaxPageSize rather than refused.
const (
	DefaultPageSize = 100
	MaxPageSize     = 200
)

// query holds query parameters by lower-case name: like ASP.NET, Keka
// binds parameter names without regard to case.
type query map[string][]string

func lowerQuery(r *http.Request) query {
	q := query{}
	for k, v := range r.URL.Query() {
		lk := strings.ToLower(k)
		q[lk] = append(q[lk], v...)
	}
	return q
}

func (q query) get(name string) (string, bool) {
	v, ok := q[strings.ToLower(name)]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// listReq is one request for a page of a list.
type listReq struct {
	number, size int
	route        string      // path after /api/v1, as the client sent it
	filters      [][2]string // filters to repeat in page URLs, canonical names
	since        time.Time   // lastModified; zero when absent
}

var errBadRequest = errors.New("bad request")

type badParam struct{ msg string }

func (e badParam) Error() string { return e.msg }
func (e badParam) Unwrap() error { return errBadRequest }

func parseList(route string, q query, filters ...string) (listReq, error) {
	l := listReq{number: 1, size: DefaultPageSize, route: route}
	if v, ok := q.get("pageNumber"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return l, badParam{"The value '" + v + "' is not valid for pageNumber."}
		}
		l.number = n
	}
	if v, ok := q.get("pageSize"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return l, badParam{"The value '" + v + "' is not valid for pageSize."}
		}
		l.size = min(n, MaxPageSize)
	}
	for _, f := range filters {
		if v, ok := q.get(f); ok {
			l.filters = append(l.filters, [2]string{f, v})
		}
	}
	if v, ok := q.get("lastModified"); ok {
		t, err := parseISO(v)
		if err != nil {
			return l, badParam{"The value '" + v + "' is not valid for lastModified: use ISO 8601."}
		}
		l.since = t
		l.filters = append(l.filters, [2]string{"lastModified", v})
	}
	return l, nil
}

// parseISO accepts ISO 8601 timestamps with or without a zone (zone-less
// is UTC) and plain dates; epoch numbers and anything else fail.
func parseISO(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errBadRequest
}

func intParam(q query, name string) (*int, error) {
	v, ok := q.get(name)
	if !ok {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, badParam{"The value '" + v + "' is not valid for " + name + "."}
	}
	return &n, nil
}

func badRequest(err error) (int, []byte) {
	return http.StatusBadRequest, pagedError("One or more validation errors occurred.", err.Error())
}

func notFound(what string) (int, []byte) {
	return http.StatusNotFound, pagedError(what + " not found")
}

// route dispatches an authorised API request; rest is the path after
// /api/v1.
func (s *Server) route(r *http.Request, rest string) (int, []byte) {
	rest = strings.TrimSuffix(rest, "/")
	seg := strings.Split(strings.TrimPrefix(rest, "/"), "/")
	match := func(pattern ...string) bool {
		if len(seg) != len(pattern) {
			return false
		}
		for i, p := range pattern {
			if p != "*" && !strings.EqualFold(seg[i], p) {
				return false
			}
		}
		return true
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return http.StatusMethodNotAllowed, pagedError("Method Not Allowed")
	}
	q := lowerQuery(r)
	switch {
	case match("hire", "jobs"):
		return s.listJobs(r, rest, q)
	case match("hire", "jobs", "stages"):
		return s.unpaged(r, rest, len(s.tenant.stages), func(i int) []byte { return s.tenant.stages[i].json })
	case match("hire", "jobs", "*", "candidates"):
		return s.listCandidates(r, rest, q, seg[2])
	case match("hire", "jobs", "*", "applicationfields"):
		return s.applicationFields(r, rest, seg[2])
	case match("hire", "jobs", "*", "candidate", "*", "interviews"):
		return s.listInterviews(r, rest, q, seg[2], seg[4], false)
	case match("hire", "jobs", "*", "candidate", "*", "scorecards"):
		return s.listInterviews(r, rest, q, seg[2], seg[4], true)
	case match("hire", "talentpool"):
		return s.listPools(r, rest, q)
	case match("hire", "talentpool", "*", "candidates"):
		return s.listPoolCandidates(r, rest, q, seg[2])
	case match("hire", "jobboards"):
		return s.unpaged(r, rest, len(s.tenant.boards), func(i int) []byte { return s.tenant.boards[i].json })
	case match("hire", "preboarding", "candidates"):
		return s.listPreboarding(r, rest, q)
	}
	return http.StatusNotFound, nil
}

func (s *Server) listJobs(r *http.Request, route string, q query) (int, []byte) {
	l, err := parseList(route, q, "JobStatus")
	if err != nil {
		return badRequest(err)
	}
	status, err := intParam(q, "JobStatus")
	if err != nil {
		return badRequest(err)
	}
	if s.mutationDue() {
		s.mutate("")
	}
	shape := s.shape(false)
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	jobs := make([]*job, 0, len(s.st.jobs))
	for _, j := range s.st.jobs {
		if j.job.draft() {
			continue // "all Published, Confidential and Archived jobs": never drafts
		}
		if status != nil && (j.job.truth.Status == nil || *j.job.truth.Status != *status) {
			continue
		}
		if j.job.mod.Before(l.since) {
			continue
		}
		jobs = append(jobs, j.job)
	}
	return http.StatusOK, s.page(r, l, shape, len(jobs), func(b []byte, i int) []byte { return append(b, jobs[i].json...) })
}

func (s *Server) listCandidates(r *http.Request, route string, q query, jobID string) (int, []byte) {
	l, err := parseList(route, q, "isArchived")
	if err != nil {
		return badRequest(err)
	}
	archived := false
	if v, ok := q.get("isArchived"); ok {
		switch {
		case strings.EqualFold(v, "true"):
			archived = true
		case strings.EqualFold(v, "false"):
		default:
			return badRequest(badParam{"The value '" + v + "' is not valid for isArchived."})
		}
	}
	if s.mutationDue() {
		s.mutate(jobID)
	}
	shape := s.shape(false)
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	js := s.st.byID[strings.ToLower(jobID)]
	if js == nil {
		return notFound("Job")
	}
	list := js.active
	if archived {
		list = js.archived
	}
	if !l.since.IsZero() {
		var sel []*app
		for _, a := range list {
			if !a.mod.Before(l.since) {
				sel = append(sel, a)
			}
		}
		list = sel
	}
	return http.StatusOK, s.page(r, l, shape, len(list), func(b []byte, i int) []byte { return list[i].appendJSON(b) })
}

func (s *Server) listPreboarding(r *http.Request, route string, q query) (int, []byte) {
	l, err := parseList(route, q, "candidateIds", "stage", "status")
	if err != nil {
		return badRequest(err)
	}
	stage, err := intParam(q, "stage")
	if err != nil {
		return badRequest(err)
	}
	status, err := intParam(q, "status")
	if err != nil {
		return badRequest(err)
	}
	var ids map[string]bool
	if vs, ok := q["candidateids"]; ok {
		ids = map[string]bool{}
		for _, v := range vs {
			for _, id := range strings.Split(v, ",") {
				if id = strings.TrimSpace(id); id != "" {
					ids[strings.ToLower(id)] = true
				}
			}
		}
	}
	if s.mutationDue() {
		s.mutate("")
	}
	shape := s.shape(true)
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	eq := func(p *int, want *int) bool { return want == nil || (p != nil && *p == *want) }
	sel := make([]*preRec, 0, len(s.st.pre))
	for _, p := range s.st.pre {
		if !eq(p.truth.Stage, stage) || !eq(p.truth.Status, status) || p.mod.Before(l.since) {
			continue
		}
		if ids != nil && !ids[strings.ToLower(p.truth.CandidateID)] {
			continue
		}
		sel = append(sel, p)
	}
	return http.StatusOK, s.page(r, l, shape, len(sel), func(b []byte, i int) []byte { return append(b, sel[i].json...) })
}

// shape picks the shape of one list response.
func (s *Server) shape(preboarding bool) Shape {
	switch sh := s.o.Shape; {
	case sh == ShapeSpec && preboarding:
		return ShapeItems
	case sh == ShapeSpec:
		return ShapeArray
	case sh == ShapeItems && !preboarding:
		return ShapeEnvelope
	case sh != ShapeMixed:
		return sh
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if preboarding {
		return []Shape{ShapeEnvelope, ShapeArray, ShapeItems}[s.rng.IntN(3)]
	}
	return []Shape{ShapeEnvelope, ShapeArray}[s.rng.IntN(2)]
}

// page renders page l.number of a list of n records in the given shape,
// or page 1 where Options.IgnorePageNumber says so; rec appends record i.
func (s *Server) page(r *http.Request, l listReq, shape Shape, n int, rec func(b []byte, i int) []byte) []byte {
	if s.ignoresPageNumber(l.route) {
		l.number = 1
	}
	start := min((l.number-1)*l.size, n)
	end := min(start+l.size, n)
	pages := (n + l.size - 1) / l.size
	w := jw{b: make([]byte, 0, 512+(end-start)*1024)}
	data := func() {
		w.begin('[')
		for i := start; i < end; i++ {
			w.elem()
			w.b = rec(w.b, i)
		}
		w.end(']')
	}
	switch shape {
	case ShapeArray:
		data()
		return w.b
	case ShapeItems:
		w.begin('{')
		w.key("items")
		data()
		w.kint("page", l.number)
		w.kint("pageSize", l.size)
		w.kint("totalItems", n)
		w.kint("totalPages", pages)
		w.end('}')
		return w.b
	}
	origin := s.origin
	if r.Host != "" {
		origin = "http://" + r.Host
	}
	link := func(k string, number int, ok, dropSince bool) {
		if !ok {
			w.knull(k)
			return
		}
		w.kstr(k, pageURL(origin, l, number, dropSince))
	}
	w.begin('{')
	w.kbool("succeeded", true)
	w.kstr("message", "")
	w.key("errors")
	w.begin('[')
	w.end(']')
	w.key("data")
	data()
	w.kint("pageNumber", l.number)
	w.kint("pageSize", l.size)
	link("firstPage", 1, true, false)
	link("lastPage", max(pages, 1), true, false)
	w.kint("totalPages", pages)
	w.kint("totalRecords", n)
	link("nextPage", l.number+1, l.number < pages, true) // drops lastModified, as Keka may
	link("previousPage", l.number-1, l.number > 1 && l.number <= pages, false)
	w.end('}')
	return w.b
}

// ignoresPageNumber reports whether Options.IgnorePageNumber names route.
func (s *Server) ignoresPageNumber(route string) bool {
	lr := strings.ToLower(route)
	for _, k := range s.o.IgnorePageNumber {
		if k != "" && strings.Contains(lr, strings.ToLower(k)) {
			return true
		}
	}
	return false
}

func pageURL(origin string, l listReq, number int, dropSince bool) string {
	var b strings.Builder
	b.WriteString(origin)
	b.WriteString("/api/v1")
	b.WriteString(l.route)
	b.WriteString("?pageNumber=")
	b.WriteString(strconv.Itoa(number))
	b.WriteString("&pageSize=")
	b.WriteString(strconv.Itoa(l.size))
	for _, f := range l.filters {
		if dropSince && f[0] == "lastModified" {
			continue
		}
		b.WriteString("&" + f[0] + "=" + url.QueryEscape(f[1]))
	}
	return b.String()
}
