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
// Valid is false when the field was missing, null or "".
type Time struct {
	Time  time.Time
	Valid bool
}

// Limits of epoch seconds accepted: years 1 to 9999.
const (
	minEpoch = -62135596800
	maxEpoch = 253402300799
)

// Layouts tried in order. Zone-less ones are read as UTC.
var timeLayouts = []string{
	time.RFC3339Nano,                     // 2026-10-02T09:14:00.123Z, +05:30
	"2006-01-02T15:04:05.999999999Z0700", // +0530
	"2006-01-02T15:04:05.999999999",      // zone-less
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	time.DateOnly, // 2026-10-02
}

// ParseTime reads the date forms Keka sends: ISO 8601 with or without a zone
// (zone-less is UTC), with or without fractional seconds, date only, and epoch
// seconds with an optional fraction ("1789573328.01"). "" gives an invalid
// Time and no error; anything else unreadable gives an error naming the value.
func ParseTime(s string) (Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Time{}, nil
	}
	if t, ok := parseEpoch(s); ok {
		return t, nil
	}
	if len(s) >= 10 && s[4] == '-' {
		for _, layout := range timeLayouts {
			if t, err := time.Parse(layout, s); err == nil && t.UTC().Year() >= 1 && t.UTC().Year() <= 9999 {
				return valid(t), nil
			}
		}
	}
	return Time{}, fmt.Errorf("keka: cannot read %s as a date: want ISO 8601 or epoch seconds", quoteShort(s))
}

// UnmarshalJSON accepts a string in any form ParseTime reads, a JSON number of
// epoch seconds, or null. It returns an error naming any other value.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return fmt.Errorf("keka: cannot read an empty JSON value as a date")
	case string(b) == "null":
		*t = Time{}
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("keka: cannot read %s as a date: %w", quoteShort(string(b)), err)
		}
		v, err := ParseTime(s)
		if err != nil {
			return err
		}
		*t = v
		return nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		if v, ok := parseEpoch(string(b)); ok {
			*t = v
			return nil
		}
	}
	raw := string(b)
	if len(raw) > 64 {
		raw = strings.ToValidUTF8(raw[:64], "") + "…"
	}
	return fmt.Errorf("keka: cannot read %s as a date: want an ISO 8601 string or epoch seconds", raw)
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

// parseEpoch reads epoch seconds: an optional minus sign, digits, an optional
// fraction, and (for JSON numbers) an optional exponent. Plain decimals are
// read exactly, without going through float64.
func parseEpoch(s string) (Time, bool) {
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	whole, frac, hasDot := strings.Cut(digits, ".")
	if isDigits(whole) && (!hasDot || isDigits(frac)) {
		if len(whole) > 12 {
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
		return valid(time.Unix(sec, nsec)), true
	}
	// Exponent form, e.g. 1.789573328e9: rare enough to accept float64's precision.
	if !strings.ContainsAny(s, "eE") || strings.ContainsAny(s, "xXpP_") {
		return Time{}, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < minEpoch || f > maxEpoch {
		return Time{}, false
	}
	sec, fr := math.Modf(f)
	return valid(time.Unix(int64(sec), int64(math.Round(fr*1e6))*1e3)), true
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
