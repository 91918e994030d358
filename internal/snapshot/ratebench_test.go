package snapshot_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
	"github.com/kekaexport/keka-hire-export/internal/store/local"
)

// The rate benchmark's limit: 600 requests a minute (one every 100 ms),
// enforced by the simulator in fixed windows scaled down tenfold from
// Keka's 60 seconds (60 requests per 6 s), so that a client going faster
// than the limit is refused within one short run.
const (
	rateBenchRPM       = 600
	rateBenchInterval  = time.Minute / rateBenchRPM
	rateBenchWindow    = 6 * time.Second
	rateBenchPerWindow = rateBenchRPM * int(rateBenchWindow/time.Second) / 60

	// clientMargin is the share of RequestsPerMinute the client's limiter
	// paces at (keka's limiterMargin; docs/design.md states it).
	clientMargin = 0.97
)

// rateBenchSize needs about 410 requests: one jobs page, one preboarding
// page, and the two candidate lists of each of 200 jobs (one page each,
// more for the largest jobs), as a tenant of many small jobs (the shape
// seen live: 906 jobs) is paged. Fixed costs (the token's round trip, the
// last response's latency) are then a small share of the run, and the
// four cases take under three minutes together (make bench, under ten).
var rateBenchSize = kekasim.Size{Jobs: 200, Applications: 6000, Preboarding: 150}

// rateBenchDatasets are the datasets exported, named so that a dataset
// added to the registry does not change the benchmark's requests.
var rateBenchDatasets = []string{"jobs", "job_candidates", "preboarding_candidates"}

var rateBenchGaps = flag.Bool("ratebench.gaps", false, "BenchmarkRunner_RateEfficiency: log every request sent more than 5 ms after the limiter's pace")

// BenchmarkRunner_RateEfficiency exports a simulated tenant through the
// simulator's own rate limit, with every response delayed by 0, 2 and 4
// rate intervals, at concurrency 1 and the default, and reports how close
// the run comes to the pace of the limit:
//
//	wall/ideal = wall ÷ (requests ÷ rate)
//
// where rate is the nominal configured rate (600/min), not the 97% of it
// the client's limiter paces at: 1/0.97 ≈ 1.031 is the floor of a long
// run. The other metrics split each export's wall time into
//
//	startup + paced + idle + tail
//
// startup: from Run to the first API request (the token's round trip and
// the run's checkpoint); paced: (requests-1) limiter intervals of 103 ms;
// idle: the rest of the time between the first and the last API request,
// when the limiter had a slot and no worker was ready to take it; tail:
// from the last API request to Run's return, of which finish is what
// follows the last response (checkpoint, publish, lease). A 429 from the
// simulator's rate limit fails the benchmark.
func BenchmarkRunner_RateEfficiency(b *testing.B) {
	tenant := kekasim.NewTenant(42, rateBenchSize)
	rateBenchWarmUp(b)
	for _, k := range []int{0, 2, 4} {
		concurrencies := []int{snapshot.DefaultConcurrency}
		if k == 0 {
			// One request at a time as well, where latency does not make
			// it a (k+1)-fold longer run.
			concurrencies = []int{1, snapshot.DefaultConcurrency}
		}
		for _, conc := range concurrencies {
			latency := time.Duration(k) * rateBenchInterval
			b.Run(fmt.Sprintf("latency=%v/concurrency=%d", latency, conc), func(b *testing.B) {
				var sum rateRun
				for b.Loop() {
					sum.add(rateBenchRun(b, tenant, latency, conc))
				}
				sum.report(b)
			})
		}
	}
}

// rateBenchWarmUp exports the tenant once without a rate limit, so that
// the first case does not pay the process's first-use costs (about 0.2 s).
func rateBenchWarmUp(b *testing.B) {
	h := newHarness(b, harnessOptions{size: rateBenchSize})
	if res, err := h.runner.Run(b.Context(), snapshot.Request{Date: day, Datasets: rateBenchDatasets}); err != nil {
		b.Fatalf("warm-up run: %s, %v", res.Status, err)
	}
}

// rateRun is what one export, or the sum of several, measured.
type rateRun struct {
	runs                         int
	requests                     int64 // API requests (attempts) the client made
	rateLimited                  int64 // 429s from the simulator's rate limit
	retries                      int64
	wall, startup, spanned, tail time.Duration
	finish                       time.Duration
	gaps                         int64 // requests after each export's first, summed
}

func (r *rateRun) add(o rateRun) {
	r.runs += o.runs
	r.requests += o.requests
	r.rateLimited += o.rateLimited
	r.retries += o.retries
	r.wall += o.wall
	r.startup += o.startup
	r.spanned += o.spanned
	r.tail += o.tail
	r.finish += o.finish
	r.gaps += o.gaps
}

// report adds the metrics, per export, and fails on any 429.
func (r rateRun) report(b *testing.B) {
	if r.runs == 0 {
		return
	}
	n := float64(r.runs)
	ideal := time.Duration(r.requests) * rateBenchInterval
	paced := time.Duration(float64(r.gaps) * float64(rateBenchInterval) / clientMargin)
	b.ReportMetric(r.wall.Seconds()/ideal.Seconds(), "wall/ideal")
	b.ReportMetric(float64(r.requests)/n, "requests")
	b.ReportMetric(float64(r.rateLimited)/n, "429s")
	b.ReportMetric(r.wall.Seconds()/n, "wall-s")
	b.ReportMetric(ideal.Seconds()/n, "ideal-s")
	b.ReportMetric(r.startup.Seconds()/n, "startup-s")
	b.ReportMetric(paced.Seconds()/n, "paced-s")
	b.ReportMetric((r.spanned-paced).Seconds()/n, "idle-s")
	b.ReportMetric(r.tail.Seconds()/n, "tail-s")
	b.ReportMetric(r.finish.Seconds()/n, "finish-s")
	b.ReportMetric(float64(r.retries)/n, "retries")
	if r.rateLimited > 0 {
		b.Fatalf("the simulator's rate limit (%d requests per %v) answered %d requests with 429: the client went faster than %d a minute",
			rateBenchPerWindow, rateBenchWindow, r.rateLimited, rateBenchRPM)
	}
}

// rateBenchRun exports tenant once through a fresh simulator, client and
// store, timing Run only (b.Loop wants the timer running when it is
// called again).
func rateBenchRun(b *testing.B, tenant *kekasim.Tenant, latency time.Duration, concurrency int) rateRun {
	b.StopTimer()
	defer b.StartTimer()
	sim, err := kekasim.Start(tenant, kekasim.Options{
		RequestsPerMinute: rateBenchPerWindow,
		Window:            rateBenchWindow,
		Latency:           latency,
		Seed:              7,
	})
	if err != nil {
		b.Fatalf("start simulator: %v", err)
	}
	defer sim.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	transport := http.DefaultTransport.(*http.Transport).Clone() // the product's transport, with a pool of its own
	defer transport.CloseIdleConnections()
	log := &sendLog{base: transport}
	client, err := keka.New(ctx, keka.Options{
		BaseURL:           sim.BaseURL(),
		TokenURL:          sim.TokenURL(),
		Credentials:       simCredentials,
		RequestsPerMinute: rateBenchRPM, // nominal: the limiter paces at clientMargin of it
		HTTPClient:        &http.Client{Transport: log},
	})
	if err != nil {
		b.Fatalf("keka.New: %v", err)
	}
	st, err := local.New(b.TempDir())
	if err != nil {
		b.Fatalf("local.New: %v", err)
	}
	runner, err := snapshot.New(snapshot.Config{Client: client, Store: st, Concurrency: concurrency})
	if err != nil {
		b.Fatalf("snapshot.New: %v", err)
	}

	b.StartTimer()
	start := time.Now()
	res, err := runner.Run(ctx, snapshot.Request{Date: day, Datasets: rateBenchDatasets})
	end := time.Now()
	b.StopTimer()

	if err != nil || res.Status != snapshot.StatusComplete {
		b.Fatalf("run: status %s, %v", res.Status, err)
	}
	checkRowCounts(b, res, sim.Truth())
	stats := client.Stats()
	sends, paths, answered := log.times()
	if int64(len(sends)) != stats.Requests || len(sends) == 0 {
		b.Fatalf("the transport saw %d API requests, the client counts %d", len(sends), stats.Requests)
	}
	if *rateBenchGaps {
		logGaps(b, start, sends, paths)
	}
	first, last := sends[0], sends[len(sends)-1]
	return rateRun{
		runs:        1,
		requests:    stats.Requests,
		rateLimited: sim.Stats().RateLimited,
		retries:     stats.Retries,
		wall:        end.Sub(start),
		startup:     first.Sub(start),
		spanned:     last.Sub(first),
		tail:        end.Sub(last),
		finish:      end.Sub(answered),
		gaps:        int64(len(sends) - 1),
	}
}

// logGaps logs every API request sent more than 5 ms after the limiter
// would have let it go, and by how much.
func logGaps(b *testing.B, start time.Time, sends []time.Time, paths []string) {
	interval := rateBenchInterval
	pace := time.Duration(float64(interval) / clientMargin)
	for i := 1; i < len(sends); i++ {
		if late := sends[i].Sub(sends[i-1]) - pace; late > 5*time.Millisecond {
			b.Logf("request %d at %.3fs, %v late: %s", i+1, sends[i].Sub(start).Seconds(), late.Round(100*time.Microsecond), paths[i])
		}
	}
}

func simCredentials(context.Context, bool) (keka.Credentials, error) {
	return keka.Credentials{ClientID: simClientID, ClientSecret: simClientSecret, APIKey: simAPIKey}, nil
}

// checkRowCounts fails b when a dataset's row count is not the tenant's:
// a fast export of the wrong data measures nothing.
func checkRowCounts(b *testing.B, res snapshot.Result, truth kekasim.Truth) {
	b.Helper()
	want := map[string]int64{ // rateBenchDatasets
		"jobs":                   int64(len(truth.Jobs)),
		"job_candidates":         int64(len(truth.Applications)),
		"preboarding_candidates": int64(len(truth.Preboarding)),
	}
	if len(res.Datasets) != len(want) {
		b.Fatalf("the run exported %d datasets, want %d", len(res.Datasets), len(want))
	}
	for _, d := range res.Datasets {
		if d.Rows != want[d.Name] {
			b.Fatalf("%s: %d rows, the tenant has %d", d.Name, d.Rows, want[d.Name])
		}
	}
}

// sendLog records when each API request (not the token's) is handed to
// the transport, and when the last answer came back.
type sendLog struct {
	base http.RoundTripper

	mu       sync.Mutex
	sends    []time.Time
	paths    []string
	answered time.Time // the latest answer's headers
}

func (l *sendLog) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		return l.base.RoundTrip(r)
	}
	l.mu.Lock()
	l.sends = append(l.sends, time.Now())
	l.paths = append(l.paths, r.URL.Path+"?"+r.URL.RawQuery)
	l.mu.Unlock()
	resp, err := l.base.RoundTrip(r)
	now := time.Now()
	l.mu.Lock()
	if now.After(l.answered) {
		l.answered = now
	}
	l.mu.Unlock()
	return resp, err
}

// times returns when each API request went and what it asked for, in
// order, and when the last answer came.
func (l *sendLog) times() (sends []time.Time, paths []string, answered time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sends, l.paths, l.answered
}
