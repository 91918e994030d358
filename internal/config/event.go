package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Request is one validated invocation.
type Request struct {
	SnapshotDate time.Time // midnight UTC
	Datasets     []string  // known names, no duplicates, in the order asked; nil when the event names none (all, or those of the run it continues)
	DryRun       bool
	Force        bool
	Restart      bool
	RunID        string
	FetchScope   string // "" when the event names none
	// Lookup, when set, asks for records from Keka instead of a run; no
	// other field may be given with it.
	Lookup *Lookup
}

// MaxEventBytes is the largest event ParseEvent reads.
const MaxEventBytes = 64 << 10

// event is the on-demand payload; every field is optional.
type event struct {
	SnapshotDate *string
	Datasets     []string
	DryRun       bool
	Force        bool
	Restart      bool
	RunID        string
	FetchScope   string
	Lookup       json.RawMessage
}

// eventFields are the fields of the on-demand payload, spelled exactly so,
// with what each must hold.
var eventFields = []struct{ name, want string }{
	{"snapshotDate", "a string YYYY-MM-DD"},
	{"datasets", "a list of strings"},
	{"dryRun", "true or false"},
	{"force", "true or false"},
	{"restart", "true or false"},
	{"runId", "a string"},
	{"fetchScope", "a string: all, active or Nd"},
	{"lookup", "an object"},
}

// envelopeFields are the fields by which an EventBridge event is recognised:
// it has all four. envelopeExtra are the other fields of its envelope.
var (
	envelopeFields = []string{"source", "detail-type", "time", "detail"}
	envelopeExtra  = []string{"version", "id", "account", "region", "resources", "replay-name"}
)

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ParseEvent parses the invocation event: either the on-demand payload
// (snapshotDate, datasets, dryRun, force, restart, runId, each optional), or
// an EventBridge event, recognised by its shape: source, detail-type, time
// and detail all present. An EventBridge event's time gives the snapshot date
// in UTC, and its detail, when it is an object, is read as an on-demand
// payload (an EventBridge rule's {} means all datasets); its other envelope
// fields are ignored. EventBridge Scheduler targets that send our own payload
// are on-demand events.
//
// Field names match exactly. It fails, with one line naming the field, on:
// a field that is not ours (a wrong-case one is named with the right
// spelling), a field given twice, our fields beside EventBridge ones, part of
// the EventBridge shape, unknown datasets, a malformed date or one more than
// a day ahead of now, or a malformed runId. known lists the valid dataset
// names; now gives the date when the event has none. Empty input, {} and
// null mean all datasets, today. Errors never echo a value of the input.
func ParseEvent(b []byte, known []string, now time.Time) (Request, error) {
	if len(b) > MaxEventBytes {
		return Request{}, fmt.Errorf("event: %d bytes, more than the %d accepted", len(b), MaxEventBytes)
	}
	b = bytes.TrimSpace(b)
	today := midnight(now)
	if len(b) == 0 || string(b) == "null" {
		return build(event{}, known, today, today)
	}
	if b[0] != '{' {
		return Request{}, errors.New("event: want a JSON object")
	}
	fields, err := readObject(b)
	if err != nil {
		return Request{}, fmt.Errorf("event: %w", err)
	}
	var ours, envelope []string
	for _, f := range fields {
		switch {
		case isEventField(f.name):
			ours = append(ours, f.name)
		case slices.Contains(envelopeFields, f.name):
			envelope = append(envelope, f.name)
		}
	}
	switch {
	case len(ours) > 0 && len(envelope) > 0:
		return Request{}, fmt.Errorf("event: has both EventBridge fields (%s) and our own (%s): send ours alone, or inside the detail of an EventBridge event",
			strings.Join(envelope, ", "), strings.Join(ours, ", "))
	case len(envelope) == len(envelopeFields):
		return parseEventBridge(fields, known, today)
	case len(envelope) > 0:
		var missing []string
		for _, name := range envelopeFields {
			if !slices.Contains(envelope, name) {
				missing = append(missing, name)
			}
		}
		for _, f := range fields {
			if right, ok := foldMatch(f.name, missing); ok {
				return Request{}, fmt.Errorf("event: unknown field %s: did you mean %s? (field names are case-sensitive)", quoteName(f.name), right)
			}
		}
		return Request{}, fmt.Errorf("event: has EventBridge fields %s but not %s: an EventBridge event has all of %s; an on-demand event has only %s",
			strings.Join(envelope, ", "), strings.Join(missing, ", "), strings.Join(envelopeFields, ", "), eventFieldList())
	}
	e, err := decodeEvent(fields)
	if err != nil {
		return Request{}, fmt.Errorf("event: %w", err)
	}
	return build(e, known, today, today)
}

// parseEventBridge reads an EventBridge event whose envelope fields are all
// present.
func parseEventBridge(fields []field, known []string, today time.Time) (Request, error) {
	var e event
	date := today
	for _, f := range fields {
		switch f.name {
		case "time":
			var s string
			if json.Unmarshal(f.value, &s) != nil {
				return Request{}, errors.New("event: EventBridge field time is not an RFC 3339 timestamp")
			}
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return Request{}, errors.New("event: EventBridge field time is not an RFC 3339 timestamp")
			}
			date = midnight(t)
		case "source", "detail-type":
			var s string
			if json.Unmarshal(f.value, &s) != nil {
				return Request{}, fmt.Errorf("event: EventBridge field %s: want a string", f.name)
			}
		case "detail":
			d, err := eventBridgeDetail(f.value)
			if err != nil {
				return Request{}, fmt.Errorf("event: EventBridge detail: %w", err)
			}
			e = d
		default:
			// Other envelope fields (version, id, account, ...) are ignored,
			// but not a misspelling of a field that would be used.
			if slices.Contains(envelopeExtra, f.name) {
				continue
			}
			if right, ok := foldMatch(f.name, envelopeFields); ok {
				return Request{}, fmt.Errorf("event: unknown field %s: did you mean %s? (field names are case-sensitive)", quoteName(f.name), right)
			}
			if right, ok := foldMatch(f.name, eventFieldNames()); ok {
				return Request{}, fmt.Errorf("event: unknown field %s: did you mean %s? Our fields go inside detail of an EventBridge event", quoteName(f.name), right)
			}
		}
	}
	return build(e, known, date, today)
}

// eventBridgeDetail reads an EventBridge detail: an object is an on-demand
// payload; null, "" and "{}" (a string, as EventBridge Scheduler may send
// it) are empty. Anything else is refused rather than ignored.
func eventBridgeDetail(v json.RawMessage) (event, error) {
	v = bytes.TrimSpace(v)
	if string(v) == "null" {
		return event{}, nil
	}
	if len(v) > 0 && v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			if s = strings.TrimSpace(s); s == "" || s == "{}" {
				return event{}, nil
			}
		}
		return event{}, errors.New("is a string: give the fields as a JSON object, e.g. {\"dryRun\": true}")
	}
	if len(v) == 0 || v[0] != '{' {
		return event{}, errors.New("want a JSON object")
	}
	fields, err := readObject(v)
	if err != nil {
		return event{}, err
	}
	return decodeEvent(fields)
}

// field is one member of a JSON object, in the order it came.
type field struct {
	name  string
	value json.RawMessage
}

// readObject reads the members of one JSON object, b, with their names as
// sent (encoding/json would match them case-insensitively). It rejects a
// name given twice and trailing data.
func readObject(b []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // the '{', checked by the callers
		return nil, jsonError(err)
	}
	var fields []field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(err)
		}
		name, _ := tok.(string) // object keys are always strings
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, jsonError(err)
		}
		for _, f := range fields {
			if f.name == name {
				return nil, fmt.Errorf("field %s is given twice", quoteName(name))
			}
		}
		fields = append(fields, field{name: name, value: v})
	}
	if _, err := dec.Token(); err != nil { // the '}'
		return nil, jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON object")
	}
	return fields, nil
}

// decodeEvent decodes the members of an on-demand payload, whose names must
// be exactly ours.
func decodeEvent(fields []field) (event, error) {
	var e event
	for _, f := range fields {
		var dst any
		switch f.name {
		case "snapshotDate":
			dst = &e.SnapshotDate
		case "datasets":
			dst = &e.Datasets
		case "dryRun":
			dst = &e.DryRun
		case "force":
			dst = &e.Force
		case "restart":
			dst = &e.Restart
		case "runId":
			dst = &e.RunID
		case "fetchScope":
			dst = &e.FetchScope
		case "lookup":
			dst = &e.Lookup
		default:
			if right, ok := foldMatch(f.name, eventFieldNames()); ok {
				return event{}, fmt.Errorf("unknown field %s: did you mean %s? (field names are case-sensitive)", quoteName(f.name), right)
			}
			return event{}, fmt.Errorf("unknown field %s: valid ones are %s", quoteName(f.name), eventFieldList())
		}
		if err := json.Unmarshal(f.value, dst); err != nil {
			var typ *json.UnmarshalTypeError
			if errors.As(err, &typ) {
				return event{}, fmt.Errorf("field %s: want %s", f.name, eventFieldWant(f.name))
			}
			return event{}, jsonError(err)
		}
	}
	return e, nil
}

func isEventField(name string) bool {
	for _, f := range eventFields {
		if f.name == name {
			return true
		}
	}
	return false
}

func eventFieldNames() []string {
	names := make([]string, len(eventFields))
	for i, f := range eventFields {
		names[i] = f.name
	}
	return names
}

func eventFieldList() string { return strings.Join(eventFieldNames(), ", ") }

func eventFieldWant(name string) string {
	for _, f := range eventFields {
		if f.name == name {
			return f.want
		}
	}
	return "another JSON type"
}

// foldMatch returns the name in names that s matches case-insensitively, as
// encoding/json would have matched it.
func foldMatch(s string, names []string) (string, bool) {
	for _, n := range names {
		if strings.EqualFold(s, n) {
			return n, true
		}
	}
	return "", false
}

// build validates e; date is the snapshot date when e has none.
func build(e event, known []string, date, today time.Time) (Request, error) {
	r := Request{SnapshotDate: date, DryRun: e.DryRun, Force: e.Force, Restart: e.Restart, RunID: e.RunID, FetchScope: strings.ToLower(e.FetchScope)}
	if r.FetchScope != "" && !FetchScopePattern.MatchString(r.FetchScope) {
		return Request{}, errors.New("event: fetchScope is not all, active or Nd (N days from 1 to 3650, e.g. 30d)")
	}
	if e.Lookup != nil {
		if e.SnapshotDate != nil || e.Datasets != nil || e.DryRun || e.Force || e.Restart || e.RunID != "" || e.FetchScope != "" {
			return Request{}, errors.New(`event: "lookup" goes alone: a look-up reads Keka now and touches no snapshot, so it takes no other field`)
		}
		l, err := parseLookup(e.Lookup, known)
		if err != nil {
			return Request{}, err
		}
		r.Lookup = l
		return r, nil
	}
	if e.SnapshotDate != nil && *e.SnapshotDate != "" {
		t, err := time.Parse(time.DateOnly, *e.SnapshotDate)
		if err != nil {
			return Request{}, errors.New("event: snapshotDate is not a date: want YYYY-MM-DD, e.g. 2026-11-26")
		}
		r.SnapshotDate = t
	}
	if r.SnapshotDate.After(today.AddDate(0, 0, 1)) {
		return Request{}, fmt.Errorf("event: snapshotDate %s is in the future (today is %s UTC)",
			r.SnapshotDate.Format(time.DateOnly), today.Format(time.DateOnly))
	}
	// The Glue tables project partitions from 2020-01-01 on: an earlier date
	// would be written where Athena never looks.
	if r.SnapshotDate.Year() < 2020 {
		return Request{}, errors.New("event: snapshotDate is before 2020-01-01, where the Athena tables begin")
	}
	if r.Restart && r.RunID == "" {
		return Request{}, errors.New(`event: "restart" needs "runId", the id of the unfinished run to discard (from its last result or checkpoint)`)
	}
	if r.RunID != "" && !runIDPattern.MatchString(r.RunID) {
		return Request{}, errors.New("event: runId must be up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	if len(e.Datasets) == 0 {
		return r, nil
	}
	for _, name := range e.Datasets {
		if !slices.Contains(known, name) {
			return Request{}, fmt.Errorf("event: unknown dataset %s: valid ones are %s", short(name), strings.Join(known, ", "))
		}
		if !slices.Contains(r.Datasets, name) {
			r.Datasets = append(r.Datasets, name)
		}
	}
	return r, nil
}

// jsonError rewrites a syntax error so that it never echoes the input.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("not valid JSON (at byte %d)", syntax.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("not valid JSON (truncated)")
	}
	return errors.New("not valid JSON")
}

// quoteName quotes a field name for an error message, cut to 40 bytes.
func quoteName(s string) string {
	if len(s) > 40 {
		return strconv.Quote(strings.ToValidUTF8(s[:40], "")) + "…"
	}
	return strconv.Quote(s)
}

func midnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
