package keka

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Time is a Keka date or timestamp, in UTC and truncated to milliseconds.
// Valid is false when the field was missing, null, "" or .NET's "no date"
// (any time in year 1, e.g. 0001-01-01T00:00:00).
type Time struct {
	Time  time.Time
	Valid bool
}

// Limits of epoch seconds accepted: years 1 to 9999.
const (
	minEpoch = -62135596800
	maxEpoch = 253402300799
)

// minEpochDigits is the fewest integer digits of epoch seconds without a
// fraction: 9 digits reach back to 1973-03-03. Shorter integers are far
// more likely a year ("2026") or a compact date ("20261002") than a time
// in 1970, so they are not read as epoch seconds.
const minEpochDigits = 9

// Layouts tried in order. Zone-less ones are read in the zone given to
// ParseTimeIn (UTC for ParseTime).
var timeLayouts = []string{
	time.RFC3339Nano,                     // 2026-10-02T09:14:00.123Z, +05:30
	"2006-01-02T15:04:05.999999999Z0700", // +0530
	"2006-01-02T15:04:05.999999999Z07",   // +05
	"2006-01-02T15:04:05.999999999",      // zone-less
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z07",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999", // 2026-10-02 09:14:05, zone-less
	"2006-01-02 15:04",
	time.DateOnly, // 2026-10-02
}

// ParseTime reads the date forms Keka sends: ISO 8601 with or without a zone
// (zone-less is UTC, see ParseTimeIn; an offset may be +05:30, +0530 or +05), with T or a
// space between date and time, with or without seconds and fractional
// seconds, date only, and epoch seconds with an optional fraction
// ("1789573328.01").
//
// Digits alone are epoch seconds only with at least 9 of them before any
// fraction, or with a fraction ("12.5"); exactly 8 digits are a compact
// date, YYYYMMDD ("20261002"), when they form one. Other short integers
// ("2026") are an error, never a time in 1970.
//
// "" and any time in year 1 give an invalid Time and no error; anything else
// unreadable, or beyond year 9999, gives an error naming the value.
func ParseTime(s string) (Time, error) { return ParseTimeIn(s, time.UTC) }

// ParseTimeIn is ParseTime with the zone-less forms (ISO 8601 without an
// offset, date only, compact dates) read as the wall clock of loc, e.g.
// Asia/Kolkata, with its daylight saving time where it has one; nil means
// UTC. Times with an offset and epoch seconds do not depend on loc. The
// result is in UTC either way.
func ParseTimeIn(s string, loc *time.Location) (Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return Time{}, nil
	}
	if t, ok := parseNumber(s, loc); ok {
		return t, nil
	}
	if len(s) >= 10 && s[4] == '-' {
		if t, ok := parseCommonISO(s, loc); ok {
			if v, ok := inRange(t); ok {
				return v, nil
			}
		}
		for _, layout := range timeLayouts {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				if v, ok := inRange(t); ok {
					return v, nil
				}
			}
		}
	}
	return Time{}, fmt.Errorf("keka: cannot read %s as a date: want ISO 8601 or epoch seconds (9 digits or more)", quoteShort(s))
}

// UnmarshalJSON accepts a string in any form ParseTime reads, a JSON number
// read like a string of the same digits (epoch seconds with at least 9
// integer digits or a fraction, or an 8-digit compact date), or null. It
// returns an error naming any other value. Zone-less forms are UTC; see
// UnmarshalTimeIn.
func (t *Time) UnmarshalJSON(b []byte) error {
	v, err := UnmarshalTimeIn(b, time.UTC)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// UnmarshalTimeIn reads the JSON value b as Time.UnmarshalJSON does, with
// the zone-less forms read in loc as ParseTimeIn reads them (nil: UTC). It
// returns an error naming any value it cannot read.
func UnmarshalTimeIn(b []byte, loc *time.Location) (Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return Time{}, fmt.Errorf("keka: cannot read an empty JSON value as a date")
	case string(b) == "null":
		return Time{}, nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return Time{}, fmt.Errorf("keka: cannot read %s as a date: %w", quoteShort(string(b)), err)
		}
		return ParseTimeIn(s, loc)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		if v, ok := parseNumber(string(b), loc); ok {
			return v, nil
		}
	}
	raw := string(b)
	if len(raw) > 64 {
		raw = strings.ToValidUTF8(raw[:64], "") + "…"
	}
	return Time{}, fmt.Errorf("keka: cannot read %s as a date: want an ISO 8601 string or epoch seconds (9 digits or more)", raw)
}

// MarshalJSON writes a valid Time as RFC 3339 in UTC with milliseconds when
// they are not zero, and an invalid one as null.
func (t Time) MarshalJSON() ([]byte, error) {
	if !t.Valid {
		return []byte("null"), nil
	}
	return []byte(`"` + t.Time.UTC().Format("2006-01-02T15:04:05.999Z07:00") + `"`), nil
}

// String returns the RFC 3339 form, or "" when t is invalid.
func (t Time) String() string {
	if !t.Valid {
		return ""
	}
	return t.Time.UTC().Format("2006-01-02T15:04:05.999Z07:00")
}

func valid(t time.Time) Time {
	return Time{Time: t.UTC().Truncate(time.Millisecond), Valid: true}
}

// parseCommonISO reads the forms Keka sends most, YYYY-MM-DD and
// YYYY-MM-DDTHH:MM:SS with up to 9 digits of fraction and no zone, Z or
// ±HH:MM, without trying each layout in turn. It gives the instant
// time.ParseInLocation gives with the matching layout of timeLayouts;
// ok is false for anything else (years 0 and 1 too), which the layouts
// then read.
func parseCommonISO(s string, loc *time.Location) (time.Time, bool) {
	y, ok1 := num(s, 0, 4)
	mo, ok2 := num(s, 5, 2)
	d, ok3 := num(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || y < 2 || s[4] != '-' || s[7] != '-' || mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) {
		return time.Time{}, false
	}
	if len(s) == 10 {
		return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc), true
	}
	h, ok1 := num(s, 11, 2)
	mi, ok2 := num(s, 14, 2)
	sec, ok3 := num(s, 17, 2)
	if len(s) < 19 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	rest, ns := s[19:], 0
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return time.Time{}, false
		}
		f, _ := num(rest, 1, n-1)
		for k := n - 1; k < 9; k++ {
			f *= 10
		}
		rest, ns = rest[n:], f
	}
	switch {
	case rest == "":
	case rest == "Z":
		loc = time.UTC
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := num(rest, 1, 2)
		om, ok2 := num(rest, 4, 2)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		off := oh*3600 + om*60
		if rest[0] == '-' {
			off = -off
		}
		// The instant is what counts (the result is read in UTC), and
		// year 1 is left to the layouts: no zone need be made.
		return time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC).Add(-time.Duration(off) * time.Second), true
	default:
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ns, loc), true
}

// num reads the n decimal digits of s at i.
func num(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// daysIn is the number of days of month m in year y.
func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// inRange checks a parsed time: year 1 (in UTC, or on the clock it was
// written with, as 0001-01-01T00:00:00+05:30 is) is .NET's "no date" and
// gives an invalid Time; years 2 to 9999 in UTC give a valid one; anything
// else is not accepted.
func inRange(t time.Time) (Time, bool) {
	y := t.UTC().Year()
	switch {
	case y == 1 || y == 0 && t.Year() == 1:
		return Time{}, true
	case y >= 2 && y <= 9999:
		return valid(t), true
	}
	return Time{}, false
}

// parseNumber reads a string of digits: epoch seconds (see parseEpoch), or
// with exactly 8 digits and nothing else a compact date, YYYYMMDD, at
// midnight in loc.
func parseNumber(s string, loc *time.Location) (Time, bool) {
	if len(s) == 8 && isDigits(s) {
		t, err := time.ParseInLocation("20060102", s, loc)
		if err != nil {
			return Time{}, false
		}
		return inRange(t)
	}
	return parseEpoch(s)
}

// parseEpoch reads epoch seconds: an optional minus sign, digits, an optional
// fraction, and (for JSON numbers) an optional exponent. Without a fraction
// at least minEpochDigits digits are needed. Plain decimals are read
// exactly, without going through float64.
func parseEpoch(s string) (Time, bool) {
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	whole, frac, hasDot := strings.Cut(digits, ".")
	if isDigits(whole) && (!hasDot || isDigits(frac)) {
		if len(whole) > 12 || !hasDot && len(whole) < minEpochDigits {
			return Time{}, false
		}
		sec, err := strconv.ParseInt(whole, 10, 64)
		if err != nil {
			return Time{}, false
		}
		frac = (frac + "000000000")[:9]
		nsec, _ := strconv.ParseInt(frac, 10, 64)
		if neg {
			sec, nsec = -sec, -nsec
		}
		if sec < minEpoch || sec > maxEpoch {
			return Time{}, false
		}
		return inRange(time.Unix(sec, nsec))
	}
	// Exponent form, e.g. 1.789573328e9: rare enough to accept float64's
	// precision. The same rule holds as for plain digits: a whole number
	// needs 9 digits (1e8 or more), so 2.026e3 is not 1970.
	if !strings.ContainsAny(s, "eE") || strings.ContainsAny(s, "xXpP_") {
		return Time{}, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < minEpoch || f > maxEpoch {
		return Time{}, false
	}
	sec, fr := math.Modf(f)
	if fr == 0 && math.Abs(sec) < 1e8 {
		return Time{}, false
	}
	return inRange(time.Unix(int64(sec), int64(math.Round(fr*1e6))*1e3))
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// quoteShort quotes s for an error message, cut to 64 bytes.
func quoteShort(s string) string {
	if len(s) > 64 {
		return strconv.Quote(s[:64]) + "…"
	}
	return strconv.Quote(s)
}
