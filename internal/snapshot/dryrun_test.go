package snapshot_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// TestRunner_DryRunPlan checks that a dry run predicts the requests of the
// full run that follows within 2%, and the records exactly, for tenants
// whose jobs list and many per-job candidate lists span several pages, in
// the envelope (totals stated) and the spec's shapes (bare arrays: read on
// to the last page).
func TestRunner_DryRunPlan(t *testing.T) {
	for _, tc := range []struct {
		name  string
		shape kekasim.Shape
		size  kekasim.Size
	}{
		{"envelope", kekasim.ShapeEnvelope, kekasim.Size{Jobs: 230, Applications: 52000, Preboarding: 450}},
		{"bare arrays", kekasim.ShapeSpec, kekasim.Size{Jobs: 205, Applications: 30000, Preboarding: 420}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{size: tc.size, sim: kekasim.Options{Shape: tc.shape}})
			day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
			dry, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, DryRun: true})
			if err != nil || dry.Plan == nil {
				t.Fatalf("dry run: %+v, %v", dry, err)
			}
			if files := partitionFiles(t, h.dir); len(files) != 0 {
				t.Fatalf("the dry run wrote %v", files)
			}
			full, err := h.runner.Run(context.Background(), snapshot.Request{Date: day})
			if err != nil || full.Status != snapshot.StatusComplete {
				t.Fatalf("full run: %+v, %v", full, err)
			}
			p := dry.Plan
			off := math.Abs(float64(p.Requests-full.Requests)) / float64(full.Requests)
			t.Logf("plan %d requests (the dry run made %d), the run made %d: off by %.2f%%; %d jobs pages, %d candidate pages",
				p.Requests, dry.Requests, full.Requests, 100*off, full.Datasets[0].Pages, full.Datasets[1].Pages)
			if off > 0.02 {
				t.Errorf("plan of %d requests is %.1f%% off the run's %d", p.Requests, 100*off, full.Requests)
			}
			if !p.Exact || p.Invocations != 1 || p.Seconds <= 0 {
				t.Errorf("plan exact %v, %d invocations, %v s; want exact, 1, > 0", p.Exact, p.Invocations, p.Seconds)
			}
			if full.Datasets[0].Pages < 2 || full.Datasets[1].Pages < int64(2*tc.size.Jobs)+20 {
				t.Errorf("pages %d and %d: the lists are not multi-page enough to test the plan", full.Datasets[0].Pages, full.Datasets[1].Pages)
			}
			var sum, records int64
			for i, d := range p.Datasets {
				sum += d.Requests
				records += d.Records
				if d.Name != full.Datasets[i].Name || d.Records != full.Datasets[i].Rows {
					t.Errorf("plan %s: %d records; the run wrote %d rows of %s", d.Name, d.Records, full.Datasets[i].Rows, full.Datasets[i].Name)
				}
			}
			if sum != p.Requests || records != p.Records {
				t.Errorf("plan totals %d requests, %d records; its datasets add up to %d, %d", p.Requests, p.Records, sum, records)
			}
			if tc.shape == kekasim.ShapeEnvelope && dry.Requests >= full.Requests-int64(tc.size.Jobs)/4 {
				t.Errorf("the dry run made %d requests for a run of %d: stated totals should spare the later pages", dry.Requests, full.Requests)
			}
		})
	}

}

// TestRunner_DryRunPlan_OutOfTime ends a dry run long before it has read
// every job's first pages: the plan extrapolates the jobs not read from
// those read, and says it is not exact.
func TestRunner_DryRunPlan_OutOfTime(t *testing.T) {
	h := newHarness(t, harnessOptions{
		size:   kekasim.Size{Jobs: 80, Applications: 9000, Preboarding: 50},
		sim:    kekasim.Options{Shape: kekasim.ShapeEnvelope, Latency: 30 * time.Millisecond},
		config: func(c *snapshot.Config) { c.Concurrency = 1 },
	})
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	// The lists of jobs, job candidates and preboarding: the others would
	// take the second before the job candidates are reached.
	sel := []string{"jobs", "job_candidates", "preboarding_candidates"}
	dry, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, DryRun: true, Datasets: sel, StopAt: time.Now().Add(time.Second)})
	if err != nil || dry.Plan == nil {
		t.Fatalf("dry run: %+v, %v", dry, err)
	}
	full, err := h.runner.Run(context.Background(), snapshot.Request{Date: day, Datasets: sel})
	if err != nil {
		t.Fatal(err)
	}
	p := dry.Plan
	off := math.Abs(float64(p.Requests-full.Requests)) / float64(full.Requests)
	t.Logf("plan %d requests from %d read; the run made %d (%.1f%% off)", p.Requests, dry.Requests, full.Requests, 100*off)
	if p.Exact || dry.Requests >= full.Requests/2 {
		t.Fatalf("the dry run read %d of %d requests and says exact %v: it was not cut short", dry.Requests, full.Requests, p.Exact)
	}
	if p.Requests < int64(2*80) || off > 0.3 {
		t.Errorf("extrapolated plan of %d requests; the run made %d", p.Requests, full.Requests)
	}
}
