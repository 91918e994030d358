// Package config reads and validates the exporter's configuration: the
// environment variables (FromEnv) and the invocation event (ParseEvent). All
// validation happens here, before any request, and every error is one line
// naming the variable or field to fix, never a secret value.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is the validated environment. BaseURL and TokenURL hold the
// KEKA_BASE_URL and KEKA_TOKEN_URL overrides only: the caller derives the
// others from Company and Environment once it has read the Keka secret,
// whose company and environment fields win over the variables.
type Config struct {
	Company, Environment, BaseURL, TokenURL string
	SecretID                                string
	ClientID, ClientSecret, APIKey          string // local mode
	RequestsPerMinute                       float64
	Concurrency                             int // KEKA_CONCURRENCY: requests in flight at once
	RequestTimeout                          time.Duration
	Zone                                    *time.Location // KEKA_TIMEZONE: Keka's zone-less timestamps are its wall clock; time.UTC by default
	Bucket, Prefix                          string
	S3PathStyle                             bool
	KMSKeyID                                string
	PII                                     string // "keep", "hash" or "drop"
	PIIHashKey                              string
	MaxShrink                               float64
	// FetchScope is KEKA_FETCH_SCOPE: all (the default), active or Nd,
	// bounding the applications whose interviews and scorecards a run reads
	// when they are new or changed. An event's fetchScope wins.
	FetchScope string
	// Datasets is EXPORT_DATASETS, comma-separated: what a run whose
	// event names none exports (nil: the default datasets). An event's
	// datasets win.
	Datasets                  []string
	SecretTTL, DeadlineMargin time.Duration
	LogLevel                  slog.Level
	// Stack is EXPORT_STACK_NAME, the Stack dimension of the metrics;
	// empty when unset (the caller names the function or "local").
	Stack string
}

// FetchScopePattern is what KEKA_FETCH_SCOPE and an event's fetchScope
// hold: all, active, or a number of days from 1 to 3650 and "d".
var FetchScopePattern = regexp.MustCompile(`^(all|active|([1-9][0-9]{0,2}|[1-2][0-9]{3}|3[0-5][0-9]{2}|36[0-4][0-9]|3650)d)$`)

// Defaults, as documented in docs/design.md.
const (
	DefaultEnvironment       = "keka"
	DefaultRequestsPerMinute = 50
	// DefaultConcurrency keeps six requests in flight: at 50 a minute a
	// response may take five rate intervals (6 s) before a run slows.
	DefaultConcurrency = 6
	// MaxConcurrency bounds KEKA_CONCURRENCY: more workers than this only
	// wait on the rate limiter and hold pages in memory.
	MaxConcurrency        = 32
	DefaultRequestTimeout = 30 * time.Second
	DefaultPrefix         = "keka"
	DefaultPII            = "keep"
	DefaultMaxShrink      = 0.2
	DefaultSecretTTL      = 5 * time.Minute
	DefaultDeadlineMargin = 30 * time.Second
	// DefaultTimezone is an assumption: Keka never said which zone its
	// zone-less timestamps are in.
	DefaultTimezone = "UTC"

	// MinRequestsPerMinute is the slowest rate accepted: slower, a run
	// waits minutes between requests and looks hung.
	MinRequestsPerMinute = 1

	// MinPIIHashKeyLen is the shortest accepted PII hash key, in bytes.
	MinPIIHashKeyLen = 16
)

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// problems collects validation failures into one line.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return errors.New("config: " + strings.Join(p, "; "))
}

// FromEnv reads the variables listed in docs/design.md through getenv and
// validates them. lambda=true requires EXPORT_BUCKET and KEKA_SECRET_ID;
// local mode requires KEKA_CLIENT_ID, KEKA_CLIENT_SECRET and KEKA_API_KEY
// unless KEKA_SECRET_ID is set. KEKA_COMPANY may be left to the secret when
// KEKA_SECRET_ID is set, and so may the PII hash key. On failure it returns every problem found, joined by
// "; " on one line.
func FromEnv(getenv func(string) string, lambda bool) (Config, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	var p problems
	c := Config{
		Company:      strings.ToLower(get("KEKA_COMPANY")),
		Environment:  strings.ToLower(get("KEKA_ENVIRONMENT")),
		SecretID:     get("KEKA_SECRET_ID"),
		ClientID:     get("KEKA_CLIENT_ID"),
		ClientSecret: get("KEKA_CLIENT_SECRET"),
		APIKey:       get("KEKA_API_KEY"),
		Bucket:       get("EXPORT_BUCKET"),
		Prefix:       strings.Trim(get("EXPORT_PREFIX"), "/"),
		KMSKeyID:     get("EXPORT_KMS_KEY_ID"),
		PII:          strings.ToLower(get("EXPORT_PII")),
		PIIHashKey:   getenv("KEKA_PII_HASH_KEY"), // a key is used as given
		Stack:        get("EXPORT_STACK_NAME"),
	}
	if c.Environment == "" {
		c.Environment = DefaultEnvironment
	}
	if get("EXPORT_PREFIX") == "" {
		c.Prefix = DefaultPrefix
	}
	if c.PII == "" {
		c.PII = DefaultPII
	}

	// Keka endpoints.
	if c.Environment != "keka" && c.Environment != "kekademo" {
		p.add("KEKA_ENVIRONMENT %s is not keka or kekademo", short(c.Environment))
	}
	baseOverride, tokenOverride := get("KEKA_BASE_URL"), get("KEKA_TOKEN_URL")
	switch {
	case c.Company != "" && !dnsLabel.MatchString(c.Company):
		p.add("KEKA_COMPANY %s is not a subdomain: use the part before .keka.com (letters, digits, hyphens)", short(c.Company))
	case c.Company == "" && c.SecretID == "" && (baseOverride == "" || tokenOverride == ""):
		p.add("KEKA_COMPANY is not set: set it to the tenant's subdomain ({company}.keka.com)")
	}
	if baseOverride != "" {
		if err := checkURL(baseOverride); err != nil {
			p.add("KEKA_BASE_URL %v", err)
		}
		c.BaseURL = strings.TrimRight(baseOverride, "/")
	}
	if tokenOverride != "" {
		if err := checkURL(tokenOverride); err != nil {
			p.add("KEKA_TOKEN_URL %v", err)
		}
		c.TokenURL = tokenOverride
	}

	// Credentials and destination.
	if lambda {
		var missing []string
		if c.SecretID == "" {
			missing = append(missing, "KEKA_SECRET_ID")
		}
		if c.Bucket == "" {
			missing = append(missing, "EXPORT_BUCKET")
		}
		if len(missing) > 0 {
			p.add("%s not set: required in Lambda", strings.Join(missing, " and "))
		}
	} else if c.SecretID == "" {
		var missing []string
		for _, kv := range [][2]string{{"KEKA_CLIENT_ID", c.ClientID}, {"KEKA_CLIENT_SECRET", c.ClientSecret}, {"KEKA_API_KEY", c.APIKey}} {
			if kv[1] == "" {
				missing = append(missing, kv[0])
			}
		}
		if len(missing) > 0 {
			p.add("%s not set: set the Keka API credentials, or KEKA_SECRET_ID", strings.Join(missing, ", "))
		}
	}

	// Numbers and durations.
	c.RequestsPerMinute = floatVar(&p, get, "KEKA_REQUESTS_PER_MINUTE", DefaultRequestsPerMinute, func(v float64) string {
		if v < MinRequestsPerMinute {
			return fmt.Sprintf("is below %d: want at least %d (Keka allows 50 a minute)", MinRequestsPerMinute, MinRequestsPerMinute)
		}
		return ""
	})
	c.Concurrency = DefaultConcurrency
	if s := get("KEKA_CONCURRENCY"); s != "" {
		n, err := strconv.Atoi(s)
		switch {
		case err != nil:
			p.add("KEKA_CONCURRENCY %s is not a whole number", short(s))
		case n < 1 || n > MaxConcurrency:
			p.add("KEKA_CONCURRENCY %d is not between 1 and %d", n, MaxConcurrency)
		default:
			c.Concurrency = n
		}
	}
	c.MaxShrink = floatVar(&p, get, "EXPORT_MAX_SHRINK", DefaultMaxShrink, func(v float64) string {
		if v < 0 || v > 1 {
			return "must be between 0 and 1"
		}
		return ""
	})
	c.RequestTimeout = durationVar(&p, get, "KEKA_REQUEST_TIMEOUT", DefaultRequestTimeout, time.Second, 15*time.Minute)
	c.SecretTTL = durationVar(&p, get, "EXPORT_SECRET_TTL", DefaultSecretTTL, time.Second, 24*time.Hour)
	// At least a second: the checkpoint at the deadline needs time to write.
	c.DeadlineMargin = durationVar(&p, get, "EXPORT_DEADLINE_MARGIN", DefaultDeadlineMargin, time.Second, 10*time.Minute)
	c.Zone = zoneVar(&p, get, "KEKA_TIMEZONE")
	if c.FetchScope = strings.ToLower(get("KEKA_FETCH_SCOPE")); c.FetchScope != "" && !FetchScopePattern.MatchString(c.FetchScope) {
		p.add("KEKA_FETCH_SCOPE %s is not all, active or Nd (N days, e.g. 30d)", short(c.FetchScope))
	}
	for _, name := range strings.Split(get("EXPORT_DATASETS"), ",") {
		if name = strings.TrimSpace(name); name != "" && !slices.Contains(c.Datasets, name) {
			c.Datasets = append(c.Datasets, name)
		}
	}
	if c.Bucket != "" && !bucketName.MatchString(c.Bucket) {
		p.add("EXPORT_BUCKET %s is not a bucket name: give the name alone (3-63 lowercase letters, digits, dots, hyphens), not an s3:// URL", short(c.Bucket))
	}
	if !prefixPattern.MatchString(c.Prefix) || strings.Contains("/"+c.Prefix+"/", "/../") || strings.Contains("/"+c.Prefix+"/", "/./") {
		p.add("EXPORT_PREFIX %s is not a key prefix: use path segments without leading or trailing slash, e.g. keka or exports/keka", short(c.Prefix))
	}
	if v := get("EXPORT_S3_PATH_STYLE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			p.add("EXPORT_S3_PATH_STYLE %s is not true or false", short(v))
		}
		c.S3PathStyle = b
	}
	if v := get("LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			p.add("LOG_LEVEL %s is not debug, info, warn or error", short(v))
		}
	}

	// Personal data.
	switch c.PII {
	case "keep", "drop":
	case "hash":
		if c.PIIHashKey == "" && !lambda && c.SecretID == "" {
			p.add("KEKA_PII_HASH_KEY is not set: EXPORT_PII=hash needs a key")
		}
	default:
		p.add("EXPORT_PII %s is not keep, hash or drop", short(c.PII))
	}
	if c.PIIHashKey != "" && len(c.PIIHashKey) < MinPIIHashKeyLen {
		p.add("KEKA_PII_HASH_KEY is too short: use at least %d characters", MinPIIHashKeyLen)
	}
	if err := p.err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

var (
	bucketName    = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	prefixPattern = regexp.MustCompile(`^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$`)
)

// checkURL accepts an absolute https URL, or http for a loopback host. Its
// error never contains the URL, which may carry credentials.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return errors.New("is not an absolute URL: want https://host/path")
	}
	if u.User != nil {
		return errors.New("must not carry a user or password")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return errors.New("must use https (http only for a loopback host)")
	}
	return errors.New("must use https")
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func floatVar(p *problems, get func(string) string, name string, def float64, check func(float64) string) float64 {
	s := get(name)
	if s == "" {
		return def
	}
	v, err := strconv.ParseFloat(s, 64) // an underflow is 0 with ErrRange, for check to judge
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		p.add("%s %s is not a number", name, short(s))
		return def
	case math.IsNaN(v) || math.IsInf(v, 0):
		p.add("%s %s is not a finite number", name, short(s))
		return def
	}
	if msg := check(v); msg != "" {
		p.add("%s %s %s", name, short(s), msg)
	}
	return v
}

func durationVar(p *problems, get func(string) string, name string, def, min, max time.Duration) time.Duration {
	s := get(name)
	if s == "" {
		return def
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		p.add("%s %s is not a duration: want e.g. 30s or 5m", name, short(s))
		return def
	}
	if v < min || v > max {
		p.add("%s %s is out of range: want %v to %v", name, short(s), min, max)
	}
	return v
}

// zoneVar reads an IANA time zone name, e.g. Asia/Kolkata; "" is UTC.
// "Local" is refused: a snapshot must not depend on the machine it ran on.
func zoneVar(p *problems, get func(string) string, name string) *time.Location {
	s := get(name)
	if s == "" {
		s = DefaultTimezone
	}
	loc, err := time.LoadLocation(s)
	if err != nil || s == "Local" {
		p.add("%s %s is not an IANA time zone: want a name such as Asia/Kolkata or UTC", name, short(s))
		return time.UTC
	}
	return loc
}

// short quotes a non-secret value for an error message, cut to 40 bytes.
func short(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:40]) + "…"
	}
	return strconv.Quote(s)
}
