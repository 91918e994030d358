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
