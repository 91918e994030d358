package app_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/kekaexport/keka-hire-export/internal/app"
	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

// runWithStderr runs a local export whose standard error is w, and returns
// what was read from r (the other end of w) and the exit status.
func runWithStderr(t *testing.T, sim *kekasim.Server, w *os.File, r *os.File) (int, string) {
	t.Helper()
	read := make(chan string)
	go func() {
		var b bytes.Buffer
		_, _ = io.Copy(&b, r) // until w closes (a pty ends with EIO)
		read <- b.String()
	}()
	env := simEnv(sim)
	var stdout bytes.Buffer
	code := app.Main(context.Background(), app.Env{
		Args:   []string{"--out", t.TempDir()},
		Getenv: func(k string) string { return env[k] },
		Stdin:  strings.NewReader(""), Stdout: &stdout, Stderr: w,
		Now: time.Now,
	})
	_ = w.Close()
	return code, <-read
}

func TestMain_ProgressLine(t *testing.T) {
	sim, err := kekasim.Start(kekasim.NewTenant(5, kekasim.Size{Jobs: 12, Applications: 2500, Preboarding: 300}), kekasim.Options{RequestsPerMinute: 100000})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()

	t.Run("drawn on a terminal", func(t *testing.T) {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Skipf("no pseudo-terminal here: %v", err)
		}
		defer ptmx.Close()
		code, got := runWithStderr(t, sim, tty, ptmx)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, tail(got, 2000))
		}
		for _, want := range []string{"\r\x1b[K", "jobs", "pages", "rows", "requests", "/min", "left ~", "dataset"} {
			if !strings.Contains(got, want) {
				t.Errorf("terminal output lacks %q:\n%q", want, tail(got, 1500))
			}
		}
	})

	t.Run("silent in a pipe", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		code, got := runWithStderr(t, sim, w, r)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, tail(got, 2000))
		}
		if strings.Contains(got, "\r") || strings.Contains(got, "\x1b[") || strings.Contains(got, "left ~") {
			t.Errorf("a progress line was written to a pipe:\n%q", tail(got, 1500))
		}
		if !strings.Contains(got, "job_candidates") || !strings.Contains(got, "duplicates") {
			t.Errorf("no summary table in the pipe's output:\n%s", tail(got, 1500))
		}
	})
}
