package snapshot

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/store"
)

// baseRef is the previous complete snapshot a run compares with: the
// latest date strictly before the run's at which job_candidates was
// published, and the run that published each dataset there. It is pinned
// when the run starts and kept in the checkpoint, so that every invocation
// of the run compares with the same snapshot.
type baseRef struct {
	Date string `json:"date"`
	// Runs are the run ids of the manifests at Date, by dataset: those of
	// job_candidates and of the run's datasets published that day.
	Runs map[string]string `json:"runs"`
}

// pinBase finds the base of a run of date exporting sel under PII mode
// pii; nil when job_candidates was never published before date. A
// CarryOver dataset published there under another PII mode is left out,
// so that no row is carried over into a snapshot of another policy.
func pinBase(ctx context.Context, st store.Store, date string, sel []dataset.Dataset, pii string) (*baseRef, error) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return nil, fmt.Errorf("snapshot: snapshot date %q: %w", date, err)
	}
	before := d.AddDate(0, 0, -1).Format(time.DateOnly)
	m, err := LatestManifest(ctx, st, sourceOfChanges, before)
	if err != nil || m == nil {
		return nil, err
	}
	b := &baseRef{Date: m.SnapshotDate, Runs: map[string]string{sourceOfChanges: m.RunID}}
	for _, ds := range sel {
		if ds.Name == sourceOfChanges {
			continue
		}
		pm, err := readManifest(ctx, st, ds.Name, b.Date)
		if err != nil {
			return nil, err
		}
		if pm != nil && (!ds.CarryOver || pm.PII == pii) {
			b.Runs[ds.Name] = pm.RunID
		}
	}
	return b, nil
}

// sourceOfChanges is the dataset whose snapshots runs compare: the one the
// ChangesOf datasets name, and the CarryOver datasets' parent.
const sourceOfChanges = dataset.ApplicationsName

// readManifest returns the manifest of ds at date, nil when there is none.
func readManifest(ctx context.Context, st store.Store, ds, date string) (*Manifest, error) {
	m, err := LatestManifest(ctx, st, ds, date)
	if err != nil || m == nil || m.SnapshotDate != date {
		return nil, err
	}
	return m, nil
}

// baseObject returns the data object of dataset ds in the base, after
// checking that the run that published it there still owns it: a base
// replaced while a run went on would make the run's invocations compare
// with two different snapshots.
func (b *baseRef) object(ctx context.Context, st store.Store, ds string) (store.Object, error) {
	m, err := readManifest(ctx, st, ds, b.Date)
	if err != nil {
		return nil, err
	}
	if m == nil || m.RunID != b.Runs[ds] || len(m.Objects) != 1 {
		return nil, fmt.Errorf("snapshot: %s of dt=%s, the snapshot this run compares with, was replaced or removed since the run started (it was run %s's): restart the run: %w", ds, b.Date, b.Runs[ds], errPermanent)
	}
	obj, err := st.Open(ctx, m.Objects[0].Name)
	if err != nil {
		return nil, fmt.Errorf("snapshot: open %s: %w", m.Objects[0].Name, err)
	}
	return obj, nil
}

// baseIndex holds what a run compares of every application of the base,
// compactly: 40 bytes an application (a 16-byte hash of its key, its
// state with the stage as a number), sorted by key hash, so that a million
// applications take 40 MB and no map.
type baseIndex struct {
	stages  []string
	entries []baseEntry
}

type baseEntry struct {
	key    [16]byte
	moved  int64 // Unix milliseconds, when flagMoved
	stage  uint32
	status int32 // when flagStatus
	flags  uint8
}

const (
	flagArchived = 1 << iota
	flagStatus
	flagMoved
	flagStage
	flagSeen // met in this run's rows
)

func keyHash(key string) [16]byte {
	h := sha256.Sum256([]byte(key))
	return [16]byte(h[:16])
}

// loadBaseIndex reads the application states of the base's job_candidates.
func loadBaseIndex(ctx context.Context, st store.Store, b *baseRef) (*baseIndex, error) {
	obj, err := b.object(ctx, st, sourceOfChanges)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	ix := &baseIndex{}
	stageNum := map[string]uint32{}
	err = dataset.ReadStates(obj, obj.Size(), func(rows []dataset.ApplicationState) error {
		for _, a := range rows {
			ix.entries = append(ix.entries, ix.entry(a, stageNum))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot: read %s of dt=%s: %w", sourceOfChanges, b.Date, err)
	}
	slices.SortFunc(ix.entries, func(x, y baseEntry) int { return compareKeys(x.key, y.key) })
	return ix, nil
}

func compareKeys(a, b [16]byte) int { return slices.Compare(a[:], b[:]) }

func (ix *baseIndex) entry(a dataset.ApplicationState, stageNum map[string]uint32) baseEntry {
	e := baseEntry{key: keyHash(a.Key())}
	if a.IsArchived {
		e.flags |= flagArchived
	}
	if a.ApplicationStatus != nil {
		e.flags |= flagStatus
		e.status = *a.ApplicationStatus
	}
	if a.MovedToStageOn != nil {
		e.flags |= flagMoved
		e.moved = a.MovedToStageOn.UnixMilli()
	}
	if a.Stage != nil {
		n, ok := stageNum[*a.Stage]
		if !ok {
			n = uint32(len(ix.stages))
			ix.stages = append(ix.stages, *a.Stage)
			stageNum[*a.Stage] = n
		}
		e.flags |= flagStage
		e.stage = n
	}
	return e
}

// find returns the entry of key, or nil.
func (ix *baseIndex) find(key string) *baseEntry {
	h := keyHash(key)
	i, ok := slices.BinarySearchFunc(ix.entries, h, func(e baseEntry, k [16]byte) int { return compareKeys(e.key, k) })
	if !ok {
		return nil
	}
	return &ix.entries[i]
}

// state returns the application state of e, for the application key.
func (ix *baseIndex) state(e *baseEntry, jobID, candidateID string) dataset.ApplicationState {
	a := dataset.ApplicationState{JobID: jobID, CandidateID: candidateID, IsArchived: e.flags&flagArchived != 0}
	if e.flags&flagStatus != 0 {
		v := e.status
		a.ApplicationStatus = &v
	}
	if e.flags&flagMoved != 0 {
		t := time.UnixMilli(e.moved).UTC()
		a.MovedToStageOn = &t
	}
	if e.flags&flagStage != 0 {
		s := ix.stages[e.stage]
		a.Stage = &s
	}
	return a
}
