package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/config"
)

func TestParseEvent_Lookup(t *testing.T) {
	r, err := config.ParseEvent([]byte(`{"lookup": {"dataset": "preboarding_candidates", "candidateIds": [" a1 ", "b2"], "status": 1, "stage": 3, "lastModified": "2026-11-01T05:30:00+05:30", "limit": 20}}`), known, now)
	if err != nil {
		t.Fatal(err)
	}
	l := r.Lookup
	if l == nil || l.Dataset != "preboarding_candidates" || len(l.CandidateIDs) != 2 || l.CandidateIDs[0] != "a1" ||
		*l.Status != 1 || *l.Stage != 3 || !l.LastModified.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || l.Limit != 20 {
		t.Errorf("lookup %+v", l)
	}
	r, err = config.ParseEvent([]byte(`{"lookup": {"dataset": "jobs"}}`), known, now)
	if err != nil || r.Lookup.Limit != config.DefaultLookupLimit || r.Lookup.Status != nil || r.Lookup.IsArchived != nil {
		t.Errorf("defaults: %+v, %v", r.Lookup, err)
	}

	for _, tc := range []struct{ in, want string }{
		{`{"lookup": {"dataset": "jobs"}, "dryRun": true}`, `"lookup" goes alone`},
		{`{"lookup": {"dataset": "jobs"}, "snapshotDate": "2026-11-01"}`, `"lookup" goes alone`},
		{`{"lookup": "jobs"}`, "must be an object"},
		{`{"lookup": null}`, "must be an object"},
		{`{"lookup": {}}`, "no dataset: give one of jobs, job_candidates, preboarding_candidates"},
		{`{"lookup": {"dataset": "offers"}}`, "unknown dataset"},
		{`{"lookup": {"dataset": "jobs", "JobId": "x"}}`, "did you mean jobId?"},
		{`{"lookup": {"dataset": "jobs", "page": 2}}`, "valid ones are dataset, jobId"},
		{`{"lookup": {"dataset": "jobs", "status": "1"}}`, "field status: want an integer"},
		{`{"lookup": {"dataset": "jobs", "lastModified": "1789573328"}}`, "not ISO 8601"},
		{`{"lookup": {"dataset": "jobs", "limit": 501}}`, "limit must be from 1 to 500"},
		{`{"lookup": {"dataset": "jobs", "candidateIds": [""]}}`, "non-empty ids"},
		{`{"lookup": {"dataset": "jobs", "dataset": "jobs"}}`, "given twice"},
	} {
		_, err := config.ParseEvent([]byte(tc.in), known, now)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.in, err, tc.want)
		}
	}
}
