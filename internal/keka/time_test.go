package keka_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// timeCases are read both by ParseTime (as strings) and by
// Time.UnmarshalJSON (as JSON values).
var timeCases = []struct {
	name string
	json string // the JSON value as Keka sends it
	want string // RFC 3339 in UTC; "" for an invalid Time
	err  bool
}{
	{"ISO with Z", `"2026-10-02T09:14:00Z"`, "2026-10-02T09:14:00Z", false},
	{"ISO without zone is UTC", `"2026-10-02T09:14:00"`, "2026-10-02T09:14:00Z", false},
	{"ISO with offset", `"2026-10-02T14:44:00+05:30"`, "2026-10-02T09:14:00Z", false},
	{"ISO with offset without colon", `"2026-10-02T14:44:00.5+0530"`, "2026-10-02T09:14:00.5Z", false},
	{"ISO with fraction truncated to ms", `"2026-10-02T09:14:00.1239999Z"`, "2026-10-02T09:14:00.123Z", false},
	{"ISO zone-less with fraction", `"2014-08-01T00:00:00.75"`, "2014-08-01T00:00:00.75Z", false},
	{"ISO without seconds", `"2026-10-02T09:14"`, "2026-10-02T09:14:00Z", false},
	{"date only", `"2026-10-02"`, "2026-10-02T00:00:00Z", false},
	{"epoch string with fraction", `"1789573328.01"`, "2026-09-16T15:42:08.01Z", false},
	{"epoch string fraction truncated", `"1789573328.0199"`, "2026-09-16T15:42:08.019Z", false},
	{"epoch string whole", `"1789573328"`, "2026-09-16T15:42:08Z", false},
	{"epoch string negative", `"-1.5"`, "1969-12-31T23:59:58.5Z", false},
	{"epoch string with spaces", `" 1789573328 "`, "2026-09-16T15:42:08Z", false},
	{"epoch number with fraction", `1789573328.01`, "2026-09-16T15:42:08.01Z", false},
	{"epoch number whole", `1789573328`, "2026-09-16T15:42:08Z", false},
	{"epoch number with exponent", `1.78957332801e9`, "2026-09-16T15:42:08.01Z", false},
	{"epoch string of 9 digits", `"123456789"`, "1973-11-29T21:33:09Z", false},
	{"epoch number of 9 digits", `123456789`, "1973-11-29T21:33:09Z", false},
	{"short epoch with a fraction", `"12.5"`, "1970-01-01T00:00:12.5Z", false},
	{"year alone is not epoch seconds", `"2026"`, "", true},
	{"year alone as a number", `2026`, "", true},
	{"7 digits are not epoch seconds", `"1234567"`, "", true},
	{"short number is not epoch seconds", `86400`, "", true},
	{"short number with exponent is not epoch seconds", `2.026e3`, "", true},
	{"compact date", `"20261002"`, "2026-10-02T00:00:00Z", false},
	{"compact date as a number", `20261002`, "2026-10-02T00:00:00Z", false},
	{"8 digits that are no date", `"12345678"`, "", true},
	{".NET no date", `"0001-01-01T00:00:00"`, "", false},
	{".NET no date with Z", `"0001-01-01T00:00:00Z"`, "", false},
	{".NET no date with offset", `"0001-01-01T00:00:00+05:30"`, "", false},
	{"year 1 date only", `"0001-01-01"`, "", false},
	{"year 1 epoch", `"-62135596800"`, "", false},
	{"year 2 is a date", `"0002-01-01T00:00:00Z"`, "0002-01-01T00:00:00Z", false},
	{"space separator without seconds", `"2026-10-02 09:14"`, "2026-10-02T09:14:00Z", false},
	{"space separator with seconds", `"2026-10-02 09:14:05"`, "2026-10-02T09:14:05Z", false},
	{"offset in hours only", `"2026-10-02T14:14:00+05"`, "2026-10-02T09:14:00Z", false},
	{"offset in hours only, negative", `"2026-10-02T04:14:00.250-05"`, "2026-10-02T09:14:00.25Z", false},
	{"offset in hours only, without seconds", `"2026-10-02T14:14+05"`, "2026-10-02T09:14:00Z", false},
	{"space separator with offset in hours", `"2026-10-02 14:14:00+05"`, "2026-10-02T09:14:00Z", false},
	{"empty string", `""`, "", false},
	{"null", `null`, "", false},
	{"words", `"yesterday"`, "", true},
	{"month 13", `"2026-13-01"`, "", true},
	{"hour 25", `"2026-10-02T25:00:00Z"`, "", true},
	{"year 0", `"0000-01-01T00:00:00Z"`, "", true},
	{"epoch milliseconds are out of range", `"1789573328010"`, "", true},
	{"huge exponent", `1e400`, "", true},
	{"hex", `"0x10"`, "", true},
	{"NaN", `"NaN"`, "", true},
	{"half a date", `"2026-10"`, "", true},
	{"dot only", `"."`, "", true},
	{"boolean", `true`, "", true},
	{"object", `{"t":1}`, "", true},
	{"array", `["2026-10-02"]`, "", true},
}

func TestParseTime(t *testing.T) {
	for _, tc := range timeCases {
		var s string
		if err := json.Unmarshal([]byte(tc.json), &s); err != nil {
			continue // not a JSON string: only UnmarshalJSON reads it
		}
		t.Run(tc.name, func(t *testing.T) {
			got, err := keka.ParseTime(s)
			checkTime(t, got, err, tc.want, tc.err, s)
		})
	}
}

func TestTime_UnmarshalJSON(t *testing.T) {
	for _, tc := range timeCases {
		t.Run(tc.name, func(t *testing.T) {
			var got keka.Time
			err := json.Unmarshal([]byte(tc.json), &got)
			checkTime(t, got, err, tc.want, tc.err, strings.Trim(tc.json, `"`))
		})
	}
	t.Run("in a record", func(t *testing.T) {
		var v struct {
			A, B, C keka.Time
		}
		if err := json.Unmarshal([]byte(`{"A":"2026-10-02","B":null}`), &v); err != nil {
			t.Fatal(err)
		}
		if !v.A.Valid || v.B.Valid || v.C.Valid {
			t.Errorf("got %+v; want only A valid", v)
		}
	})
}

func checkTime(t *testing.T, got keka.Time, err error, want string, wantErr bool, value string) {
	t.Helper()
	if wantErr {
		if err == nil {
			t.Fatalf("got %v, want an error", got)
		}
		if v := strings.TrimSpace(value); len(v) < 60 && !strings.Contains(err.Error(), v) {
			t.Errorf("error %q does not name the value %q", err, v)
		}
		return
	}
	if err != nil {
		t.Fatalf("error: %v", err)
	}
	if want == "" {
		if got.Valid || !got.Time.IsZero() {
			t.Errorf("got %v, want an invalid Time", got)
		}
		return
	}
	w, _ := time.Parse(time.RFC3339Nano, want)
	if !got.Valid || !got.Time.Equal(w) || got.Time.Location() != time.UTC {
		t.Errorf("got %v (valid %v, %v), want %s in UTC", got.Time, got.Valid, got.Time.Location(), want)
	}
}

// zoneCases are read in a tenant's zone: the zone-less forms are that zone's
// wall clock, the others the same instant as in UTC.
var zoneCases = []struct {
	name, zone string
	json       string
	want       string // RFC 3339 in UTC; "" for an invalid Time
}{
	{"zone-less in India", "Asia/Kolkata", `"2026-10-02T09:14:00"`, "2026-10-02T03:44:00Z"},
	{"zone-less with fraction in India", "Asia/Kolkata", `"2026-10-02T09:14:00.25"`, "2026-10-02T03:44:00.25Z"},
	{"zone-less without seconds in India", "Asia/Kolkata", `"2026-10-02T09:14"`, "2026-10-02T03:44:00Z"},
	{"space separator in India", "Asia/Kolkata", `"2026-10-02 09:14:05"`, "2026-10-02T03:44:05Z"},
	{"date only in India is local midnight", "Asia/Kolkata", `"2026-10-02"`, "2026-10-01T18:30:00Z"},
	{"compact date in India", "Asia/Kolkata", `"20261002"`, "2026-10-01T18:30:00Z"},
	{"compact date number in India", "Asia/Kolkata", `20261002`, "2026-10-01T18:30:00Z"},
	{"Z is unchanged", "Asia/Kolkata", `"2026-10-02T09:14:00Z"`, "2026-10-02T09:14:00Z"},
	{"an offset is unchanged", "Asia/Kolkata", `"2026-10-02T09:14:00-05:00"`, "2026-10-02T14:14:00Z"},
	{"an offset in hours is unchanged", "Asia/Kolkata", `"2026-10-02T09:14:00+02"`, "2026-10-02T07:14:00Z"},
	{"epoch string is unchanged", "Asia/Kolkata", `"1789573328.01"`, "2026-09-16T15:42:08.01Z"},
	{"epoch number is unchanged", "Asia/Kolkata", `1789573328`, "2026-09-16T15:42:08Z"},
	{".NET no date stays invalid east of UTC", "Asia/Kolkata", `"0001-01-01T00:00:00"`, ""},
	{".NET no date stays invalid west of UTC", "America/New_York", `"0001-01-01T00:00:00"`, ""},
	{"summer time in New York", "America/New_York", `"2026-07-01T12:00:00"`, "2026-07-01T16:00:00Z"},
	{"winter time in New York", "America/New_York", `"2026-12-01T12:00:00"`, "2026-12-01T17:00:00Z"},
	{"UTC by name", "UTC", `"2026-10-02T09:14:00"`, "2026-10-02T09:14:00Z"},
	{"empty string", "Asia/Kolkata", `""`, ""},
	{"null", "Asia/Kolkata", `null`, ""},
}

func TestParseTimeIn(t *testing.T) {
	for _, tc := range zoneCases {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(tc.name, func(t *testing.T) {
			got, err := keka.UnmarshalTimeIn([]byte(tc.json), loc)
			checkTime(t, got, err, tc.want, false, tc.json)
			var s string
			if json.Unmarshal([]byte(tc.json), &s) != nil {
				return // a JSON number or null: UnmarshalTimeIn only
			}
			got, err = keka.ParseTimeIn(s, loc)
			checkTime(t, got, err, tc.want, false, s)
		})
	}
	t.Run("nil is UTC", func(t *testing.T) {
		got, err := keka.ParseTimeIn("2026-10-02T09:14:00", nil)
		checkTime(t, got, err, "2026-10-02T09:14:00Z", false, "")
		got, err = keka.UnmarshalTimeIn([]byte(`"2026-10-02"`), nil)
		checkTime(t, got, err, "2026-10-02T00:00:00Z", false, "")
	})
	t.Run("beyond year 9999 in UTC is an error", func(t *testing.T) {
		loc, _ := time.LoadLocation("America/New_York")
		_, err := keka.ParseTimeIn("9999-12-31T23:00:00", loc)
		if err == nil || !strings.Contains(err.Error(), "9999-12-31T23:00:00") {
			t.Errorf("err = %v, want one naming the value", err)
		}
	})
}

func TestTime_MarshalJSON(t *testing.T) {
	v, _ := keka.ParseTime("2026-10-02T14:44:00.123+05:30")
	b, err := json.Marshal(struct{ A, B keka.Time }{A: v})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"A":"2026-10-02T09:14:00.123Z","B":null}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func FuzzParseTime(f *testing.F) {
	for _, tc := range timeCases {
		f.Add(strings.Trim(tc.json, `"`))
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := keka.ParseTime(s)
		var viaJSON keka.Time
		quoted, _ := json.Marshal(s)
		jerr := json.Unmarshal(quoted, &viaJSON)
		if (err == nil) != (jerr == nil) || got != viaJSON {
			t.Errorf("ParseTime(%q) = %v, %v; UnmarshalJSON = %v, %v", s, got, err, viaJSON, jerr)
		}
		_ = json.Unmarshal([]byte(s), &viaJSON) // raw bytes must not panic either
		if err != nil || !got.Valid {
			return
		}
		if got.Time.Location() != time.UTC || !got.Time.Equal(got.Time.Truncate(time.Millisecond)) {
			t.Errorf("ParseTime(%q) = %v: not UTC milliseconds", s, got.Time)
		}
		again, err := keka.ParseTime(got.String())
		if err != nil || again != got {
			t.Errorf("round trip of %q through %q: %v, %v", s, got.String(), again, err)
		}
		// In a zone 5:30 east of UTC, a value is the same instant (it has a
		// zone, or is epoch seconds) or the wall clock 5:30 earlier.
		east, err := keka.ParseTimeIn(s, time.FixedZone("+0530", 5*3600+1800))
		if err == nil && east.Valid {
			if d := got.Time.Sub(east.Time); d != 0 && d != 5*time.Hour+30*time.Minute {
				t.Errorf("ParseTimeIn(%q, +05:30) = %v, %v from UTC's %v", s, east.Time, d, got.Time)
			}
			if east.Time.Location() != time.UTC {
				t.Errorf("ParseTimeIn(%q, +05:30) = %v: not in UTC", s, east.Time)
			}
		}
	})
}
