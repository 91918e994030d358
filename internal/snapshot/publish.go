package snapshot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/store"
)

// Manifest describes one published partition. It is stored at ManifestKey,
// outside the table folders, and written after the partition's data object,
// so a reader that finds it finds the data too.
type Manifest struct {
	Dataset       string          `json:"dataset"`
	SnapshotDate  string          `json:"snapshotDate"`
	RunID         string          `json:"runId"`
	SchemaVersion int             `json:"schemaVersion"`
	Rows          int64           `json:"rows"`
	Objects       []ManifestEntry `json:"objects"`
	SourceTotal   *int64          `json:"sourceTotal"` // sum of the totals Keka reported; null when a list reported none
	Pages         int64           `json:"pages"`
	Duplicates    int64           `json:"duplicatesSkipped"`
	Rereads       int64           `json:"rereads"`
	Unreconciled  []Unreconciled  `json:"unreconciled"`
	PII           string          `json:"pii"`
	StartedAt     time.Time       `json:"startedAt"`
	PublishedAt   time.Time       `json:"publishedAt"`
	Invocations   int             `json:"invocations"`
	// PreviousSnapshot is the snapshot date a computed (job_candidate_changes)
	// or carried-over (interviews, scorecards) dataset was compared with;
	// CarriedOver how many of its rows came from there.
	PreviousSnapshot string `json:"previousSnapshot,omitempty"`
	CarriedOver      int64  `json:"carriedOver,omitempty"`
}

// ManifestEntry is one object of a partition.
type ManifestEntry struct {
	Name string `json:"name"` // the object's key under the export prefix: jobs/dt=2026-11-26/part-00000.parquet
	Size int64  `json:"size"`
}

// publish checks the guard rails, then replaces each dataset's partition
// with the run's data and manifest, and ends the run.
func (ru *run) publish(ctx context.Context, force bool) error {
	s := ru.s
	if !s.Publishing {
		// The guard rails are decided once, before anything is touched.
		if !force {
			for _, d := range ru.sel {
				if err := ru.guard(ctx, d); err != nil {
					return err
				}
			}
		}
		s.Publishing = true
		if err := ru.save(ctx); err != nil {
			return err
		}
	}
	for _, d := range ru.sel {
		if s.published(d.Name) {
			continue
		}
		if err := ru.publishDataset(ctx, d); err != nil {
			return err
		}
		s.Published = append(s.Published, d.Name)
		if err := ru.save(ctx); err != nil {
			return err
		}
		ru.report(task{ds: d})
	}
	if err := deletePrefix(ctx, ru.cfg.Store, stagingPrefix(ru.date, s.RunID)); err != nil {
		return err
	}
	s.Status = StatusComplete
	if err := ru.save(ctx); err != nil {
		return err
	}
	if ru.incomplete() {
		ru.log.Warn("run published, but incomplete: some Keka lists could not be read whole (see unreconciled in the manifests)", "run_id", s.RunID, "snapshot_date", ru.date)
	}
	ru.log.Info("run complete", "run_id", s.RunID, "snapshot_date", ru.date, "invocations", s.Invocations, "requests", s.Requests)
	return nil
}

// guard refuses to publish a dataset whose row count fell by more than
// MaxShrink against its latest earlier snapshot (or the date's previous run).
func (ru *run) guard(ctx context.Context, d dataset.Dataset) error {
	if d.ChangesOf != "" {
		return nil // how much changed is no measure of what was missed
	}
	prev, err := LatestManifest(ctx, ru.cfg.Store, d.Name, ru.date)
	if err != nil || prev == nil {
		return err
	}
	rows := ru.s.counts(d.Name).Rows
	if prev.Rows == 0 || float64(rows) >= float64(prev.Rows)*(1-ru.cfg.MaxShrink) {
		return nil
	}
	fall := 100 * float64(prev.Rows-rows) / float64(prev.Rows)
	return fmt.Errorf("snapshot: %s has %d rows, %.0f%% fewer than the %d of dt=%s (limit %.0f%%); not published. If the drop is real, invoke with {\"snapshotDate\": %q, \"runId\": %q, \"force\": true} to publish what run %s fetched: %w",
		d.Name, rows, fall, prev.Rows, prev.SnapshotDate, 100*ru.cfg.MaxShrink, ru.date, ru.s.RunID, ru.s.RunID, ErrRefused)
}

// LatestManifest returns the manifest of dataset name with the latest
// snapshot date on or before date (YYYY-MM-DD), or nil when there is none.
// It fails when the store cannot be listed or read, or the manifest is not
// valid JSON.
func LatestManifest(ctx context.Context, st store.Store, name, date string) (*Manifest, error) {
	dir := ManifestsPrefix + name + "/dt="
	objs, err := st.List(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot: list manifests of %s: %w", name, err)
	}
	var latest string
	for _, o := range objs {
		dt, ok := strings.CutSuffix(strings.TrimPrefix(o.Key, dir), ".json")
		if ok && o.Key == ManifestKey(name, dt) && dt <= date && dt > latest {
			latest = dt
		}
	}
	if latest == "" {
		return nil, nil
	}
	b, err := st.Get(ctx, ManifestKey(name, latest))
	if err != nil {
		return nil, fmt.Errorf("snapshot: read manifest of %s dt=%s: %w", name, latest, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("snapshot: manifest of %s dt=%s is not valid JSON: %w", name, latest, err)
	}
	return &m, nil
}

// publishDataset puts the run's rows of d in place as one object, removes
// whatever else the partition held, and writes the manifest last.
func (ru *run) publishDataset(ctx context.Context, d dataset.Dataset) error {
	prefix := partitionPrefix(d.Name, ru.date)
	final := prefix + DataObject
	manifest := ManifestKey(d.Name, ru.date)
	// The previous manifest goes first: a manifest that exists always
	// describes the data object it names.
	if err := ru.cfg.Store.Delete(ctx, manifest); err != nil {
		return fmt.Errorf("snapshot: %s: remove the previous manifest: %w", d.Name, err)
	}
	segs := ru.s.Segments[d.Name]
	var size int64
	var err error
	switch len(segs) {
	case 1:
		err = ru.cfg.Store.Copy(ctx, segs[0].Key, final)
		size = segs[0].Bytes
	default:
		size, err = ru.concat(ctx, d, segs, final)
	}
	if err != nil {
		return fmt.Errorf("snapshot: %s: publish %s: %w", d.Name, final, err)
	}

	objs, err := ru.cfg.Store.List(ctx, prefix)
	if err != nil {
		return fmt.Errorf("snapshot: %s: list %s: %w", d.Name, prefix, err)
	}
	var stale []string
	for _, o := range objs {
		if o.Key != final {
			stale = append(stale, o.Key)
		}
	}
	if len(stale) > 0 {
		if err := ru.cfg.Store.Delete(ctx, stale...); err != nil {
			return fmt.Errorf("snapshot: %s: remove earlier objects of %s: %w", d.Name, prefix, err)
		}
	}

	c := ru.s.counts(d.Name)
	c.Bytes = size
	m := ru.manifest(d, c)
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("snapshot: %s: encode manifest: %w", d.Name, err)
	}
	if err := ru.cfg.Store.Put(ctx, manifest, b); err != nil {
		return fmt.Errorf("snapshot: %s: write manifest: %w", d.Name, err)
	}
	ru.log.Info("published", "dataset", d.Name, "snapshot_date", ru.date, "run_id", ru.s.RunID, "rows", c.Rows, "bytes", size)
	return nil
}

// manifest describes the partition of d that the run publishes.
func (ru *run) manifest(d dataset.Dataset, c *datasetCounts) Manifest {
	m := Manifest{
		Dataset:       d.Name,
		SnapshotDate:  ru.date,
		RunID:         ru.s.RunID,
		SchemaVersion: ru.s.Settings.Schemas[d.Name],
		Rows:          c.Rows,
		Objects:       []ManifestEntry{{Name: partitionPrefix(d.Name, ru.date) + DataObject, Size: c.Bytes}},
		SourceTotal:   sourceTotal(c),
		Pages:         c.Pages,
		Duplicates:    c.Duplicates,
		Rereads:       c.Rereads,
		Unreconciled:  nonNil(c.Unreconciled),
		PII:           ru.s.Settings.PII,
		StartedAt:     ru.s.StartedAt,
		PublishedAt:   ru.cfg.Now().UTC(),
		Invocations:   ru.s.Invocations,
	}
	if b := ru.s.Base; b != nil && (d.ChangesOf != "" || ru.carries(d.Name) && d.CarryOver) {
		m.PreviousSnapshot = b.Date
	}
	if pos := ru.s.Carry[d.Name]; pos != nil {
		m.CarriedOver = pos.Carried
	}
	if m.SchemaVersion == 0 { // a checkpoint from before settings were recorded
		m.SchemaVersion = d.SchemaVersion
	}
	if m.PII == "" {
		m.PII = string(ru.cfg.PII.Mode)
	}
	if m.PII == "" {
		m.PII = string(dataset.PIIKeep)
	}
	return m
}

// concat merges the staged segments (none, for an empty dataset) into the
// final object, one row group at a time.
func (ru *run) concat(ctx context.Context, d dataset.Dataset, segs []segment, final string) (int64, error) {
	w, err := ru.cfg.Store.Create(ctx, final)
	if err != nil {
		return 0, err
	}
	cw := &countingWriter{w: w}
	if err := ru.concatInto(ctx, d, segs, cw); err != nil {
		_ = w.Abort()
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	return cw.n, nil
}

func (ru *run) concatInto(ctx context.Context, d dataset.Dataset, segs []segment, w io.Writer) error {
	if len(segs) == 0 {
		return d.NewWriter(w).Close()
	}
	parts := make([]io.ReaderAt, 0, len(segs))
	sizes := make([]int64, 0, len(segs))
	for _, sg := range segs {
		obj, err := ru.cfg.Store.Open(ctx, sg.Key)
		if err != nil {
			return fmt.Errorf("open segment %s: %w", sg.Key, err)
		}
		defer obj.Close()
		parts = append(parts, obj)
		sizes = append(sizes, obj.Size())
	}
	rows, err := dataset.Concat(w, d.Schema, parts, sizes)
	if err != nil {
		return err
	}
	if want := ru.s.counts(d.Name).Rows; rows != want {
		return fmt.Errorf("segments hold %d rows, the checkpoint counts %d: %w", rows, want, errPermanent)
	}
	return nil
}

func sourceTotal(c *datasetCounts) *int64 {
	if c.SourceTotal < 0 {
		return nil
	}
	v := c.SourceTotal
	return &v
}

func nonNil(u []Unreconciled) []Unreconciled {
	if u == nil {
		return []Unreconciled{}
	}
	return u
}

// result describes the run as it stands.
func (ru *run) result() Result {
	s := ru.s
	res := Result{
		Status:       s.Status,
		RunID:        s.RunID,
		SnapshotDate: s.SnapshotDate,
		Invocations:  s.Invocations,
		Requests:     s.Requests,
		Retries:      s.Retries,
		Throttled:    s.Throttled,
		ElapsedMs:    s.ElapsedMs,
		Datasets:     []DatasetResult{},
	}
	if s.Status == StatusInProgress {
		res.Progress = &ResultProgress{TasksDone: s.Next - len(s.Active), TasksKnown: ru.plan.known(s), Fetched: s.Fetched}
	}
	for _, d := range ru.sel {
		c := s.counts(d.Name)
		dr := DatasetResult{
			Name:         d.Name,
			Rows:         c.Rows,
			SourceTotal:  sourceTotal(c),
			Pages:        c.Pages,
			Duplicates:   c.Duplicates,
			Rereads:      c.Rereads,
			Done:         s.published(d.Name),
			Unreconciled: nonNil(c.Unreconciled),
		}
		if dr.Done {
			dr.Files = 1
			dr.Bytes = c.Bytes
		} else {
			for _, sg := range s.Segments[d.Name] {
				dr.Bytes += sg.Bytes
			}
		}
		res.Datasets = append(res.Datasets, dr)
	}
	if res.Status == StatusComplete && ru.incomplete() {
		res.Status = StatusIncomplete
	}
	return res
}

// incomplete reports whether a list of the run could not be read whole,
// so that the snapshot may be missing records (see Unreconciled.Missing).
func (ru *run) incomplete() bool {
	for _, d := range ru.sel {
		for _, u := range ru.s.counts(d.Name).Unreconciled {
			if u.Missing() {
				return true
			}
		}
	}
	return false
}
