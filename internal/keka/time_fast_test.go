package keka_test

import (
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// commonForms are dates parseCommonISO reads, and some it must leave to
// the layouts.
var commonForms = []string{
	"2026-10-02", "2026-10-02T09:14:00", "2026-10-02T09:14:00.5", "2026-10-02T09:14:00.123456789",
	"2026-10-02T09:14:00Z", "2026-10-02T09:14:00.120Z", "2026-10-02T09:14:00+05:30", "2026-10-02T09:14:00.1-08:00",
	"2024-02-29", "2025-02-29", "2026-13-01", "2026-10-02T24:00:00", "2026-10-02T09:60:00", "2026-10-02T09:14:60",
	"0001-01-01T00:00:00", "0002-01-01T00:00:00+05:30", "2026-10-02T09:14", "2026-10-02 09:14:00", "2026-10-02T09:14:00+0530",
	"2026-10-02T09:14:00.1234567891", "2026-10-02T09:14:00,5", "2026-10-02T09:14:00z", "2026-03-29T02:30:00", "9999-12-31T23:59:59+23:59",
}

// TestParseCommonISO: where parseCommonISO reads a date, a layout of
// ParseTime reads the same instant from it, and no layout reads one it
// rejects with a form it claims.
func TestParseCommonISO(t *testing.T) {
	for _, s := range commonForms {
		checkCommonISO(t, s)
	}
}

func FuzzParseCommonISO(f *testing.F) {
	for _, s := range commonForms {
		f.Add(s)
	}
	f.Fuzz(checkCommonISO)
}

func checkCommonISO(t *testing.T, s string) {
	for _, loc := range []*time.Location{time.UTC, time.FixedZone("IST", 19800)} {
		got, ok := keka.ParseCommonISO(s, loc)
		if !ok {
			continue
		}
		var want time.Time
		found := false
		for _, layout := range keka.TimeLayouts {
			if v, err := time.ParseInLocation(layout, s, loc); err == nil {
				want, found = v, true
				break
			}
		}
		if !found || !got.Equal(want) {
			t.Errorf("parseCommonISO(%q, %v) = %v; the layouts read %v (found %v)", s, loc, got, want, found)
		}
	}
}
