package keka

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/kekaexport/keka-hire-export/internal/jsonscan"
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

// envelope is what ParsePage reads of Keka's documented envelope and the
// items wrapper: each field is the value's bytes as sent (nil when the key
// is absent), the records of data and items split as they are read.
type envelope struct {
	succeeded, message, errors, data, items []byte
	totalPages, totalRecords, totalItems    []byte
	nextPage, pageNumber, page              []byte
	dataRecords, itemsRecords               []json.RawMessage
	wrongType                               string // the first field of the wrong type
}

// envelopeKeys are the keys ParsePage reads, matched as encoding/json
// matches keys to fields: exactly, else without regard to case.
var envelopeKeys = []string{"succeeded", "message", "errors", "data", "items", "totalPages", "totalRecords", "totalItems", "nextPage", "pageNumber", "page"}

// field returns where the value of key goes, or nil for a key not read.
func (env *envelope) field(key []byte) (*[]byte, *[]json.RawMessage) {
	n := -1
	for i, k := range envelopeKeys {
		if string(key) == k {
			n = i
			break
		}
	}
	for i, k := range envelopeKeys {
		if n < 0 && bytes.EqualFold(key, []byte(k)) {
			n = i
		}
	}
	switch n {
	case 0:
		return &env.succeeded, nil
	case 1:
		return &env.message, nil
	case 2:
		return &env.errors, nil
	case 3:
		return &env.data, &env.dataRecords
	case 4:
		return &env.items, &env.itemsRecords
	case 5:
		return &env.totalPages, nil
	case 6:
		return &env.totalRecords, nil
	case 7:
		return &env.totalItems, nil
	case 8:
		return &env.nextPage, nil
	case 9:
		return &env.pageNumber, nil
	case 10:
		return &env.page, nil
	}
	return nil, nil
}

// ParsePage reads one page body: Keka's envelope ({succeeded, data,
// totalPages, nextPage, ...}), a bare JSON array, or the items wrapper
// ({items, page, totalItems, totalPages}). data: null is an empty page.
// It reads the body once: the records are found, and their syntax checked,
// in the same pass that reads the envelope. Each record is the body's own
// bytes (not a copy), so the body must not change while they are in use.
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
	start := jsonscan.Space(body, 0)
	if start == len(body) {
		return Page{}, &malformedError{page: pageNumber, why: "empty body"}
	}
	switch body[start] {
	case '[':
		recs := make([]json.RawMessage, 0, PageSize)
		end, err := splitRecords(body, start, 1, &recs)
		if err == nil {
			err = trailing(body, end)
		}
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
	return parseEnvelope(body, start, p)
}

// splitRecords appends each element of the array at b[i], depth levels
// deep, to recs, as the bytes of b it spans, and returns the index just
// past the array.
func splitRecords(b []byte, i, depth int, recs *[]json.RawMessage) (int, error) {
	return jsonscan.Elements(b, i, func(j int) (int, error) {
		end, err := jsonscan.Nested(b, j, depth)
		if err == nil {
			*recs = append(*recs, json.RawMessage(b[j:end:end]))
		}
		return end, err
	})
}

// trailing reports anything but whitespace after the top-level value.
func trailing(b []byte, end int) error {
	if end = jsonscan.Space(b, end); end < len(b) {
		return &jsonscan.SyntaxError{Offset: end}
	}
	return nil
}

// readEnvelope reads the object at body[start] into env in one pass.
func readEnvelope(body []byte, start int, env *envelope) error {
	end, err := jsonscan.Members(body, start, func(key []byte, escaped bool, j int) (int, error) {
		if escaped {
			key = []byte(jsonscan.Key(key))
		}
		dst, recs := env.field(key)
		if recs != nil {
			j = jsonscan.Space(body, j)
			if j < len(body) && body[j] == '[' {
				list := make([]json.RawMessage, 0, PageSize)
				end, err := splitRecords(body, j, 2, &list)
				*dst, *recs = body[j:end], list
				return end, err
			}
		}
		end, err := jsonscan.Value(body, j)
		if err == nil && dst != nil {
			*dst = body[jsonscan.Space(body, j):end]
		}
		return end, err
	})
	if err == nil {
		err = trailing(body, end)
	}
	return err
}

// parseEnvelope reads the envelope or the items wrapper into p, which holds
// the page number asked for and unknown totals.
func parseEnvelope(body []byte, start int, p Page) (Page, error) {
	var env envelope
	if err := readEnvelope(body, start, &env); err != nil {
		return Page{}, parseError(p.PageNumber, "object does not parse", err)
	}
	succeeded, ok := env.boolean("succeeded", env.succeeded)
	totalPages := env.integer("totalPages", env.totalPages)
	totalRecords := env.integer("totalRecords", env.totalRecords)
	totalItems := env.integer("totalItems", env.totalItems)
	if env.wrongType != "" {
		return Page{}, &malformedError{page: p.PageNumber, why: "field " + env.wrongType + " has the wrong type"}
	}
	if ok && !succeeded {
		limited := rateLimitMessage(jsonString(env.message))
		for _, e := range errorList(env.errors) {
			limited = limited || rateLimitMessage(e)
		}
		return Page{}, &failedError{page: p.PageNumber, text: errorText(body[start:]), rateLimited: limited}
	}
	for _, raw := range [][]byte{env.pageNumber, env.page} {
		if got, ok := statedPage(raw); ok && p.Stated == 0 {
			p.Stated = clampInt(got)
		}
	}
	recs, err := env.records(p.PageNumber)
	if err != nil {
		return Page{}, err
	}
	p.Records = recs
	if totalPages >= 0 {
		p.TotalPages = clampInt(totalPages)
	}
	switch {
	case totalRecords >= 0:
		p.TotalRecords = clampInt(totalRecords)
	case totalItems >= 0:
		p.TotalRecords = clampInt(totalItems)
	}
	p.Last = len(p.Records) == 0 ||
		(env.nextPage != nil && isNull(env.nextPage)) ||
		(p.TotalPages >= 0 && p.PageNumber >= p.TotalPages)
	return p, nil
}

// boolean reads a JSON boolean; ok is false for null or an absent key. Any
// other value is of the wrong type.
func (env *envelope) boolean(name string, raw []byte) (v, ok bool) {
	switch string(raw) {
	case "", "null":
		return false, false
	case "true", "false":
		return string(raw) == "true", true
	}
	env.typeError(name)
	return false, false
}

// integer reads a JSON integer; -1 stands for null, an absent key, or a
// value of the wrong type (noted), as a total is never negative.
func (env *envelope) integer(name string, raw []byte) int64 {
	if raw == nil || string(raw) == "null" {
		return -1
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		env.typeError(name)
		return -1
	}
	return n
}

func (env *envelope) typeError(name string) {
	if env.wrongType == "" {
		env.wrongType = name
	}
}

// records returns the records of data or items; null is none.
func (env *envelope) records(pageNumber int) ([]json.RawMessage, error) {
	list, recs := env.data, env.dataRecords
	if list == nil {
		list, recs = env.items, env.itemsRecords
	}
	switch {
	case list == nil:
		return nil, &malformedError{page: pageNumber, why: `object has neither "data" nor "items"`}
	case isNull(list):
		return []json.RawMessage{}, nil
	case list[0] != '[':
		return nil, &malformedError{page: pageNumber, why: "records are not a JSON array"}
	}
	return recs, nil
}

// parseError is a malformedError for a JSON syntax error, permanent when
// the JSON is nested deeper than encoding/json allows (it does not depend
// on how the answer arrived).
func parseError(page int, why string, err error) *malformedError {
	deep := strings.Contains(err.Error(), "exceeded max depth")
	if deep {
		why += " (nested deeper than the decoder allows)"
	}
	return &malformedError{page: page, why: why, err: err, permanent: deep}
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
