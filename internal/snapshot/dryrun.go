package snapshot

import (
	"context"
	"fmt"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// dryRun checks that the credentials work and the lists answer, by reading
// the first page of each list of the datasets listed once, and reports the
// totals Keka gives and the pages a full run would need at least. It
// writes nothing.
func (r *Runner) dryRun(ctx context.Context, date string, sel []dataset.Dataset) (Result, error) {
	start := r.cfg.Now()
	base := r.cfg.Client.Stats()
	res := Result{Status: StatusComplete, SnapshotDate: date, DryRun: true, Datasets: []DatasetResult{}}
	fail := func(err error) (Result, error) {
		res.Status, res.Error = StatusFailed, err.Error()
		return res, &RunError{Err: err}
	}
	p, err := newPlan(sel)
	if err != nil {
		return fail(err)
	}
	totals := map[string]int{}
	for _, d := range p.datasets() {
		if d.Parent != "" {
			continue
		}
		for _, l := range d.Lists("") {
			page, err := r.cfg.Client.Page(ctx, l, 1)
			if err != nil {
				return fail(fmt.Errorf("snapshot: dry run: %s: %w", d.Name, err))
			}
			totals[d.Name] += max(page.TotalRecords, len(page.Records))
		}
	}
	for _, d := range sel {
		dr := DatasetResult{Name: d.Name, Unreconciled: []Unreconciled{}}
		if d.Parent != "" {
			// At least one page per parent key and list; more for long
			// lists. Unknown (0) below the first level.
			dr.EstimatedPages = int64(totals[d.Parent] * len(d.Lists("")))
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
	r.log.Info("dry run", "snapshot_date", date, "totals", totals)
	return res, nil
}
