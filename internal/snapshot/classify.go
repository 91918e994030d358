package snapshot

import (
	"context"
	"errors"
	"fmt"

	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/store"
)

// RunError is returned with a failed Result. Resumable failures (Keka or
// the store kept failing after retries) leave the checkpoint in place, so
// the next invocation continues; others end the run.
type RunError struct {
	Resumable bool
	Err       error
}

func (e *RunError) Error() string { return e.Err.Error() }
func (e *RunError) Unwrap() error { return e.Err }

// ErrInvalidRequest is wrapped by the errors of a request that cannot be
// carried out as it stands (an unknown dataset, a runId that is not the
// unfinished run, a restart without the run to discard): fix the event.
// The run it names, if any, is untouched.
var ErrInvalidRequest = errors.New("invalid request")

// ErrSettingsChanged is wrapped when an unfinished run would continue under
// another PII policy or schema than it started with: revert the change, or
// restart the run. The run is untouched.
var ErrSettingsChanged = errors.New("settings changed during the run")

// ErrRefused is wrapped by the error of a run that fetched everything but
// refused to publish (a dataset shrank more than MaxShrink). The run stays
// resumable: invoking it with force publishes what it fetched.
var ErrRefused = errors.New("snapshot: publish refused")

// errPermanent marks failures no later invocation can fix.
var errPermanent = errors.New("permanent")

func isPermanent(err error) bool {
	return errors.Is(err, errPermanent) || errors.Is(err, ErrInvalidRequest) || errors.Is(err, ErrSettingsChanged) || keka.Permanent(err)
}

// isConfiguration reports whether err is a setting to fix (a Keka URL that
// redirects, or speaks another scheme): the run is kept, untouched, to
// resume once it is fixed.
func isConfiguration(err error) bool { return errors.Is(err, keka.ErrConfiguration) }

// Class is what kind of failure an invocation's error is: exactly the
// error types the Lambda function reports, for Step Functions to branch on.
type Class string

// The classes of failure.
const (
	// ClassResumable: Keka or the store kept failing past the retries; the
	// checkpoint is kept and the next invocation resumes.
	ClassResumable Class = "ResumableError"
	// ClassSetup: settings changed under an unfinished run (and, outside
	// this package, configuration or AWS set-up); the run is untouched.
	ClassSetup Class = "SetupFailed"
	// ClassRunFailed: the run cannot finish and has ended.
	ClassRunFailed Class = "RunFailed"
	// ClassRefused: a dataset shrank more than allowed; the fetched run is
	// kept for a forced publish.
	ClassRefused Class = "PublishRefused"
	// ClassInvalid: the request cannot be carried out as it stands.
	ClassInvalid Class = "InvalidEvent"
	// ClassBusy: another invocation holds the date's run; nothing changed.
	ClassBusy Class = "DateBusy"
)

// Classify returns the class of an error returned by Runner.Run.
func Classify(err error) Class {
	var re *RunError
	switch {
	case errors.Is(err, ErrBusy):
		return ClassBusy
	case errors.Is(err, ErrRefused):
		return ClassRefused
	case errors.Is(err, ErrInvalidRequest):
		return ClassInvalid
	case errors.Is(err, ErrSettingsChanged), isConfiguration(err):
		return ClassSetup
	case errors.As(err, &re) && re.Resumable:
		return ClassResumable
	}
	return ClassRunFailed
}

func deletePrefix(ctx context.Context, st store.Store, prefix string) error {
	objs, err := st.List(ctx, prefix)
	if err != nil {
		return fmt.Errorf("snapshot: list %s: %w", prefix, err)
	}
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.Key
	}
	if len(keys) == 0 {
		return nil
	}
	if err := st.Delete(ctx, keys...); err != nil {
		return fmt.Errorf("snapshot: delete %s: %w", prefix, err)
	}
	return nil
}
