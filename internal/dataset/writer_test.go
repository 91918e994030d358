package dataset_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// writeRows writes rows with the dataset's writer and returns the file.
func writeRows(t testing.TB, d dataset.Dataset, rows []dataset.Row) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := d.NewWriter(&buf)
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if got := w.Rows(); got != int64(len(rows)) {
		t.Errorf("Rows() = %d, want %d", got, len(rows))
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return buf.Bytes()
}

func mapAll(t testing.TB, d dataset.Dataset, m dataset.Meta, raws ...string) []dataset.Row {
	t.Helper()
	rows := make([]dataset.Row, len(raws))
	for i, raw := range raws {
		r, err := d.Map(json.RawMessage(raw), m)
		if err != nil {
			t.Fatalf("Map(%d): %v", i, err)
		}
		rows[i] = r
	}
	return rows
}

func readBack[T any](t *testing.T, file []byte) []T {
	t.Helper()
	r := parquet.NewGenericReader[T](bytes.NewReader(file))
	defer r.Close()
	out := make([]T, r.NumRows())
	n, err := r.Read(out)
	if err != nil && err != io.EOF {
		t.Fatalf("read back: %v", err)
	}
	return out[:n]
}

func openFile(t testing.TB, file []byte) *parquet.File {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatalf("open parquet: %v", err)
	}
	return f
}

func saveFile(t testing.TB, file []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "part.parquet")
	if err := os.WriteFile(p, file, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func duck(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatalf("open duckdb: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// duckTypes returns column name → DuckDB type of a Parquet file.
func duckTypes(t *testing.T, db *sql.DB, path string) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))`, path)
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	defer rows.Close()
	types := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		types[name] = typ
	}
	return types
}

func candidateRecords() []string {
	return []string{
		fullCandidate,
		`{"id":"c2","firstName":"Bo","skills":[],"educationDetails":null,"jobApplicationDetails":{"movedtoStageOn":"","appliedOn":"2026-10-02T09:14:00"}}`,
		`{"id":"c3","email":null,"gender":0,"experienceDetails":[],"archivedDetails":{"archived On":"1789573328.5"}}`,
	}
}

func TestDataset_WriteRead(t *testing.T) {
	db := duck(t)
	m := meta()
	m.Parent, m.List = "j1", keka.JobCandidatesList("j1", true)

	t.Run("job_candidates", func(t *testing.T) {
		d := mustLookup(t, "job_candidates")
		rows := mapAll(t, d, m, candidateRecords()...)
		file := writeRows(t, d, rows)

		got := readBack[dataset.JobCandidateRow](t, file)
		if len(got) != len(rows) {
			t.Fatalf("read %d rows, want %d", len(got), len(rows))
		}
		for i := range rows {
			same(t, normalise(got[i]), normalise(rows[i].(dataset.JobCandidateRow)))
		}

		f := openFile(t, file)
		for _, col := range []string{"applied_on", "moved_to_stage_on", "archived_on", "extracted_at"} {
			leaf, ok := f.Schema().Lookup(col)
			if !ok {
				t.Fatalf("no column %s", col)
			}
			ts, ok := leaf.Node.Type().LogicalType().Value.(*format.TimestampType)
			if !ok || !ts.IsAdjustedToUTC || ts.Unit.Value == nil || ts.Unit.Value.Duration() != time.Millisecond || leaf.Node.Type().Kind() != parquet.Int64 {
				t.Errorf("%s: logical type %v, want TIMESTAMP(MILLIS, isAdjustedToUTC=true) on INT64", col, leaf.Node.Type().LogicalType())
			}
		}
		if c := f.Metadata().RowGroups[0].Columns[0].MetaData.Codec; c != format.Zstd {
			t.Errorf("codec = %v, want ZSTD", c)
		}

		path := saveFile(t, file)
		types := duckTypes(t, db, path)
		wantTypes := map[string]string{
			"job_id": "VARCHAR", "candidate_id": "VARCHAR", "gender": "INTEGER", "is_archived": "BOOLEAN",
			"applied_on": "TIMESTAMP WITH TIME ZONE", "moved_to_stage_on": "TIMESTAMP WITH TIME ZONE",
			"skills": "VARCHAR[]", "tags": "VARCHAR[]",
			"education": "STRUCT(degree VARCHAR, branch VARCHAR, university VARCHAR, \"location\" VARCHAR, date_of_joining TIMESTAMP WITH TIME ZONE, date_of_completion TIMESTAMP WITH TIME ZONE)[]",
			"raw_json":  "VARCHAR", "extracted_at": "TIMESTAMP WITH TIME ZONE", "run_id": "VARCHAR",
		}
		for col, want := range wantTypes {
			if types[col] != want {
				t.Errorf("DuckDB type of %s = %q, want %q", col, types[col], want)
			}
		}
		if len(types) != len(d.Schema.Fields()) {
			t.Errorf("DuckDB sees %d columns, schema has %d", len(types), len(d.Schema.Fields()))
		}

		type duckRow struct {
			id, email, skills, raw       string
			moved, archivedOn, extracted sql.NullInt64
			applied                      sql.NullTime
			nSkills, nEducation          sql.NullInt64
			degree                       sql.NullString
			gender                       sql.NullInt32
			archived                     bool
		}
		q := `SELECT candidate_id, coalesce(email, '<null>'), array_to_string(skills, '|'), raw_json,
			epoch_ms(moved_to_stage_on), epoch_ms(archived_on), epoch_ms(extracted_at), applied_on,
			len(skills), len(education), education[1].degree, gender, is_archived
			FROM read_parquet(?) ORDER BY candidate_id`
		res, err := db.Query(q, path)
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		defer res.Close()
		var got2 []duckRow
		for res.Next() {
			var r duckRow
			if err := res.Scan(&r.id, &r.email, &r.skills, &r.raw, &r.moved, &r.archivedOn, &r.extracted, &r.applied,
				&r.nSkills, &r.nEducation, &r.degree, &r.gender, &r.archived); err != nil {
				t.Fatal(err)
			}
			got2 = append(got2, r)
		}
		if err := res.Err(); err != nil {
			t.Fatal(err)
		}
		recs := candidateRecords()
		want := []duckRow{
			{id: "c1", email: "Asha.Rao@Example.com", skills: "Go|SQL", raw: recs[0],
				moved: sql.NullInt64{Int64: 1789573328010, Valid: true}, archivedOn: sql.NullInt64{Int64: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC).UnixMilli(), Valid: true},
				extracted: sql.NullInt64{Int64: extractedAt.UnixMilli(), Valid: true},
				applied:   sql.NullTime{Time: time.Date(2026, 10, 2, 9, 14, 0, 0, time.UTC), Valid: true},
				nSkills:   sql.NullInt64{Int64: 2, Valid: true}, nEducation: sql.NullInt64{Int64: 1, Valid: true},
				degree: sql.NullString{String: "BTech", Valid: true}, gender: sql.NullInt32{Int32: 2, Valid: true}, archived: true},
			{id: "c2", email: "<null>", skills: "", raw: recs[1],
				extracted: sql.NullInt64{Int64: extractedAt.UnixMilli(), Valid: true},
				applied:   sql.NullTime{Time: time.Date(2026, 10, 2, 9, 14, 0, 0, time.UTC), Valid: true},
				nSkills:   sql.NullInt64{Int64: 0, Valid: true}, archived: true},
			{id: "c3", email: "<null>", skills: "", raw: recs[2],
				archivedOn: sql.NullInt64{Int64: 1789573328500, Valid: true},
				extracted:  sql.NullInt64{Int64: extractedAt.UnixMilli(), Valid: true},
				nSkills:    sql.NullInt64{Int64: 0, Valid: true}, nEducation: sql.NullInt64{Int64: 0, Valid: false},
				gender: sql.NullInt32{Int32: 0, Valid: true}, archived: true},
		}
		if len(got2) != len(want) {
			t.Fatalf("DuckDB read %d rows, want %d", len(got2), len(want))
		}
		for i := range want {
			g, w := got2[i], want[i]
			g.applied.Time, w.applied.Time = g.applied.Time.UTC(), w.applied.Time.UTC()
			if fmt.Sprint(g) != fmt.Sprint(w) {
				t.Errorf("DuckDB row %d\n got %v\nwant %v", i, g, w)
			}
		}
	})

	t.Run("jobs", func(t *testing.T) {
		d := mustLookup(t, "jobs")
		rows := mapAll(t, d, m, fullJob, `{"id":"j2"}`)
		file := writeRows(t, d, rows)
		got := readBack[dataset.JobRow](t, file)
		for i := range rows {
			same(t, got[i], rows[i])
		}
		path := saveFile(t, file)
		types := duckTypes(t, db, path)
		for col, want := range map[string]string{
			"job_type": "VARCHAR", "status": "INTEGER", "no_of_openings": "INTEGER", "is_referral_enabled": "BOOLEAN",
			"created_on": "TIMESTAMP WITH TIME ZONE", "published_on": "TIMESTAMP WITH TIME ZONE",
			"locations":   `STRUCT("name" VARCHAR, city VARCHAR, state VARCHAR, country_name VARCHAR)[]`,
			"hiring_team": `STRUCT(identifier VARCHAR, display_name VARCHAR, "type" VARCHAR)[]`,
		} {
			if types[col] != want {
				t.Errorf("DuckDB type of %s = %q, want %q", col, types[col], want)
			}
		}
		var city, created string
		var n int
		if err := db.QueryRow(`SELECT locations[2].city, len(locations), strftime(created_on AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%g')
			FROM read_parquet(?) WHERE job_id = 'j1'`, path).Scan(&city, &n, &created); err != nil {
			t.Fatal(err)
		}
		if city != "Goa" || n != 2 || created != "2026-10-02T03:44:00.500" {
			t.Errorf("DuckDB read city %q, %d locations, created %q", city, n, created)
		}
	})

	t.Run("preboarding_candidates", func(t *testing.T) {
		d := mustLookup(t, "preboarding_candidates")
		rows := mapAll(t, d, m, `{"id":"p1","jobtitle":"Designer","stage":5,"expectedDateOfJoining":"2026-12-01"}`, `{"id":"p2"}`)
		file := writeRows(t, d, rows)
		got := readBack[dataset.PreboardingCandidateRow](t, file)
		for i := range rows {
			same(t, got[i], rows[i])
		}
		var title string
		var stage int32
		var doj int64
		if err := db.QueryRow(`SELECT job_title, stage, epoch_ms(expected_date_of_joining) FROM read_parquet(?) WHERE candidate_id = 'p1'`,
			saveFile(t, file)).Scan(&title, &stage, &doj); err != nil {
			t.Fatal(err)
		}
		if title != "Designer" || stage != 5 || doj != time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).UnixMilli() {
			t.Errorf("DuckDB read %q %d %d", title, stage, doj)
		}
	})
}

// normalise makes nil and empty slices compare alike where Parquet cannot
// tell them apart (a required LIST has no null).
func normalise(r dataset.JobCandidateRow) dataset.JobCandidateRow {
	if r.Skills == nil {
		r.Skills = []string{}
	}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	return r
}

func TestDataset_PIIInFile(t *testing.T) {
	const email = "asha.rao@example.com"
	d := mustLookup(t, "job_candidates")
	for _, tt := range []struct {
		mode    dataset.PIIMode
		present bool
	}{
		{dataset.PIIKeep, true}, // the control: the check below can see the email
		{dataset.PIIHash, false},
		{dataset.PIIDrop, false},
	} {
		t.Run(string(tt.mode), func(t *testing.T) {
			m := meta()
			m.Parent, m.PII = "j1", dataset.PII{Mode: tt.mode, Key: []byte("k")}
			raw := strings.Replace(fullCandidate, "Asha.Rao@Example.com", email, 1)
			file := writeRows(t, d, mapAll(t, d, m, raw))

			// Every value, decompressed, and the file bytes themselves (footer statistics).
			var values bytes.Buffer
			f := openFile(t, file)
			for _, rg := range f.RowGroups() {
				rr := rg.Rows()
				buf := make([]parquet.Row, 16)
				for {
					n, err := rr.ReadRows(buf)
					for _, row := range buf[:n] {
						for _, v := range row {
							if v.IsNull() || v.Kind() != parquet.ByteArray {
								continue
							}
							values.Write(v.ByteArray())
							values.WriteByte('\n')
						}
					}
					if err != nil {
						break
					}
				}
				rr.Close()
			}
			inValues := strings.Contains(strings.ToLower(values.String()), email)
			inFile := bytes.Contains(bytes.ToLower(file), []byte(email))
			if inValues != tt.present || (!tt.present && inFile) {
				t.Errorf("email in values: %v, in file bytes: %v; want present=%v", inValues, inFile, tt.present)
			}
			if !tt.present && strings.Contains(values.String(), "Asha") {
				t.Errorf("first name still in the file")
			}
		})
	}
}

func TestWriter_RowGroups(t *testing.T) {
	d := mustLookup(t, "job_candidates")
	m := meta()
	m.Parent = "j1"
	tmpl, err := d.Map(json.RawMessage(fullCandidate), m)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("one row group when smaller than the target", func(t *testing.T) {
		const n = 50_000
		var buf bytes.Buffer
		w := d.NewWriter(&buf)
		for i := range n {
			r := tmpl.(dataset.JobCandidateRow)
			r.CandidateID = fmt.Sprintf("c%06d", i)
			if err := w.Write(&r); err != nil { // pointers are accepted too
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f := openFile(t, buf.Bytes())
		if len(f.RowGroups()) != 1 || f.NumRows() != n {
			t.Fatalf("%d row groups, %d rows; want 1 row group of %d rows", len(f.RowGroups()), f.NumRows(), n)
		}
	})

	t.Run("small columns cut into pages of 16,384 rows", func(t *testing.T) {
		// 40,000 rows in one row group: candidate_id in three pages
		// (16,384 + 16,384 + 7,232 rows), raw_json in pages of 4 MiB.
		const n = 40_000
		var buf bytes.Buffer
		w := d.NewWriter(&buf)
		for i := range n {
			r := tmpl.(dataset.JobCandidateRow)
			r.CandidateID = fmt.Sprintf("c%06d", i)
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f := openFile(t, buf.Bytes())
		pages := map[string][]int64{}
		for _, col := range []string{"candidate_id", "raw_json"} {
			c, ok := f.Schema().Lookup(col)
			if !ok {
				t.Fatalf("no column %s", col)
			}
			oi := f.OffsetIndexes()[c.ColumnIndex]
			for i, p := range oi.PageLocations {
				end := int64(n)
				if i+1 < len(oi.PageLocations) {
					end = oi.PageLocations[i+1].FirstRowIndex
				}
				pages[col] = append(pages[col], end-p.FirstRowIndex)
			}
		}
		if got := pages["candidate_id"]; !slices.Equal(got, []int64{16_384, 16_384, 7_232}) {
			t.Errorf("candidate_id pages of %v rows, want [16384 16384 7232]", got)
		}
		raw := int64(len(tmpl.(dataset.JobCandidateRow).RawJSON))
		got := pages["raw_json"]
		for i, rows := range got[:len(got)-1] {
			if size := rows * raw; size < 3<<20 || size > 5<<20 {
				t.Errorf("raw_json page %d: %d rows of %d bytes, want pages of about 4 MiB", i, rows, raw)
			}
		}
	})

	t.Run("row groups of the target size", func(t *testing.T) {
		// 300 rows of 20 KiB of incompressible raw_json: about 6 MiB, at a
		// target of 1 MiB.
		defer dataset.SetRowGroupTarget(1 << 20)()
		rng := rand.New(rand.NewPCG(1, 2))
		var buf bytes.Buffer
		w := d.NewWriter(&buf)
		big := make([]byte, 20<<10)
		for i := range 300 {
			for j := range big {
				big[j] = 'a' + byte(rng.IntN(26))
			}
			r := tmpl.(dataset.JobCandidateRow)
			r.CandidateID = fmt.Sprint(i)
			r.RawJSON = string(big)
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f := openFile(t, buf.Bytes())
		checkRowGroupSizes(t, f, 1<<20) // raw_json's pages pass spillBytes: buffered in a file
		got := readBack[dataset.JobCandidateRow](t, buf.Bytes())
		if len(got) != 300 || got[299].CandidateID != "299" || got[299].RawJSON != string(big) {
			t.Errorf("read back %d rows, or the last one differs", len(got))
		}
	})

	t.Run("wrong row type", func(t *testing.T) {
		w := mustLookup(t, "jobs").NewWriter(io.Discard)
		if err := w.Write(tmpl); err == nil || !strings.Contains(err.Error(), "jobs") {
			t.Errorf("Write(candidate row) to jobs writer: err = %v", err)
		}
	})
}

func TestConcat(t *testing.T) {
	d := mustLookup(t, "jobs")
	var parts [][]byte
	var want []string
	id := 0
	for _, n := range []int{5, 0, 45_000, 7} {
		var raws []string
		for range n {
			id++
			raws = append(raws, fmt.Sprintf(`{"id":"j%06d","title":"t%d","createdOn":"2026-10-02T09:14:00Z"}`, id, id))
			want = append(want, fmt.Sprintf("j%06d", id))
		}
		parts = append(parts, writeRows(t, d, mapAll(t, d, meta(), raws...)))
	}
	readers := make([]io.ReaderAt, len(parts))
	sizes := make([]int64, len(parts))
	for i, p := range parts {
		readers[i], sizes[i] = bytes.NewReader(p), int64(len(p))
	}

	var out bytes.Buffer
	n, err := dataset.Concat(&out, d.Schema, readers, sizes)
	if err != nil {
		t.Fatalf("Concat: %v", err)
	}
	if n != int64(len(want)) {
		t.Errorf("Concat returned %d rows, want %d", n, len(want))
	}
	got := readBack[dataset.JobRow](t, out.Bytes())
	if len(got) != len(want) {
		t.Fatalf("read %d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].JobID != want[i] || got[i].Title == nil || *got[i].Title != fmt.Sprintf("t%d", i+1) {
			t.Fatalf("row %d = %s %s, want %s", i, got[i].JobID, *got[i].Title, want[i])
		}
	}
	f := openFile(t, out.Bytes())
	if len(f.RowGroups()) != 1 {
		t.Errorf("%d row groups, want one: the parts hold less than a row group's target", len(f.RowGroups()))
	}
	if c := f.Metadata().RowGroups[0].Columns[0].MetaData.Codec; c != format.Zstd {
		t.Errorf("codec = %v, want ZSTD", c)
	}
	if got := readBack[dataset.JobRow](t, out.Bytes())[45_011]; got.CreatedOn == nil || !got.CreatedOn.Equal(time.Date(2026, 10, 2, 9, 14, 0, 0, time.UTC)) {
		t.Errorf("last row created_on = %v", got.CreatedOn)
	}

	t.Run("row groups of the target size", func(t *testing.T) {
		// Six parts (as from six invocations) of 40 jobs with 8 KiB of
		// incompressible description each: about 1.9 MiB, at a target of 256 KiB.
		defer dataset.SetRowGroupTarget(256 << 10)()
		rng := rand.New(rand.NewPCG(3, 4))
		var readers []io.ReaderAt
		var sizes []int64
		n := 0
		for range 6 {
			var raws []string
			for range 40 {
				desc := make([]byte, 8<<10)
				for j := range desc {
					desc[j] = 'a' + byte(rng.IntN(26))
				}
				n++
				raws = append(raws, fmt.Sprintf(`{"id":"j%06d","description":%q}`, n, desc))
			}
			p := writeRows(t, d, mapAll(t, d, meta(), raws...))
			readers, sizes = append(readers, bytes.NewReader(p)), append(sizes, int64(len(p)))
		}
		var out bytes.Buffer
		if _, err := dataset.Concat(&out, d.Schema, readers, sizes); err != nil {
			t.Fatalf("Concat: %v", err)
		}
		f := openFile(t, out.Bytes())
		checkRowGroupSizes(t, f, 256<<10)
		if got := readBack[dataset.JobRow](t, out.Bytes()); len(got) != n || got[n-1].JobID != fmt.Sprintf("j%06d", n) {
			t.Errorf("read %d rows back, want %d", len(got), n)
		}
	})
	t.Run("row groups of the row bound", func(t *testing.T) {
		// 45,012 short rows (far under the byte target) at a bound of
		// 1,000 rows: 45 row groups of 1,000 and one of 12, from the
		// writer and from Concat alike.
		defer dataset.SetRowGroupRows(1000)()
		var all []string
		for i := range len(want) {
			all = append(all, fmt.Sprintf(`{"id":"j%06d","title":"t%d"}`, i+1, i+1))
		}
		written := writeRows(t, d, mapAll(t, d, meta(), all...))
		var out bytes.Buffer
		if _, err := dataset.Concat(&out, d.Schema, readers, sizes); err != nil {
			t.Fatalf("Concat: %v", err)
		}
		for name, file := range map[string][]byte{"writer": written, "concat": out.Bytes()} {
			rgs := openFile(t, file).Metadata().RowGroups
			if len(rgs) != 46 || rgs[0].NumRows != 1000 || rgs[44].NumRows != 1000 || rgs[45].NumRows != 12 {
				t.Errorf("%s: %d row groups (first %d rows, last %d), want 45 of 1000 rows and one of 12",
					name, len(rgs), rgs[0].NumRows, rgs[len(rgs)-1].NumRows)
			}
		}
	})
	t.Run("schema mismatch", func(t *testing.T) {
		other := mustLookup(t, "preboarding_candidates")
		_, err := dataset.Concat(io.Discard, other.Schema, readers[:1], sizes[:1])
		if err == nil || !strings.Contains(err.Error(), "part 0: schema differs") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("not parquet", func(t *testing.T) {
		_, err := dataset.Concat(io.Discard, d.Schema, []io.ReaderAt{strings.NewReader("nope")}, []int64{4})
		if err == nil || !strings.Contains(err.Error(), "open part 0") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("no parts", func(t *testing.T) {
		var out bytes.Buffer
		n, err := dataset.Concat(&out, d.Schema, nil, nil)
		if err != nil || n != 0 {
			t.Fatalf("Concat() = %d, %v", n, err)
		}
		if f := openFile(t, out.Bytes()); f.NumRows() != 0 || !parquet.EqualNodes(f.Schema(), d.Schema) {
			t.Errorf("empty concat: %d rows, schema %v", f.NumRows(), f.Schema())
		}
	})
}

func TestDataset_GlueColumns(t *testing.T) {
	tail := []dataset.GlueColumn{{"raw_json", "string"}, {"extracted_at", "timestamp"}, {"run_id", "string"}}
	want := map[string][]dataset.GlueColumn{
		"jobs": append([]dataset.GlueColumn{
			{"job_id", "string"}, {"title", "string"}, {"description", "string"}, {"department_name", "string"},
			{"job_type", "string"}, {"job_type_label", "string"}, {"status", "int"}, {"status_label", "string"}, {"no_of_openings", "int"}, {"org_job_id", "string"},
			{"requisition_identifier", "string"}, {"is_referral_enabled", "boolean"}, {"career_portal_url", "string"},
			{"experience", "string"}, {"created_on", "timestamp"}, {"published_on", "timestamp"}, {"target_hire_date", "timestamp"},
			{"locations", "array<struct<name:string,city:string,state:string,country_name:string>>"},
			{"hiring_team", "array<struct<identifier:string,display_name:string,type:string>>"},
		}, tail...),
		"job_candidates": append([]dataset.GlueColumn{
			{"job_id", "string"}, {"candidate_id", "string"}, {"first_name", "string"}, {"middle_name", "string"},
			{"last_name", "string"}, {"email", "string"}, {"phone", "string"}, {"gender", "int"}, {"is_archived", "boolean"},
			{"stage", "string"}, {"application_status", "int"}, {"applied_on", "timestamp"}, {"moved_to_stage_on", "timestamp"},
			{"source", "string"}, {"sourced_by", "string"}, {"assigned_to", "string"}, {"archived_on", "timestamp"},
			{"archive_reason", "string"}, {"skills", "array<string>"}, {"tags", "array<string>"},
			{"education", "array<struct<degree:string,branch:string,university:string,location:string,date_of_joining:timestamp,date_of_completion:timestamp>>"},
			{"experience", "array<struct<company_name:string,designation:string,is_currently_working:boolean,location:string,date_of_joining:timestamp,date_of_relieving:timestamp>>"},
		}, tail...),
		"preboarding_candidates": append([]dataset.GlueColumn{
			{"candidate_id", "string"}, {"first_name", "string"}, {"middle_name", "string"}, {"last_name", "string"},
			{"email", "string"}, {"country_code", "string"}, {"mobile_number", "string"}, {"gender", "int"},
			{"stage", "int"}, {"stage_label", "string"}, {"status", "int"}, {"status_label", "string"}, {"job_title", "string"}, {"department", "string"},
			{"work_location", "string"}, {"expected_date_of_joining", "timestamp"},
		}, tail...),
	}
	for name, cols := range hireGlueColumns {
		want[name] = append(cols, tail...)
		if d := mustLookup(t, name); d.CarryOver {
			want[name] = append(want[name], dataset.GlueColumn{Name: "last_read_at", Type: "timestamp"})
		}
	}
	want["job_candidate_changes"] = []dataset.GlueColumn{ // computed: no raw_json
		{"job_id", "string"}, {"candidate_id", "string"}, {"change_type", "string"},
		{"previous_snapshot_date", "string"}, {"snapshot_date", "string"},
		{"old_stage", "string"}, {"new_stage", "string"}, {"old_application_status", "int"}, {"new_application_status", "int"},
		{"old_is_archived", "boolean"}, {"new_is_archived", "boolean"},
		{"old_moved_to_stage_on", "timestamp"}, {"new_moved_to_stage_on", "timestamp"},
		{"extracted_at", "timestamp"}, {"run_id", "string"},
	}
	for _, d := range dataset.All() {
		t.Run(d.Name, func(t *testing.T) {
			same(t, d.GlueColumns(), want[d.Name])
		})
	}
}

func TestRegistry(t *testing.T) {
	same(t, dataset.Names(), []string{"jobs", "job_candidates", "preboarding_candidates", "interviews", "scorecards",
		"hiring_stages", "talent_pools", "talent_pool_candidates", "job_boards", "application_fields", "job_candidate_changes"})
	if _, ok := dataset.Lookup("offers"); ok {
		t.Error("Lookup(offers) found a dataset")
	}
	for _, d := range dataset.All() {
		if d.SchemaVersion < 1 || d.Map == nil || d.Schema == nil || d.NewWriter == nil || (d.Lists == nil) != (d.ChangesOf != "") {
			t.Errorf("%s: incomplete declaration", d.Name)
		}
		for _, k := range d.KeyColumns {
			if _, ok := d.Schema.Lookup(k); !ok {
				t.Errorf("%s: key column %s not in schema", d.Name, k)
			}
		}
		for _, c := range d.PersonalColumns() {
			if !hasField(d.Schema, c) {
				t.Errorf("%s: personal column %s not in schema", d.Name, c)
			}
		}
	}
	jc := mustLookup(t, "job_candidates")
	lists := jc.Lists("j 1")
	if jc.Parent != "jobs" || len(lists) != 2 || lists[0].Query.Get("isArchived") != "false" || lists[1].Query.Get("isArchived") != "true" ||
		!strings.Contains(lists[0].Path, "/hire/jobs/") {
		t.Errorf("job_candidates lists = %+v", lists)
	}
	if l := mustLookup(t, "jobs").Lists(""); len(l) != 1 || l[0].Path != "/hire/jobs" {
		t.Errorf("jobs lists = %+v", l)
	}
	if l := mustLookup(t, "preboarding_candidates").Lists(""); len(l) != 1 || l[0].Path != "/hire/preboarding/candidates" {
		t.Errorf("preboarding lists = %+v", l)
	}
}

func hasField(s *parquet.Schema, name string) bool {
	for _, f := range s.Fields() {
		if f.Name() == name {
			return true
		}
	}
	return false
}

// checkRowGroupSizes checks that every row group of f but the last holds
// between half the target and the target as written (the writer's estimate
// counts values not yet compressed, and a dictionary's values beside the
// indexes that refer to them), and the last at most the target.
func checkRowGroupSizes(t *testing.T, f *parquet.File, target int64) {
	t.Helper()
	rgs := f.Metadata().RowGroups
	if len(rgs) < 2 {
		t.Fatalf("%d row groups, want several at a target of %d bytes", len(rgs), target)
	}
	for i, rg := range rgs {
		size := rg.TotalCompressedSize
		if size > target*5/4 || (i < len(rgs)-1 && size < target/2) {
			t.Errorf("row group %d of %d: %d bytes (%d rows), want about %d", i, len(rgs), size, rg.NumRows, target)
		}
	}
}

func TestWriter_StatisticsBounded(t *testing.T) {
	d := mustLookup(t, "jobs")
	tests := []struct {
		name   string
		titles []string
		stats  bool // whether min and max can be kept
	}{
		{"ASCII", []string{strings.Repeat("z", 100) + "a", "a", strings.Repeat("m", 64)}, true},
		{"multi-byte at the cut", []string{strings.Repeat("ä", 40), strings.Repeat("𝔘", 30), "b"}, true},
		{"short", []string{"a", "b"}, true},
		{"max cannot be raised", []string{strings.Repeat("\U0010FFFF", 20), "a"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raws []string
			for i, title := range tt.titles {
				q, _ := json.Marshal(title)
				raws = append(raws, fmt.Sprintf(`{"id":"j%d","title":%s}`, i, q))
			}
			f := openFile(t, writeRows(t, d, mapAll(t, d, meta(), raws...)))
			col := -1
			for i, c := range f.Metadata().RowGroups[0].Columns {
				if c.MetaData.PathInSchema[0] == "title" {
					col = i
				}
			}
			s := f.Metadata().RowGroups[0].Columns[col].MetaData.Statistics
			if len(s.MinValue) > dataset.MaxStatisticBytes || len(s.MaxValue) > dataset.MaxStatisticBytes || s.Min != nil || s.Max != nil {
				t.Fatalf("statistics of %d and %d bytes (deprecated %d, %d)", len(s.MinValue), len(s.MaxValue), len(s.Min), len(s.Max))
			}
			if !tt.stats {
				if s.MinValue != nil || s.MaxValue != nil {
					t.Errorf("min %q, max %q: want none", s.MinValue, s.MaxValue)
				}
				return
			}
			if !utf8.Valid(s.MinValue) || !utf8.Valid(s.MaxValue) {
				t.Errorf("min %q or max %q is not UTF-8", s.MinValue, s.MaxValue)
			}
			for _, title := range tt.titles {
				if string(s.MinValue) > title || string(s.MaxValue) < title {
					t.Errorf("%.20q is outside [%q, %q]", title, s.MinValue, s.MaxValue)
				}
			}
		})
	}
}
