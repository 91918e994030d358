package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
	"github.com/kekaexport/keka-hire-export/internal/store"
	"github.com/kekaexport/keka-hire-export/internal/store/local"
)

// Datasets are the datasets a benchmark export writes.
var Datasets = []string{"jobs", "job_candidates"}

// LambdaMemoryMB is the function memory BenchmarkExport runs the exporter
// as (AWS_LAMBDA_FUNCTION_MEMORY_SIZE), so that it sets Go's memory limit
// as the function does (config.MemoryLimit): the peak RSS it measures is
// the one of a function of this size.
const LambdaMemoryMB = 128

// Day is the snapshot date of every benchmark export.
var Day = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// Export runs one snapshot of t into dir through the product's client and
// runner (default concurrency), with the client's rate limit out of the
// way, and checks that every job and application was written. requests
// is every HTTP request the client made, the token's included; ops, when
// not nil, counts the run's calls to its store.
func Export(ctx context.Context, t Tenant, dir string, ops *Ops) (res snapshot.Result, requests int64, err error) {
	tr := &Transport{Tenant: t}
	defer func() { requests = tr.Seen.Load() }()
	client, err := keka.New(ctx, keka.Options{
		BaseURL:  BaseURL,
		TokenURL: TokenURL,
		Credentials: func(context.Context, bool) (keka.Credentials, error) {
			return keka.Credentials{ClientID: "bench", ClientSecret: "bench", APIKey: "bench"}, nil
		},
		RequestsPerMinute: 1e9,
		HTTPClient:        &http.Client{Transport: tr},
	})
	if err != nil {
		return snapshot.Result{}, 0, fmt.Errorf("bench: client: %w", err)
	}
	st, err := local.New(dir)
	if err != nil {
		return snapshot.Result{}, 0, fmt.Errorf("bench: store: %w", err)
	}
	var s store.Store = st
	if ops != nil {
		s = countingStore{Store: st, ops: ops}
	}
	runner, err := snapshot.New(snapshot.Config{Client: client, Store: s})
	if err != nil {
		return snapshot.Result{}, 0, fmt.Errorf("bench: runner: %w", err)
	}
	res, err = runner.Run(ctx, snapshot.Request{Date: Day, Datasets: Datasets})
	if err != nil {
		return res, 0, fmt.Errorf("bench: run: %w", err)
	}
	if res.Status != snapshot.StatusComplete {
		return res, 0, fmt.Errorf("bench: run ended %s", res.Status)
	}
	want := map[string]int64{"jobs": int64(t.Jobs()), "job_candidates": int64(t.Applications)}
	for _, d := range res.Datasets {
		if d.Rows != want[d.Name] {
			return res, 0, fmt.Errorf("bench: %s has %d rows, the tenant %d", d.Name, d.Rows, want[d.Name])
		}
	}
	return res, 0, nil
}

// MinRequests is the fewest requests an export of t can make: one token
// and max(1, ⌈n/200⌉) pages per list.
func MinRequests(t Tenant) int64 {
	pages := func(n int) int64 { return int64(max(1, (n+keka.PageSize-1)/keka.PageSize)) }
	total := 1 + pages(t.Jobs())
	for j := range t.Jobs() {
		for _, archived := range []bool{false, true} {
			_, n := t.list(j, archived)
			total += pages(n)
		}
	}
	return total
}
