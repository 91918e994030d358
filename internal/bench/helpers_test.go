package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/bench"
	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

// The child processes: the test binary runs itself with childEnv set to
// what the child does, so that a figure such as peak RSS is the export's
// own, not the harness's.
const (
	childEnv = "KEKA_BENCH_CHILD" // "export" or "duckdb"
	poolEnv  = "KEKA_BENCH_POOL"  // the pool's file
	appsEnv  = "KEKA_BENCH_APPS"  // applications to export
	dirEnv   = "KEKA_BENCH_DIR"   // output directory (export) or saved pages (duckdb)
)

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "export":
		exitChild(exportChild())
	case "duckdb":
		exitChild(duckChild())
	default:
		exitChild(childReport{}, fmt.Errorf("unknown %s %q", childEnv, os.Getenv(childEnv)))
	}
}

// childReport is what a child measures of itself; the parent adds the
// rusage of the whole process.
type childReport struct {
	Records  int64   `json:"records"`
	Requests int64   `json:"requests"` // HTTP requests, token included
	Wall     float64 `json:"wallSeconds"`
	Alloc    uint64  `json:"allocBytes"` // allocated during the work
	Mallocs  uint64  `json:"mallocs"`
}

func exitChild(r childReport, err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench child:", err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

// measure runs work and reports its wall time and allocations.
func measure(work func() (records, requests int64, err error)) (childReport, error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	records, requests, err := work()
	wall := time.Since(start)
	runtime.ReadMemStats(&after)
	return childReport{Records: records, Requests: requests, Wall: wall.Seconds(),
		Alloc: after.TotalAlloc - before.TotalAlloc, Mallocs: after.Mallocs - before.Mallocs}, err
}

func exportChild() (childReport, error) {
	pool, err := readPool(os.Getenv(poolEnv))
	if err != nil {
		return childReport{}, err
	}
	var n int
	if _, err := fmt.Sscan(os.Getenv(appsEnv), &n); err != nil {
		return childReport{}, fmt.Errorf("%s: %w", appsEnv, err)
	}
	t := bench.Tenant{Pool: pool, Applications: n}
	return measure(func() (int64, int64, error) {
		_, requests, err := bench.Export(context.Background(), t, os.Getenv(dirEnv))
		return int64(n), requests, err
	})
}

// processRun is a child's report with the rusage of its process.
type processRun struct {
	childReport
	CPU    float64 // user + system seconds of the whole process
	MaxRSS float64 // peak resident set, MiB
}

// runChild runs the test binary as a child doing what env says.
func runChild(tb testing.TB, env ...string) processRun {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("child %v: %v", env, err)
	}
	var r processRun
	if err := json.Unmarshal(out, &r.childReport); err != nil {
		tb.Fatalf("child %v: report %q: %v", env, out, err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	r.MaxRSS = float64(ru.Maxrss) / 1024 // Linux reports KiB
	return r
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

func readPool(path string) (*bench.Pool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var pool struct{ Jobs, Applications []json.RawMessage }
	if err := json.Unmarshal(b, &pool); err != nil {
		return nil, fmt.Errorf("pool %s: %w", path, err)
	}
	return bench.NewPool(pool.Jobs, pool.Applications)
}
