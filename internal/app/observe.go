package app

import (
	"io"
	"log/slog"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/metrics"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// observer writes the metrics of each invocation as EMF lines: to standard
// output under Lambda (CloudWatch Logs reads them from there), to the
// --metrics file locally.
type observer struct {
	w     io.Writer // nil: no metrics
	stack string
	now   func() time.Time // the EMF timestamp and the end of SnapshotAge
	log   *slog.Logger
}

// mark is where an invocation started: its time (the process's clock, as
// deadlines are) and the client's counters.
type mark struct {
	at     time.Time
	client keka.Stats
}

// start marks the beginning of an invocation; client may be nil (the
// services are not built yet).
func (o *observer) start(client *keka.Client) mark {
	if o == nil {
		return mark{}
	}
	m := mark{at: time.Now()}
	if client != nil {
		m.client = client.Stats()
	}
	return m
}

// done writes the metrics of the invocation begun at m. res is nil when no
// run was made; outcome, when not empty, overrides the one derived from
// res and err; deadline is zero when the invocation had none.
func (o *observer) done(m mark, client *keka.Client, res *snapshot.Result, err error, outcome string, deadline time.Time) {
	if o == nil || o.w == nil {
		return
	}
	in := metrics.Invocation{Stack: o.stack, Duration: time.Since(m.at), Result: res, End: o.now(), Outcome: outcome}
	if client != nil {
		s := client.Stats()
		in.Client = keka.Stats{
			Requests:     s.Requests - m.client.Requests,
			Retries:      s.Retries - m.client.Retries,
			Throttled:    s.Throttled - m.client.Throttled,
			TokenFetches: s.TokenFetches - m.client.TokenFetches,
		}
	}
	if !deadline.IsZero() {
		left := time.Until(deadline)
		in.TimeLeft = &left
	}
	switch {
	case in.Outcome != "":
	case err != nil:
		in.Outcome = string(snapshot.Classify(err))
	case res != nil && res.DryRun:
		in.Outcome = metrics.OutcomeDryRun
	case res != nil:
		in.Outcome = res.Status
	}
	in.Failed = err != nil && needsOperator(in.Outcome)
	if werr := metrics.Write(o.w, in); werr != nil {
		o.log.Warn("metrics not written", "error", werr.Error())
	}
}

// needsOperator reports whether a failure of this class needs someone:
// a resumable one is retried by the state machine (whose last failure
// reaches the failure queue), a busy date by its retries.
func needsOperator(outcome string) bool {
	switch snapshot.Class(outcome) {
	case snapshot.ClassRunFailed, snapshot.ClassRefused, snapshot.ClassSetup, snapshot.ClassInvalid:
		return true
	}
	return false
}

// stackName is the Stack dimension: EXPORT_STACK_NAME, else the function's
// name under Lambda, else "local".
func stackName(configured string, getenv func(string) string) string {
	switch {
	case configured != "":
		return configured
	case getenv("AWS_LAMBDA_FUNCTION_NAME") != "":
		return getenv("AWS_LAMBDA_FUNCTION_NAME")
	}
	return "local"
}
