package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/app"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/metrics"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// emf holds the metric values of EMF lines by metric name and dimension
// values ("Rows Dataset=jobs Stack=s").
type emf map[string]float64

// readEMF parses every EMF line of b, checking that each declared metric
// has its value and a unit, and that its dimensions have values.
func readEMF(t *testing.T, b []byte) emf {
	t.Helper()
	out := emf{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var doc map[string]any
		if err := json.Unmarshal(sc.Bytes(), &doc); err != nil {
			t.Fatalf("an EMF line is not JSON: %v: %s", err, sc.Text())
		}
		var meta struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		}
		raw, _ := json.Marshal(doc["_aws"])
		if err := json.Unmarshal(raw, &meta); err != nil || meta.Timestamp == 0 || len(meta.CloudWatchMetrics) != 1 {
			t.Fatalf("line without EMF metadata: %s", sc.Text())
		}
		cw := meta.CloudWatchMetrics[0]
		if cw.Namespace != metrics.Namespace || len(cw.Dimensions) != 1 {
			t.Fatalf("namespace %q, dimensions %v", cw.Namespace, cw.Dimensions)
		}
		var dims []string
		for _, d := range cw.Dimensions[0] {
			v, ok := doc[d].(string)
			if !ok || v == "" {
				t.Fatalf("dimension %s has no value: %s", d, sc.Text())
			}
			dims = append(dims, d+"="+v)
		}
		slices.Sort(dims)
		for _, m := range cw.Metrics {
			v, ok := doc[m.Name].(float64)
			if !ok || m.Unit == "" {
				t.Fatalf("metric %s has no value or unit: %s", m.Name, sc.Text())
			}
			key := strings.Join(append([]string{m.Name}, dims...), " ")
			if _, dup := out[key]; dup {
				t.Fatalf("metric %s written twice", key)
			}
			out[key] = v
		}
	}
	return out
}

func (e emf) get(t *testing.T, key string) float64 {
	t.Helper()
	v, ok := e[key]
	if !ok {
		t.Errorf("no metric %s", key)
	}
	return v
}

func TestMain_Metrics(t *testing.T) {
	tn := kekasim.NewTenant(23, kekasim.Size{Jobs: 8, Applications: 4000, Preboarding: 460})
	sim, err := kekasim.Start(tn, kekasim.Options{RequestsPerMinute: 100000, Seed: 5, Shape: kekasim.ShapeEnvelope})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	sim.SetFaults(kekasim.Faults{TooManyRequests: 0.1, ServerError: 0.1, ExpireTokenEvery: 11})

	out, dir := t.TempDir(), t.TempDir()
	file := filepath.Join(dir, "metrics.emf")
	base := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	began := time.Now()
	env := simEnv(sim, "EXPORT_STACK_NAME=test-stack")
	var stdout, stderr bytes.Buffer
	code := app.Main(context.Background(), app.Env{
		Args:   []string{"--out", out, "--metrics", file, "--invocation-budget", "10m", "--event", "-"},
		Getenv: func(k string) string { return env[k] }, Stdin: strings.NewReader(`{"snapshotDate":"2026-11-26"}`),
		Stdout: &stdout, Stderr: &stderr,
		Now: func() time.Time { return base.Add(time.Since(began)) },
	})
	wall := time.Since(began)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), tail(stderr.String(), 3000))
	}
	var res snapshot.Result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil || res.Invocations != 1 {
		t.Fatalf("result %s (%v); want one invocation", stdout.String(), err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := readEMF(t, b)

	st, ans := sim.Stats(), sim.Answers()
	faults := ans.ByStatus[429] + ans.ByStatus[401]
	for status, n := range ans.ByStatus {
		if status >= 500 {
			faults += n
		}
	}
	if ans.ByStatus[429] == 0 || ans.ByStatus[401] == 0 || faults == ans.ByStatus[429]+ans.ByStatus[401] {
		t.Fatalf("the run met too few faults to test anything: %v", ans.ByStatus)
	}
	stack := " Stack=test-stack"
	for name, want := range map[string]int64{
		metrics.MetricRequests:     st.Requests,
		metrics.MetricTokenFetches: st.TokenRequests,
		metrics.MetricThrottled:    ans.ByStatus[429],
		metrics.MetricRetries:      faults,
		metrics.MetricFailed:       0,

		metrics.MetricInvocationsPerRun: 1,
		metrics.MetricSnapshotsComplete: 1,
	} {
		if got := m.get(t, name+stack); got != float64(want) {
			t.Errorf("%s = %v; the simulator counted %d", name, got, want)
		}
	}
	if got := m.get(t, metrics.MetricOutcome+" Outcome=complete"+stack); got != 1 {
		t.Errorf("outcome complete = %v", got)
	}
	if d := m.get(t, metrics.MetricDuration+stack); d <= 0 || d > float64(wall.Milliseconds()) {
		t.Errorf("Duration %v ms; the run took %s", d, wall)
	}
	if left := m.get(t, metrics.MetricTimeLeft+stack); left <= 0 || left > float64((10*time.Minute).Milliseconds()) {
		t.Errorf("TimeLeft %v ms; the budget was 10m", left)
	}
	if age, min := m.get(t, metrics.MetricSnapshotAge+stack), (9*time.Hour + 30*time.Minute).Seconds(); age < min || age > min+wall.Seconds() {
		t.Errorf("SnapshotAge %v s; want from %v to %v", age, min, min+wall.Seconds())
	}

	truth := sim.Truth()
	pages := map[string]int64{}
	for path, n := range ans.OKByPath {
		switch {
		case strings.HasSuffix(path, "/candidates") && strings.Contains(path, "/hire/jobs/"):
			pages["job_candidates"] += n
		case strings.HasSuffix(path, "/hire/jobs"):
			pages["jobs"] += n
		case strings.HasSuffix(path, "/hire/preboarding/candidates"):
			pages["preboarding_candidates"] += n
		}
	}
	rows := map[string]int{"jobs": len(truth.Jobs), "job_candidates": len(truth.Applications), "preboarding_candidates": len(truth.Preboarding)}
	for ds, n := range rows {
		dims := " Dataset=" + ds + stack
		fi, err := os.Stat(filepath.Join(out, ds, "dt=2026-11-26", snapshot.DataObject))
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]int64{
			metrics.MetricRows: int64(n), metrics.MetricPages: pages[ds], metrics.MetricBytesWritten: fi.Size(),
			metrics.MetricDuplicatesSkipped: 0, metrics.MetricRereads: 0, metrics.MetricUnreconciled: 0,
		} {
			if got := m.get(t, name+dims); got != float64(want) {
				t.Errorf("%s of %s = %v; want %d", name, ds, got, want)
			}
		}
	}
	t.Logf("simulator: %d requests, %d token requests, answers %v, pages %v", st.Requests, st.TokenRequests, ans.ByStatus, pages)
	if pages["job_candidates"] <= int64(2*len(truth.Jobs)) || pages["preboarding_candidates"] < 2 {
		t.Errorf("lists of one page only (%v): the page counts test little", pages)
	}

	t.Run("a failed run counts as failed", func(t *testing.T) {
		denied, err := kekasim.Start(kekasim.NewTenant(2, kekasim.Size{Jobs: 2, Applications: 10}), kekasim.Options{RequestsPerMinute: 100000, NoHireScope: true})
		if err != nil {
			t.Fatal(err)
		}
		defer denied.Close()
		file := filepath.Join(dir, "denied.emf")
		code, _, stderr := run(t, []string{"--out", t.TempDir(), "--metrics", file}, simEnv(denied, "EXPORT_STACK_NAME=test-stack"), "")
		if code != 1 || !strings.Contains(stderr, "Settings, Integrations & Automations, API access") {
			t.Fatalf("exit %d, want 1 with where to grant Hire access:\n%s", code, tail(stderr, 2000))
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m := readEMF(t, b)
		if m.get(t, metrics.MetricFailed+stack) != 1 || m.get(t, metrics.MetricOutcome+" Outcome=RunFailed"+stack) != 1 {
			t.Errorf("metrics of a refused run: %v", m)
		}
		if _, ok := m[metrics.MetricRows+" Dataset=jobs"+stack]; ok {
			t.Error("a failed run reported dataset rows")
		}
	})
}
