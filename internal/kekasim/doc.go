// Package kekasim is a simulated Keka Hire API: a real HTTP server on a
// loopback port that serves a generated tenant, for the demo and for
// integration tests.
//
// NewTenant generates jobs, applications (job candidates) and preboarding
// candidates from a seed; the same seed and size give byte-identical JSON.
// It also generates draft jobs (status 0, Size.Drafts), which /hire/jobs
// never lists, as Keka's reference says ("all Published, Confidential and
// Archived jobs"). Start serves a tenant with Keka's token endpoint (POST
// /connect/token, grant_type kekaapi) and every Hire read endpoint under
// /api/v1, a fixed-window rate limit, and the record quirks seen on live
// accounts: dates as ISO 8601 with a zone, without one (UTC), with +05:30,
// as epoch seconds in a string ("1789573328.01"), as "" or null or missing;
// keys with spaces; unknown fields; the same candidate on several jobs;
// orgJobId repeated; noOfOpenings and jobType as strings, as the spec types
// them, or as JSON numbers; "jobtitle" on preboarding records, as the spec
// spells it, and "jobTitle" on some.
//
// Options (fixed when the server starts):
//
//   - Shape: ShapeSpec (the default) answers Hire lists with a bare JSON
//     array and preboarding with the {"items", "page", "pageSize",
//     "totalItems", "totalPages"} wrapper, as the spec types them;
//     ShapeEnvelope gives Keka's paged envelope everywhere, as live accounts
//     were seen returning (only it and the items wrapper state totals);
//     ShapeArray, ShapeItems and ShapeMixed as their doc comments say.
//   - InvalidClientStatus: the status for bad credentials, with
//     {"error":"invalid_client"}: 400 by default (IdentityServer), or 401.
//   - JobNumbers: noOfOpenings and jobType as strings on most jobs and JSON
//     numbers on some (the default), or always one form.
//   - IgnorePageNumber: the lists whose path contains one of the given
//     strings answer every pageNumber with page 1, in every shape (the
//     envelope then says pageNumber 1 with a non-null nextPage, the items
//     wrapper page 1).
//   - Gateway: an Azure application gateway in front of the token endpoint
//     and the API turns away requests whose User-Agent is missing or a
//     library default (Go-http-client/*, python-requests/*, curl/*) with an
//     HTML 403 (Content-Type text/html), before Keka counts them.
//   - Latency, LatencyJitter: every response waits Latency plus a uniform
//     share of LatencyJitter from a generator seeded by Seed; a request whose
//     context ends while waiting gets no response.
//
// Faults (429s, 5xx, dropped connections, slow, malformed and truncated
// bodies, HTML pages with status 200, expiring tokens, data changing between
// pages) are switched on at run time with Server.SetFaults. Server.Truth returns what the tenant holds
// at that moment, typed, for tests to compare an export against; no option
// changes it, and drafts are kept apart in Truth.Drafts.
//
// Choices where Keka's behaviour is unknown: a pageSize above 200 is clamped
// to 200; a pageNumber or pageSize below 1 or not a number answers 400;
// query parameter names and path segments match without regard to case;
// nextPage drops lastModified while the other page links keep it; the items
// wrapper counts pages from 1; the token endpoint checks grant_type before
// the client and accepts a missing scope; applicationfields and jobboards
// answer a bare array; an unknown job answers 404 with a paged error body, a
// draft job's candidate lists answer empty; without the gateway, a request
// without User-Agent answers 400 before the rate limit counts it; the rate
// limit counts every other API request, authorised or not, and runs before
// authentication; an injected 429 says Retry-After: 1, a real one the
// seconds left in the window.
package kekasim
