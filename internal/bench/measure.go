package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"time"
)

// Report is what a benchmark child process measures of its own work; the
// parent adds the rusage of the whole process (CPU time, peak RSS).
type Report struct {
	Records  int64   `json:"records"`
	Requests int64   `json:"requests"` // HTTP requests, the token's included
	Wall     float64 `json:"wallSeconds"`
	Alloc    uint64  `json:"allocBytes"` // allocated during the work
	Mallocs  uint64  `json:"mallocs"`
	// StoreOps counts the calls to the store by method (see Ops).
	StoreOps map[string]int64 `json:"storeOps,omitempty"`
}

// Measure runs work and reports its wall time and allocations.
func Measure(work func() (records, requests int64, err error)) (Report, error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	records, requests, err := work()
	wall := time.Since(start)
	runtime.ReadMemStats(&after)
	return Report{Records: records, Requests: requests, Wall: wall.Seconds(),
		Alloc: after.TotalAlloc - before.TotalAlloc, Mallocs: after.Mallocs - before.Mallocs}, err
}

// Exit writes r to stdout as JSON and exits 0, or writes err and exits 1.
func Exit(r Report, err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench child:", err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

// ReadPool reads a pool saved as {"Jobs": [...], "Applications": [...]}.
func ReadPool(path string) (*Pool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var pool struct{ Jobs, Applications []json.RawMessage }
	if err := json.Unmarshal(b, &pool); err != nil {
		return nil, fmt.Errorf("bench: pool %s: %w", path, err)
	}
	return NewPool(pool.Jobs, pool.Applications)
}
