package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/kekaexport/keka-hire-export/internal/jsonscan"
	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// Records are decoded in one pass over their bytes (jsonscan): each key is
// matched to a field of the record type's table, as encoding/json matches
// keys to struct fields (exactly, else without regard to case), and the
// value is read in place; other values are skipped over.
//
// The field types below decode leniently: a value of an unexpected JSON
// type leaves the field unset (null in Parquet) instead of failing the
// record, because Keka changes shapes without notice and raw_json keeps the
// original anyway. A JSON null never overwrites a value already decoded, so
// of two spellings of one key (jobTitle, jobtitle) the non-null one wins.

// text is a JSON string; a number or boolean is kept as its JSON text.
type text struct {
	v  string
	ok bool
}

// UnmarshalJSON reads one JSON value as a text (see readText).
func (s *text) UnmarshalJSON(b []byte) error {
	d := decoder{b: b}
	if t, _, err := d.text(0); err == nil && t.ok {
		*s = text{v: strings.Clone(t.v), ok: true}
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

func (p boolean) ptr() *bool {
	if !p.ok {
		return nil
	}
	v := p.v
	return &v
}

// date is a keka.Time read in the run's zone (Meta.Zone); what keka.Time
// rejects is left unset.
type date struct {
	t keka.Time
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

// decoder reads the values of one record. Strings without escapes share
// b's memory: b must not change while the row is in use.
type decoder struct {
	b   []byte
	loc *time.Location // zone of zone-less dates; UTC when nil
}

// scalar reads the value at j: a string (unquoted), or the JSON text of a
// number or boolean; ok is false for null, an object or an array.
func (d *decoder) scalar(j int) (s string, quoted, ok bool, end int, err error) {
	b := d.b
	j = jsonscan.Space(b, j)
	if j < len(b) && b[j] == '"' {
		end, escaped, err := jsonscan.String(b, j)
		if err != nil {
			return "", false, false, end, err
		}
		if escaped {
			s, ok = jsonscan.Unquote(b[j:end])
			return s, true, ok, end, nil
		}
		return unsafe.String(unsafe.SliceData(b[j+1:]), end-j-2), true, true, end, nil
	}
	end, err = jsonscan.Value(b, j)
	if err != nil || b[j] == 'n' || b[j] == '{' || b[j] == '[' {
		return "", false, false, end, err
	}
	return unsafe.String(unsafe.SliceData(b[j:]), end-j), false, true, end, nil
}

func (d *decoder) text(j int) (text, int, error) {
	s, _, ok, end, err := d.scalar(j)
	return text{v: s, ok: ok}, end, err
}

func (d *decoder) integer(j int) (integer, int, error) {
	s, quoted, ok, end, err := d.scalar(j)
	if !ok || err != nil {
		return integer{}, end, err
	}
	if quoted {
		s = strings.TrimSpace(s)
	}
	if i, err := strconv.ParseInt(s, 10, 32); err == nil {
		return integer{v: int32(i), ok: true}, end, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && f >= math.MinInt32 && f <= math.MaxInt32 {
		return integer{v: int32(f), ok: true}, end, nil
	}
	return integer{}, end, nil
}

func (d *decoder) boolean(j int) (boolean, int, error) {
	s, _, ok, end, err := d.scalar(j)
	if !ok || err != nil {
		return boolean{}, end, err
	}
	v, perr := strconv.ParseBool(strings.TrimSpace(s))
	return boolean{v: v, ok: perr == nil}, end, nil
}

// date reads a date in any form keka.Time reads, zone-less forms in d.loc.
// A value keka.Time reads in UTC but not in d.loc (out of range there) is
// left unset, as is one it does not read at all.
func (d *decoder) date(j int) (date, int, error) {
	s, quoted, ok, end, err := d.scalar(j)
	if !ok || err != nil {
		return date{}, end, err
	}
	read := func(loc *time.Location) keka.Time {
		var t keka.Time
		var err error
		if quoted {
			t, err = keka.ParseTimeIn(s, loc)
		} else {
			t, err = keka.UnmarshalTimeIn(d.b[jsonscan.Space(d.b, j):end], loc)
		}
		if err != nil || !t.Valid {
			return keka.Time{}
		}
		return t
	}
	if d.loc == nil || d.loc == time.UTC {
		return date{t: read(time.UTC)}, end, nil
	}
	if !read(time.UTC).Valid {
		return date{}, end, nil
	}
	return date{t: read(d.loc)}, end, nil
}

// decodeRecord does what every mapping does first: it checks the PII
// policy, decodes raw (a JSON object) into dst with fields, reading
// zone-less timestamps in m.Zone, and requires a non-empty id, which it
// copies (keys outlive the page). Fields of an unexpected JSON type are
// left unset rather than failing the record. Errors name the dataset,
// never a value.
//
// It returns the record as raw_json will hold it: as sent, with the PII
// policy applied to the fields named in rules, and with any invalid UTF-8
// replaced by U+FFFD, since Parquet strings must be UTF-8 and one bad byte
// would make the whole file unreadable. Under the keep policy, raw_json
// and the decoded strings share raw's memory.
func decodeRecord[T any](dataset string, raw json.RawMessage, m Meta, sc *scratch[T], fields fieldTable[T], id *text, rules map[string]fieldRule) (string, error) {
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
	sc.d = decoder{b: raw, loc: m.Zone}
	end, err := fields.object(&sc.d, &sc.v, len(raw)-len(b))
	if err == nil {
		if end = jsonscan.Space(raw, end); end < len(raw) {
			err = &jsonscan.SyntaxError{Offset: end}
		}
	}
	if err != nil {
		// The syntax error carries an offset, never the record's content.
		return "", fmt.Errorf("dataset %s: record is not valid JSON: %w", dataset, err)
	}
	if !id.ok || id.v == "" {
		return "", fmt.Errorf("dataset %s: record lacks id", dataset)
	}
	id.v = strings.Clone(id.v)
	if m.PII.keep() || len(rules) == 0 {
		return unsafe.String(unsafe.SliceData(raw), len(raw)), nil
	}
	scrubbed, err := m.PII.scrub(raw, rules)
	if err != nil {
		return "", fmt.Errorf("dataset %s: apply PII policy to raw_json: %w", dataset, err)
	}
	return string(scrubbed), nil
}

// scratch is what decoding one record of type T needs: it reaches the heap
// through the field tables' funcs, so it is taken from a pool (see
// scratchPool) rather than allocated for every record.
type scratch[T any] struct {
	d decoder
	v T
}

// scratchPool reuses scratches of one record type.
type scratchPool[T any] struct{ p sync.Pool }

func (sp *scratchPool[T]) get() *scratch[T] {
	if sc, ok := sp.p.Get().(*scratch[T]); ok {
		return sc
	}
	return new(scratch[T])
}

// put returns sc, cleared so that it keeps no record's memory alive.
func (sp *scratchPool[T]) put(sc *scratch[T]) {
	*sc = scratch[T]{}
	sp.p.Put(sc)
}

// utcMillis is t in UTC truncated to milliseconds.
func utcMillis(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }
