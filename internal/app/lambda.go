package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/kekaexport/keka-hire-export/internal/config"
	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// Error types the function reports to Lambda, for Step Functions to branch
// on: the classes of snapshot.Classify, for the run's own failures.
const (
	ErrorInvalidEvent = string(snapshot.ClassInvalid) // fix the event; retrying does not help
	ErrorSetup        = string(snapshot.ClassSetup)   // configuration, secret or AWS set-up; fix and invoke again
)

// serveLambda hands the handler to the Lambda runtime. The services are
// built by the first invocation that can build them and then kept for the
// life of the container, so that a missing or malformed secret is reported
// as that invocation's error (and reaches the dead-letter queue) and a fixed
// secret is picked up without a redeploy. It returns only when the
// configuration is invalid.
func serveLambda(ctx context.Context, env Env) error {
	cfg, cfgErr := config.FromEnv(env.Getenv, true)
	log := newLogger(env.Stderr, cfg.LogLevel)
	if cfgErr != nil {
		// Serve anyway, so that every invocation answers with the problem
		// (and reaches the failure queue) instead of a bare runtime exit.
		log.Error("invalid configuration", "error", cfgErr.Error())
	}
	h := &handler{
		now:    env.Now,
		log:    log,
		margin: cfg.DeadlineMargin,
		obs:    &observer{w: env.Stdout, stack: stackName(cfg.Stack, env.Getenv), now: env.Now, log: log},
		build: func(ctx context.Context) (*services, error) {
			if cfgErr != nil {
				return nil, cfgErr
			}
			return build(ctx, cfg, log, "", nil)
		},
	}
	lambda.StartWithOptions(h.handle, lambda.WithContext(ctx))
	return nil
}

type handler struct {
	now    func() time.Time
	log    *slog.Logger
	margin time.Duration
	build  func(context.Context) (*services, error)
	svc    *services // once built
	obs    *observer
}

// minWork is the least time an invocation must have left to fetch anything
// once the deadline margin is kept back.
const minWork = time.Second

// handle runs one invocation: it stops fetching EXPORT_DEADLINE_MARGIN
// before the invocation's deadline, checkpoints, and returns "in_progress"
// for the caller (the Step Functions loop) to invoke again. Every
// invocation writes its metrics, its failures included.
func (h *handler) handle(ctx context.Context, event json.RawMessage) (any, error) {
	log := h.log
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("request_id", lc.AwsRequestID)
	}
	deadline, _ := ctx.Deadline()
	var client *keka.Client
	if h.svc != nil {
		client = h.svc.client
	}
	m := h.obs.start(client)
	refuse := func(err error, typ, what string) (any, error) {
		log.Error(what, "error", err.Error())
		h.obs.done(m, client, nil, err, typ, deadline)
		return snapshot.Result{}, messages.InvokeResponse_Error{Type: typ, Message: err.Error()}
	}
	r, err := config.ParseEvent(event, dataset.Names(), h.now())
	if err != nil {
		return refuse(err, ErrorInvalidEvent, "invalid event")
	}
	if !deadline.IsZero() && time.Until(deadline)-h.margin < minWork {
		err := fmt.Errorf("EXPORT_DEADLINE_MARGIN %s leaves less than %s of a %s invocation to work: lower it or raise the function's timeout", h.margin, minWork, time.Until(deadline).Round(time.Second))
		return refuse(err, ErrorSetup, "set-up failed")
	}
	if h.svc == nil {
		svc, err := h.build(ctx)
		if err != nil {
			return refuse(err, ErrorSetup, "set-up failed")
		}
		h.svc, client = svc, svc.client
		m.client = client.Stats()
	}
	if r.Lookup != nil {
		out, err := runLookup(ctx, client, h.svc.cfg, h.svc.pii, *r.Lookup)
		h.obs.done(m, client, nil, err, lookupOutcome(err), deadline)
		if err != nil {
			log.Error("look-up failed", "error", err.Error())
			return out, messages.InvokeResponse_Error{Type: string(lookupClass(err)), Message: err.Error()}
		}
		return out, nil
	}
	req := request(r, h.svc.cfg)
	req.Logger = log.With("snapshot_date", r.SnapshotDate.Format(time.DateOnly))
	if !deadline.IsZero() {
		req.StopAt = deadline.Add(-h.margin)
	}
	res, err := h.svc.runner.Run(ctx, req)
	h.obs.done(m, client, &res, err, "", deadline)
	if err != nil {
		return res, messages.InvokeResponse_Error{Type: string(snapshot.Classify(err)), Message: res.Error}
	}
	return res, nil
}
