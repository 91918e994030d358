package snapshot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
	"github.com/kekaexport/keka-hire-export/internal/store"
	"github.com/kekaexport/keka-hire-export/internal/store/local"
)

var day = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

const (
	simClientID     = "sim-client-id"
	simClientSecret = "sim-client-secret"
	simAPIKey       = "sim-api-key"
)

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is one simulated tenant, a client, a local store and a runner.
type harness struct {
	sim    *kekasim.Server
	client *keka.Client
	dir    string
	store  store.Store
	runner *snapshot.Runner
	logs   *syncBuffer
	creds  func() keka.Credentials
	date   time.Time // the snapshot date the checks read; zero is day
}

// at returns the harness with its checks reading the snapshot of d.
func (h *harness) at(d time.Time) *harness {
	c := *h
	c.date = d
	return &c
}

func (h *harness) snapshotDate() time.Time {
	if h.date.IsZero() {
		return day
	}
	return h.date
}

type harnessOptions struct {
	size     kekasim.Size
	sim      kekasim.Options
	store    func(store.Store) store.Store // wraps the local store
	config   func(*snapshot.Config)
	dir      string
	creds    func() keka.Credentials // default: the simulator's fixed credentials
	attempts int
	// proxy, when set, stands between the client and the simulator's API.
	proxy func(simBase string) (base string)
}

func newHarness(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	if o.size == (kekasim.Size{}) {
		o.size = kekasim.Size{Jobs: 25, Applications: 1500, Preboarding: 230}
	}
	if o.sim.RequestsPerMinute == 0 {
		o.sim.RequestsPerMinute = 1_000_000
	}
	if o.sim.Seed == 0 {
		o.sim.Seed = 7
	}
	sim, err := kekasim.Start(kekasim.NewTenant(42, o.size), o.sim)
	if err != nil {
		t.Fatalf("start simulator: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })

	h := &harness{sim: sim, logs: &syncBuffer{}, creds: o.creds}
	if h.creds == nil {
		h.creds = func() keka.Credentials {
			return keka.Credentials{ClientID: simClientID, ClientSecret: simClientSecret, APIKey: simAPIKey}
		}
	}
	log := slogTo(h.logs)
	if o.attempts == 0 {
		o.attempts = 12
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	base := sim.BaseURL()
	if o.proxy != nil {
		base = o.proxy(base)
	}
	h.client, err = keka.New(ctx, keka.Options{
		BaseURL:           base,
		TokenURL:          sim.TokenURL(),
		Credentials:       func(context.Context, bool) (keka.Credentials, error) { return h.creds(), nil },
		RequestsPerMinute: 1_000_000,
		RequestTimeout:    500 * time.Millisecond,
		MaxAttempts:       o.attempts,
		MinBackoff:        time.Millisecond,
		MaxBackoff:        20 * time.Millisecond,
		Logger:            log,
	})
	if err != nil {
		t.Fatalf("keka.New: %v", err)
	}
	h.dir = o.dir
	if h.dir == "" {
		h.dir = t.TempDir()
	}
	st, err := local.New(h.dir)
	if err != nil {
		t.Fatalf("local.New: %v", err)
	}
	h.store = st
	if o.store != nil {
		h.store = o.store(st)
	}
	cfg := snapshot.Config{Client: h.client, Store: h.store, Logger: log, MaxShrink: 0.2}
	if o.config != nil {
		o.config(&cfg)
	}
	h.runner, err = snapshot.New(cfg)
	if err != nil {
		t.Fatalf("snapshot.New: %v", err)
	}
	return h
}

func slogTo(w *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// runToEnd invokes the runner until the run is no longer in progress, each
// invocation stopping after budget (none when zero), the first with req and
// the others with its date and the run id only. between is called after
// every unfinished invocation.
func (h *harness) runToEnd(t testing.TB, req snapshot.Request, budget time.Duration, between func(snapshot.Result)) (snapshot.Result, error) {
	t.Helper()
	for i := 0; i < 5000; i++ {
		if budget > 0 {
			req.StopAt = time.Now().Add(budget)
		}
		res, err := h.runner.Run(context.Background(), req)
		if err != nil || res.Status != snapshot.StatusInProgress {
			return res, err
		}
		if res.Invocations != i+1 && req.RunID != "" {
			t.Fatalf("invocation %d reports %d invocations", i+1, res.Invocations)
		}
		// Continue as the Step Functions loop does: with the date and the
		// run id only.
		req = snapshot.Request{Date: req.Date, RunID: res.RunID}
		if between != nil {
			between(res)
		}
	}
	t.Fatal("run did not complete in 5000 invocations")
	return snapshot.Result{}, nil
}

func readRows[T any](t testing.TB, dir, ds string, date time.Time) []T {
	t.Helper()
	path := filepath.Join(dir, ds, "dt="+date.Format(time.DateOnly), snapshot.DataObject)
	rows, err := parquet.ReadFile[T](path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return rows
}

func readManifest(t testing.TB, dir, ds string, date time.Time) snapshot.Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(snapshot.ManifestKey(ds, date.Format(time.DateOnly)))))
	if err != nil {
		t.Fatalf("read manifest: %v", err)
	}
	var m snapshot.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	return m
}

// checkOptions relax the comparison where the tenant changed during the run.
type checkOptions struct {
	// changed: applications whose archive state may be the one seen first
	// (they moved during the run); only their keys are compared.
	changed bool
	// before is the tenant as it was when the run started. With it, a record
	// that existed throughout the run must be exported, one created during
	// the run may be, and nothing else may.
	before *kekasim.Truth
}

// expectKeys returns the keys that must be exported and those that may be.
func expectKeys(after []string, before []string, hasBefore bool) (must, may map[string]bool) {
	must, may = map[string]bool{}, map[string]bool{}
	for _, k := range after {
		may[k] = true
		must[k] = !hasBefore
	}
	for _, k := range before {
		if may[k] {
			must[k] = true
		}
		may[k] = true
	}
	return must, may
}

func keysOf[T any](items []T, key func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = key(it)
	}
	return out
}

// checkKeys compares the exported keys with what must and may be there.
func checkKeys(t testing.TB, ds string, exported map[string]bool, must, may map[string]bool) {
	t.Helper()
	missing := 0
	for k, required := range must {
		if required && !exported[k] {
			missing++
			if missing <= 5 {
				t.Errorf("%s: missing %s", ds, k)
			}
		}
	}
	if missing > 0 {
		t.Errorf("%s: %d records missing of %d exported", ds, missing, len(exported))
	}
	for k := range exported {
		if !may[k] {
			t.Errorf("%s: %s is not in the tenant", ds, k)
		}
	}
}

// checkAgainstTruth reads every published dataset of date and compares it,
// row by row and column by column, with the simulator's ground truth.
func checkAgainstTruth(t testing.TB, h *harness, date time.Time, runID string, o checkOptions) {
	t.Helper()
	truth := h.sim.Truth()

	jobs := readRows[dataset.JobRow](t, h.dir, "jobs", date)
	wantJobs := map[string]kekasim.TruthJob{}
	for _, j := range truth.Jobs {
		wantJobs[j.ID] = j
	}
	seen := map[string]bool{}
	for _, r := range jobs {
		if seen[r.JobID] {
			t.Errorf("jobs: job %s exported twice", r.JobID)
		}
		seen[r.JobID] = true
		w, ok := wantJobs[r.JobID]
		if !ok {
			continue
		}
		eq(t, "jobs "+r.JobID+" title", r.Title, &w.Title)
		eq(t, "jobs "+r.JobID+" department_name", r.DepartmentName, w.DepartmentName)
		eqInt(t, "jobs "+r.JobID+" status", r.Status, w.Status)
		eqInt(t, "jobs "+r.JobID+" no_of_openings", r.NoOfOpenings, w.NoOfOpenings)
		eqTime(t, "jobs "+r.JobID+" created_on", r.CreatedOn, w.CreatedOn)
		eqTime(t, "jobs "+r.JobID+" published_on", r.PublishedOn, w.PublishedOn)
		eqTime(t, "jobs "+r.JobID+" target_hire_date", r.TargetHireDate, w.TargetHireDate)
		if r.RunID != runID {
			t.Errorf("jobs: run_id %q, want %q", r.RunID, runID)
		}
		if !json.Valid([]byte(r.RawJSON)) {
			t.Errorf("jobs %s: raw_json is not JSON", r.JobID)
		}
	}
	var before kekasim.Truth
	if o.before != nil {
		before = *o.before
	}
	jobKey := func(j kekasim.TruthJob) string { return j.ID }
	must, may := expectKeys(keysOf(truth.Jobs, jobKey), keysOf(before.Jobs, jobKey), o.before != nil)
	checkKeys(t, "jobs", seen, must, may)

	apps := readRows[dataset.JobCandidateRow](t, h.dir, "job_candidates", date)
	wantApps := map[string]kekasim.TruthApplication{}
	for _, a := range truth.Applications {
		wantApps[a.JobID+"/"+a.CandidateID] = a
	}
	seen = map[string]bool{}
	for _, r := range apps {
		k := r.JobID + "/" + r.CandidateID
		if seen[k] {
			t.Errorf("job_candidates: %s exported twice", k)
		}
		seen[k] = true
		w, ok := wantApps[k]
		if !ok {
			continue
		}
		if !o.changed {
			if r.IsArchived != w.Archived {
				t.Errorf("job_candidates %s: is_archived %v, want %v", k, r.IsArchived, w.Archived)
			}
		}
		eq(t, k+" first_name", r.FirstName, w.FirstName)
		eq(t, k+" last_name", r.LastName, w.LastName)
		eq(t, k+" email", r.Email, w.Email)
		eq(t, k+" phone", r.Phone, w.Phone)
		eq(t, k+" stage", r.Stage, w.Stage)
		eqInt(t, k+" application_status", r.ApplicationStatus, w.Status)
		eqTime(t, k+" applied_on", r.AppliedOn, w.AppliedOn)
		eqTime(t, k+" moved_to_stage_on", r.MovedToStageOn, w.MovedToStageOn)
		eq(t, k+" source", r.Source, w.Source)
		eq(t, k+" sourced_by", r.SourcedBy, w.SourcedBy)
	}
	appKey := func(a kekasim.TruthApplication) string { return a.JobID + "/" + a.CandidateID }
	must, may = expectKeys(keysOf(truth.Applications, appKey), keysOf(before.Applications, appKey), o.before != nil)
	checkKeys(t, "job_candidates", seen, must, may)

	pre := readRows[dataset.PreboardingCandidateRow](t, h.dir, "preboarding_candidates", date)
	wantPre := map[string]kekasim.TruthPreboarding{}
	for _, p := range truth.Preboarding {
		wantPre[p.CandidateID] = p
	}
	seen = map[string]bool{}
	for _, r := range pre {
		k := r.CandidateID
		if seen[k] {
			t.Errorf("preboarding_candidates: %s exported twice", k)
		}
		seen[k] = true
		w, ok := wantPre[k]
		if !ok {
			continue
		}
		eq(t, k+" first_name", r.FirstName, w.FirstName)
		eq(t, k+" last_name", r.LastName, w.LastName)
		eq(t, k+" email", r.Email, w.Email)
		eqInt(t, k+" stage", r.Stage, w.Stage)
		eqInt(t, k+" status", r.Status, w.Status)
		eq(t, k+" job_title", r.JobTitle, w.JobTitle)
		eq(t, k+" department", r.Department, w.Department)
		eqTime(t, k+" expected_date_of_joining", r.ExpectedDateOfJoining, w.ExpectedDateOfJoining)
	}
	preKey := func(p kekasim.TruthPreboarding) string { return p.CandidateID }
	must, may = expectKeys(keysOf(truth.Preboarding, preKey), keysOf(before.Preboarding, preKey), o.before != nil)
	checkKeys(t, "preboarding_candidates", seen, must, may)

	for ds, n := range map[string]int{"jobs": len(jobs), "job_candidates": len(apps), "preboarding_candidates": len(pre)} {
		m := readManifest(t, h.dir, ds, date)
		if m.Rows != int64(n) || m.RunID != runID || m.SnapshotDate != date.Format(time.DateOnly) {
			t.Errorf("%s manifest: rows %d run %s date %s; want %d, %s, %s", ds, m.Rows, m.RunID, m.SnapshotDate, n, runID, date.Format(time.DateOnly))
		}
		fi, err := os.Stat(filepath.Join(h.dir, ds, "dt="+date.Format(time.DateOnly), snapshot.DataObject))
		if err != nil || len(m.Objects) != 1 || m.Objects[0].Size != fi.Size() || m.Objects[0].Name != ds+"/dt="+date.Format(time.DateOnly)+"/"+snapshot.DataObject {
			t.Errorf("%s manifest objects %+v do not match the data object (%v)", ds, m.Objects, err)
		}
	}
}

func eq(t testing.TB, what string, got, want *string) {
	t.Helper()
	if (got == nil) != (want == nil) || (got != nil && *got != *want) {
		t.Errorf("%s: got %s, want %s", what, show(got), show(want))
	}
}

func eqInt(t testing.TB, what string, got *int32, want *int) {
	t.Helper()
	if (got == nil) != (want == nil) || (got != nil && int(*got) != *want) {
		t.Errorf("%s: got %s, want %s", what, show(got), show(want))
	}
}

func eqTime(t testing.TB, what string, got, want *time.Time) {
	t.Helper()
	if (got == nil) != (want == nil) || (got != nil && !got.Equal(*want)) {
		t.Errorf("%s: got %s, want %s", what, show(got), show(want))
	}
}

func show[T any](p *T) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

// partitionFiles lists the files of every partition of date, relative to dir.
func partitionFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// interceptProxy returns a harness proxy that hands each API request to
// intercept first, and passes it on to the simulator unless intercept
// answered it (returned true).
func interceptProxy(t testing.TB, intercept func(w http.ResponseWriter, r *http.Request, simPath string) bool) func(simBase string) string {
	return func(simBase string) string {
		target, err := url.Parse(simBase)
		if err != nil {
			t.Fatal(err)
		}
		rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(&url.URL{Scheme: target.Scheme, Host: target.Host})
		}}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !intercept(w, r, target.Path) {
				rp.ServeHTTP(w, r)
			}
		}))
		t.Cleanup(srv.Close)
		return srv.URL + target.Path
	}
}

// kekaError writes a paged error body as Keka does.
func kekaError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"succeeded":false,"message":%q,"errors":[]}`, message)
}

// pageOneProxy returns a harness proxy that turns every request for a path
// ending in suffix into a request for page 1: a Keka that ignores pageNumber.
func pageOneProxy(t testing.TB, suffix string) func(simBase string) string {
	return func(simBase string) string {
		target, err := url.Parse(simBase)
		if err != nil {
			t.Fatal(err)
		}
		rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(&url.URL{Scheme: target.Scheme, Host: target.Host})
			if strings.HasSuffix(r.Out.URL.Path, suffix) {
				q := r.Out.URL.Query()
				q.Set("pageNumber", "1")
				r.Out.URL.RawQuery = q.Encode()
			}
		}}
		srv := httptest.NewServer(rp)
		t.Cleanup(srv.Close)
		return srv.URL + target.Path
	}
}

// startUnfinished runs a first invocation of the date that stops early
// (the simulator is slowed for it), and returns its in-progress result.
func startUnfinished(t testing.TB, h *harness) snapshot.Result {
	t.Helper()
	h.sim.SetFaults(kekasim.Faults{Slow: 1, SlowDelay: 2 * time.Millisecond})
	defer h.sim.SetFaults(kekasim.Faults{})
	res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, StopAt: time.Now().Add(15 * time.Millisecond)})
	if err != nil || res.Status != snapshot.StatusInProgress {
		t.Fatalf("first invocation: %+v, %v", res, err)
	}
	return res
}

// revokingRunner returns a runner over h whose credentials Keka revokes
// after its tenth page: its run fails for good.
func revokingRunner(t testing.TB, h *harness) *snapshot.Runner {
	t.Helper()
	var pages atomic.Int64
	r, err := snapshot.New(snapshot.Config{Client: h.client, Store: h.store, Progress: func(snapshot.Progress) {
		if pages.Add(1) == 10 {
			h.sim.RotateCredentials("nobody-told-us")
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
