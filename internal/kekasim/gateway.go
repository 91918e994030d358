package kekasim

import (
	"net/http"
	"strings"
	"time"
)

// delay waits out Options.Latency; it returns false when the request's
// context ended first.
func (s *Server) delay(r *http.Request) bool {
	d := s.o.Latency
	if j := s.o.LatencyJitter; j > 0 {
		s.mu.Lock()
		d += time.Duration(s.latRng.Int64N(int64(j)))
		s.mu.Unlock()
	}
	if d <= 0 {
		return true
	}
	s.logf("kekasim: %s %s latency %v", r.Method, r.URL.Path, d)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		s.logf("kekasim: %s %s gave up during latency", r.Method, r.URL.Path)
		return false
	}
}

// defaultAgents are the User-Agent prefixes (lower case) of HTTP libraries'
// defaults, which the gateway turns away.
var defaultAgents = []string{"go-http-client/", "python-requests/", "curl/"}

// defaultAgent reports whether ua is missing or a library's default.
func defaultAgent(ua string) bool {
	ua = strings.ToLower(strings.TrimSpace(ua))
	if ua == "" {
		return true
	}
	for _, p := range defaultAgents {
		if strings.HasPrefix(ua, p) {
			return true
		}
	}
	return false
}

// gatewayForbidden is the page an Azure application gateway answers a
// blocked request with.
var gatewayForbidden = []byte("<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>Microsoft-Azure-Application-Gateway/v2</center>\r\n</body>\r\n</html>\r\n")
