package bench_test

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/bench"
	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
)

var sizes = flag.String("bench.sizes", "", "BenchmarkExport: the tenants to export, e.g. 10000,1000000 (default: exportSizes)")

var profileDir = flag.String("bench.profiles", "", "BenchmarkExport: write the exporter's CPU and heap profiles to this directory")

// exportSizes are the tenants BenchmarkExport exports; duckSize is the one
// DuckDB converts too.
var (
	exportSizes = []int{10_000, 100_000, 1_000_000}
	duckSize    = 100_000
)

// TestExport: a generated tenant exports completely through the product's
// code path, with the fewest requests, and every application's raw_json is
// a record of the pool with its id rewritten.
func TestExport(t *testing.T) {
	pool, err := readPool(writePool(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	tn := bench.Tenant{Pool: pool, Applications: 2*bench.PerJob + 150}
	_, requests, err := bench.Export(t.Context(), tn, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if min := bench.MinRequests(tn); requests != min {
		t.Errorf("%d requests, the fewest possible %d", requests, min)
	}
	p, err := keka.ParsePage(tn.CandidatesPage(2, false, 1), 1)
	if err != nil || len(p.Records) != 50 || !p.Last {
		t.Fatalf("job 2's active list: %d records, last %v, %v", len(p.Records), p.Last, err)
	}
}

// BenchmarkExport prints the table of docs/benchmarks.md: an export of
// each of exportSizes applications, and DuckDB converting the pages of
// duckSize, each in a process of its own (run with -benchtime 1x).
func BenchmarkExport(b *testing.B) {
	dir := b.TempDir()
	exporter := buildExporter(b, dir)
	poolPath := writePool(b, dir)
	pool, err := readPool(poolPath)
	if err != nil {
		b.Fatal(err)
	}
	runs := map[string]processRun{}
	minimum := map[int]int64{}
	if *sizes != "" {
		exportSizes = nil
		for _, f := range strings.Split(*sizes, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				b.Fatalf("-bench.sizes: %v", err)
			}
			exportSizes = append(exportSizes, n)
		}
	}
	for _, n := range exportSizes {
		name := "exporter/applications=" + strconv.Itoa(n)
		b.Run(name, func(b *testing.B) {
			minimum[n] = bench.MinRequests(bench.Tenant{Pool: pool, Applications: n})
			for b.Loop() {
				args := []string{"-pool", poolPath, "-applications", strconv.Itoa(n), "-dir", b.TempDir()}
				if *profileDir != "" {
					args = append(args, "-cpuprofile", filepath.Join(*profileDir, fmt.Sprintf("cpu-%d.out", n)),
						"-memprofile", filepath.Join(*profileDir, fmt.Sprintf("heap-%d.out", n)))
				}
				cmd := exec.Command(exporter, args...)
				cmd.Env = append(os.Environ(), "AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(bench.LambdaMemoryMB))
				runs[name] = runChild(b, cmd)
			}
			report(b, runs[name])
		})
	}
	duckName := "duckdb/applications=" + strconv.Itoa(duckSize)
	b.Run(duckName, func(b *testing.B) {
		pages := b.TempDir()
		savePages(b, bench.Tenant{Pool: pool, Applications: duckSize}, pages)
		for b.Loop() {
			runs[duckName] = runChild(b, duckCommand(pages))
		}
		report(b, runs[duckName])
	})
	printTable(os.Stdout, runs, minimum, duckName)
}

func report(b *testing.B, r processRun) {
	n := float64(r.Records)
	b.ReportMetric(n/r.Wall, "records/s")
	b.ReportMetric(r.CPU/n*1e6, "cpu-µs/record")
	b.ReportMetric(float64(r.Alloc)/n, "B/record")
	b.ReportMetric(float64(r.Mallocs)/n, "allocs/record")
	b.ReportMetric(r.MaxRSS, "peak-RSS-MiB")
}

func printTable(w io.Writer, runs map[string]processRun, minimum map[int]int64, duckName string) {
	duck, ok := runs[duckName]
	if !ok {
		return
	}
	fmt.Fprintf(w, "\n%s, %s/%s, %d cores, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Fprintln(w, "| run | applications | wall s | records/s | CPU s | CPU µs/record | B/record | allocs/record | peak RSS MiB | requests ÷ minimum |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	row := func(name string, r processRun, req string) {
		n := float64(r.Records)
		fmt.Fprintf(w, "| %s | %d | %.2f | %.0f | %.2f | %.2f | %.0f | %.1f | %.1f | %s |\n",
			name, r.Records, r.Wall, n/r.Wall, r.CPU, r.CPU/n*1e6, float64(r.Alloc)/n, float64(r.Mallocs)/n, r.MaxRSS, req)
	}
	for _, n := range exportSizes {
		r, ok := runs["exporter/applications="+strconv.Itoa(n)]
		if !ok {
			continue
		}
		row("exporter", r, fmt.Sprintf("%.3f", float64(r.Requests)/float64(minimum[n])))
	}
	row("DuckDB", duck, "")
	fmt.Fprintln(w)
	if r, ok := runs["exporter/applications="+strconv.Itoa(duckSize)]; ok {
		fmt.Fprintf(w, "CPU per record, exporter ÷ DuckDB at %d: %.2f (target ≤ 0.5)\n", duckSize, (r.CPU/float64(r.Records))/(duck.CPU/float64(duck.Records)))
		fmt.Fprintf(w, "wall, exporter ÷ DuckDB at %d: %.2f (target ≤ 1.0)\n", duckSize, r.Wall/duck.Wall)
	}
	small, ok1 := runs["exporter/applications="+strconv.Itoa(exportSizes[0])]
	large, ok2 := runs["exporter/applications="+strconv.Itoa(exportSizes[len(exportSizes)-1])]
	if ok1 && ok2 {
		fmt.Fprintf(w, "peak RSS at %d ÷ at %d: %.2f (target ≤ 1.3; %.1f MiB, target ≤ 100; the exporter runs as a Lambda function of %d MB, Go memory limit included)\n", large.Records, small.Records, large.MaxRSS/small.MaxRSS, large.MaxRSS, bench.LambdaMemoryMB)
	}
	for _, n := range exportSizes {
		if r, ok := runs["exporter/applications="+strconv.Itoa(n)]; ok {
			fmt.Fprintf(w, "store calls at %d: %v\n", n, r.StoreOps)
		}
	}
	fmt.Fprintln(w, strings.Repeat("-", 40))
}

// BenchmarkHotPath is the exporter's work per page without the run
// engine: parse a page of 200 applications, map each record, write each
// row to a Parquet writer (zstd). Per record: ns, bytes and allocations.
func BenchmarkHotPath(b *testing.B) {
	pool, err := readPool(writePool(b, b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	tn := bench.Tenant{Pool: pool, Applications: 40 * bench.PerJob}
	var bodies [][]byte
	for j := range tn.Jobs() {
		bodies = append(bodies, tn.CandidatesPage(j, false, 1), tn.CandidatesPage(j, false, 2))
	}
	d, _ := dataset.Lookup("job_candidates")
	w := d.NewWriter(io.Discard)
	meta := dataset.Meta{Parent: bench.JobID(0), List: keka.JobCandidatesList(bench.JobID(0), false), RunID: "bench", ExtractedAt: bench.Day}
	records := 0
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		p, err := keka.ParsePage(bodies[i%len(bodies)], 1)
		if err != nil {
			b.Fatal(err)
		}
		for _, raw := range p.Records {
			row, err := d.Map(raw, meta)
			if err != nil {
				b.Fatal(err)
			}
			if err := w.Write(row); err != nil {
				b.Fatal(err)
			}
		}
		records += len(p.Records)
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(records), "ns/record")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(records), "B/record")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(records), "allocs/record")
}
