package app

import (
	"context"
	"errors"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/config"
	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/lookup"
	"github.com/kekaexport/keka-hire-export/internal/metrics"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// lookupRunID is the run_id of looked-up records: they belong to no run.
const lookupRunID = "lookup"

// runLookup carries out a look-up with client under the PII policy pii.
func runLookup(ctx context.Context, client *keka.Client, cfg config.Config, pii dataset.PII, l config.Lookup) (lookup.Result, error) {
	q := lookup.Query{
		Dataset: l.Dataset, JobID: l.JobID, CandidateIDs: l.CandidateIDs, Status: l.Status, Stage: l.Stage,
		IsArchived: l.IsArchived, LastModified: l.LastModified, Limit: l.Limit,
	}
	meta := dataset.Meta{RunID: lookupRunID, ExtractedAt: time.Now().UTC().Truncate(time.Millisecond), PII: pii, Zone: cfg.Zone}
	return lookup.Run(ctx, client, q, meta)
}

// lookupClass is the error type of a failed look-up, as of a run.
func lookupClass(err error) snapshot.Class {
	switch {
	case errors.Is(err, lookup.ErrInvalid):
		return snapshot.ClassInvalid
	case errors.Is(err, keka.ErrConfiguration):
		return snapshot.ClassSetup
	case keka.Permanent(err):
		return snapshot.ClassRunFailed
	}
	return snapshot.ClassResumable
}

// lookupOutcome is the InvocationOutcome of a look-up.
func lookupOutcome(err error) string {
	if err != nil {
		return string(lookupClass(err))
	}
	return metrics.OutcomeLookup
}
