package bench_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/kekaexport/keka-hire-export/internal/bench"
	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// savePages writes the pages of t's candidate lists to dir, one file per
// page, named after the job and the list, the bytes the client is served.
func savePages(tb testing.TB, t bench.Tenant, dir string) {
	tb.Helper()
	for j := range t.Jobs() {
		for _, archived := range []bool{false, true} {
			for n := 1; ; n++ {
				body := t.CandidatesPage(j, archived, n)
				p, err := keka.ParsePage(body, n)
				if err != nil {
					tb.Fatalf("job %d page %d: %v", j, n, err)
				}
				name := fmt.Sprintf("job-%s_archived-%t_page-%d.json", bench.JobID(j), archived, n)
				if err := os.WriteFile(filepath.Join(dir, name), body, 0o600); err != nil {
					tb.Fatal(err)
				}
				if p.Last {
					break
				}
			}
		}
	}
}

// duckSQL converts saved pages to one zstd Parquet file with the 25
// columns of job_candidates, the way a DuckDB user would: job id and
// archived from the file name, scalars by JSON path, lists and structs by
// json_transform, raw_json as the record's JSON text.
const duckSQL = `COPY (
  WITH recs AS (SELECT filename, unnest(data) AS r
    FROM read_json(%s, columns = {data: 'JSON[]'}, filename = true, format = 'auto'))
  SELECT
    regexp_extract(filename, 'job-([^_]+)_', 1) AS job_id,
    r->>'id' AS candidate_id,
    r->>'firstName' AS first_name, r->>'middleName' AS middle_name, r->>'lastName' AS last_name,
    r->>'email' AS email, r->>'phone' AS phone,
    TRY_CAST(r->>'gender' AS INTEGER) AS gender,
    filename LIKE '%%archived-true%%' AS is_archived,
    r->'jobApplicationDetails'->>'jobHiringStageId' AS stage,
    TRY_CAST(r->'jobApplicationDetails'->>'status' AS INTEGER) AS application_status,
    TRY_CAST(r->'jobApplicationDetails'->>'appliedOn' AS TIMESTAMP) AS applied_on,
    TRY_CAST(r->'jobApplicationDetails'->>'movedtoStageOn' AS TIMESTAMP) AS moved_to_stage_on,
    r->'jobApplicationDetails'->>'sourceTitle' AS source,
    r->'jobApplicationDetails'->>'sourcedBy' AS sourced_by,
    r->'jobApplicationDetails'->>'assignedTo' AS assigned_to,
    TRY_CAST(r->'archivedDetails'->>'archived On' AS TIMESTAMP) AS archived_on,
    r->'archivedDetails'->>'reason' AS archive_reason,
    json_transform(r->'skills', '["VARCHAR"]') AS skills,
    list_transform(json_transform(r->'candidateTags', '[{"name":"VARCHAR"}]'), x -> x.name) AS tags,
    json_transform(r->'educationDetails', '[{"degree":"VARCHAR","branch":"VARCHAR","university":"VARCHAR","location":"VARCHAR","dateOfJoining":"TIMESTAMP","dateOfCompletion":"TIMESTAMP"}]') AS education,
    json_transform(r->'experienceDetails', '[{"companyName":"VARCHAR","designation":"VARCHAR","isCurrentlyWorking":"BOOLEAN","location":"VARCHAR","dateOfJoining":"TIMESTAMP","dateOfRelieving":"TIMESTAMP"}]') AS experience,
    r::VARCHAR AS raw_json,
    TIMESTAMP '2026-11-26 02:00:00' AS extracted_at,
    'bench' AS run_id
  FROM recs
) TO %s (FORMAT parquet, COMPRESSION zstd)`

// duckChild converts the pages saved in the directory dirEnv names, in a
// process of its own.
func duckChild() (childReport, error) {
	dir := os.Getenv(dirEnv)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return childReport{}, err
	}
	defer db.Close()
	return measure(func() (int64, int64, error) {
		q := fmt.Sprintf(duckSQL, quote(filepath.Join(dir, "*.json")), quote(filepath.Join(dir, "out.parquet")))
		res, err := db.Exec(q)
		if err != nil {
			return 0, 0, fmt.Errorf("duckdb: %w", err)
		}
		n, err := res.RowsAffected()
		return n, 0, err
	})
}

func quote(s string) string { return "'" + s + "'" }
