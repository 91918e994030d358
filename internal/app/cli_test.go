package app_test

import (
	"strings"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/config"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
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
