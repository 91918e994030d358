package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// The private field types below decode leniently: a value of an unexpected
// JSON type leaves the field unset (null in Parquet) instead of failing the
// record, because Keka changes shapes without notice and raw_json keeps the
// original anyway. A JSON null never overwrites a value already decoded, so of
// two spellings of one key (jobTitle, jobtitle) the non-null one wins.

// text is a JSON string; a number or boolean is kept as its JSON text.
type text struct {
	v  string
	ok bool
}

func (s *text) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0 || string(b) == "null" || b[0] == '{' || b[0] == '[':
	case b[0] == '"':
		var v string
		if json.Unmarshal(b, &v) == nil {
			*s = text{v: v, ok: true}
		}
	default: // number, true, false
		*s = text{v: string(b), ok: true}
	}
	return nil
}

// ptr returns the value, or nil when Keka sent null, nothing, or "" (Keka
// sends "" for a value nobody entered; raw_json keeps the difference).
func (s text) ptr() *string {
	if !s.ok || s.v == "" {
		return nil
	}
	v := s.v
	return &v
}

// integer is a JSON integer (or a float with an integral value, or a string
// holding one) that fits in int32.
type integer struct {
	v  int32
	ok bool
}

func (n *integer) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if json.Unmarshal(b, &s) != nil {
			return nil
		}
		s = strings.TrimSpace(s)
	}
	if i, err := strconv.ParseInt(s, 10, 32); err == nil {
		*n = integer{v: int32(i), ok: true}
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && f >= math.MinInt32 && f <= math.MaxInt32 {
		*n = integer{v: int32(f), ok: true}
	}
	return nil
}

func (n integer) ptr() *int32 {
	if !n.ok {
		return nil
	}
	v := n.v
	return &v
}

// boolean is a JSON boolean, or the string "true" or "false".
type boolean struct {
	v, ok bool
}

func (p *boolean) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if json.Unmarshal(b, &s) != nil {
			return nil
		}
	}
	if v, err := strconv.ParseBool(strings.TrimSpace(s)); err == nil {
		*p = boolean{v: v, ok: true}
	}
	return nil
}

func (p boolean) ptr() *bool {
	if !p.ok {
		return nil
	}
	v := p.v
	return &v
}

// date is a keka.Time read in the run's zone (Meta.Zone); what keka.Time
// rejects is left unset. encoding/json cannot hand the zone to
// UnmarshalJSON, which reads the value in UTC and keeps it as sent;
// decodeRecord reads it again in the run's zone, with resolveDates, once the
// whole record is decoded.
type date struct {
	t   keka.Time
	raw []byte // the JSON value of t, until resolved
}

func (d *date) UnmarshalJSON(b []byte) error {
	if t, err := keka.UnmarshalTimeIn(b, time.UTC); err == nil && t.Valid {
		*d = date{t: t, raw: bytes.Clone(b)}
	}
	return nil
}

// resolve reads the value kept by UnmarshalJSON again, zone-less forms in
// loc; a value that is out of range there is left unset.
func (d *date) resolve(loc *time.Location) {
	if d.raw == nil {
		return
	}
	t, err := keka.UnmarshalTimeIn(d.raw, loc)
	if err != nil || !t.Valid {
		t = keka.Time{}
	}
	*d = date{t: t}
}

var dateType = reflect.TypeFor[date]()

// resolveDates resolves every date reachable from v through exported
// struct fields, pointers, slices and arrays: every place the record types
// hold one. v must be addressable.
func resolveDates(v reflect.Value, loc *time.Location) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			resolveDates(v.Elem(), loc)
		}
	case reflect.Struct:
		if v.Type() == dateType {
			v.Addr().Interface().(*date).resolve(loc)
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				resolveDates(v.Field(i), loc)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			resolveDates(v.Index(i), loc)
		}
	}
}

// ptr returns the time in UTC truncated to milliseconds, the precision of
// the Parquet column; 0001-01-01T00:00:00 (.NET's default date) is null.
func (d date) ptr() *time.Time {
	if !d.t.Valid || d.t.Time.IsZero() {
		return nil
	}
	v := d.t.Time.UTC().Truncate(time.Millisecond)
	return &v
}

// texts returns the set values of a JSON array, skipping nulls and empty strings.
func texts(in []text) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s.ok && s.v != "" {
			out = append(out, s.v)
		}
	}
	return out
}

// decodeRecord does what every mapping does first: it checks the PII
// policy, decodes raw (a JSON object) into dst, which holds id, reading
// zone-less timestamps in m.Zone, and requires a non-empty id. Fields of an unexpected JSON type are left unset rather
// than failing the record. Errors name the dataset, never a value.
//
// It returns the record as raw_json will hold it: as sent, with the PII
// policy applied to the fields named in rules, and with any invalid UTF-8
// replaced by U+FFFD, since Parquet strings must be UTF-8 and one bad byte
// would make the whole file unreadable.
func decodeRecord(dataset string, raw json.RawMessage, m Meta, dst any, id *text, rules map[string]fieldRule) (string, error) {
	if err := m.PII.check(dataset); err != nil {
		return "", err
	}
	if !utf8.Valid(raw) {
		raw = json.RawMessage(strings.ToValidUTF8(string(raw), "\uFFFD"))
	}
	b := bytes.TrimLeft(raw, " \t\r\n")
	if len(b) == 0 || b[0] != '{' {
		return "", fmt.Errorf("dataset %s: record is not a JSON object", dataset)
	}
	err := json.Unmarshal(b, dst)
	var typeErr *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &typeErr) {
		// The syntax error carries an offset, never the record's content.
		return "", fmt.Errorf("dataset %s: record is not valid JSON: %w", dataset, err)
	}
	if m.Zone != nil && m.Zone != time.UTC {
		resolveDates(reflect.ValueOf(dst), m.Zone)
	}
	if !id.ok || id.v == "" {
		return "", fmt.Errorf("dataset %s: record lacks id", dataset)
	}
	scrubbed, err := m.PII.scrub(raw, rules)
	if err != nil {
		return "", fmt.Errorf("dataset %s: apply PII policy to raw_json: %w", dataset, err)
	}
	return string(scrubbed), nil
}

// utcMillis is t in UTC truncated to milliseconds.
func utcMillis(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }
