// Package kekasim is a simulated Keka Hire API: a real HTTP server on a
// loopback port that serves a generated tenant, for the demo and for
// integration tests.
//
// NewTenant generates jobs, applications (job candidates) and preboarding
// candidates from a seed; the same seed and size give byte-identical JSON.
// Start serves a tenant with Keka's token endpoint (POST /connect/token,
// grant_type kekaapi) and every Hire read endpoint under /api/v1, with Keka's
// paging envelope (or a bare array, or the preboarding "items" wrapper),
// a fixed-window rate limit, and the record quirks seen on live accounts:
// dates as ISO 8601 with a zone, without one (UTC), with +05:30, as epoch
// seconds in a string ("1789573328.01"), as "" or null or missing; keys with
// spaces; unknown fields; the same candidate on several jobs; orgJobId
// repeated; "jobtitle" for "jobTitle" on some preboarding records.
//
// Faults (429s, 5xx, dropped connections, slow, malformed and truncated
// bodies, expiring tokens, data changing between pages) are switched on at
// run time with Server.SetFaults. Server.Truth returns what the tenant holds
// at that moment, typed, for tests to compare an export against.
//
// Choices where Keka's behaviour is unknown: a pageSize above 200 is clamped
// to 200; a pageNumber or pageSize below 1 or not a number answers 400;
// query parameter names and path segments match without regard to case;
// nextPage drops lastModified while the other page links keep it; the token
// endpoint checks grant_type before the client, answers 401 invalid_client for
// a wrong client_id, client_secret or api_key, and accepts a missing scope;
// applicationfields and jobboards answer a bare array; an unknown job answers
// 404 with a paged error body; a request without User-Agent answers 400
// before the rate limit counts it; the rate limit counts every other API
// request, authorised or not, and runs before authentication; an injected
// 429 says Retry-After: 1, a real one the seconds left in the window.
package kekasim
