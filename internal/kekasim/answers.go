package kekasim

import (
	"maps"
	"net/http"
	"strings"
)

// Answers counts the API answers a Server sent (the token endpoint's
// excluded; a dropped connection is no answer): by status, and the
// successful ones by URL path. Every injected fault and every rate-limit
// answer that reached the client is in ByStatus.
type Answers struct {
	ByStatus map[int]int64
	OKByPath map[string]int64 // 2xx answers by URL path, e.g. /api/v1/hire/jobs
}

// countAnswer counts one reply. s.mu must not be held.
func (s *Server) countAnswer(r *http.Request, status int) {
	if strings.EqualFold(r.URL.Path, "/connect/token") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.answers.ByStatus == nil {
		s.answers = Answers{ByStatus: map[int]int64{}, OKByPath: map[string]int64{}}
	}
	s.answers.ByStatus[status]++
	if status >= 200 && status < 300 {
		s.answers.OKByPath[r.URL.Path]++
	}
}

// Answers returns a copy of the answer counters.
func (s *Server) Answers() Answers {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Answers{ByStatus: maps.Clone(s.answers.ByStatus), OKByPath: maps.Clone(s.answers.OKByPath)}
}
