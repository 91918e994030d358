package dataset_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
)

func loadZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// TestDataset_Zone maps records whose timestamps come in every form, with
// Meta.Zone set: zone-less ones are the zone's wall clock, the others are
// the instant they name, wherever they sit in the record (nested lists
// included).
func TestDataset_Zone(t *testing.T) {
	kolkata := loadZone(t, "Asia/Kolkata")
	inZone := func(zone *time.Location) dataset.Meta {
		m := meta()
		m.Parent = "j1"
		m.Zone = zone
		return m
	}
	type times = map[string]*time.Time

	t.Run("jobs", func(t *testing.T) {
		raw := `{"id":"j1","createdOn":"2026-10-02T09:14:00","publishedOn":"2026-10-02T09:14:00Z","targetHireDate":"2026-12-31"}`
		for _, tc := range []struct {
			name string
			zone *time.Location
			want times
		}{
			{"Asia/Kolkata", kolkata, times{"created": ts("2026-10-02T03:44:00Z"), "published": ts("2026-10-02T09:14:00Z"), "target": ts("2026-12-30T18:30:00Z")}},
			{"nil is UTC", nil, times{"created": ts("2026-10-02T09:14:00Z"), "published": ts("2026-10-02T09:14:00Z"), "target": ts("2026-12-31T00:00:00Z")}},
			{"UTC", time.UTC, times{"created": ts("2026-10-02T09:14:00Z"), "published": ts("2026-10-02T09:14:00Z"), "target": ts("2026-12-31T00:00:00Z")}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				row, err := mustLookup(t, "jobs").Map(json.RawMessage(raw), inZone(tc.zone))
				if err != nil {
					t.Fatal(err)
				}
				r := row.(dataset.JobRow)
				same(t, times{"created": r.CreatedOn, "published": r.PublishedOn, "target": r.TargetHireDate}, tc.want)
			})
		}
	})

	t.Run("job_candidates", func(t *testing.T) {
		raw := `{"id":"c1",
			"educationDetails":[{"degree":"BTech","dateOfJoining":"2014-08-01T00:00:00","dateOfCompletion":"2018-05-31T00:00:00+05:30"}],
			"experienceDetails":[null,{"companyName":"Acme","dateOfJoining":"2018-07-02 10:00","dateOfRelieving":1789573328}],
			"jobApplicationDetails":{"appliedOn":"2026-10-02T09:14:00","movedtoStageOn":"1789573328.01"},
			"archivedDetails":{"archived On":"2026-11-01T10:00:00.250"}}`
		row, err := mustLookup(t, "job_candidates").Map(json.RawMessage(raw), inZone(kolkata))
		if err != nil {
			t.Fatal(err)
		}
		r := row.(dataset.JobCandidateRow)
		if len(r.Education) != 1 || len(r.Experience) != 1 {
			t.Fatalf("education %v, experience %v: want one of each", r.Education, r.Experience)
		}
		same(t, times{
			"applied": r.AppliedOn, "moved": r.MovedToStageOn, "archived": r.ArchivedOn,
			"edu joined": r.Education[0].DateOfJoining, "edu completed": r.Education[0].DateOfCompletion,
			"exp joined": r.Experience[0].DateOfJoining, "exp relieved": r.Experience[0].DateOfRelieving,
		}, times{
			"applied":       ts("2026-10-02T03:44:00Z"),
			"moved":         ts("2026-09-16T15:42:08.01Z"), // epoch seconds: no zone to apply
			"archived":      ts("2026-11-01T04:30:00.25Z"),
			"edu joined":    ts("2014-07-31T18:30:00Z"),
			"edu completed": ts("2018-05-30T18:30:00Z"), // its own offset
			"exp joined":    ts("2018-07-02T04:30:00Z"),
			"exp relieved":  ts("2026-09-16T15:42:08Z"),
		})
	})

	t.Run("preboarding_candidates", func(t *testing.T) {
		newYork := loadZone(t, "America/New_York")
		for _, tc := range []struct{ in, want string }{
			{`"2026-07-01T09:00:00"`, "2026-07-01T13:00:00Z"}, // summer time
			{`"2026-12-01T09:00:00"`, "2026-12-01T14:00:00Z"},
			{`"20261201"`, "2026-12-01T05:00:00Z"},
		} {
			row, err := mustLookup(t, "preboarding_candidates").Map(json.RawMessage(`{"id":"p1","expectedDateOfJoining":`+tc.in+`}`), inZone(newYork))
			if err != nil {
				t.Fatal(err)
			}
			same(t, row.(dataset.PreboardingCandidateRow).ExpectedDateOfJoining, ts(tc.want))
		}
	})

	t.Run("no date stays null, a second spelling does not overwrite", func(t *testing.T) {
		raw := `{"id":"p1","expectedDateOfJoining":"2026-12-01T09:00:00","expecteddateofjoining":"soon"}`
		row, err := mustLookup(t, "preboarding_candidates").Map(json.RawMessage(raw), inZone(kolkata))
		if err != nil {
			t.Fatal(err)
		}
		same(t, row.(dataset.PreboardingCandidateRow).ExpectedDateOfJoining, ts("2026-12-01T03:30:00Z"))
		row, err = mustLookup(t, "preboarding_candidates").Map(json.RawMessage(`{"id":"p1","expectedDateOfJoining":"0001-01-01T00:00:00"}`), inZone(kolkata))
		if err != nil {
			t.Fatal(err)
		}
		if got := row.(dataset.PreboardingCandidateRow).ExpectedDateOfJoining; got != nil {
			t.Errorf("ExpectedDateOfJoining = %v, want null for .NET's no date", got)
		}
	})
}

// BenchmarkJobCandidates_MapZone measures what reading timestamps in a zone
// other than UTC adds to mapping one application.
func BenchmarkJobCandidates_MapZone(b *testing.B) {
	raw := json.RawMessage(`{"id":"c1","firstName":"Asha","skills":["Go","SQL"],
		"educationDetails":[{"degree":"BTech","dateOfJoining":"2014-08-01T00:00:00","dateOfCompletion":"2018-05-31T00:00:00"}],
		"experienceDetails":[{"companyName":"Acme","dateOfJoining":"2018-07-02T00:00:00","dateOfRelieving":null}],
		"jobApplicationDetails":{"appliedOn":"2026-10-02T09:14:00","movedtoStageOn":"1789573328.01","status":0},
		"archivedDetails":{"archived On":"","reason":""}}`)
	ds := mustLookup(b, "job_candidates")
	for _, zone := range []string{"UTC", "Asia/Kolkata"} {
		m := meta()
		m.Parent, m.Zone = "j1", loadZone(b, zone)
		b.Run(zone, func(b *testing.B) {
			for b.Loop() {
				if _, err := ds.Map(raw, m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
