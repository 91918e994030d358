package app_test

import (
	"database/sql"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

// TestMain_Timezone runs a local export with KEKA_TIMEZONE=Asia/Kolkata and
// reads applied_on back with DuckDB: a value Keka sent without a zone is
// India's wall clock, 5:30 before the simulator's truth (which reads it as
// UTC); one sent with a zone, or as epoch seconds, is the truth itself.
func TestMain_Timezone(t *testing.T) {
	sim, err := kekasim.Start(kekasim.NewTenant(5, kekasim.Size{Jobs: 4, Applications: 200, Preboarding: 10}), kekasim.Options{RequestsPerMinute: 100000})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	out := t.TempDir()
	code, stdout, stderr := run(t, []string{"--out", out}, simEnv(sim, "KEKA_TIMEZONE=Asia/Kolkata"), "")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	truth := map[string]*time.Time{}
	for _, a := range sim.Truth().Applications {
		truth[a.JobID+"/"+a.CandidateID] = a.AppliedOn
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT job_id || '/' || candidate_id, epoch_ms(applied_on), json_extract_string(raw_json, '$.jobApplicationDetails.appliedOn')
		FROM read_parquet('` + filepath.ToSlash(filepath.Join(out, "job_candidates", "*", "*.parquet")) + `') WHERE applied_on IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	zoneless := regexp.MustCompile(`^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?$`)
	const ist = 5*time.Hour + 30*time.Minute
	var shifted, same int
	for rows.Next() {
		var key, wire string
		var ms int64
		if err := rows.Scan(&key, &ms, &wire); err != nil {
			t.Fatal(err)
		}
		want := truth[key]
		if want == nil {
			t.Fatalf("%s: applied_on set, the simulator has none", key)
		}
		got := time.UnixMilli(ms).UTC()
		switch {
		case zoneless.MatchString(wire):
			if !got.Equal(want.Add(-ist)) {
				t.Errorf("%s: %q read as %v, want %v (India's wall clock)", key, wire, got, want.Add(-ist))
			}
			shifted++
		default:
			if !got.Equal(*want) {
				t.Errorf("%s: %q read as %v, want %v", key, wire, got, *want)
			}
			same++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if shifted == 0 || same == 0 {
		t.Errorf("%d zone-less and %d other values of appliedOn: the tenant should send both", shifted, same)
	}
}
