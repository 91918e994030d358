package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/kekaexport/keka-hire-export/internal/app"
	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// run runs the binary's Main with the given arguments and environment.
func run(t *testing.T, args []string, env map[string]string, stdin string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = app.Main(context.Background(), app.Env{
		Args:   args,
		Getenv: func(k string) string { return env[k] },
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
		Now:    func() time.Time { return time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC) },
	})
	return code, out.String(), errb.String()
}

// simEnv is the environment of a local run against sim, with extra
// settings as NAME=value.
func simEnv(sim *kekasim.Server, extra ...string) map[string]string {
	env := map[string]string{
		"KEKA_BASE_URL":            sim.BaseURL(),
		"KEKA_TOKEN_URL":           sim.TokenURL(),
		"KEKA_CLIENT_ID":           "sim-client-id",
		"KEKA_CLIENT_SECRET":       "sim-client-secret",
		"KEKA_API_KEY":             "sim-api-key",
		"KEKA_REQUESTS_PER_MINUTE": "100000",
	}
	for _, kv := range extra {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env
}

func TestMain_Demo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo exports 20,000 applications")
	}
	out := t.TempDir()
	code, stdout, stderr := run(t, []string{"--demo", "--out", out}, nil, "")
	if code != 0 {
		t.Fatalf("demo exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"job_candidates", "read_parquet", "50 requests a minute"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo summary lacks %q:\n%s", want, stdout)
		}
	}
	for _, d := range dataset.Default() {
		if d.ChangesOf != "" { // a first snapshot has nothing to compare with
			if !summaryRowsZero(stdout, d.Name) {
				t.Errorf("the demo summary's line for %s does not show 0 rows:\n%s", d.Name, stdout)
			}
			continue
		}
		if !summaryMatches(stdout, d.Name) {
			t.Errorf("the demo summary's line for %s does not show as many rows as the simulator has:\n%s", d.Name, stdout)
		}
	}

	// Read the files as Athena would, with an independent reader, and
	// compare with the simulator's ground truth for the same tenant.
	truth := kekasim.NewTenant(20261126, kekasim.Size{Jobs: 300, Applications: 20000, Preboarding: 500}).Truth()
	if len(truth.Jobs) < 300 || len(truth.Applications) < 20000 || len(truth.Preboarding) < 500 {
		t.Fatalf("demo tenant is smaller than promised: %d jobs, %d applications, %d preboarding", len(truth.Jobs), len(truth.Applications), len(truth.Preboarding))
	}
	checkReaders(t, out, "2026-11-26", truth, false) // Arrow and DuckDB, every value; every page header
	checkNamedQueries(t, out, "2026-11-26", map[string]int{
		"jobs": len(truth.Jobs), "job_candidates": len(truth.Applications), "preboarding_candidates": len(truth.Preboarding),
		"hiring_stages": len(truth.Stages), "talent_pools": len(truth.TalentPools), "talent_pool_candidates": len(truth.PoolCandidates),
		"job_boards": len(truth.JobBoards), "application_fields": len(truth.ApplicationFields),
	})
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for ds, want := range map[string]int{"jobs": len(truth.Jobs), "job_candidates": len(truth.Applications), "preboarding_candidates": len(truth.Preboarding)} {
		glob := filepath.ToSlash(filepath.Join(out, ds, "*", "*.parquet"))
		var n, keys int
		var dt string
		q := "SELECT count(*), count(DISTINCT " + keyExpr(ds) + "), any_value(CAST(dt AS VARCHAR)) FROM read_parquet('" + glob + "', hive_partitioning = true)"
		if err := db.QueryRow(q).Scan(&n, &keys, &dt); err != nil {
			t.Fatalf("%s: %v", ds, err)
		}
		if n != want || keys != want {
			t.Errorf("%s: DuckDB reads %d rows with %d distinct keys, the simulator has %d", ds, n, keys, want)
		}
		if dt != "2026-11-26" {
			t.Errorf("%s: dt partition reads %q", ds, dt)
		}
	}
	var typ string
	q := "SELECT column_type FROM (DESCRIBE SELECT applied_on FROM read_parquet('" + filepath.ToSlash(filepath.Join(out, "job_candidates", "*", "*.parquet")) + "', hive_partitioning = true))"
	if err := db.QueryRow(q).Scan(&typ); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(typ, "TIMESTAMP") {
		t.Errorf("applied_on is %s, want a TIMESTAMP", typ)
	}
}

func keyExpr(ds string) string {
	switch ds {
	case "jobs":
		return "job_id"
	case "job_candidates":
		return "job_id || '/' || candidate_id"
	}
	return "candidate_id"
}

func TestMain_LocalRun(t *testing.T) {
	// Each response takes 25 ms and an invocation 60 ms: the run spans
	// several, with room for a loaded machine to start each one.
	sim, err := kekasim.Start(kekasim.NewTenant(3, kekasim.Size{Jobs: 6, Applications: 300, Preboarding: 40}), kekasim.Options{RequestsPerMinute: 100000, Latency: 25 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	env := simEnv(sim, "KEKA_CONCURRENCY=1")
	out := t.TempDir()
	code, stdout, stderr := run(t, []string{"--out", out, "--event", "-", "--invocation-budget", "60ms"}, env, `{"snapshotDate":"2026-11-01"}`)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var res snapshot.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("stdout is not the result JSON: %v\n%s", err, stdout)
	}
	truth := sim.Truth()
	if res.Status != "complete" || res.SnapshotDate != "2026-11-01" || res.Datasets[1].Rows != int64(len(truth.Applications)) || res.Invocations < 2 {
		t.Errorf("result %+v; want complete, 2026-11-01, %d applications, in several invocations", res, len(truth.Applications))
	}
	if _, err := os.Stat(filepath.Join(out, "job_candidates", "dt=2026-11-01", "part-00000.parquet")); err != nil {
		t.Error(err)
	}
	if strings.Contains(stderr, "sim-client-secret") || strings.Contains(stdout, "sim-client-secret") {
		t.Error("the client secret appears in the output")
	}
}

func TestMain_BadConfiguration(t *testing.T) {
	good := map[string]string{
		"KEKA_COMPANY":       "acme",
		"KEKA_CLIENT_ID":     "id",
		"KEKA_CLIENT_SECRET": "very-secret-value",
		"KEKA_API_KEY":       "key-value",
	}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range good {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name  string
		args  []string
		env   map[string]string
		stdin string
		want  string
	}{
		{"unknown environment", nil, with("KEKA_ENVIRONMENT", "production"), "", "KEKA_ENVIRONMENT"},
		{"missing credentials", nil, with("KEKA_CLIENT_SECRET", ""), "", "KEKA_CLIENT_SECRET"},
		{"http base URL", nil, with("KEKA_BASE_URL", "http://acme.keka.com/api/v1"), "", "https"},
		{"malformed event", []string{"--event", "-"}, good, `{"snapshotDate": "26/11/2026"}`, "snapshotDate"},
		{"unknown dataset", []string{"--event", "-"}, good, `{"datasets": ["offers"]}`, "offers"},
		{"event that is not JSON", []string{"--event", "-"}, good, `snapshotDate=2026-11-26`, "event"},
		{"bad flag", []string{"--invocation-budget", "soon"}, good, "", "invocation-budget"},
		{"unknown flag", []string{"--bogus"}, good, "", "bogus"},
		{"demo with an event", []string{"--demo", "--event", "events/past-date.json"}, good, "", "--demo"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			sentinel := filepath.Join(out, "jobs", "dt=2026-11-26", "part-00000.parquet")
			if err := os.MkdirAll(filepath.Dir(sentinel), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(sentinel, []byte("previous snapshot"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := run(t, append(tc.args, "--out", out), tc.env, tc.stdin)
			if code != 2 {
				t.Errorf("exit status %d, want 2", code)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 {
				t.Errorf("want one line on stderr, got %d:\n%s", len(lines), stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not name %q", stderr, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout: %q", stdout)
			}
			if strings.Contains(stderr, "very-secret-value") {
				t.Error("the secret appears in the message")
			}
			b, err := os.ReadFile(sentinel)
			if err != nil || string(b) != "previous snapshot" {
				t.Errorf("existing output touched: %q, %v", b, err)
			}
			entries, _ := os.ReadDir(out)
			if len(entries) != 1 {
				t.Errorf("output directory gained entries: %v", entries)
			}
		})
	}
}

// summaryMatches reports whether the demo summary has a line for name
// whose rows and simulator columns are equal and not zero.
// summaryRowsZero reports whether the summary's line for dataset name
// shows 0 rows.
func summaryRowsZero(summary, name string) bool {
	for _, line := range strings.Split(summary, "\n") {
		if f := strings.Fields(line); len(f) == 6 && f[0] == name {
			return f[1] == "0"
		}
	}
	return false
}

func summaryMatches(summary, name string) bool {
	for _, line := range strings.Split(summary, "\n") {
		f := strings.Fields(line)
		if len(f) == 6 && f[0] == name {
			return f[1] == f[2] && f[1] != "0"
		}
	}
	return false
}
