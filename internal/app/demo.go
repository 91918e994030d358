//go:build !nodemo

package app

// The demo links the Keka simulator into the binary. The Lambda bootstrap
// is built with -tags nodemo (see the Makefile), which swaps this file for
// nodemo.go: the function carries no simulator code.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/config"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// The demo tenant and the rate it is exported at. Keka documents 50
// requests a minute; the demo raises both the simulator's limit and the
// client's budget so that it finishes in about half a minute, and says what
// the same tenant would take at the real limit.
var (
	demoSize      = kekasim.Size{Jobs: 300, Applications: 20000, Preboarding: 500}
	demoSeed      = int64(20261126)
	demoRate      = 1200.0
	kekaRealLimit = 50.0
)

// demoUsage is the --demo flag's help.
const demoUsage = "start the embedded Keka simulator and export a demo tenant into --out (default ./out)"

// runDemo starts the embedded simulator on 127.0.0.1 and exports its demo
// tenant into the output directory, with progress on a terminal and a
// summary at the end.
func runDemo(ctx context.Context, env Env, f flags) int {
	start := env.Now()
	tenant := kekasim.NewTenant(demoSeed, demoSize)
	sim, err := kekasim.Start(tenant, kekasim.Options{RequestsPerMinute: int(demoRate), Window: time.Minute})
	if err != nil {
		fmt.Fprintln(env.Stderr, "keka-export: start the simulator:", err)
		return 1
	}
	defer sim.Close()

	cfg, err := config.FromEnv(func(k string) string {
		switch k {
		case "KEKA_BASE_URL":
			return sim.BaseURL()
		case "KEKA_TOKEN_URL":
			return sim.TokenURL()
		case "KEKA_CLIENT_ID":
			return "sim-client-id"
		case "KEKA_CLIENT_SECRET":
			return "sim-client-secret"
		case "KEKA_API_KEY":
			return "sim-api-key"
		case "KEKA_REQUESTS_PER_MINUTE":
			return fmt.Sprint(demoRate)
		}
		return env.Getenv(k)
	}, false)
	if err != nil {
		fmt.Fprintln(env.Stderr, "keka-export:", err)
		return 2
	}
	out := f.out
	if out == "" {
		out = "out"
	}
	level := slog.LevelWarn
	if env.Getenv("LOG_LEVEL") != "" {
		level = cfg.LogLevel
	}
	fmt.Fprintf(env.Stdout, "Demo: exporting a simulated Keka tenant (%d jobs, %d applications, %d preboarding candidates)\n", demoSize.Jobs, demoSize.Applications, demoSize.Preboarding)
	fmt.Fprintf(env.Stdout, "      from the embedded simulator at %s into %s,\n", sim.BaseURL(), outDir(out))
	fmt.Fprintf(env.Stdout, "      at %.0f requests a minute (Keka's real limit is %.0f; the demo raises both sides).\n\n", demoRate, kekaRealLimit)

	var line *progressLine
	var progress func(snapshot.Progress)
	if isTerminal(env.Stderr) {
		line = newProgressLine(env.Stderr, env.Now)
		progress = line.update
	}
	svc, err := build(ctx, cfg, newLogger(env.Stderr, level), out, progress)
	if err != nil {
		fmt.Fprintln(env.Stderr, "keka-export:", err)
		return exitCode(err)
	}
	req := snapshot.Request{Date: env.Now().UTC()}
	res, err := invokeUntilDone(ctx, svc, req, f.budget, nil)
	if line != nil {
		line.clear()
	}
	if err != nil {
		writeJSON(env.Stdout, res)
		fmt.Fprintln(env.Stderr, "keka-export: demo run failed:", err)
		return 1
	}
	printSummary(env.Stdout, res, sim.Truth(), svc.client.Stats().Retries, env.Now().Sub(start), out)
	return 0
}

func printSummary(w io.Writer, res snapshot.Result, truth kekasim.Truth, retries int64, took time.Duration, out string) {
	want := map[string]int{
		"jobs":                   len(truth.Jobs),
		"job_candidates":         len(truth.Applications),
		"preboarding_candidates": len(truth.Preboarding),
		"interviews":             len(truth.Interviews),
		"scorecards":             len(truth.Scorecards),
		"hiring_stages":          len(truth.Stages),
		"talent_pools":           len(truth.TalentPools),
		"talent_pool_candidates": len(truth.PoolCandidates),
		"job_boards":             len(truth.JobBoards),
		"application_fields":     len(truth.ApplicationFields),
	}
	var names []string
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "dataset\trows\tsimulator\tfiles\tbytes\tpages\t")
	for _, d := range res.Datasets {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t\n", d.Name, d.Rows, want[d.Name], d.Files, d.Bytes, d.Pages)
		names = append(names, d.Name)
	}
	_ = tw.Flush()
	minutes := float64(res.Requests) / kekaRealLimit
	fmt.Fprintf(w, "\nrun %s for dt=%s: %s in %s, %d requests, %d retries, %d throttled.\n",
		res.RunID, res.SnapshotDate, res.Status, took.Round(100*time.Millisecond), res.Requests, retries, res.Throttled)
	fmt.Fprintf(w, "At Keka's documented %.0f requests a minute the same tenant takes about %.0f minutes (%d requests),\n", kekaRealLimit, math.Ceil(minutes), res.Requests)
	fmt.Fprintf(w, "which is why a Lambda run checkpoints and continues across invocations.\n\n")
	glob := filepath.ToSlash(filepath.Join(outDir(out), "*", "dt=*", "*.parquet"))
	fmt.Fprintf(w, "Query it with DuckDB (or the same SQL in Athena, on the Glue tables):\n\n")
	fmt.Fprintf(w, "  duckdb -c \"SELECT dt, stage, count(*) AS applications, min(applied_on) AS first_applied\n")
	fmt.Fprintf(w, "             FROM read_parquet('%s', hive_partitioning = true)\n", filepath.ToSlash(filepath.Join(outDir(out), "job_candidates", "dt=*", "*.parquet")))
	fmt.Fprintf(w, "             GROUP BY ALL ORDER BY applications DESC\"\n\n")
	fmt.Fprintf(w, "Every dataset written: %s (%s)\n", glob, strings.Join(names, ", "))
}

// outDir resolves the output directory for people.
func outDir(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}
