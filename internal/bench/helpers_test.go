package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/bench"
	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

// The DuckDB child: the test binary runs itself with childEnv set, so
// that DuckDB's CPU time is a process's of its own. The exporter's child
// is cmd benchexport, built as the Lambda binary is (see buildExporter).
const (
	childEnv = "KEKA_BENCH_CHILD" // "duckdb"
	dirEnv   = "KEKA_BENCH_DIR"   // the saved pages
)

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "duckdb":
		bench.Exit(duckChild())
	default:
		bench.Exit(bench.Report{}, fmt.Errorf("unknown %s %q", childEnv, os.Getenv(childEnv)))
	}
}

// processRun is a child's report with the rusage of its process.
type processRun struct {
	bench.Report
	CPU    float64 // user + system seconds of the whole process
	MaxRSS float64 // peak resident set, MiB
}

// runChild runs cmd, a child that prints a bench.Report.
func runChild(tb testing.TB, cmd *exec.Cmd) processRun {
	tb.Helper()
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("child %v: %v", cmd.Args, err)
	}
	var r processRun
	if err := json.Unmarshal(out, &r.Report); err != nil {
		tb.Fatalf("child %v: report %q: %v", cmd.Args, out, err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	r.MaxRSS = float64(ru.Maxrss) / 1024 // Linux reports KiB
	return r
}

// duckCommand is the test binary as DuckDB's child, converting pages.
func duckCommand(pages string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=duckdb", dirEnv+"="+pages)
	return cmd
}

// buildExporter builds cmd benchexport into dir as the Lambda binary is
// built (no cgo, trimmed) and returns its path.
func buildExporter(tb testing.TB, dir string) string {
	tb.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		tb.Fatalf("build benchexport: the go command is not on PATH: %v", err)
	}
	path := filepath.Join(dir, "benchexport")
	cmd := exec.Command(goTool, "build", "-trimpath", "-o", path, "./benchexport")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("build benchexport: %v\n%s", err, out)
	}
	return path
}

// poolSize is the simulator tenant the pool is taken from.
var poolSize = kekasim.Size{Jobs: 12, Applications: 3000}

// writePool saves the records of a simulated tenant, as the simulator
// sends them, to a file in dir, and returns its path.
func writePool(tb testing.TB, dir string) string {
	tb.Helper()
	sim, err := kekasim.Start(kekasim.NewTenant(11, poolSize), kekasim.Options{RequestsPerMinute: 1_000_000})
	if err != nil {
		tb.Fatalf("start simulator: %v", err)
	}
	defer sim.Close()
	ctx := context.Background()
	client, err := keka.New(ctx, keka.Options{
		BaseURL: sim.BaseURL(), TokenURL: sim.TokenURL(), RequestsPerMinute: 1e9,
		Credentials: func(context.Context, bool) (keka.Credentials, error) {
			return keka.Credentials{ClientID: "sim-client-id", ClientSecret: "sim-client-secret", APIKey: "sim-api-key"}, nil
		},
	})
	if err != nil {
		tb.Fatalf("keka.New: %v", err)
	}
	var pool struct{ Jobs, Applications []json.RawMessage }
	pool.Jobs = readList(tb, client, keka.JobsList())
	for _, j := range pool.Jobs {
		var job struct{ ID string }
		if err := json.Unmarshal(j, &job); err != nil {
			tb.Fatalf("job record: %v", err)
		}
		for _, archived := range []bool{false, true} {
			pool.Applications = append(pool.Applications, readList(tb, client, keka.JobCandidatesList(job.ID, archived))...)
		}
	}
	b, err := json.Marshal(pool)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, "pool.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func readList(tb testing.TB, c *keka.Client, l keka.List) []json.RawMessage {
	var out []json.RawMessage
	for n := 1; ; n++ {
		p, err := c.Page(context.Background(), l, n)
		if err != nil {
			tb.Fatalf("%s page %d: %v", l.Path, n, err)
		}
		for _, r := range p.Records {
			out = append(out, append(json.RawMessage(nil), r...))
		}
		if p.Last {
			return out
		}
	}
}

func readPool(path string) (*bench.Pool, error) { return bench.ReadPool(path) }
