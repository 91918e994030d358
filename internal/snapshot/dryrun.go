package snapshot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// dryRun predicts the full run of sel without writing anything: it reads
// every list of a dataset that other datasets are listed per (their keys
// number the tasks), and of every other list as much as tells how many
// pages it has (the first page, when it states its total pages or is the
// last; else on to the last). The plan's requests are the pages the run
// will ask for, its seconds those requests at the client's rate, its
// invocations those seconds over the invocation's length (StopAt). When
// StopAt arrives first, the tasks not read are predicted from the mean of
// those read, and the plan says it is not exact.
func (r *Runner) dryRun(ctx context.Context, date string, sel []dataset.Dataset, stopAt time.Time, scope Scope) (Result, error) {
	start, began := r.cfg.Now(), time.Now() // began: the clock of StopAt
	base := r.cfg.Client.Stats()
	res := Result{Status: StatusComplete, SnapshotDate: date, DryRun: true, Datasets: []DatasetResult{}}
	p, err := newPlan(sel)
	if err != nil {
		return r.failedDry(res, err)
	}
	work := ctx
	if !stopAt.IsZero() {
		var cancel context.CancelFunc
		work, cancel = context.WithDeadline(ctx, stopAt)
		defer cancel()
	}
	pr := &predictor{r: r, ctx: work, plan: p, sel: sel, keys: map[string][]string{}, got: map[string]*prediction{}, exact: true, date: date}
	if err := pr.loadBase(ctx, scope); err != nil {
		return r.failedDry(res, err)
	}
	for _, d := range p.datasets() {
		if err := pr.dataset(d); err != nil {
			return r.failedDry(res, err)
		}
	}
	var length time.Duration // of this invocation: the run's are alike
	if !stopAt.IsZero() {
		length = stopAt.Sub(began)
	}
	plan := pr.result(length)
	res.Plan = &plan
	for _, d := range plan.Datasets {
		n := d.Records
		res.Datasets = append(res.Datasets, DatasetResult{Name: d.Name, SourceTotal: &n, EstimatedPages: d.Requests, Unreconciled: []Unreconciled{}})
	}
	st := r.cfg.Client.Stats()
	res.Requests = st.Requests - base.Requests
	res.Retries = st.Retries - base.Retries
	res.Throttled = st.Throttled - base.Throttled
	res.ElapsedMs = r.cfg.Now().Sub(start).Milliseconds()
	r.log.Info("dry run", "snapshot_date", date, "requests", plan.Requests, "records", plan.Records, "exact", plan.Exact)
	return res, nil
}

func (r *Runner) failedDry(res Result, err error) (Result, error) {
	res.Status, res.Error = StatusFailed, err.Error()
	return res, &RunError{Err: err}
}

// prediction is what a dry run found of one dataset.
type prediction struct {
	requests, records int64
	apps, carried     int64 // CarryOver: applications read from Keka, and not
	tasks, read       int   // tasks of the dataset, and how many were read
}

// predictor reads what a dry run needs, dataset by dataset.
type predictor struct {
	r     *Runner
	ctx   context.Context // ends at StopAt
	plan  plan
	sel   []dataset.Dataset   // in registry order, as the run reports them
	keys  map[string][]string // keys of the parents, in order
	got   map[string]*prediction
	exact bool

	// What the run would compare with, for the CarryOver datasets.
	date  string
	scope Scope
	base  *baseRef
	ix    *baseIndex
	mu    sync.Mutex // guards marks
	marks appMarks
}

// dataset predicts d's requests and records, reading its tasks with the
// runner's concurrency. A parent's lists are read whole, for its keys.
func (pr *predictor) dataset(d dataset.Dataset) error {
	parents := []string{""}
	if d.Parent != "" {
		parents = pr.keys[d.Parent]
	}
	pd := &prediction{tasks: len(parents)}
	pr.got[d.Name] = pd
	if d.CarryOver {
		pr.carryOver(d, pd, parents)
		return nil
	}
	if up := pr.got[d.Parent]; d.Parent != "" && up.read < up.tasks {
		pd.tasks = max(pd.tasks, int(up.records))
		pr.exact = false
		return nil // its parent was not read whole: extrapolated in result
	}
	full := pr.plan.parents[d.Name]
	var mu sync.Mutex
	var keys []string
	seen := map[string]bool{}
	err := pr.each(parents, func(parent string) error {
		got, ks, err := pr.task(d, parent, full)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		pd.requests += got.requests
		pd.records += got.records
		pd.read++
		for _, k := range ks {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		return nil
	})
	pr.keys[d.Name] = keys
	switch {
	case err != nil && !pr.timeUp(err):
		return fmt.Errorf("snapshot: dry run: %s: %w", d.Name, err)
	case err != nil:
		pr.exact = false
	}
	return nil
}

// each calls fn for every parent key with the runner's concurrency, until
// the first error, which it returns.
func (pr *predictor) each(parents []string, fn func(string) error) error {
	var mu sync.Mutex
	var first error
	failed := func() bool { mu.Lock(); defer mu.Unlock(); return first != nil }
	next := make(chan string)
	var wg sync.WaitGroup
	for range min(pr.r.cfg.Concurrency, max(1, len(parents))) {
		wg.Go(func() {
			for parent := range next {
				if err := fn(parent); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, parent := range parents {
		if failed() {
			break
		}
		next <- parent
	}
	close(next)
	wg.Wait()
	return first
}

// timeUp reports whether err is the dry run's StopAt.
func (pr *predictor) timeUp(err error) bool {
	return pr.ctx.Err() != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, keka.ErrNoTimeLeft))
}

// task predicts one task: the lists of d for one parent key. A job
// deleted since its parent was read (404) ends the task, as in the run.
func (pr *predictor) task(d dataset.Dataset, parent string, full bool) (prediction, []string, error) {
	var out prediction
	var keys []string
	for _, l := range d.Lists(parent) {
		got, ks, err := pr.list(d, parent, l, full)
		if errors.Is(err, keka.ErrNotFound) && parent != "" {
			out.requests += got.requests + 1
			return out, keys, nil
		}
		if err != nil {
			return prediction{}, nil, err
		}
		out.requests += got.requests
		out.records += got.records
		keys = append(keys, ks...)
	}
	return out, keys, nil
}

// list predicts one list: the pages the run asks for, and the records
// Keka states (or that were counted). full reads every page, for the keys.
func (pr *predictor) list(d dataset.Dataset, parent string, l keka.List, full bool) (prediction, []string, error) {
	var out prediction
	var keys []string
	total, counted := -1, 0
	for n := 1; ; n++ {
		page, err := pr.r.cfg.Client.Page(pr.ctx, l, n)
		if err != nil {
			return out, nil, err
		}
		out.requests++
		counted += len(page.Records)
		if n == 1 {
			total = page.TotalRecords
		}
		if full {
			ks, err := pr.keysOf(d, parent, l, page)
			if err != nil {
				return out, nil, err
			}
			keys = append(keys, ks...)
		}
		if page.Last {
			break
		}
		if !full && n == 1 && page.TotalPages > 1 {
			out.requests += int64(page.TotalPages - 1) // the run reads up to the stated last page
			break
		}
	}
	out.records = int64(counted)
	if total >= 0 {
		out.records = int64(total)
	}
	return out, keys, nil
}

// keysOf returns the keys of a parent's page, as the run takes them.
func (pr *predictor) keysOf(d dataset.Dataset, parent string, l keka.List, page keka.Page) ([]string, error) {
	meta := dataset.Meta{Parent: parent, List: l, PII: pr.r.cfg.PII, Zone: pr.r.cfg.Zone}
	keys := make([]string, 0, len(page.Records))
	for i, raw := range page.Records {
		row, err := d.Map(raw, meta)
		if err != nil {
			return nil, fmt.Errorf("GET %s page %d, record %d: %w", l.Path, page.PageNumber, i+1, err)
		}
		keys = append(keys, row.Key())
		if d.Name == sourceOfChanges && pr.marksNeeded() {
			pr.mu.Lock()
			err := markApp(row, pr.scope, pr.date, pr.base != nil, pr.ix, &pr.marks)
			pr.mu.Unlock()
			if err != nil {
				return nil, err
			}
		}
	}
	return keys, nil
}

// result is the plan of the selected datasets; perInvocation is the
// length of one invocation (0: one invocation without limit). Datasets
// read for their keys only count in the requests.
func (pr *predictor) result(perInvocation time.Duration) Plan {
	plan := Plan{Exact: pr.exact, Datasets: []PlanDataset{}}
	for _, d := range pr.plan.datasets() {
		req, _ := pr.estimate(d)
		plan.Requests += req
	}
	for _, d := range pr.sel {
		req, rec := pr.estimate(d)
		plan.Records += rec
		pd := PlanDataset{Name: d.Name, Requests: req, Records: rec}
		if p := pr.got[d.Name]; p != nil && d.CarryOver {
			pd.Applications, pd.Carried = &p.apps, &p.carried
		}
		plan.Datasets = append(plan.Datasets, pd)
	}
	plan.Seconds = math.Round(float64(plan.Requests)*pr.r.cfg.Client.RequestInterval().Seconds()*1000) / 1000
	plan.Invocations = 1
	if perInvocation > 0 {
		plan.Invocations = max(1, int(math.Ceil(plan.Seconds/perInvocation.Seconds())))
	}
	return plan
}

// estimate returns d's requests and records: as read, plus, for the tasks
// not read, the mean of those read (one page a list when none was).
func (pr *predictor) estimate(d dataset.Dataset) (requests, records int64) {
	pd := pr.got[d.Name]
	if pd == nil {
		return 0, 0 // computed by the run (ChangesOf): no request
	}
	req, rec := float64(pd.requests), float64(pd.records)
	if pd.read < pd.tasks {
		perReq, perRec := float64(len(d.Lists(""))), 0.0
		if pd.read > 0 {
			perReq, perRec = req/float64(pd.read), rec/float64(pd.read)
		}
		left := float64(pd.tasks - pd.read)
		req, rec = req+left*perReq, rec+left*perRec
	}
	return int64(math.Round(req)), int64(math.Round(rec))
}

func (pr *predictor) marksNeeded() bool {
	for _, d := range pr.plan.datasets() {
		if d.CarryOver {
			return true
		}
	}
	return false
}

// loadBase finds the snapshot the run would compare with, as the run
// would pin it, and its application states.
func (pr *predictor) loadBase(ctx context.Context, scope Scope) error {
	pr.scope = scope
	if !needsBase(pr.sel) {
		return nil
	}
	b, err := pinBase(ctx, pr.r.cfg.Store, pr.date, pr.sel, pr.r.settings(pr.sel).PII)
	if err != nil || b == nil || !pr.marksNeeded() {
		pr.base = b
		return err
	}
	pr.base = b
	pr.ix, err = loadBaseIndex(ctx, pr.r.cfg.Store, b)
	return err
}

// carryOver predicts a CarryOver dataset without asking Keka: one request
// per list for every application the run would read (new or changed, in
// scope). That is exact unless an application has more than a page (200)
// of interviews or scorecards; its records are not counted.
func (pr *predictor) carryOver(d dataset.Dataset, pd *prediction, apps []string) {
	carries := pr.base != nil && pr.base.Runs[d.Name] != ""
	read := 0
	for _, k := range apps {
		if pr.marks.fetch(carries, k) {
			read++
		}
	}
	pd.tasks, pd.read = len(apps), len(apps)
	pd.requests = int64(read * len(d.Lists("")))
	pd.apps, pd.carried = int64(read), int64(len(apps)-read)
	if up := pr.got[d.Parent]; up != nil && up.read < up.tasks {
		pr.exact = false
	}
}
