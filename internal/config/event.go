package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
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
}

// MaxEventBytes is the largest event ParseEvent reads.
const MaxEventBytes = 64 << 10

// event is the on-demand payload; every field is optional.
type event struct {
	SnapshotDate *string  `json:"snapshotDate"`
	Datasets     []string `json:"datasets"`
	DryRun       bool     `json:"dryRun"`
	Force        bool     `json:"force"`
	Restart      bool     `json:"restart"`
	RunID        string   `json:"runId"`
}

// envelope is the part of an EventBridge event ParseEvent reads; its other
// fields are ignored.
type envelope struct {
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Time       string          `json:"time"`
	Detail     json.RawMessage `json:"detail"`
}

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ParseEvent parses the on-demand payload or an EventBridge scheduled event
// (detail-type "Scheduled Event", or source aws.events or aws.scheduler),
// whose time gives the snapshot date in UTC and whose detail, when it is an
// object, is read as an on-demand payload (other details are ignored). EventBridge Scheduler
// targets that send our own payload are on-demand events. known lists the
// valid dataset names; now gives the date when the event has none. Empty
// input, {} and null mean all datasets, today. It fails, naming the field, on
// unknown fields (outside the envelope), unknown datasets, a malformed date
// or one more than a day ahead of now, or a malformed runId; errors never
// echo the input.
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
	var env envelope
	if err := decode(b, &env, false); err != nil {
		return Request{}, fmt.Errorf("event: %w", err)
	}
	if env.DetailType == "Scheduled Event" || env.Source == "aws.events" || env.Source == "aws.scheduler" {
		date := today
		if env.Time != "" {
			t, err := time.Parse(time.RFC3339, env.Time)
			if err != nil {
				return Request{}, errors.New("event: EventBridge field time is not an RFC 3339 timestamp")
			}
			date = midnight(t)
		}
		var e event
		if d := bytes.TrimSpace(env.Detail); len(d) > 0 && d[0] == '{' {
			if err := decode(d, &e, true); err != nil {
				return Request{}, fmt.Errorf("event: EventBridge detail: %w", err)
			}
		}
		return build(e, known, date, today)
	}
	var e event
	if err := decode(b, &e, true); err != nil {
		return Request{}, fmt.Errorf("event: %w", err)
	}
	return build(e, known, today, today)
}

// decode decodes one JSON object, b, into v, rejecting trailing data, and
// unknown fields when strict.
func decode(b []byte, v any, strict bool) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

// build validates e; date is the snapshot date when e has none.
func build(e event, known []string, date, today time.Time) (Request, error) {
	r := Request{SnapshotDate: date, DryRun: e.DryRun, Force: e.Force, Restart: e.Restart, RunID: e.RunID}
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

// jsonError rewrites a decoding error so that it names the field and never
// echoes the input.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		want := map[string]string{
			"snapshotDate": "a string YYYY-MM-DD", "datasets": "a list of strings", "dryRun": "true or false",
			"force": "true or false", "restart": "true or false", "runId": "a string",
			"detail-type": "a string", "source": "a string", "time": "a string",
		}
		field := typ.Field
		if i := strings.IndexByte(field, '.'); i >= 0 {
			field = field[:i]
		}
		if w, ok := want[field]; ok {
			return fmt.Errorf("field %s: want %s", field, w)
		}
		return errors.New("a field has the wrong JSON type")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("not valid JSON (truncated)")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("unknown field %s: valid ones are snapshotDate, datasets, dryRun, force, restart, runId", shortQuoted(name))
	}
	return errors.New("not valid JSON")
}

// shortQuoted cuts an already quoted name to 40 bytes.
func shortQuoted(s string) string {
	if len(s) > 42 {
		return s[:41] + "…\""
	}
	return s
}

func midnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
