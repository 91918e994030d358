package app

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/kekaexport/keka-hire-export/internal/config"
	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// Error types the function reports to Lambda, for Step Functions to branch on.
const (
	ErrorInvalidEvent = "InvalidEvent" // fix the event; retrying does not help
	ErrorRunFailed    = "RunFailed"    // the run ended; its staged objects are gone
	ErrorResumable    = "ResumableError"
)

// serveLambda builds the services once per container and hands the handler
// to the Lambda runtime. It returns only when the set-up fails.
func serveLambda(ctx context.Context, env Env) error {
	cfg, err := config.FromEnv(env.Getenv, true)
	if err != nil {
		return err
	}
	log := newLogger(env.Stderr, cfg.LogLevel)
	svc, err := build(ctx, cfg, log, "", nil)
	if err != nil {
		log.Error("set-up failed", "error", err.Error())
		return err
	}
	h := &handler{svc: svc, now: env.Now}
	lambda.StartWithOptions(h.handle, lambda.WithContext(ctx))
	return nil
}

type handler struct {
	svc *services
	now func() time.Time
}

// handle runs one invocation: it stops fetching EXPORT_DEADLINE_MARGIN
// before the invocation's deadline, checkpoints, and returns "in_progress"
// for the caller (the Step Functions loop) to invoke again.
func (h *handler) handle(ctx context.Context, event json.RawMessage) (snapshot.Result, error) {
	log := h.svc.log
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("request_id", lc.AwsRequestID)
	}
	r, err := config.ParseEvent(event, dataset.Names(), h.now())
	if err != nil {
		log.Error("invalid event", "error", err.Error())
		return snapshot.Result{}, messages.InvokeResponse_Error{Type: ErrorInvalidEvent, Message: err.Error()}
	}
	req := request(r)
	req.Logger = log.With("snapshot_date", r.SnapshotDate.Format(time.DateOnly))
	if d, ok := ctx.Deadline(); ok {
		req.StopAt = d.Add(-h.svc.cfg.DeadlineMargin)
	}
	res, err := h.svc.runner.Run(ctx, req)
	if err != nil {
		typ := ErrorRunFailed
		var re *snapshot.RunError
		if errors.As(err, &re) && re.Resumable {
			typ = ErrorResumable
		}
		return res, messages.InvokeResponse_Error{Type: typ, Message: res.Error}
	}
	return res, nil
}
