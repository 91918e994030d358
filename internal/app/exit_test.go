package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/app"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// TestMain_IncompleteSnapshot: a Keka that answers every page with the
// first one gives a published snapshot whose result says incomplete, and
// an exit status of its own, so that a script notices.
func TestMain_IncompleteSnapshot(t *testing.T) {
	tn := kekasim.NewTenant(7, kekasim.Size{Jobs: 3, Applications: 60, Preboarding: 450})
	sim, err := kekasim.Start(tn, kekasim.Options{RequestsPerMinute: 100000, IgnorePageNumber: []string{"/preboarding"}})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	env := simEnv(sim, "KEKA_CONCURRENCY=8")
	code, stdout, stderr := run(t, []string{"--out", t.TempDir(), "--event", "-"}, env, `{"snapshotDate":"2026-11-26"}`)
	if code != app.ExitIncomplete {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, app.ExitIncomplete, stdout, tail(stderr, 2000))
	}
	var res snapshot.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.Status != snapshot.StatusIncomplete {
		t.Fatalf("result %s (%v); want status incomplete", stdout, err)
	}
	for _, d := range res.Datasets {
		if d.Name == "preboarding_candidates" && (len(d.Unreconciled) != 1 || !strings.Contains(d.Unreconciled[0].List, "/hire/preboarding/candidates")) {
			t.Errorf("preboarding_candidates: unreconciled %+v, want the preboarding list", d.Unreconciled)
		}
	}
	if !strings.Contains(stderr, "incomplete") {
		t.Errorf("standard error does not say the snapshot is incomplete:\n%s", tail(stderr, 2000))
	}
}

// TestMain_WrongScheme: an https base URL that reaches a plain-http server
// is a setting to fix, said in one line on the first attempt, not a Keka
// outage retried for a minute.
func TestMain_WrongScheme(t *testing.T) {
	sim, err := kekasim.Start(kekasim.NewTenant(7, kekasim.Size{Jobs: 2, Applications: 10, Preboarding: 5}), kekasim.Options{RequestsPerMinute: 100000})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	base := strings.Replace(sim.BaseURL(), "http://", "https://", 1)
	out := t.TempDir()
	code, stdout, stderr := run(t, []string{"--out", out, "--event", "-"}, simEnv(sim, "KEKA_BASE_URL="+base), `{"snapshotDate":"2026-11-26"}`)
	if code != 2 {
		t.Fatalf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, stdout, tail(stderr, 2000))
	}
	if !strings.Contains(stderr, "KEKA_BASE_URL") {
		t.Errorf("standard error does not name KEKA_BASE_URL:\n%s", tail(stderr, 2000))
	}
	if got := sim.Stats().Requests; got != 0 {
		t.Errorf("the simulator answered %d API requests over https", got)
	}
	// The run is kept: with the URL fixed, the same command resumes it.
	code, stdout, stderr = run(t, []string{"--out", out, "--event", "-"}, simEnv(sim), `{"snapshotDate":"2026-11-26"}`)
	var res snapshot.Result
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || res.Status != snapshot.StatusComplete || res.Invocations != 2 {
		t.Fatalf("after fixing the URL: exit %d, %s\n%s", code, stdout, tail(stderr, 2000))
	}
}
