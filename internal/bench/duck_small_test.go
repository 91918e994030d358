package bench_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/bench"
)

// TestDuckSQL: DuckDB's conversion of the benchmark reads every
// application of the saved pages into the 25 columns of job_candidates.
func TestDuckSQL(t *testing.T) {
	pool, err := readPool(writePool(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	tn := bench.Tenant{Pool: pool, Applications: 2*bench.PerJob + 150}
	dir := t.TempDir()
	savePages(t, tn, dir)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := filepath.Join(dir, "out.parquet")
	if _, err := db.Exec(fmt.Sprintf(duckSQL, quote(filepath.Join(dir, "*.json")), quote(out))); err != nil {
		t.Fatalf("convert: %v", err)
	}
	var rows, cols, archived int
	if err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE is_archived) FROM read_parquet(?)`, out).Scan(&rows, &archived); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM (DESCRIBE SELECT * FROM read_parquet(?))`, out).Scan(&cols); err != nil {
		t.Fatal(err)
	}
	if rows != tn.Applications || archived != 3*bench.ArchivedPerJob || cols != 25 {
		t.Errorf("%d rows (%d archived) of %d columns; want %d (%d) of 25", rows, archived, cols, tn.Applications, 3*bench.ArchivedPerJob)
	}
}
