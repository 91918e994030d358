package snapshot_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want snapshot.Class
	}{
		{"busy", fmt.Errorf("snapshot: held: %w", snapshot.ErrBusy), snapshot.ClassBusy},
		{"busy wins over resumable", &snapshot.RunError{Resumable: true, Err: fmt.Errorf("x: %w", snapshot.ErrBusy)}, snapshot.ClassBusy},
		{"refused", &snapshot.RunError{Resumable: true, Err: fmt.Errorf("x: %w", snapshot.ErrRefused)}, snapshot.ClassRefused},
		{"invalid request", &snapshot.RunError{Err: fmt.Errorf("x: %w", snapshot.ErrInvalidRequest)}, snapshot.ClassInvalid},
		{"settings changed", &snapshot.RunError{Err: fmt.Errorf("x: %w", snapshot.ErrSettingsChanged)}, snapshot.ClassSetup},
		{"a Keka URL to fix", &snapshot.RunError{Resumable: true, Err: fmt.Errorf("x: %w", keka.ErrConfiguration)}, snapshot.ClassSetup},
		{"resumable", &snapshot.RunError{Resumable: true, Err: errors.New("s3: 503")}, snapshot.ClassResumable},
		{"ended", &snapshot.RunError{Err: fmt.Errorf("x: %w", keka.ErrForbidden)}, snapshot.ClassRunFailed},
		{"anything else", errors.New("boom"), snapshot.ClassRunFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := snapshot.Classify(c.err); got != c.want {
				t.Errorf("Classify(%v) = %s, want %s", c.err, got, c.want)
			}
		})
	}
}
