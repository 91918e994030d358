package snapshot

import (
	"context"
	"fmt"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// dryRun checks that the credentials work and the lists answer, by reading
// the first page of each list that does not depend on the job ids, and
// reports the totals Keka gives and the pages a full run would need. It
// writes nothing.
func (r *Runner) dryRun(ctx context.Context, date string, sel []dataset.Dataset) (Result, error) {
	start := r.cfg.Now()
	base := r.cfg.Client.Stats()
	res := Result{Status: StatusComplete, SnapshotDate: date, DryRun: true, Datasets: []DatasetResult{}}
	totals := map[string]int{}
	for _, t := range topTasks(sel) {
		for _, l := range t.lists {
			p, err := r.cfg.Client.Page(ctx, l, 1)
			if err != nil {
				err = fmt.Errorf("snapshot: dry run: %s: %w", t.ds.Name, err)
				res.Status, res.Error = StatusFailed, err.Error()
				return res, &RunError{Err: err}
			}
			totals[t.ds.Name] += max(p.TotalRecords, len(p.Records))
		}
	}
	jobs := totals["jobs"]
	for _, d := range sel {
		dr := DatasetResult{Name: d.Name, Unreconciled: []Unreconciled{}}
		if d.PerJob {
			// At least one page per job and list; more for long lists.
			dr.EstimatedPages = int64(jobs * len(d.Lists("")))
		} else {
			n := int64(totals[d.Name])
			dr.SourceTotal = &n
			dr.EstimatedPages = max(1, (n+keka.PageSize-1)/keka.PageSize)
		}
		res.Datasets = append(res.Datasets, dr)
	}
	st := r.cfg.Client.Stats()
	res.Requests = st.Requests - base.Requests
	res.Retries = st.Retries - base.Retries
	res.Throttled = st.Throttled - base.Throttled
	res.ElapsedMs = r.cfg.Now().Sub(start).Milliseconds()
	r.log.Info("dry run", "snapshot_date", date, "jobs", jobs)
	return res, nil
}
