package snapshot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
	"github.com/kekaexport/keka-hire-export/internal/store"
)

// shiftingProxy stands in front of the simulator's API and, the first
// time page 2 of a list is asked for, answers as if a record had been
// added at the head of the list between the two reads: page 2 starts with
// the last record of page 1, and its own last record slides out of it.
// Which lists shift, and how, does not depend on the order of requests,
// so every concurrency sees the same shifts.
func shiftingProxy(t testing.TB) func(simBase string) string {
	return func(simBase string) string {
		target, err := url.Parse(simBase)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		shifted := map[string]bool{}
		get := func(r *http.Request, page string) (*http.Response, []byte, error) {
			u := *r.URL
			u.Scheme, u.Host = target.Scheme, target.Host
			q := u.Query()
			q.Set("pageNumber", page)
			u.RawQuery = q.Encode()
			req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, u.String(), nil)
			req.Header = r.Header.Clone()
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				return nil, nil, err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			return resp, b, err
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			page := q.Get("pageNumber")
			q.Del("pageNumber")
			list := r.URL.Path + "?" + q.Encode()
			mu.Lock()
			shift := page == "2" && !shifted[list]
			mu.Unlock()
			resp, body, err := get(r, page)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			if shift && resp.StatusCode == http.StatusOK {
				// The shift is in the first page 2 the client accepts: a
				// fault on the way is a 503 for it to retry, so that
				// faults cannot decide whether a list shifts. (Any other
				// answer to page 2, a 401 included, goes to the client.)
				out, ok := []byte(nil), false
				if r1, first, err := get(r, "1"); err == nil && r1.StatusCode == http.StatusOK {
					out, ok = shiftPage(first, body)
				}
				if !ok {
					http.Error(w, "shift pending", http.StatusServiceUnavailable)
					return
				}
				mu.Lock()
				shifted[list] = true
				mu.Unlock()
				body = out
			}
			for k, v := range resp.Header {
				if k != "Content-Length" {
					w.Header()[k] = v
				}
			}
			w.WriteHeader(resp.StatusCode)
			_, _ = w.Write(body)
		}))
		t.Cleanup(srv.Close)
		return srv.URL + target.Path
	}
}

// shiftPage returns page 2 of an envelope as it reads after a record was
// added at the head of the list; ok is false unless both pages are whole
// envelopes with records.
func shiftPage(first, second []byte) ([]byte, bool) {
	var p1, p2 map[string]json.RawMessage
	if json.Unmarshal(first, &p1) != nil || json.Unmarshal(second, &p2) != nil {
		return nil, false
	}
	var d1, d2 []json.RawMessage
	if json.Unmarshal(p1["data"], &d1) != nil || json.Unmarshal(p2["data"], &d2) != nil || len(d1) == 0 || len(d2) == 0 {
		return nil, false
	}
	shifted := append([]json.RawMessage{d1[len(d1)-1]}, d2[:len(d2)-1]...)
	b, err := json.Marshal(shifted)
	if err != nil {
		return nil, false
	}
	p2["data"] = b
	out, err := json.Marshal(p2)
	return out, err == nil
}

// faultsOn is every transient fault at once, as Keka and its gateway
// produce them.
var faultsOn = kekasim.Faults{
	TooManyRequests: 0.05, RetryAfter: true,
	ServerError:      0.05,
	DropConnection:   0.03,
	MalformedJSON:    0.03,
	TruncatedJSON:    0.03,
	ExpireTokenEvery: 25,
}

// exportedRows reads every dataset of the date, with the run's own columns
// blanked, sorted by key: what two runs of one tenant must agree on.
func exportedRows(t *testing.T, dir string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	add := func(name string, rows []string) {
		slices.Sort(rows)
		out[name] = rows
	}
	jobs := readRows[dataset.JobRow](t, dir, "jobs", day)
	var s []string
	for _, r := range jobs {
		r.RunID, r.ExtractedAt = "", time.Time{}
		s = append(s, jsonText(t, r))
	}
	add("jobs", s)
	s = nil
	for _, r := range readRows[dataset.JobCandidateRow](t, dir, "job_candidates", day) {
		r.RunID, r.ExtractedAt = "", time.Time{}
		s = append(s, jsonText(t, r))
	}
	add("job_candidates", s)
	s = nil
	for _, r := range readRows[dataset.PreboardingCandidateRow](t, dir, "preboarding_candidates", day) {
		r.RunID, r.ExtractedAt = "", time.Time{}
		s = append(s, jsonText(t, r))
	}
	add("preboarding_candidates", s)
	return out
}

func TestRunner_Run_Concurrency(t *testing.T) {
	size := kekasim.Size{Jobs: 12, Applications: 4000, Preboarding: 450}
	envelope := kekasim.Options{Shape: kekasim.ShapeEnvelope, Seed: 11}

	t.Run("the same rows and counts at concurrency 1 and 8, through faults and shifting pages", func(t *testing.T) {
		rows := map[int]map[string][]string{}
		manifests := map[int]map[string]snapshot.Manifest{}
		for _, n := range []int{1, 8} {
			h := newHarness(t, harnessOptions{size: size, sim: envelope, proxy: shiftingProxy(t), config: func(c *snapshot.Config) { c.Concurrency = n }})
			h.sim.SetFaults(faultsOn)
			res, err := h.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
			if err != nil || res.Status != snapshot.StatusComplete {
				t.Fatalf("concurrency %d: %+v, %v", n, res, err)
			}
			if h.sim.Stats().FaultsInjected == 0 {
				t.Fatalf("concurrency %d: no fault was injected", n)
			}
			checkAgainstTruth(t, h, day, res.RunID, checkOptions{})
			rows[n] = exportedRows(t, h.dir)
			manifests[n] = map[string]snapshot.Manifest{}
			for _, ds := range defaultNames() {
				m := readManifest(t, h.dir, ds, day)
				m.RunID, m.StartedAt, m.PublishedAt, m.Objects = "", time.Time{}, time.Time{}, nil
				manifests[n][ds] = m
			}
		}
		var rereads int64
		for _, ds := range defaultNames() {
			if !slices.Equal(rows[1][ds], rows[8][ds]) {
				t.Errorf("%s: the rows at concurrency 8 differ from those at 1 (%d and %d rows)", ds, len(rows[8][ds]), len(rows[1][ds]))
			}
			a, b := manifests[1][ds], manifests[8][ds]
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			if !bytes.Equal(ja, jb) {
				t.Errorf("%s: manifests differ:\nconcurrency 1: %s\nconcurrency 8: %s", ds, ja, jb)
			}
			rereads += a.Rereads
		}
		if rereads == 0 {
			t.Fatal("no list was read again: the proxy shifted no page")
		}
	})

	t.Run("a run killed at concurrency 8 resumes every list that was in flight", func(t *testing.T) {
		size := kekasim.Size{Jobs: 10, Applications: 12000, Preboarding: 450} // lists of several pages
		dir := t.TempDir()
		var saves atomic.Int64
		var dead atomic.Bool
		// The process dies at its 40th checkpoint: from then on nothing it
		// does reaches the store.
		kill := func(st store.Store) store.Store {
			return &faultyStore{Store: st,
				put: func(key string) error {
					if dead.Load() || (strings.HasSuffix(key, "checkpoint.json") && saves.Add(1) >= 40) {
						dead.Store(true)
						return errCrash
					}
					return nil
				},
				create: func(string) error {
					if dead.Load() {
						return errCrash
					}
					return nil
				},
			}
		}
		every := func(c *snapshot.Config) { c.Concurrency, c.CheckpointEvery = 8, time.Nanosecond }
		h := newHarness(t, harnessOptions{dir: dir, size: size, store: kill, config: every})
		if res, err := h.runner.Run(context.Background(), snapshot.Request{Date: day}); err == nil {
			t.Fatalf("the killed process finished: %+v", res)
		}
		first := h.sim.Stats().Requests

		// What the dead process left: several tasks in the middle of their
		// lists, each to be resumed where it stood.
		var cp struct {
			Next   int `json:"next"`
			Active []struct {
				Index  int `json:"index"`
				Cursor struct {
					List, Page int
				} `json:"cursor"`
			} `json:"active"`
		}
		b, err := os.ReadFile(filepath.Join(dir, "_runs", "dt=2026-11-26", "checkpoint.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &cp); err != nil {
			t.Fatal(err)
		}
		midway, pagesBehind := 0, 0
		for _, a := range cp.Active {
			if a.Cursor.Page > 1 || a.Cursor.List > 0 {
				midway++
				pagesBehind += a.Cursor.Page - 1 + a.Cursor.List
			}
		}
		if midway < 2 {
			t.Fatalf("the checkpoint holds %d tasks in the middle of their lists (%+v); the test needs several", midway, cp.Active)
		}

		later := func(c *snapshot.Config) {
			c.Concurrency = 8
			c.Now = func() time.Time { return time.Now().Add(snapshot.DefaultLeaseTTL + time.Second) }
		}
		h2 := newHarness(t, harnessOptions{dir: dir, size: size, config: later})
		res, err := h2.runToEnd(t, snapshot.Request{Date: day}, 0, nil)
		if err != nil || res.Status != snapshot.StatusComplete || res.Invocations != 2 {
			t.Fatalf("resumed run: %+v, %v", res, err)
		}
		checkAgainstTruth(t, h2, day, res.RunID, checkOptions{})

		// A clean run of the tenant, for the number of requests it needs.
		clean := newHarness(t, harnessOptions{size: size, config: func(c *snapshot.Config) { c.Concurrency = 8 }})
		if _, err := clean.runToEnd(t, snapshot.Request{Date: day}, 0, nil); err != nil {
			t.Fatal(err)
		}
		need := clean.sim.Stats().Requests
		// Pages fetched after the last checkpoint are fetched again (at
		// most one per worker, as a checkpoint precedes every page); a list
		// started over would cost its pages behind the cursor again.
		extra := first + h2.sim.Stats().Requests - need
		if extra > 8+2 {
			t.Errorf("killed and resumed, the run made %d requests more than a clean run's %d: lists in flight were read again (%d pages were behind their cursors)", extra, need, pagesBehind)
		}
		if pagesBehind <= 8+2 {
			t.Fatalf("only %d pages behind the cursors: the request bound cannot tell a restart from a resume", pagesBehind)
		}
	})
}

func jsonText(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
