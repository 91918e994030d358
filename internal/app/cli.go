package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/config"
)

// flags are the local command line.
type flags struct {
	demo    bool
	event   string
	out     string
	budget  time.Duration
	dryRun  bool
	lookup  string
	metrics string
}

// flagSet declares the flags into f.
func flagSet(f *flags) *flag.FlagSet {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&f.demo, "demo", false, demoUsage)
	fs.StringVar(&f.event, "event", "", "invocation event `FILE` (JSON; - for standard input); default: today's snapshot of every dataset")
	fs.StringVar(&f.out, "out", "", "write to this `DIR` (default ./out, or S3 when EXPORT_BUCKET is set)")
	fs.DurationVar(&f.budget, "invocation-budget", 0, "stop each simulated invocation after this long, checkpoint, and continue in the next, until the run completes (default 0: one invocation without limit)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "plan the run and write nothing: the records and requests each dataset needs, the time at the configured rate, and the invocations (the event's dryRun)")
	fs.StringVar(&f.lookup, "lookup", "", "look records up in Keka now, touching no snapshot: a `JSON` object as the event's lookup, e.g. '{\"dataset\":\"preboarding_candidates\",\"status\":1}'")
	fs.StringVar(&f.metrics, "metrics", "", "append the run's CloudWatch EMF metric lines to this `FILE` (- for standard error); under Lambda they go to standard output")
	return fs
}

// errHelp is returned by parseFlags for -h, -help and --help.
var errHelp = flag.ErrHelp

// parseFlags parses the command line. Its errors are one line.
func parseFlags(args []string) (flags, error) {
	var f flags
	fs := flagSet(&f)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, errHelp
		}
		return f, fmt.Errorf("%w (see --help)", err)
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	if f.budget < 0 {
		return f, errors.New("--invocation-budget must not be negative")
	}
	if f.demo && (f.event != "" || f.dryRun || f.lookup != "") {
		return f, errors.New("--event, --dry-run and --lookup cannot be used with --demo: the demo always exports today's snapshot of its own tenant")
	}
	if f.lookup != "" && (f.dryRun || f.event != "") {
		return f, errors.New("--lookup cannot be used with --dry-run or --event: a look-up is its own event and writes nothing")
	}
	return f, nil
}

// envVar is one documented environment variable.
type envVar struct{ name, def, meaning string }

// envVars are the environment variables of the export, with their
// defaults, as config.FromEnv reads them.
var envVars = []envVar{
	{"KEKA_COMPANY", "", "your Keka subdomain (acme for acme.keka.com)"},
	{"KEKA_ENVIRONMENT", config.DefaultEnvironment, "keka (production) or kekademo (sandbox)"},
	{"KEKA_CLIENT_ID, KEKA_CLIENT_SECRET, KEKA_API_KEY", "", "the API key's values (Keka: Settings, Integrations & Automations, API access)"},
	{"KEKA_SECRET_ID", "", "a Secrets Manager secret with client_id, client_secret, api_key instead"},
	{"KEKA_BASE_URL, KEKA_TOKEN_URL", "derived", "overrides of Keka's URLs (https unless loopback)"},
	{"KEKA_REQUESTS_PER_MINUTE", fmt.Sprint(config.DefaultRequestsPerMinute), "client-side rate limit"},
	{"KEKA_CONCURRENCY", fmt.Sprint(config.DefaultConcurrency), "requests in flight at once (1 to 32)"},
	{"KEKA_TIMEZONE", config.DefaultTimezone, "IANA zone of Keka's zone-less timestamps"},
	{"KEKA_REQUEST_TIMEOUT", config.DefaultRequestTimeout.String(), "per HTTP attempt"},
	{"KEKA_PII_HASH_KEY", "", "key of EXPORT_PII=hash without a secret (16 characters or more)"},
	{"EXPORT_BUCKET", "", "S3 bucket; without --out a local run writes there"},
	{"EXPORT_PREFIX", config.DefaultPrefix, "key prefix"},
	{"EXPORT_S3_PATH_STYLE", "false", "path-style S3 addressing"},
	{"EXPORT_KMS_KEY_ID", "", "SSE-KMS key for every object (SSE-S3 otherwise)"},
	{"EXPORT_PII", config.DefaultPII, "keep, hash or drop personal fields"},
	{"EXPORT_DATASETS", "the default datasets", "comma-separated datasets of a run whose event names none (interviews and scorecards only when named)"},
	{"KEKA_FETCH_SCOPE", "all", "applications whose interviews and scorecards are read when new or changed: all, active or Nd (changed in the last N days)"},
	{"EXPORT_MAX_SHRINK", fmt.Sprint(config.DefaultMaxShrink), "refuse to publish a dataset whose rows fell by more than this share"},
	{"EXPORT_SECRET_TTL", config.DefaultSecretTTL.String(), "how long a fetched secret is reused"},
	{"EXPORT_DEADLINE_MARGIN", config.DefaultDeadlineMargin.String(), "time kept before the Lambda deadline to checkpoint"},
	{"EXPORT_STACK_NAME", "the function's name, or local", "the Stack dimension of the metrics"},
	{"LOG_LEVEL", "info", "debug, info, warn or error (logs are JSON on standard error)"},
}

// usage writes --help: what the command does, every flag and every
// environment variable with its default, and the exit statuses.
func usage(w io.Writer) {
	fmt.Fprint(w, `usage: export [flags]

Exports Keka Hire jobs, applications and preboarding candidates into
date-partitioned Parquet snapshots (a local directory or S3). The result is
JSON on standard output; a summary table, the progress line (on a terminal)
and JSON logs go to standard error.

Flags:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	flagSet(&flags{}).VisitAll(func(fl *flag.Flag) {
		name, text := flag.UnquoteUsage(fl)
		arg := "--" + fl.Name
		if name != "" {
			arg += " " + strings.ToUpper(name)
		}
		fmt.Fprintf(tw, "  %s\t%s\n", arg, text)
	})
	_ = tw.Flush()
	fmt.Fprint(w, "\nEnvironment (default in brackets):\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, v := range envVars {
		def := v.def
		if def == "" {
			def = "none"
		}
		fmt.Fprintf(tw, "  %s\t[%s]\t%s\n", v.name, def, v.meaning)
	}
	_ = tw.Flush()
	fmt.Fprint(w, `
Exit status: 0 complete, 1 failed or interrupted (run it again to resume),
2 bad configuration, flags or event, 3 published but incomplete, 4 the date
is held by another invocation.
`)
}
