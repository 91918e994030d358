// Package snapshot runs one export of Keka Hire data for a snapshot date:
// it pages through every list of the selected datasets, de-duplicates the
// records by their dataset key, writes them as staged Parquet segments,
// checkpoints so that the run can continue in a later invocation, and
// finally publishes one Parquet object and a manifest per dataset partition.
package snapshot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/store"
)

// Config holds a Runner's collaborators and policies. Client and Store are
// required; the rest have defaults.
type Config struct {
	Client *keka.Client
	Store  store.Store
	Logger *slog.Logger
	Now    func() time.Time
	// NewRunID returns a fresh run id; the default is the start time and
	// four random bytes.
	NewRunID func(now time.Time) string

	PII dataset.PII
	// Zone is the zone of Keka's zone-less timestamps (dataset.Meta.Zone); nil is UTC.
	Zone *time.Location
	// MaxShrink is the largest share by which a dataset's row count may
	// fall against the previous snapshot before the run refuses to publish.
	MaxShrink float64
	// MaxRereads bounds how often one Keka list is read again when its
	// records and its reported total disagree. Default 3.
	MaxRereads int
	// CheckpointEvery is how much work may be lost to a crash: segments are
	// closed and the checkpoint saved at least this often. Default 5 minutes.
	CheckpointEvery time.Duration
	// Concurrency is how many requests are in flight at once, all through
	// the client's one rate limiter: enough to hide Keka's latency behind
	// the rate interval. Default DefaultConcurrency.
	Concurrency int
	// LeaseTTL is how long a run's lease lasts unless its holder renews it
	// (every LeaseTTL/4 while it lives): another invocation of the date
	// waits this long before it takes over from a holder that died.
	// Default 60 seconds.
	LeaseTTL time.Duration
	// Progress, when set, is called after every page.
	Progress func(Progress)
}

// Progress is reported after every page.
type Progress struct {
	Dataset  string
	Rows     int64 // rows written for this dataset so far in the run
	Pages    int64 // pages written for this dataset so far in the run
	Task     int   // tasks done
	Tasks    int   // tasks known so far (grows once the jobs are listed)
	Requests int64 // HTTP requests by the client so far (this process)
}

// Runner runs snapshots. It is safe to reuse across invocations, not to run
// two snapshots at once.
type Runner struct {
	cfg Config
	log *slog.Logger
}

// New returns a Runner, or an error naming the missing collaborator.
func New(cfg Config) (*Runner, error) {
	if cfg.Client == nil {
		return nil, errors.New("snapshot: no Keka client")
	}
	if cfg.Store == nil {
		return nil, errors.New("snapshot: no store")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewRunID == nil {
		cfg.NewRunID = newRunID
	}
	if cfg.MaxRereads == 0 {
		cfg.MaxRereads = 3
	}
	if cfg.CheckpointEvery == 0 {
		cfg.CheckpointEvery = 5 * time.Minute
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Concurrency < 0 {
		return nil, fmt.Errorf("snapshot: concurrency %d is below 1", cfg.Concurrency)
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.MaxShrink < 0 || cfg.MaxShrink > 1 {
		return nil, fmt.Errorf("snapshot: max shrink %v is not within [0, 1]", cfg.MaxShrink)
	}
	return &Runner{cfg: cfg, log: cfg.Logger}, nil
}

// Request is one invocation's instruction.
type Request struct {
	Date     time.Time // the snapshot date (its UTC calendar day)
	Datasets []string  // nil or empty: the default ones (dataset.Default)
	DryRun   bool
	Force    bool   // publish even when a dataset shrank more than MaxShrink
	Restart  bool   // discard an unfinished run of the same date
	RunID    string // when set, must name the unfinished (or just completed) run
	// FetchScope bounds the applications whose interviews and scorecards
	// a new run reads (ParseScope: all, active, Nd); "" is all. A run
	// keeps the scope it started with.
	FetchScope string
	// StopAt is when this invocation must stop fetching, checkpoint and
	// return "in_progress". Zero means no limit.
	StopAt time.Time
	// Logger, when set, replaces the Runner's logger for this invocation
	// (to carry a request id).
	Logger *slog.Logger
}

// Result is what an invocation returns, as JSON.
type Result struct {
	Status       string          `json:"status"`
	RunID        string          `json:"runId,omitempty"`
	SnapshotDate string          `json:"snapshotDate"`
	Invocations  int             `json:"invocations"`
	DryRun       bool            `json:"dryRun"`
	Requests     int64           `json:"requests"`
	Retries      int64           `json:"retries"`
	Throttled    int64           `json:"throttled"`
	ElapsedMs    int64           `json:"elapsedMs"`
	Progress     *ResultProgress `json:"progress,omitempty"`
	Plan         *Plan           `json:"plan,omitempty"` // dry runs
	Datasets     []DatasetResult `json:"datasets"`
	Resumable    bool            `json:"resumable,omitempty"`
	Error        string          `json:"error,omitempty"`
}

// ResultProgress says how far an unfinished run is.
type ResultProgress struct {
	TasksDone  int  `json:"tasksDone"`
	TasksKnown int  `json:"tasksKnown"`
	Fetched    bool `json:"fetched"`
}

// DatasetResult holds one dataset's figures.
type DatasetResult struct {
	Name           string         `json:"name"`
	Rows           int64          `json:"rows"`
	Files          int            `json:"files"`
	Bytes          int64          `json:"bytes"`
	SourceTotal    *int64         `json:"sourceTotal"`
	Pages          int64          `json:"pages"`
	Duplicates     int64          `json:"duplicatesSkipped"`
	Rereads        int64          `json:"rereads"`
	Done           bool           `json:"done"`
	Unreconciled   []Unreconciled `json:"unreconciled"`
	EstimatedPages int64          `json:"estimatedPages,omitempty"` // dry runs
}

// Run carries out one invocation of the snapshot of req.Date. It returns a
// Result in every case; err is non-nil (a *RunError) exactly when the
// Result's status is "failed".
func (r *Runner) Run(ctx context.Context, req Request) (Result, error) {
	if req.Logger != nil {
		rr := *r
		rr.log = req.Logger
		r = &rr
	}
	sel, err := selectDatasets(req.Datasets)
	if err != nil {
		return r.failedResult(req, err, false)
	}
	date := req.Date.UTC().Format(time.DateOnly)
	if req.DryRun {
		scope, err := ParseScope(req.FetchScope)
		if err != nil {
			return r.failedResult(req, err, false)
		}
		return r.dryRun(ctx, date, sel, req.StopAt, scope)
	}
	ru, err := r.begin(ctx, req, date, sel)
	if err != nil {
		return r.failedResult(req, err, !isPermanent(err))
	}
	return ru.execute(ctx, req)
}

func (r *Runner) failedResult(req Request, err error, resumable bool) (Result, error) {
	res := Result{
		Status:       StatusFailed,
		SnapshotDate: req.Date.UTC().Format(time.DateOnly),
		RunID:        req.RunID,
		Datasets:     []DatasetResult{},
		Error:        err.Error(),
		DryRun:       req.DryRun,
		Resumable:    resumable,
	}
	return res, &RunError{Err: err, Resumable: resumable}
}

func selectDatasets(names []string) ([]dataset.Dataset, error) {
	if len(names) == 0 {
		return dataset.Default(), nil
	}
	var out []dataset.Dataset
	for _, d := range dataset.All() { // registry order, whatever the request's
		if slices.Contains(names, d.Name) {
			out = append(out, d)
		}
	}
	for _, n := range names {
		if _, ok := dataset.Lookup(n); !ok {
			return nil, fmt.Errorf("snapshot: unknown dataset %q (known: %v): %w", n, dataset.Names(), ErrInvalidRequest)
		}
	}
	for _, d := range out {
		if d.ChangesOf != "" && !slices.Contains(names, d.ChangesOf) {
			return nil, fmt.Errorf("snapshot: dataset %s is computed from this run's %s: select %s too: %w", d.Name, d.ChangesOf, d.ChangesOf, ErrInvalidRequest)
		}
	}
	return out, nil
}

// needsBase reports whether a run of sel compares with the previous
// snapshot.
func needsBase(sel []dataset.Dataset) bool {
	return slices.ContainsFunc(sel, func(d dataset.Dataset) bool { return d.ChangesOf != "" || d.CarryOver })
}

func names(ds []dataset.Dataset) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name
	}
	return out
}

func newRunID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// DefaultConcurrency is the default of Config.Concurrency: n workers keep
// the limiter busy while a response takes up to about n-1 rate intervals,
// so six cover five (6 s at Keka's 50 requests a minute; make bench
// measures 4 intervals within 5% of the limit).
const DefaultConcurrency = 6

// DefaultLeaseTTL is the default of Config.LeaseTTL.
const DefaultLeaseTTL = 60 * time.Second

// Keys in the store.
func datePrefix(date string) string    { return "_runs/dt=" + date + "/" }
func checkpointKey(date string) string { return datePrefix(date) + "checkpoint.json" }
func stagingPrefix(date, runID string) string {
	return "_runs/dt=" + date + "/" + runID + "/"
}
func partitionPrefix(ds, date string) string { return ds + "/dt=" + date + "/" }

// DataObject is the name of the one Parquet object in each partition.
const DataObject = "part-00000.parquet"

// ManifestsPrefix holds the manifests, outside every table folder, so that a
// reader pointed at a table folder finds nothing but Parquet.
const ManifestsPrefix = "_manifests/"

// ManifestKey returns the key of the manifest of dataset ds for a date
// (YYYY-MM-DD): _manifests/{ds}/dt={date}.json, written after the
// partition's data object.
func ManifestKey(ds, date string) string { return ManifestsPrefix + ds + "/dt=" + date + ".json" }
