package snapshot

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/store/local"
)

// BenchmarkBaseIndex_1M loads the application states of a job_candidates
// snapshot of a million applications and reports the heap the index keeps
// (index-MiB: the entries' backing array, capacity included).
func BenchmarkBaseIndex_1M(b *testing.B) {
	const n = 1_000_000
	dir := b.TempDir()
	st, err := local.New(dir)
	if err != nil {
		b.Fatal(err)
	}
	date := "2026-11-25"
	key := partitionPrefix(sourceOfChanges, date) + DataObject
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(key)), 0o755); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, key))
	if err != nil {
		b.Fatal(err)
	}
	w := parquet.NewGenericWriter[dataset.ApplicationState](f)
	stages := []string{"Sourced", "Applied", "Screening", "Interview", "Offered", "Hired", "Rejected"}
	moved := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := make([]dataset.ApplicationState, 0, 1000)
	for i := range n {
		s, status, m := stages[i%len(stages)], int32(i%5), moved.Add(time.Duration(i)*time.Minute)
		batch = append(batch, dataset.ApplicationState{JobID: fmt.Sprintf("job-%05d", i/3000), CandidateID: fmt.Sprintf("cand-%08d", i),
			IsArchived: i%4 == 0, Stage: &s, ApplicationStatus: &status, MovedToStageOn: &m})
		if len(batch) == cap(batch) {
			if _, err := w.Write(batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(dir, key))
	m := fmt.Sprintf(`{"dataset":%q,"snapshotDate":%q,"runId":"r1","objects":[{"name":%q,"size":%d}]}`, sourceOfChanges, date, key, fi.Size())
	if err := st.Put(context.Background(), ManifestKey(sourceOfChanges, date), []byte(m)); err != nil {
		b.Fatal(err)
	}
	w, batch, f = nil, nil, nil
	ref := &baseRef{Date: date, Runs: map[string]string{sourceOfChanges: "r1"}}
	var size float64
	for b.Loop() {
		ix, err := loadBaseIndex(context.Background(), st, ref)
		if err != nil {
			b.Fatal(err)
		}
		if len(ix.entries) != n || ix.find("job-00001/cand-00003000") == nil {
			b.Fatalf("index of %d entries", len(ix.entries))
		}
		size = float64(cap(ix.entries)) * float64(unsafe.Sizeof(baseEntry{})) / (1 << 20)
	}
	b.ReportMetric(size, "index-MiB")
}
