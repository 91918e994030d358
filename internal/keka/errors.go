package keka

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Errors that callers branch on with errors.Is. An *APIError matches the one
// that fits its status; a rejected token request matches ErrUnauthorized.
var (
	ErrUnauthorized = errors.New("keka: unauthorized")
	ErrForbidden    = errors.New("keka: forbidden")
	ErrNotFound     = errors.New("keka: not found")
)

// maxMessage bounds Keka's message kept in an error.
const maxMessage = 300

// APIError is an answer from the Keka API that is not a usable page.
// Message is Keka's own text (empty when the body had none); it never holds a
// token.
type APIError struct {
	Status  int
	Path    string // the list path, e.g. /hire/jobs; no query, no host
	Page    int    // the page number asked for; 0 when not paged
	Message string
}

// Error reads like
// "keka: GET /hire/jobs/123/candidates page 3: 403 Forbidden: <Keka's message> (hint)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("keka: GET ")
	b.WriteString(e.Path)
	if e.Page > 0 {
		b.WriteString(" page ")
		b.WriteString(strconv.Itoa(e.Page))
	}
	b.WriteString(": ")
	if e.Status == http.StatusOK {
		b.WriteString("Keka reported a failure")
	} else {
		b.WriteString(strconv.Itoa(e.Status))
		if t := http.StatusText(e.Status); t != "" {
			b.WriteString(" ")
			b.WriteString(t)
		}
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if h := e.hint(); h != "" {
		b.WriteString(" (")
		b.WriteString(h)
		b.WriteString(")")
	}
	return b.String()
}

func (e *APIError) hint() string {
	switch e.Status {
	case http.StatusUnauthorized:
		return "refused again with a freshly fetched token: check that the API key belongs to this environment"
	case http.StatusForbidden:
		return "the API key lacks Hire access: give the key the Hire scope in Keka's API access settings"
	case http.StatusNotFound:
		return "check company and environment"
	case http.StatusTooManyRequests:
		return "rate limited: lower the requests per minute"
	case http.StatusOK:
		if rateLimitMessage(e.Message) {
			return "rate limited: lower the requests per minute"
		}
	}
	return ""
}

// Is maps 401 to ErrUnauthorized, 403 to ErrForbidden and 404 to ErrNotFound.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	}
	return false
}

// rateLimitMessage reports whether Keka's message is its rate limit reason,
// rateLimitExceeded, in any case.
func rateLimitMessage(m string) bool {
	return strings.EqualFold(strings.TrimSpace(m), "rateLimitExceeded")
}

// credentialsError reports that the token endpoint refused the credentials,
// even after they were fetched again.
type credentialsError struct {
	status int
	code   string // OAuth "error", e.g. invalid_client
}

func (e *credentialsError) Error() string {
	code := e.code
	if code == "" {
		code = strconv.Itoa(e.status) + " " + http.StatusText(e.status)
	}
	return fmt.Sprintf("keka: token endpoint rejected the credentials (%s): check client_id, client_secret and api_key", code)
}

func (e *credentialsError) Is(target error) bool { return target == ErrUnauthorized }

// permanentError marks an error that no retry can fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent reports whether err is one a later retry cannot fix: a 401 after
// a token refresh and a credentials refresh, 403, 404 and other 4xx except
// 408 and 429, 501 and 505, rejected credentials, bad configuration
// (ErrConfiguration), and answers that come back the same on every retry
// (a 200 with an HTML page, a body over the size limit, JSON nested too
// deep). Context errors, Keka's succeeded:false (an *APIError with Status
// 200), exhausted retries of transient failures and nil are not permanent.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	var pe *permanentError
	var me *malformedError
	switch {
	case errors.As(err, &pe), errors.Is(err, ErrConfiguration):
		return true
	case errors.As(err, &me):
		return me.permanent
	}
	var ce *credentialsError
	if errors.As(err, &ce) {
		return true
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return !(ae.Status >= 200 && ae.Status < 300) && !retryableStatus(ae.Status)
	}
	return false
}

// retryableStatus reports whether an HTTP status is worth retrying: 408, 429
// and every 5xx except 501 Not Implemented and 505 HTTP Version Not
// Supported, which no retry changes.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		return true
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported:
		return false
	}
	return status >= 500
}

// errorText extracts Keka's message from an error body: JSON message,
// errors (strings, {fieldName, errorMessage} or {field: [messages]}), OAuth
// error/error_description, problem-details title/detail, or plain text.
// HTML and empty bodies give "". It is whole, so that secrets can be
// redacted before clean cuts it to one short line (a cut secret would no
// longer match).
func errorText(body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" || s[0] == '<' {
		return ""
	}
	if s[0] != '{' && s[0] != '[' {
		return s
	}
	var v struct {
		Message          json.RawMessage `json:"message"`
		Errors           json.RawMessage `json:"errors"`
		Error            json.RawMessage `json:"error"`
		ErrorDescription json.RawMessage `json:"error_description"`
		Title            json.RawMessage `json:"title"`
		Detail           json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return ""
	}
	var parts []string
	add := func(p string) {
		p = strings.TrimSpace(p)
		if p == "" {
			return
		}
		for _, q := range parts {
			if q == p {
				return
			}
		}
		parts = append(parts, p)
	}
	add(jsonString(v.Message))
	add(jsonString(v.Title))
	add(jsonString(v.Detail))
	if code := jsonString(v.Error); code != "" {
		if d := jsonString(v.ErrorDescription); d != "" {
			add(code + ": " + d)
		} else {
			add(code)
		}
	}
	for _, e := range errorList(v.Errors) {
		add(e)
	}
	return strings.Join(parts, "; ")
}

func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// errorList flattens Keka's "errors": ["..."], [{"fieldName","errorMessage"}]
// or {"field": ["..."]}.
func errorList(raw json.RawMessage) []string {
	var out []string
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		for _, item := range list {
			if s := jsonString(item); s != "" {
				out = append(out, s)
				continue
			}
			var fe struct {
				FieldName    string `json:"fieldName"`
				ErrorMessage string `json:"errorMessage"`
			}
			if json.Unmarshal(item, &fe) == nil && (fe.FieldName != "" || fe.ErrorMessage != "") {
				if fe.FieldName != "" && fe.ErrorMessage != "" {
					out = append(out, fe.FieldName+": "+fe.ErrorMessage)
				} else {
					out = append(out, fe.FieldName+fe.ErrorMessage)
				}
			}
		}
		return out
	}
	var m map[string][]string
	if json.Unmarshal(raw, &m) == nil {
		for k, msgs := range m {
			for _, msg := range msgs {
				out = append(out, k+": "+msg)
			}
		}
		// map order is random; keep messages stable for logs and tests.
		slices.Sort(out)
	}
	return out
}

// clean makes s one printable line of at most maxMessage characters.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxMessage {
		r := []rune(s)
		s = string(r[:maxMessage-1]) + "…"
	}
	return s
}
