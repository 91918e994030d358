package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/config"
	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/lookup"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// maxInvocations bounds a local run's simulated invocations, and
// maxIdleInvocations how many in a row may end without a single request.
const (
	maxInvocations     = 100000
	maxIdleInvocations = 20
)

// runLocal runs one export in this process and prints its result as JSON
// on standard output, and a summary table on standard error. Bad
// configuration or a bad event is one line on standard error and exit
// status 2, before anything is written; a set-up that fails for another
// reason (AWS, Secrets Manager unreachable) is exit status 1.
func runLocal(ctx context.Context, env Env) int {
	f, err := parseFlags(env.Args)
	if errors.Is(err, errHelp) {
		usage(env.Stdout)
		return 0
	}
	if err != nil {
		return fail(env, err, 2)
	}
	if f.demo {
		return runDemo(ctx, env, f)
	}
	cfg, err := config.FromEnv(env.Getenv, false)
	if err != nil {
		return fail(env, err, 2)
	}
	ev, err := localEvent(env, f)
	if err != nil {
		return fail(env, err, 2)
	}
	if ev.Lookup != nil {
		return localLookup(ctx, env, cfg, f, *ev.Lookup)
	}
	out := f.out
	if out == "" && cfg.Bucket == "" {
		out = "out"
	}
	log := newLogger(env.Stderr, cfg.LogLevel)
	obs, closeMetrics, err := localObserver(env, f.metrics, cfg, log)
	if err != nil {
		return fail(env, err, 2)
	}
	defer closeMetrics()
	var line *progressLine
	var progress func(snapshot.Progress)
	if isTerminal(env.Stderr) {
		line = newProgressLine(env.Stderr, env.Now)
		progress = line.update
	}
	svc, err := build(ctx, cfg, log, out, progress)
	if err != nil {
		return fail(env, err, exitCode(err))
	}
	start := env.Now()
	res, err := invokeUntilDone(ctx, svc, request(ev, cfg), f.budget, obs)
	if line != nil {
		line.clear()
	}
	writeJSON(env.Stdout, res)
	switch {
	case res.Plan != nil:
		printPlan(env.Stderr, res.Plan)
	case res.RunID != "":
		printResult(env.Stderr, res, env.Now().Sub(start))
	}
	return localExit(env, res, err)
}

// localExit is the exit status of a local run, with the line that says
// why on standard error.
func localExit(env Env, res snapshot.Result, err error) int {
	switch {
	case errors.Is(err, snapshot.ErrBusy):
		return fail(env, err, ExitBusy)
	case errors.Is(err, keka.ErrConfiguration):
		return fail(env, err, 2)
	case err != nil:
		return fail(env, err, 1)
	case res.Status == snapshot.StatusIncomplete:
		fmt.Fprintln(env.Stderr, "keka-export: the snapshot is published but incomplete: some Keka lists could not be read whole (see unreconciled in the result)")
		return ExitIncomplete
	}
	return 0
}

// fail writes err, and what to do about it, on standard error and returns
// code.
func fail(env Env, err error, code int) int {
	fmt.Fprintln(env.Stderr, "keka-export:", err)
	if h := hint(err); h != "" {
		fmt.Fprintln(env.Stderr, "keka-export: what to do:", h)
	}
	return code
}

// localEvent reads the event of a local run and applies --dry-run;
// --lookup is the event {"lookup": ...}.
func localEvent(env Env, f flags) (config.Request, error) {
	b, err := readEvent(f.event, env.Stdin)
	if err != nil {
		return config.Request{}, err
	}
	if f.lookup != "" {
		b = []byte(`{"lookup": ` + f.lookup + `}`)
	}
	ev, err := config.ParseEvent(b, dataset.Names(), env.Now())
	if err != nil {
		return config.Request{}, err
	}
	if f.dryRun {
		ev.DryRun = true
	}
	return ev, nil
}

// localLookup carries out a look-up: the records go to standard output
// as JSON; nothing is written anywhere else.
func localLookup(ctx context.Context, env Env, cfg config.Config, f flags, l config.Lookup) int {
	log := newLogger(env.Stderr, cfg.LogLevel)
	obs, closeMetrics, err := localObserver(env, f.metrics, cfg, log)
	if err != nil {
		return fail(env, err, 2)
	}
	defer closeMetrics()
	client, pii, err := connect(ctx, cfg, log, awsLoader(ctx))
	if err != nil {
		return fail(env, err, exitCode(err))
	}
	m := obs.start(client)
	res, err := runLookup(ctx, client, cfg, pii, l)
	obs.done(m, client, nil, err, lookupOutcome(err), time.Time{})
	if err != nil {
		code := 1
		if lookupClass(err) == snapshot.ClassInvalid || errors.Is(err, keka.ErrConfiguration) {
			code = 2
		}
		return fail(env, err, code)
	}
	writeJSON(env.Stdout, res)
	fmt.Fprintf(env.Stderr, "%d %s record(s) from %d page(s), %d request(s)\n", res.Count, res.Dataset, res.Pages, res.Requests)
	if res.Truncated {
		fmt.Fprintf(env.Stderr, "keka-export: more records may match: narrow the look-up, or raise its limit (at most %d; %d pages at most are read)\n", config.MaxLookupLimit, lookup.MaxPages)
	}
	return 0
}

// localObserver opens the --metrics destination; without one, no metrics
// are written. The returned function closes it.
func localObserver(env Env, path string, cfg config.Config, log *slog.Logger) (*observer, func(), error) {
	obs := &observer{stack: stackName(cfg.Stack, env.Getenv), now: env.Now, log: log}
	switch path {
	case "":
		return obs, func() {}, nil
	case "-":
		obs.w = env.Stderr
		return obs, func() {}, nil
	}
	file, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("--metrics: %w", err)
	}
	obs.w = file
	return obs, func() { _ = file.Close() }, nil
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
func invokeUntilDone(ctx context.Context, svc *services, req snapshot.Request, budget time.Duration, obs *observer) (snapshot.Result, error) {
	var last int64 = -1
	idle := 0
	for range maxInvocations {
		if budget > 0 {
			req.StopAt = time.Now().Add(budget)
		}
		m := obs.start(svc.client)
		res, err := svc.runner.Run(ctx, req)
		obs.done(m, svc.client, &res, err, "", req.StopAt)
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
