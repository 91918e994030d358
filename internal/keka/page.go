package keka

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// PageSize is the page size asked for on every list call (Keka's maximum).
const PageSize = 200

// List is one paged Keka list: a path relative to the API base and its filters.
// Page numbers and the page size are added by the client.
type List struct {
	Path  string     // e.g. "/hire/jobs"
	Query url.Values // filters, e.g. isArchived=true; may be nil
}

// JobsList returns the list of all job requisitions.
func JobsList() List { return List{Path: "/hire/jobs"} }

// JobCandidatesList returns the candidates who applied to one job: the active
// applications, or the archived ones when archived is true.
func JobCandidatesList(jobID string, archived bool) List {
	return List{
		Path:  "/hire/jobs/" + url.PathEscape(jobID) + "/candidates",
		Query: url.Values{"isArchived": {strconv.FormatBool(archived)}},
	}
}

// PreboardingList returns the list of preboarding candidates.
func PreboardingList() List { return List{Path: "/hire/preboarding/candidates"} }

// Page is one page of a list.
type Page struct {
	Records      []json.RawMessage // each record exactly as Keka sent it
	PageNumber   int
	TotalRecords int  // -1 when the response does not say
	TotalPages   int  // -1 when the response does not say
	Last         bool // nextPage null, pageNumber >= totalPages, an empty page, or a bare array that is not full (see ParsePage)
	Stated       int  // the page number the response said it was; 0 when it said none
}

// malformedError is a body that is not any known page shape. The client
// retries it, since a truncated answer is the usual cause, unless it is
// permanent: an HTML page or JSON nested deeper than the decoder allows
// comes back the same on every retry.
type malformedError struct {
	page      int
	why       string
	err       error
	permanent bool
}

func (e *malformedError) Error() string {
	s := fmt.Sprintf("keka: page %d: malformed response: %s", e.page, e.why)
	if e.err != nil {
		s += ": " + e.err.Error()
	}
	return s
}

func (e *malformedError) Unwrap() error { return e.err }

// failedError is an envelope with succeeded:false. The client retries it:
// Keka sends it for passing failures too, among them its rate limit.
type failedError struct {
	page        int
	text        string // Keka's message and errors, not yet cleaned (see errorText)
	rateLimited bool   // the message or one of the errors is rateLimitExceeded
}

func (e *failedError) Error() string {
	msg := clean(e.text)
	if msg == "" {
		msg = "no message"
	}
	return fmt.Sprintf("keka: page %d: Keka reported a failure: %s", e.page, msg)
}

// kekaDefaultPageSize is the page size Keka uses when it ignores pageSize.
const kekaDefaultPageSize = 100

// envelope covers Keka's documented envelope and the items wrapper.
type envelope struct {
	Succeeded    *bool           `json:"succeeded"`
	Message      json.RawMessage `json:"message"`
	Errors       json.RawMessage `json:"errors"`
	Data         json.RawMessage `json:"data"`
	Items        json.RawMessage `json:"items"`
	TotalPages   *int64          `json:"totalPages"`
	TotalRecords *int64          `json:"totalRecords"`
	TotalItems   *int64          `json:"totalItems"`
	NextPage     json.RawMessage `json:"nextPage"`
	PageNumber   json.RawMessage `json:"pageNumber"` // envelope
	Page         json.RawMessage `json:"page"`       // items wrapper
}

// ParsePage reads one page body: Keka's envelope ({succeeded, data,
// totalPages, nextPage, ...}), a bare JSON array, or the items wrapper
// ({items, page, totalItems, totalPages}). data: null is an empty page.
//
// A bare array says nothing of what follows, so its length decides: it is
// the last page unless it holds exactly 100 records (Keka's default page
// size, for a server that ignored pageSize=200) or 200 or more.
//
// Stated is the page number the envelope's pageNumber or the wrapper's page
// says; the caller compares it with pageNumber (a cache answering another
// page than asked).
//
// It returns an error for succeeded:false (with Keka's message) and for any
// body that is not one of these shapes; Permanent is true for an HTML page
// and for JSON nested deeper than encoding/json decodes.
func ParsePage(body []byte, pageNumber int) (Page, error) {
	p := Page{PageNumber: pageNumber, TotalRecords: -1, TotalPages: -1}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return Page{}, &malformedError{page: pageNumber, why: "empty body"}
	}
	switch trimmed[0] {
	case '[':
		recs, err := parseRecords(trimmed)
		if err != nil {
			return Page{}, parseError(pageNumber, "bare array does not parse", err)
		}
		p.Records = recs
		p.Last = len(recs) != kekaDefaultPageSize && len(recs) < PageSize
		return p, nil
	case '{':
	case '<':
		return Page{}, &malformedError{page: pageNumber, why: "an HTML page, not JSON (check the base URL)", permanent: true}
	default:
		return Page{}, &malformedError{page: pageNumber, why: "neither a JSON object nor an array"}
	}
	return parseEnvelope(trimmed, p)
}

// parseEnvelope reads the envelope or the items wrapper into p, which holds
// the page number asked for and unknown totals.
func parseEnvelope(trimmed []byte, p Page) (Page, error) {
	var env envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return Page{}, &malformedError{page: p.PageNumber, why: "field " + ute.Field + " has the wrong type"}
		}
		return Page{}, parseError(p.PageNumber, "object does not parse", err)
	}
	if env.Succeeded != nil && !*env.Succeeded {
		limited := rateLimitMessage(jsonString(env.Message))
		for _, e := range errorList(env.Errors) {
			limited = limited || rateLimitMessage(e)
		}
		return Page{}, &failedError{page: p.PageNumber, text: errorText(trimmed), rateLimited: limited}
	}
	for _, raw := range []json.RawMessage{env.PageNumber, env.Page} {
		if got, ok := statedPage(raw); ok && p.Stated == 0 {
			p.Stated = clampInt(got)
		}
	}
	recs, err := env.records(p.PageNumber)
	if err != nil {
		return Page{}, err
	}
	p.Records = recs
	if env.TotalPages != nil && *env.TotalPages >= 0 {
		p.TotalPages = clampInt(*env.TotalPages)
	}
	switch {
	case env.TotalRecords != nil && *env.TotalRecords >= 0:
		p.TotalRecords = clampInt(*env.TotalRecords)
	case env.TotalItems != nil && *env.TotalItems >= 0:
		p.TotalRecords = clampInt(*env.TotalItems)
	}
	p.Last = len(p.Records) == 0 ||
		(env.NextPage != nil && isNull(env.NextPage)) ||
		(p.TotalPages >= 0 && p.PageNumber >= p.TotalPages)
	return p, nil
}

// records returns the records of data or items; null is none.
func (env *envelope) records(pageNumber int) ([]json.RawMessage, error) {
	list := env.Data
	if list == nil {
		list = env.Items
	}
	switch {
	case list == nil:
		return nil, &malformedError{page: pageNumber, why: `object has neither "data" nor "items"`}
	case isNull(list):
		return []json.RawMessage{}, nil
	case list[0] != '[':
		return nil, &malformedError{page: pageNumber, why: "records are not a JSON array"}
	}
	recs, err := parseRecords(list)
	if err != nil {
		return nil, parseError(pageNumber, "records do not parse", err)
	}
	return recs, nil
}

// parseError is a malformedError for a JSON decoding error, permanent when
// the JSON is nested deeper than encoding/json allows (it does not depend
// on how the answer arrived).
func parseError(page int, why string, err error) *malformedError {
	deep := strings.Contains(err.Error(), "exceeded max depth")
	if deep {
		why += " (nested deeper than the decoder allows)"
	}
	return &malformedError{page: page, why: why, err: err, permanent: deep}
}

// parseRecords splits a JSON array into its elements, each a copy of the
// bytes Keka sent.
func parseRecords(arr []byte) ([]json.RawMessage, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(arr, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return []json.RawMessage{}, nil
	}
	// json.RawMessage.UnmarshalJSON copies, so no record aliases arr.
	return raw, nil
}

// statedPage reads the page number a response states: a JSON number or a
// string of digits. Anything else (missing, null, a fraction) states none:
// the number is only compared with the one asked for, never relied on.
func statedPage(raw json.RawMessage) (int64, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0, false
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, false
		}
		raw = []byte(strings.TrimSpace(s))
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

func isNull(b json.RawMessage) bool { return string(bytes.TrimSpace(b)) == "null" }

func clampInt(v int64) int {
	const maxInt = int64(^uint(0) >> 1)
	switch {
	case v > maxInt:
		return int(maxInt)
	case v < -maxInt:
		return int(-maxInt)
	}
	return int(v)
}
