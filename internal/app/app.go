// Package app wires the export together: it reads the configuration, builds
// the Keka client, the store and the snapshot runner once, and serves them
// either to the Lambda runtime or to one local run (the demo included).
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/kekaexport/keka-hire-export/internal/config"
	"github.com/kekaexport/keka-hire-export/internal/dataset"
	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/secret"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
	"github.com/kekaexport/keka-hire-export/internal/store"
	"github.com/kekaexport/keka-hire-export/internal/store/local"
	s3store "github.com/kekaexport/keka-hire-export/internal/store/s3"
)

// Env is how the process sees its environment.
type Env struct {
	Args   []string
	Getenv func(string) string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Now    func() time.Time
}

// Main runs the binary: under the Lambda runtime when
// AWS_LAMBDA_RUNTIME_API is set, else once locally. It returns the exit
// status.
func Main(ctx context.Context, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
		if limit, ok := config.MemoryLimit(env.Getenv); ok {
			debug.SetMemoryLimit(limit) // the collector works harder, rather than the function running out of memory
		}
		if err := serveLambda(ctx, env); err != nil {
			fmt.Fprintln(env.Stderr, "keka-export:", err)
			return 1
		}
		return 0
	}
	return runLocal(ctx, env)
}

// services are the collaborators of a run, built once per process.
type services struct {
	cfg    config.Config
	log    *slog.Logger
	client *keka.Client
	store  store.Store
	runner *snapshot.Runner
	pii    dataset.PII
	where  string // the output location, for people
}

// awsLoader returns a function that loads the AWS configuration once, when
// first needed.
func awsLoader(ctx context.Context) func() (aws.Config, error) {
	var awsc *aws.Config
	return func() (aws.Config, error) {
		if awsc != nil {
			return *awsc, nil
		}
		c, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return aws.Config{}, fmt.Errorf("aws: load configuration: %w", err)
		}
		awsc = &c
		return c, nil
	}
}

// connect builds the Keka client and the PII policy: the credentials (from
// the secret when there is one), the endpoints and the hash key.
func connect(ctx context.Context, cfg config.Config, log *slog.Logger, awsCfg func() (aws.Config, error)) (*keka.Client, dataset.PII, error) {
	creds, sec, err := credentials(ctx, cfg, awsCfg)
	if err != nil {
		return nil, dataset.PII{}, err
	}
	baseURL, tokenURL, err := endpoints(cfg, sec)
	if err != nil {
		return nil, dataset.PII{}, &badConfig{err}
	}
	mode, err := dataset.ParsePIIMode(cfg.PII)
	if err != nil {
		return nil, dataset.PII{}, &badConfig{err}
	}
	pii := dataset.PII{Mode: mode}
	if mode == dataset.PIIHash {
		if len(sec.PIIHashKey) < config.MinPIIHashKeyLen {
			return nil, dataset.PII{}, &badConfig{fmt.Errorf("EXPORT_PII=hash needs a hash key of at least %d characters: set pii_hash_key in the secret (or KEKA_PII_HASH_KEY locally)", config.MinPIIHashKeyLen)}
		}
		pii.Key = []byte(sec.PIIHashKey)
	}
	client, err := keka.New(context.WithoutCancel(ctx), keka.Options{
		BaseURL:           baseURL,
		TokenURL:          tokenURL,
		Credentials:       creds,
		RequestsPerMinute: cfg.RequestsPerMinute,
		RequestTimeout:    cfg.RequestTimeout,
		// Ask the secret again as often as it may be cached, so that a
		// rotated one is used within EXPORT_SECRET_TTL.
		CredentialsRecheck: cfg.SecretTTL,
		Logger:             log,
	})
	if err != nil {
		return nil, dataset.PII{}, err
	}
	return client, pii, nil
}

// newLogger returns the JSON logger of the process.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// credentials returns where the Keka credentials come from, and the
// secret's overrides of company and environment, if any.
func credentials(ctx context.Context, cfg config.Config, awsCfg func() (aws.Config, error)) (keka.CredentialsFunc, secret.Secret, error) {
	if cfg.SecretID == "" {
		c := keka.Credentials{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, APIKey: cfg.APIKey}
		return func(context.Context, bool) (keka.Credentials, error) { return c, nil },
			secret.Secret{PIIHashKey: cfg.PIIHashKey}, nil
	}
	ac, err := awsCfg()
	if err != nil {
		return nil, secret.Secret{}, err
	}
	src, err := secret.New(secretsmanager.NewFromConfig(ac), secret.Options{SecretID: cfg.SecretID, TTL: cfg.SecretTTL})
	if err != nil {
		return nil, secret.Secret{}, err
	}
	first, err := src.Get(ctx, false)
	if err != nil {
		return nil, secret.Secret{}, err
	}
	fn := func(ctx context.Context, refresh bool) (keka.Credentials, error) {
		s, err := src.Get(ctx, refresh)
		if err != nil {
			return keka.Credentials{}, err
		}
		return keka.Credentials{ClientID: s.ClientID, ClientSecret: s.ClientSecret, APIKey: s.APIKey}, nil
	}
	return fn, first, nil
}

// build makes the services from a validated configuration. outDir, when
// set, selects the local directory store; otherwise the bucket is used.
func build(ctx context.Context, cfg config.Config, log *slog.Logger, outDir string, progress func(snapshot.Progress)) (*services, error) {
	awsCfg := awsLoader(ctx)
	client, pii, err := connect(ctx, cfg, log, awsCfg)
	if err != nil {
		return nil, err
	}
	svc := &services{cfg: cfg, log: log, client: client, pii: pii}
	if outDir != "" {
		st, err := local.New(outDir)
		if err != nil {
			return nil, err
		}
		svc.store, svc.where = st, outDir
	} else {
		ac, err := awsCfg()
		if err != nil {
			return nil, err
		}
		s3c := s3.NewFromConfig(ac, func(o *s3.Options) { o.UsePathStyle = cfg.S3PathStyle })
		st, err := s3store.New(s3c, s3store.Options{Bucket: cfg.Bucket, Prefix: cfg.Prefix, KMSKeyID: cfg.KMSKeyID})
		if err != nil {
			return nil, err
		}
		svc.store, svc.where = st, "s3://"+cfg.Bucket+"/"+cfg.Prefix
	}

	svc.runner, err = snapshot.New(snapshot.Config{
		Client:      client,
		Store:       svc.store,
		Logger:      log,
		PII:         pii,
		Zone:        cfg.Zone,
		Concurrency: cfg.Concurrency,
		MaxShrink:   cfg.MaxShrink,
		Progress:    progress,
	})
	if err != nil {
		return nil, err
	}
	return svc, nil
}

// endpoints returns Keka's API base and token URLs: the overrides when set,
// else derived from the company and environment, where the secret's win
// over the environment variables.
func endpoints(cfg config.Config, sec secret.Secret) (base, token string, err error) {
	company, env := cfg.Company, cfg.Environment
	if sec.Company != "" {
		company = sec.Company
	}
	if sec.Environment != "" {
		env = sec.Environment
	}
	// Say where a bad value came from: the secret wins over the variables.
	from := "KEKA_COMPANY and KEKA_ENVIRONMENT"
	if sec.Company != "" || sec.Environment != "" {
		from = "the secret's company and environment fields (which win over KEKA_COMPANY and KEKA_ENVIRONMENT)"
	}
	base, token = cfg.BaseURL, cfg.TokenURL
	if base == "" {
		if company == "" {
			return "", "", errors.New("no Keka company: set KEKA_COMPANY or the secret's company field")
		}
		if base, err = keka.BaseURL(company, env); err != nil {
			return "", "", fmt.Errorf("%w (from %s)", err, from)
		}
	}
	if token == "" {
		if token, err = keka.TokenURL(env); err != nil {
			return "", "", fmt.Errorf("%w (from %s)", err, from)
		}
	}
	return base, token, nil
}

// badConfig marks a set-up error that is the configuration's fault (as
// opposed to AWS or the network failing): exit status 2 locally.
type badConfig struct{ err error }

func (e *badConfig) Error() string { return e.err.Error() }
func (e *badConfig) Unwrap() error { return e.err }

// exitCode is the local exit status for a set-up error.
func exitCode(err error) int {
	var bc *badConfig
	if errors.As(err, &bc) {
		return 2
	}
	return 1
}

// request turns a parsed event into a snapshot request; the event's
// datasets and fetch scope win over the environment's (EXPORT_DATASETS,
// KEKA_FETCH_SCOPE).
func request(r config.Request, c config.Config) snapshot.Request {
	req := snapshot.Request{
		Date:       r.SnapshotDate,
		Datasets:   r.Datasets,
		DryRun:     r.DryRun,
		Force:      r.Force,
		Restart:    r.Restart,
		RunID:      r.RunID,
		FetchScope: r.FetchScope,
	}
	if len(req.Datasets) == 0 {
		req.Datasets = c.Datasets
	}
	if req.FetchScope == "" {
		req.FetchScope = c.FetchScope
	}
	return req
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// readEvent reads the event file, "-" for standard input, or nothing.
func readEvent(path string, stdin io.Reader) ([]byte, error) {
	switch path {
	case "":
		return nil, nil
	case "-":
		return io.ReadAll(stdin)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--event: %w", err)
	}
	return b, nil
}
