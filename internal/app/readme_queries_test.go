package app_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
	"github.com/kekaexport/keka-hire-export/internal/store/local"
)

// TestREADME_StageHistoryQueries runs the README's Stage history queries
// in DuckDB (approx_percentile as quantile_cont) over two snapshots with
// moves between them, and checks that each returns rows.
func TestREADME_StageHistoryQueries(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	sec := string(b)
	i, j := strings.Index(sec, "## Stage history"), strings.Index(sec, "## Backfill, honestly")
	if i < 0 || j < i {
		t.Fatal("README has no Stage history section before Backfill, honestly")
	}
	queries := regexp.MustCompile("(?s)```sql\n(.*?)```").FindAllStringSubmatch(sec[i:j], -1)
	if len(queries) != 3 {
		t.Fatalf("Stage history has %d SQL blocks, want 3", len(queries))
	}
	out := twoSnapshots(t)
	db := duck(t)
	for _, stmt := range []string{"CREATE MACRO approx_percentile(x, p) AS quantile_cont(x, p)"} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	for _, ds := range []string{"job_candidates", "job_candidate_changes"} {
		from := "SELECT * FROM read_parquet('" + filepath.ToSlash(filepath.Join(out, ds, "*", "*.parquet")) + "', hive_partitioning = true, hive_types = {'dt': VARCHAR})"
		if _, err := db.Exec("CREATE VIEW " + ds + " AS " + from); err != nil {
			t.Fatal(err)
		}
	}
	for n, q := range queries {
		rows, err := db.Query(q[1])
		if err != nil {
			t.Errorf("query %d does not run: %v\n%s", n+1, err, q[1])
			continue
		}
		count := 0
		for rows.Next() {
			count++
		}
		rows.Close()
		if count == 0 {
			t.Errorf("query %d returns no rows", n+1)
		}
		t.Logf("query %d: %d rows", n+1, count)
	}
}

// twoSnapshots exports job_candidates and its changes for two days, with
// applications moved, archived, removed and added between them.
func twoSnapshots(t *testing.T) string {
	t.Helper()
	sim, err := kekasim.Start(kekasim.NewTenant(3, kekasim.Size{Jobs: 4, Applications: 120}), kekasim.Options{RequestsPerMinute: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	client, err := keka.New(ctx, keka.Options{BaseURL: sim.BaseURL(), TokenURL: sim.TokenURL(), RequestsPerMinute: 1_000_000,
		Credentials: func(context.Context, bool) (keka.Credentials, error) {
			return keka.Credentials{ClientID: "sim-client-id", ClientSecret: "sim-client-secret", APIKey: "sim-api-key"}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	st, err := local.New(out)
	if err != nil {
		t.Fatal(err)
	}
	r, err := snapshot.New(snapshot.Config{Client: client, Store: st, MaxShrink: 1})
	if err != nil {
		t.Fatal(err)
	}
	sel := []string{"jobs", "job_candidates", "job_candidate_changes"}
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	if _, err := r.Run(ctx, snapshot.Request{Date: day, Datasets: sel}); err != nil {
		t.Fatal(err)
	}
	tr := sim.Truth()
	for k, a := range tr.Applications[:30] {
		switch {
		case k%3 == 0 && !a.Archived:
			err = sim.MoveApplication(a.JobID, a.CandidateID, "Offered")
		case k%3 == 1 && !a.Archived:
			err = sim.ArchiveApplication(a.JobID, a.CandidateID)
		case k%3 == 2:
			err = sim.RemoveApplication(a.JobID, a.CandidateID)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sim.AddApplication(tr.Jobs[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, snapshot.Request{Date: day.AddDate(0, 0, 1), Datasets: sel}); err != nil {
		t.Fatal(err)
	}
	return out
}
