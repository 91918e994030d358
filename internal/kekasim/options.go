package kekasim

import (
	"strconv"
	"time"
)

// Shape is the JSON shape of list responses.
type Shape int

const (
	// ShapeSpec is the default and what Keka's spec types: a bare JSON array
	// on every Hire list, the {"items": ...} wrapper on preboarding.
	ShapeSpec     Shape = iota
	ShapeEnvelope       // Keka's paged envelope on every list, as live accounts were seen returning
	ShapeArray          // a bare JSON array on every list, preboarding included
	ShapeItems          // the {"items": ...} wrapper on preboarding, the envelope elsewhere
	ShapeMixed          // chosen per request: envelope or array, or items on preboarding
)

// String returns the shape's name, such as "envelope".
func (s Shape) String() string {
	switch s {
	case ShapeSpec:
		return "spec"
	case ShapeEnvelope:
		return "envelope"
	case ShapeArray:
		return "array"
	case ShapeItems:
		return "items"
	case ShapeMixed:
		return "mixed"
	}
	return "Shape(" + strconv.Itoa(int(s)) + ")"
}

// JobNumbers is how a job's noOfOpenings and jobType, which Keka's spec
// types as strings, are sent.
type JobNumbers int

// Options configure a Server. The zero value is a well-behaved Keka as its
// spec describes it: bare arrays (and the items wrapper on preboarding),
// 400 invalid_client for bad credentials, no gateway, no added latency.
type Options struct {
	// Accepted credentials; empty means "sim-client-id", "sim-client-secret"
	// and "sim-api-key".
	ClientID, ClientSecret, APIKey string
	RequestsPerMinute              int           // API requests per window (token requests are free); 0 means 50
	Window                         time.Duration // fixed window length; 0 means 60s
	TokenTTL                       time.Duration // 0 means 24h; expires_in is whole seconds, at least 1
	Shape                          Shape
	NoHireScope                    bool  // tokens are issued, but every /hire/* call answers 403
	Seed                           int64 // seeds faults, mixed shapes, mutations and latency jitter
	Logf                           func(format string, args ...any)

	// InvalidClientStatus is the status of the token endpoint's answer to
	// a wrong client_id, client_secret or api_key, with the body
	// {"error":"invalid_client"}: 0 means 400, as IdentityServer answers;
	// 401 is the other status Keka may use.
	InvalidClientStatus int
	// JobNumbers says how noOfOpenings and jobType are sent.
	JobNumbers JobNumbers
	// IgnorePageNumber makes every list whose path (after /api/v1, compared
	// without regard to case) contains one of these strings answer any
	// pageNumber with page 1, in every shape, as a server or cache that
	// drops the parameter does: "/hire" names every list. pageNumber is
	// still validated.
	IgnorePageNumber []string
	// Gateway puts an Azure application gateway in front of the token
	// endpoint and the API: it turns away default client user agents
	// (Go-http-client/*, python-requests/*, curl/*, or none at all) with an
	// HTML 403 before Keka sees the request.
	Gateway bool
	// Latency delays every response by Latency plus a uniform random share
	// of LatencyJitter, drawn from a generator seeded by Seed (apart from
	// the faults' one, so latency does not change which requests fail). A
	// request whose context ends while it waits gets no response.
	Latency, LatencyJitter time.Duration
}

// Stats count what a Server saw. Requests counts every request other than
// token requests; RateLimited counts 429s from the rate limit only (injected
// 429s count in FaultsInjected).
type Stats struct {
	Requests, TokenRequests, RateLimited, FaultsInjected, Mutations int64
	GatewayRejected                                                 int64            // requests the gateway turned away (counted in Requests or TokenRequests too)
	ByPath                                                          map[string]int64 // by URL path, token endpoint included
}

const (
	JobNumbersMixed  JobNumbers = iota // the default: per job, strings ("3") on most, JSON numbers (3) on some
	JobNumbersString                   // strings on every job, as the spec types them
	JobNumbersNumber                   // JSON numbers on every job
)
