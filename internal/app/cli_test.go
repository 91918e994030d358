package app_test

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/config"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

func TestMain_Help(t *testing.T) {
	code, stdout, stderr := run(t, []string{"--help"}, nil, "")
	if code != 0 || stderr != "" {
		t.Fatalf("--help: exit %d, stderr %q", code, stderr)
	}
	for _, flag := range []string{"--demo", "--event FILE", "--out", "--invocation-budget", "--dry-run", "--lookup", "--metrics"} {
		if !strings.Contains(stdout, "  "+flag) {
			t.Errorf("--help does not document %s", flag)
		}
	}
	// Every variable the configuration reads is documented, with a default.
	var read []string
	_, _ = config.FromEnv(func(k string) string { read = append(read, k); return "" }, false)
	_, envSection, _ := strings.Cut(stdout, "\nEnvironment")
	for _, name := range read {
		found := false
		for _, line := range strings.Split(envSection, "\n") {
			names, _, ok := strings.Cut(strings.TrimSpace(line), "  [")
			if ok && strings.Contains(", "+strings.TrimSpace(names)+",", ", "+name+",") {
				found = true
			}
		}
		if !found {
			t.Errorf("--help does not document %s with its default", name)
		}
	}
	if len(read) < 15 {
		t.Errorf("FromEnv read only %v", read)
	}
	for _, def := range []string{"[50]", "[keka]", "[30s]", "[keep]", "[0.2]"} {
		if !strings.Contains(stdout, def) {
			t.Errorf("--help lacks the default %s", def)
		}
	}
}

func TestMain_ErrorHints(t *testing.T) {
	code, _, stderr := run(t, nil, map[string]string{"KEKA_COMPANY": "acme", "KEKA_ENVIRONMENT": "production",
		"KEKA_CLIENT_ID": "a", "KEKA_CLIENT_SECRET": "b", "KEKA_API_KEY": "c"}, "")
	if code != 2 || !strings.Contains(stderr, "keka or kekademo") {
		t.Errorf("a wrong environment: exit %d, %q; want 2 naming keka and kekademo", code, stderr)
	}
	sim, err := kekasim.Start(kekasim.NewTenant(1, kekasim.Size{Jobs: 1}), kekasim.Options{RequestsPerMinute: 100000})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	code, _, stderr = run(t, []string{"--out", t.TempDir()}, simEnv(sim, "KEKA_CLIENT_SECRET=wrong"), "")
	if code != 1 || !strings.Contains(stderr, "what to do: Keka's token endpoint refused the key: check KEKA_CLIENT_ID, KEKA_CLIENT_SECRET and KEKA_API_KEY") {
		t.Errorf("refused credentials: exit %d, want 1 naming the credentials to check:\n%s", code, tail(stderr, 1500))
	}
	code, _, stderr = run(t, []string{"--no-such-flag"}, nil, "")
	if code != 2 || !strings.Contains(stderr, "--help") {
		t.Errorf("an unknown flag: exit %d, %q; want 2 pointing to --help", code, stderr)
	}
}

func TestMain_DryRun(t *testing.T) {
	sim, err := kekasim.Start(kekasim.NewTenant(8, kekasim.Size{Jobs: 9, Applications: 2600, Preboarding: 220}), kekasim.Options{RequestsPerMinute: 100000, Shape: kekasim.ShapeEnvelope})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	out := t.TempDir()
	code, stdout, stderr := run(t, []string{"--out", out, "--dry-run", "--invocation-budget", "10m"}, simEnv(sim, "KEKA_REQUESTS_PER_MINUTE=6000"), "")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, tail(stderr, 2000))
	}
	var res snapshot.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.Plan == nil {
		t.Fatalf("no plan in %s (%v)", stdout, err)
	}
	p := res.Plan
	truth := sim.Truth()
	want := int64(len(truth.Jobs) + len(truth.Applications) + len(truth.Preboarding) + len(truth.Stages) + len(truth.TalentPools) +
		len(truth.PoolCandidates) + len(truth.JobBoards) + len(truth.ApplicationFields))
	// At 6000 requests a minute (97% of it, the limiter's margin), 10-minute invocations.
	seconds := float64(p.Requests) * 60 / (6000 * 0.97)
	if p.Records != want || math.Abs(p.Seconds-seconds) > 0.001 || p.Invocations != int(math.Ceil(seconds/600)) {
		t.Errorf("plan %+v; want %d records, %.1f s, %d invocations", p, want, seconds, int(math.Ceil(seconds/600)))
	}
	if !strings.Contains(stderr, "a full run needs") || !strings.Contains(stderr, "job_candidates") {
		t.Errorf("no plan table on stderr:\n%s", tail(stderr, 1500))
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("the dry run wrote %v", entries)
	}
}
