// Command benchexport is the child process of BenchmarkExport
// (internal/bench): it exports a generated tenant through the product's
// code path and prints what it measured as JSON. It is built like the
// Lambda binary (CGO_ENABLED=0), so that its peak RSS is the export's.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/bench"
	"github.com/kekaexport/keka-hire-export/internal/config"
)

func main() {
	poolPath := flag.String("pool", "", "the pool of records (see bench.ReadPool)")
	apps := flag.Int("applications", 0, "applications to export")
	dir := flag.String("dir", "", "output directory")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the export here")
	memProfile := flag.String("memprofile", "", "write a heap profile, taken when the heap was largest, here")
	flag.Parse()
	// As the function sets it under Lambda (see internal/app): the parent
	// runs this child as a function of LambdaMemoryMB.
	if limit, ok := config.MemoryLimit(os.Getenv); ok {
		debug.SetMemoryLimit(limit)
	}
	pool, err := bench.ReadPool(*poolPath)
	if err != nil {
		bench.Exit(bench.Report{}, err)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			bench.Exit(bench.Report{}, err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			bench.Exit(bench.Report{}, err)
		}
	}
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- watchHeap(*memProfile, stop) }()
	t := bench.Tenant{Pool: pool, Applications: *apps}
	var ops bench.Ops
	r, err := bench.Measure(func() (int64, int64, error) {
		_, requests, err := bench.Export(context.Background(), t, *dir, &ops)
		return int64(*apps), requests, err
	})
	r.StoreOps = ops.Counts()
	pprof.StopCPUProfile()
	close(stop)
	if perr := <-done; err == nil && perr != nil {
		err = fmt.Errorf("heap profile: %w", perr)
	}
	bench.Exit(r, err)
}

// watchHeap writes a heap profile to path each time the heap in use is
// larger than ever before (checked every 100 ms) until stop is closed.
func watchHeap(path string, stop <-chan struct{}) error {
	if path == "" {
		return nil
	}
	var most uint64
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return nil
		case <-tick.C:
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if m.HeapInuse <= most {
			continue
		}
		most = m.HeapInuse
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		err = pprof.Lookup("heap").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
}
