package snapshot_test

import (
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// BenchmarkRunner_Run exports a 20,000-application tenant from the
// simulator, without rate limits, into a local directory: the CPU and memory
// cost of the pipeline itself (client, mapping, Parquet, store).
func BenchmarkRunner_Run(b *testing.B) {
	h := newHarness(b, harnessOptions{size: kekasim.Size{Jobs: 100, Applications: 20000, Preboarding: 500}})
	records := int64(0)
	b.ResetTimer()
	for b.Loop() {
		res, err := h.runner.Run(b.Context(), snapshot.Request{Date: day, Force: true})
		if err != nil {
			b.Fatal(err)
		}
		records = 0
		for _, d := range res.Datasets {
			records += d.Rows
		}
	}
	b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
