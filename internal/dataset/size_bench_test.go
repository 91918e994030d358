package dataset_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

// BenchmarkSize_VersusDuckDB writes the applications of a simulated tenant
// with the dataset's writer, has DuckDB write the same rows and columns to
// zstd Parquet with its defaults, and reports the bytes per record of both
// and their ratio (ours ÷ DuckDB's; the target is at most 0.9).
func BenchmarkSize_VersusDuckDB(b *testing.B) {
	d := mustLookup(b, "job_candidates")
	rows := simApplications(b, 60, 20_000)
	dir := b.TempDir()
	ours, theirs := filepath.Join(dir, "ours.parquet"), filepath.Join(dir, "duckdb.parquet")
	db := duck(b)
	var oursSize, duckSize int64
	for b.Loop() {
		if err := os.WriteFile(ours, writeRows(b, d, rows), 0o600); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Exec(`COPY (SELECT * FROM read_parquet(?)) TO '`+theirs+`' (FORMAT parquet, COMPRESSION zstd)`, ours); err != nil {
			b.Fatalf("duckdb copy: %v", err)
		}
		oursSize, duckSize = fileSize(b, ours), fileSize(b, theirs)
	}
	if os.Getenv("SIZE_COLUMNS") != "" {
		q, err := db.Query(`SELECT f, path_in_schema, sum(total_compressed_size) FROM (SELECT 'ours' f, * FROM parquet_metadata(?) UNION ALL SELECT 'duck' f, * FROM parquet_metadata(?)) GROUP BY ALL ORDER BY 2, 1`, ours, theirs)
		if err != nil {
			b.Fatal(err)
		}
		for q.Next() {
			var f, col string
			var size int64
			_ = q.Scan(&f, &col, &size)
			b.Logf("%s %-40s %d", f, col, size)
		}
		q.Close()
	}
	n := float64(len(rows))
	b.ReportMetric(float64(oursSize)/n, "bytes/record")
	b.ReportMetric(float64(duckSize)/n, "duckdb-bytes/record")
	b.ReportMetric(float64(oursSize)/float64(duckSize), "ratio-to-duckdb")
}

// simApplications maps every application of a simulated tenant.
func simApplications(b *testing.B, jobs, apps int) []dataset.Row {
	b.Helper()
	tn := kekasim.NewTenant(8, kekasim.Size{Jobs: jobs, Applications: apps, Preboarding: 10})
	s, err := kekasim.Start(tn, kekasim.Options{RequestsPerMinute: 1_000_000})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	tok := simToken(b, s)
	d := mustLookup(b, "job_candidates")
	var rows []dataset.Row
	for _, j := range tn.Truth().Jobs {
		for _, archived := range []bool{false, true} {
			m := meta()
			m.Parent, m.List = j.ID, keka.JobCandidatesList(j.ID, archived)
			for _, raw := range simList(b, s, tok, "/hire/jobs/"+j.ID+"/candidates?isArchived="+strconv.FormatBool(archived)) {
				r, err := d.Map(raw, m)
				if err != nil {
					b.Fatal(err)
				}
				rows = append(rows, r)
			}
		}
	}
	return rows
}

func fileSize(b *testing.B, p string) int64 {
	b.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}
