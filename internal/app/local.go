package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/config"
	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// maxInvocations bounds a local run's simulated invocations, and
// maxIdleInvocations how many in a row may end without a single request.
const (
	maxInvocations     = 100000
	maxIdleInvocations = 20
)

// runLocal runs one export in this process and prints its result as JSON.
// Bad configuration or a bad event is one line on standard error and exit
// status 2, before anything is written; a set-up that fails for another
// reason (AWS, Secrets Manager unreachable) is exit status 1.
func runLocal(ctx context.Context, env Env) int {
	f, err := parseFlags(env.Args, env.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(env.Stderr, "keka-export:", err)
		return 2
	}
	if f.demo {
		return runDemo(ctx, env, f)
	}
	cfg, err := config.FromEnv(env.Getenv, false)
	if err != nil {
		fmt.Fprintln(env.Stderr, "keka-export:", err)
		return 2
	}
	b, err := readEvent(f.event, env.Stdin)
	if err != nil {
		fmt.Fprintln(env.Stderr, "keka-export:", err)
		return 2
	}
	ev, err := config.ParseEvent(b, dataset.Names(), env.Now())
	if err != nil {
		fmt.Fprintln(env.Stderr, "keka-export:", err)
		return 2
	}
	out := f.out
	if out == "" && cfg.Bucket == "" {
		out = "out"
	}
	log := newLogger(env.Stderr, cfg.LogLevel)
	svc, err := build(ctx, cfg, log, out, nil)
	if err != nil {
		fmt.Fprintln(env.Stderr, "keka-export:", err)
		return exitCode(err)
	}
	res, err := invokeUntilDone(ctx, svc, request(ev), f.budget)
	writeJSON(env.Stdout, res)
	switch {
	case errors.Is(err, snapshot.ErrBusy):
		fmt.Fprintln(env.Stderr, "keka-export:", err)
		return ExitBusy
	case errors.Is(err, keka.ErrConfiguration):
		fmt.Fprintln(env.Stderr, "keka-export:", err)
		return 2
	case err != nil:
		return 1
	case res.Status == snapshot.StatusIncomplete:
		fmt.Fprintln(env.Stderr, "keka-export: the snapshot is published but incomplete: some Keka lists could not be read whole (see unreconciled in the result)")
		return ExitIncomplete
	}
	return 0
}

// Exit statuses of a local run besides 0 (complete), 1 (failed or
// interrupted) and 2 (bad configuration, flags or event).
const (
	// ExitIncomplete: published, but a list could not be read whole.
	ExitIncomplete = 3
	// ExitBusy: another invocation holds the date's run; nothing changed.
	ExitBusy = 4
)

// invokeUntilDone runs the snapshot as a sequence of invocations of at most
// budget each (one invocation without limit when budget is zero), as the
// Step Functions loop does in AWS.
func invokeUntilDone(ctx context.Context, svc *services, req snapshot.Request, budget time.Duration) (snapshot.Result, error) {
	var last int64 = -1
	idle := 0
	for range maxInvocations {
		if budget > 0 {
			req.StopAt = time.Now().Add(budget)
		}
		res, err := svc.runner.Run(ctx, req)
		if err != nil || res.Status != snapshot.StatusInProgress {
			return res, err
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if res.Requests == last {
			idle++
		} else {
			idle = 0
		}
		if idle >= maxIdleInvocations {
			err := fmt.Errorf("%d invocations in a row made no request: --invocation-budget %s is too short to make progress", idle, budget)
			res.Status, res.Error = snapshot.StatusFailed, err.Error()
			return res, err
		}
		last = res.Requests
		req.RunID, req.Restart = res.RunID, false
	}
	return snapshot.Result{Status: snapshot.StatusFailed}, fmt.Errorf("run did not complete within %d invocations", maxInvocations)
}
