package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// The labels Keka's developer reference publishes, written out here
// independently of internal/dataset.
var (
	jobStatusNames = map[int]string{0: "Draft", 1: "Online", 2: "Archived", 3: "Offline", 4: "Confidential"}
	jobTypeNames   = map[int]string{1: "PartTime", 2: "FullTime"}
	stageNames     = map[int]string{0: "Start", 1: "CollectInfo", 2: "VerifyInfo", 3: "ManageOffer", 4: "OfferAcceptance", 5: "Hired"}
	statusNames    = map[int]string{0: "Initiated", 1: "Completed", 2: "Cancelled", 3: "Archived", 4: "CandidatureRevoked", 5: "MarkedAsNoShow"}
)

// TestMain_Readers exports a generated tenant over several invocations, and
// the edge-case tenant, and reads every table folder back with Apache Arrow
// (pqarrow, which follows Arrow C++ and pyarrow) and DuckDB, checks the
// values of both against the simulator's ground truth, and walks every
// footer and page header of every file.
func TestMain_Readers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tenant *kekasim.Tenant
	}{
		{"generated", kekasim.NewTenant(11, kekasim.Size{Jobs: 10, Applications: 400, Preboarding: 60})},
		{"edge cases", kekasim.NewEdgeCaseTenant()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One request at a time, 30 ms each, in invocations of 100 ms: the
			// generated tenant's 20-odd requests need several invocations on
			// any machine (a slower one only takes more).
			sim, err := kekasim.Start(tc.tenant, kekasim.Options{RequestsPerMinute: 100000, Latency: 30 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			out := t.TempDir()
			code, stdout, stderr := run(t, []string{"--out", out, "--event", "-", "--invocation-budget", "100ms"}, simEnv(sim, "KEKA_CONCURRENCY=1"), `{"snapshotDate":"2026-11-01"}`)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			var res snapshot.Result
			if err := json.Unmarshal([]byte(stdout), &res); err != nil {
				t.Fatal(err)
			}
			t.Logf("%d invocations", res.Invocations)
			if tc.name == "generated" && res.Invocations < 5 {
				t.Errorf("the run took %d invocations, want at least 5 for this test", res.Invocations)
			}
			checkReaders(t, out, "2026-11-01", sim.Truth(), tc.name == "edge cases")
		})
	}
}

// checkReaders reads the export of date in out with Arrow and DuckDB and
// checks it against truth (and the edge-case tenant's own values, if edge).
func checkReaders(t *testing.T, out, date string, truth kekasim.Truth, edge bool) {
	t.Run("the DuckDB recipe of docs/warehouses.md", func(t *testing.T) {
		checkDuckRecipe(t, out, date, len(truth.Jobs))
	})
	for _, d := range dataset.Default() {
		t.Run(d.Name, func(t *testing.T) {
			dir := filepath.Join(out, d.Name)
			for _, p := range filesUnder(t, dir) {
				if !strings.HasSuffix(p, ".parquet") {
					t.Errorf("%s is in the table folder: a reader pointed at it would read it as data", p)
					continue
				}
				checkLayout(t, p)
			}
			arrowRows := arrowFolder(t, dir)
			checkTruth(t, "arrow: "+d.Name, d.Name, arrowRows, truth)
			duckRows := duckFolder(t, dir)
			checkTruth(t, "duckdb: "+d.Name, d.Name, duckRows, truth)
			if edge {
				checkEdgeCases(t, "arrow: "+d.Name, d.Name, arrowRows)
				checkEdgeCases(t, "duckdb: "+d.Name, d.Name, duckRows)
			}
		})
	}
}

// filesUnder returns every file below dir.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkLayout walks the footer, the page index and every page header of a
// file: version 1 data pages only, PLAIN or RLE_DICTIONARY values, no
// statistic longer than dataset.MaxStatisticBytes, no header over 1 MiB, one
// row group (every file here is smaller than the target).
func checkLayout(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	meta := f.Metadata()
	if len(meta.RowGroups) != 1 && meta.NumRows > 0 {
		t.Errorf("%s: %d row groups, want 1 (the data is smaller than a row group's target)", path, len(meta.RowGroups))
	}
	for _, rg := range meta.RowGroups {
		for _, c := range rg.Columns {
			col := strings.Join(c.MetaData.PathInSchema, ".")
			md := c.MetaData
			for _, e := range md.Encoding {
				if e != format.Plain && e != format.RLEDictionary && e != format.RLE {
					t.Errorf("%s: column %s uses encoding %v", path, col, e)
				}
			}
			checkStats(t, path+" footer "+col, md.Statistics)
			start := md.DataPageOffset
			if md.DictionaryPageOffset > 0 {
				start = md.DictionaryPageOffset
			}
			walkPages(t, path, col, b[start:start+md.TotalCompressedSize], md.NumValues)
		}
	}
	for i, ci := range f.ColumnIndexes() {
		for _, v := range append(slices.Clone(ci.MinValues), ci.MaxValues...) {
			if len(v) > dataset.MaxStatisticBytes {
				t.Errorf("%s: column index %d holds a bound of %d bytes", path, i, len(v))
			}
		}
	}
}

func walkPages(t *testing.T, path, col string, chunk []byte, numValues int64) {
	t.Helper()
	r := bytes.NewReader(chunk)
	var values int64
	for r.Len() > 0 {
		before := r.Len()
		var h format.PageHeader
		if err := thrift.NewDecoder(new(thrift.CompactProtocol).NewReader(r)).Decode(&h); err != nil {
			t.Fatalf("%s: column %s: page header at %d: %v", path, col, len(chunk)-before, err)
		}
		if size := before - r.Len(); size > 1<<20 {
			t.Errorf("%s: column %s: page header of %d bytes", path, col, size)
		}
		switch h.Type {
		case format.DictionaryPage:
			if h.DictionaryPageHeader.V.Encoding != format.Plain && h.DictionaryPageHeader.V.Encoding != format.PlainDictionary {
				t.Errorf("%s: column %s: dictionary page encoded %v", path, col, h.DictionaryPageHeader.V.Encoding)
			}
		case format.DataPage:
			dp := h.DataPageHeader.V
			if dp.Encoding != format.Plain && dp.Encoding != format.RLEDictionary {
				t.Errorf("%s: column %s: data page encoded %v", path, col, dp.Encoding)
			}
			checkStats(t, path+" page header "+col, dp.Statistics)
			values += int64(dp.NumValues)
		default:
			t.Errorf("%s: column %s: page of type %v, want DATA_PAGE (version 1) or DICTIONARY_PAGE", path, col, h.Type)
		}
		if _, err := r.Seek(int64(h.CompressedPageSize), 1); err != nil || int(h.CompressedPageSize) > before {
			t.Fatalf("%s: column %s: page of %d bytes runs past its column chunk", path, col, h.CompressedPageSize)
		}
	}
	if values != numValues {
		t.Errorf("%s: column %s: the pages hold %d values, the footer says %d", path, col, values, numValues)
	}
}

func checkStats(t *testing.T, where string, s format.Statistics) {
	t.Helper()
	for _, v := range [][]byte{s.Min, s.Max, s.MinValue, s.MaxValue} {
		if len(v) > dataset.MaxStatisticBytes {
			t.Errorf("%s: a statistic of %d bytes, want at most %d", where, len(v), dataset.MaxStatisticBytes)
		}
	}
}

// arrowFolder reads every file of a table folder with pqarrow, as Arrow's
// dataset readers do with hive partitioning: dt comes from the path.
func arrowFolder(t *testing.T, dir string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	for _, p := range filesUnder(t, dir) {
		dt, ok := strings.CutPrefix(filepath.Base(filepath.Dir(p)), "dt=")
		if !ok {
			t.Fatalf("%s is not in a dt= folder", p)
		}
		pf, err := file.OpenParquetFile(p, false)
		if err != nil {
			t.Fatalf("arrow: open %s: %v", p, err)
		}
		fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 256}, memory.DefaultAllocator)
		if err != nil {
			t.Fatalf("arrow: %s: %v", p, err)
		}
		rr, err := fr.GetRecordReader(context.Background(), nil, nil)
		if err != nil {
			t.Fatalf("arrow: %s: %v", p, err)
		}
		for rr.Next() {
			rows = append(rows, recordRows(t, rr.RecordBatch(), dt)...)
		}
		if err := rr.Err(); err != nil {
			t.Fatalf("arrow: read %s: %v", p, err)
		}
		rr.Release()
		pf.Close()
	}
	return rows
}

// recordRows turns a record batch into rows of Go values: strings, int64s,
// booleans and times (UTC); lists as []any, maps as map[string]any.
func recordRows(t *testing.T, rec arrow.RecordBatch, dt string) []map[string]any {
	t.Helper()
	rows := make([]map[string]any, rec.NumRows())
	for i := range rows {
		rows[i] = map[string]any{"dt": dt}
	}
	for c, f := range rec.Schema().Fields() {
		col := rec.Column(c)
		for i := range rows {
			rows[i][f.Name] = arrowValue(t, col, i)
		}
	}
	return rows
}

func arrowValue(t *testing.T, col arrow.Array, i int) any {
	if col.IsNull(i) {
		return nil
	}
	switch a := col.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		if unit != arrow.Millisecond {
			t.Errorf("timestamp in %v, want milliseconds", unit)
		}
		return time.UnixMilli(int64(a.Value(i))).UTC()
	case *array.Map:
		start, end := a.ValueOffsets(i)
		out := map[string]any{}
		for j := start; j < end; j++ {
			k, _ := arrowValue(t, a.Keys(), int(j)).(string)
			out[k] = arrowValue(t, a.Items(), int(j))
		}
		return out
	case *array.List:
		start, end := a.ValueOffsets(i)
		out := []any{}
		for j := start; j < end; j++ {
			out = append(out, arrowValue(t, a.ListValues(), int(j)))
		}
		return out
	case *array.Struct:
		m := map[string]any{}
		for k := range a.NumField() {
			m[a.DataType().(*arrow.StructType).Field(k).Name] = arrowValue(t, a.Field(k), i)
		}
		return m
	}
	t.Fatalf("arrow: no reading of %T", col)
	return nil
}

// duckFolder reads a table folder as docs/warehouses.md tells DuckDB users
// to, into rows of Go values as arrowFolder gives them.
func duckFolder(t *testing.T, dir string) []map[string]any {
	t.Helper()
	db := duck(t)
	q := "SELECT * FROM read_parquet('" + filepath.ToSlash(dir) + "/**', hive_partitioning = true)"
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("duckdb: %s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		r := map[string]any{}
		for i, c := range cols {
			r[c] = duckValue(vals[i])
		}
		if dt, ok := r["dt"].(time.Time); ok { // DuckDB reads dt=2026-11-01 as a DATE
			r["dt"] = dt.Format(time.DateOnly)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// duckValue normalizes a value scanned from DuckDB to arrowValue's types.
func duckValue(v any) any {
	switch v := v.(type) {
	case int32:
		return int64(v)
	case time.Time:
		return v.UTC()
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = duckValue(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = duckValue(e)
		}
		return out
	}
	return v
}

func rowKey(ds string, r map[string]any) string {
	d, _ := dataset.Lookup(ds)
	parts := make([]string, len(d.KeyColumns))
	for i, c := range d.KeyColumns {
		parts[i], _ = r[c].(string)
	}
	return strings.Join(parts, "/")
}

// checkDuckRecipe runs the DuckDB queries of docs/warehouses.md on the
// export in out, for date, and checks the per-date count they print.
func checkDuckRecipe(t *testing.T, out, date string, jobs int) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "warehouses.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## DuckDB\n")
	_, block, ok2 := strings.Cut(section, "```sql\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("docs/warehouses.md has no sql block under ## DuckDB")
	}
	block = strings.NewReplacer("PREFIX", filepath.ToSlash(out), "2026-11-26", date).Replace(block)
	db := duck(t)
	var ran int
	for _, stmt := range strings.Split(block, ";") {
		var lines []string
		for _, l := range strings.Split(stmt, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
				lines = append(lines, l)
			}
		}
		if len(lines) == 0 {
			continue
		}
		q := strings.Join(lines, " ")
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			n++
			if len(cols) == 2 { // dt, jobs
				var dt any
				var count int64
				if err := rows.Scan(&dt, &count); err != nil {
					t.Fatal(err)
				}
				if count != int64(jobs) {
					t.Errorf("%s: %v has %d jobs, want %d", q, dt, count, jobs)
				}
			}
		}
		rows.Close()
		if want := map[bool]int{true: 1, false: jobs}[len(cols) == 2]; n != want {
			t.Errorf("%s: %d rows, want %d", q, n, want)
		}
		ran++
	}
	if ran != 2 {
		t.Errorf("ran %d queries of the recipe, want 2", ran)
	}
}
