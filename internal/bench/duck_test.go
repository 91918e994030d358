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
// archived from the file name, each record parsed once into a struct
// (json_transform: numbers read as text, as the exporter reads them),
// timestamps cast from that text, raw_json as the record's JSON text.
const duckSQL = `COPY (
  WITH recs AS (SELECT filename, unnest(data) AS r
    FROM read_json(%s, columns = {data: 'JSON[]'}, filename = true, format = 'auto')),
  s AS (SELECT filename, r, json_transform(r, '{
    "id":"VARCHAR","firstName":"VARCHAR","middleName":"VARCHAR","lastName":"VARCHAR","email":"VARCHAR","phone":"VARCHAR",
    "gender":"VARCHAR","skills":["VARCHAR"],"candidateTags":[{"name":"VARCHAR"}],
    "educationDetails":[{"degree":"VARCHAR","branch":"VARCHAR","university":"VARCHAR","location":"VARCHAR","dateOfJoining":"VARCHAR","dateOfCompletion":"VARCHAR"}],
    "experienceDetails":[{"companyName":"VARCHAR","designation":"VARCHAR","isCurrentlyWorking":"BOOLEAN","location":"VARCHAR","dateOfJoining":"VARCHAR","dateOfRelieving":"VARCHAR"}],
    "jobApplicationDetails":{"jobHiringStageId":"VARCHAR","movedtoStageOn":"VARCHAR","appliedOn":"VARCHAR","status":"VARCHAR","sourcedBy":"VARCHAR","sourceTitle":"VARCHAR","assignedTo":"VARCHAR"},
    "archivedDetails":{"archived On":"VARCHAR","reason":"VARCHAR"}}') AS c FROM recs)
  SELECT
    regexp_extract(filename, 'job-([^_]+)_', 1) AS job_id,
    c.id AS candidate_id, c.firstName AS first_name, c.middleName AS middle_name, c.lastName AS last_name,
    c.email AS email, c.phone AS phone,
    TRY_CAST(c.gender AS INTEGER) AS gender,
    filename LIKE '%%archived-true%%' AS is_archived,
    c.jobApplicationDetails.jobHiringStageId AS stage,
    TRY_CAST(c.jobApplicationDetails.status AS INTEGER) AS application_status,
    TRY_CAST(c.jobApplicationDetails.appliedOn AS TIMESTAMP) AS applied_on,
    TRY_CAST(c.jobApplicationDetails.movedtoStageOn AS TIMESTAMP) AS moved_to_stage_on,
    c.jobApplicationDetails.sourceTitle AS source,
    c.jobApplicationDetails.sourcedBy AS sourced_by,
    c.jobApplicationDetails.assignedTo AS assigned_to,
    TRY_CAST(c.archivedDetails."archived On" AS TIMESTAMP) AS archived_on,
    c.archivedDetails.reason AS archive_reason,
    c.skills AS skills,
    list_transform(c.candidateTags, x -> x.name) AS tags,
    list_transform(c.educationDetails, e -> {degree: e.degree, branch: e.branch, university: e.university, location: e.location,
      date_of_joining: TRY_CAST(e.dateOfJoining AS TIMESTAMP), date_of_completion: TRY_CAST(e.dateOfCompletion AS TIMESTAMP)}) AS education,
    list_transform(c.experienceDetails, e -> {company_name: e.companyName, designation: e.designation, is_currently_working: e.isCurrentlyWorking,
      location: e.location, date_of_joining: TRY_CAST(e.dateOfJoining AS TIMESTAMP), date_of_relieving: TRY_CAST(e.dateOfRelieving AS TIMESTAMP)}) AS experience,
    r::VARCHAR AS raw_json,
    TIMESTAMP '2026-11-26 02:00:00' AS extracted_at,
    'bench' AS run_id
  FROM s
) TO %s (FORMAT parquet, COMPRESSION zstd)`

// duckChild converts the pages saved in the directory dirEnv names, in a
// process of its own.
func duckChild() (bench.Report, error) {
	dir := os.Getenv(dirEnv)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return bench.Report{}, err
	}
	defer db.Close()
	return bench.Measure(func() (int64, int64, error) {
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
