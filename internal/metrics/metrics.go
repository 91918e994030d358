// Package metrics writes an invocation's figures as CloudWatch Embedded
// Metric Format (EMF) documents: one JSON line each, which CloudWatch Logs
// turns into metrics without an API call or an IAM permission. Dimensions
// are few: Stack on every metric, Dataset on the per-dataset ones, Outcome
// on the outcome count.
package metrics

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// Namespace is the CloudWatch namespace of every metric.
const Namespace = "KekaHireExport"

// Metric names. Per dataset (dimensions Stack, Dataset), once per run,
// when it publishes: Rows, Pages, BytesWritten, DuplicatesSkipped,
// Rereads, UnreconciledLists. Per invocation (Stack): Requests, Retries,
// Throttled, TokenFetches, Duration, TimeLeft (only with a deadline),
// Failed, and InvocationOutcome (Stack, Outcome). Per run (Stack), when it
// publishes: InvocationsPerRun, SnapshotAge, SnapshotsComplete.
const (
	MetricRows              = "Rows"
	MetricPages             = "Pages"
	MetricBytesWritten      = "BytesWritten"
	MetricDuplicatesSkipped = "DuplicatesSkipped"
	MetricRereads           = "Rereads"
	MetricUnreconciled      = "UnreconciledLists"

	MetricRequests     = "Requests"
	MetricRetries      = "Retries"
	MetricThrottled    = "Throttled"
	MetricTokenFetches = "TokenFetches"
	MetricDuration     = "Duration"
	MetricTimeLeft     = "TimeLeft"
	MetricFailed       = "Failed"
	MetricOutcome      = "InvocationOutcome"

	MetricInvocationsPerRun = "InvocationsPerRun"
	MetricSnapshotAge       = "SnapshotAge"
	MetricSnapshotsComplete = "SnapshotsComplete"
)

// Outcomes besides the failure classes (snapshot.Class values).
const (
	OutcomeComplete   = snapshot.StatusComplete
	OutcomeIncomplete = snapshot.StatusIncomplete
	OutcomeInProgress = snapshot.StatusInProgress
	OutcomeDryRun     = "dry_run"
	OutcomeLookup     = "lookup"
)

// Invocation is what one invocation did.
type Invocation struct {
	Stack   string
	Outcome string // an Outcome constant or a snapshot.Class
	// Failed is true when the invocation ended with a failure that needs
	// an operator: RunFailed, PublishRefused, SetupFailed, InvalidEvent.
	Failed bool
	// Client is the client's counters for this invocation alone.
	Client   keka.Stats
	Duration time.Duration
	// TimeLeft is the time to the invocation's deadline when it ended;
	// nil without a deadline.
	TimeLeft *time.Duration
	// Result is the run's result; nil when the invocation ran no snapshot
	// (a bad event, a set-up failure, a look-up).
	Result *snapshot.Result
	// End is when the invocation ended, the EMF timestamp and the end of
	// SnapshotAge.
	End time.Time
}

// Published reports whether the invocation ended its run with a publish,
// so that the per-run and per-dataset metrics are due.
func (in Invocation) Published() bool {
	return in.Result != nil && !in.Result.DryRun &&
		(in.Result.Status == snapshot.StatusComplete || in.Result.Status == snapshot.StatusIncomplete)
}

// Write writes the invocation's EMF documents to w, one line each. It
// returns the first write error.
func Write(w io.Writer, in Invocation) error {
	docs := []doc{in.invocationDoc(), in.outcomeDoc()}
	if in.Published() {
		docs = append(docs, in.runDoc())
		for _, d := range in.Result.Datasets {
			docs = append(docs, in.datasetDoc(d))
		}
	}
	for _, d := range docs {
		b, err := d.marshal(in.End)
		if err != nil {
			return fmt.Errorf("metrics: encode: %w", err)
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return fmt.Errorf("metrics: write: %w", err)
		}
	}
	return nil
}

func (in Invocation) invocationDoc() doc {
	d := newDoc([]string{"Stack"}, map[string]string{"Stack": in.Stack})
	d.add(MetricRequests, unitCount, float64(in.Client.Requests))
	d.add(MetricRetries, unitCount, float64(in.Client.Retries))
	d.add(MetricThrottled, unitCount, float64(in.Client.Throttled))
	d.add(MetricTokenFetches, unitCount, float64(in.Client.TokenFetches))
	d.add(MetricDuration, unitMilliseconds, float64(in.Duration.Milliseconds()))
	if in.TimeLeft != nil {
		d.add(MetricTimeLeft, unitMilliseconds, float64(max(0, in.TimeLeft.Milliseconds())))
	}
	failed := 0.0
	if in.Failed {
		failed = 1
	}
	d.add(MetricFailed, unitCount, failed)
	return d
}

func (in Invocation) outcomeDoc() doc {
	d := newDoc([]string{"Stack", "Outcome"}, map[string]string{"Stack": in.Stack, "Outcome": in.Outcome})
	d.add(MetricOutcome, unitCount, 1)
	return d
}

func (in Invocation) runDoc() doc {
	res := in.Result
	d := newDoc([]string{"Stack"}, map[string]string{"Stack": in.Stack})
	d.add(MetricInvocationsPerRun, unitCount, float64(res.Invocations))
	if date, err := time.Parse(time.DateOnly, res.SnapshotDate); err == nil {
		d.add(MetricSnapshotAge, unitSeconds, in.End.Sub(date).Seconds())
	}
	complete := 0.0
	if res.Status == snapshot.StatusComplete {
		complete = 1
	}
	d.add(MetricSnapshotsComplete, unitCount, complete)
	return d
}

func (in Invocation) datasetDoc(ds snapshot.DatasetResult) doc {
	d := newDoc([]string{"Stack", "Dataset"}, map[string]string{"Stack": in.Stack, "Dataset": ds.Name})
	d.add(MetricRows, unitCount, float64(ds.Rows))
	d.add(MetricPages, unitCount, float64(ds.Pages))
	d.add(MetricBytesWritten, unitBytes, float64(ds.Bytes))
	d.add(MetricDuplicatesSkipped, unitCount, float64(ds.Duplicates))
	d.add(MetricRereads, unitCount, float64(ds.Rereads))
	d.add(MetricUnreconciled, unitCount, float64(len(ds.Unreconciled)))
	return d
}

// EMF units.
const (
	unitCount        = "Count"
	unitBytes        = "Bytes"
	unitSeconds      = "Seconds"
	unitMilliseconds = "Milliseconds"
)

// doc is one EMF document: one dimension set, its values, and metrics.
type doc struct {
	dims    []string
	values  map[string]string
	metrics []metric
}

type metric struct {
	Name  string  `json:"Name"`
	Unit  string  `json:"Unit"`
	value float64 // the member of the document named Name
}

func newDoc(dims []string, values map[string]string) doc {
	return doc{dims: dims, values: values}
}

func (d *doc) add(name, unit string, v float64) {
	d.metrics = append(d.metrics, metric{Name: name, Unit: unit, value: v})
}

// marshal renders the document as EMF: the _aws metadata, then the
// dimension values and metric values as top-level members.
func (d doc) marshal(at time.Time) ([]byte, error) {
	out := map[string]any{
		"_aws": map[string]any{
			"Timestamp": at.UnixMilli(),
			"CloudWatchMetrics": []map[string]any{{
				"Namespace":  Namespace,
				"Dimensions": [][]string{d.dims},
				"Metrics":    d.metrics,
			}},
		},
	}
	for k, v := range d.values {
		out[k] = v
	}
	for _, m := range d.metrics {
		out[m.Name] = m.value
	}
	return json.Marshal(out)
}

// Names returns the name of every metric Write can emit.
func Names() []string {
	return []string{
		MetricRows, MetricPages, MetricBytesWritten, MetricDuplicatesSkipped, MetricRereads, MetricUnreconciled,
		MetricRequests, MetricRetries, MetricThrottled, MetricTokenFetches, MetricDuration, MetricTimeLeft, MetricFailed, MetricOutcome,
		MetricInvocationsPerRun, MetricSnapshotAge, MetricSnapshotsComplete,
	}
}
