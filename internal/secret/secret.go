// Package secret reads the Keka credentials from an AWS Secrets Manager
// secret, caches them for a while, and fetches them again on demand when Keka
// rejects them (after a rotation).
//
// Errors name the secret and the field at fault, never a value.
package secret

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// DefaultTTL is how long a fetched secret is reused unless Options.TTL is set.
const DefaultTTL = 5 * time.Minute

// Secret is the content of the secret: JSON with the keys client_id,
// client_secret, api_key (required) and company, environment, pii_hash_key
// (optional). Values are trimmed of surrounding white space.
//
// Its String, GoString and LogValue methods redact the credentials, so that
// printing or logging a Secret by mistake leaks nothing.
type Secret struct {
	ClientID, ClientSecret, APIKey string
	Company, Environment           string
	PIIHashKey                     string
}

// String returns the company and environment, and redacts everything else.
func (s Secret) String() string {
	return fmt.Sprintf("secret.Secret{Company:%q, Environment:%q, credentials redacted}", s.Company, s.Environment)
}

// GoString is String, for %#v.
func (s Secret) GoString() string { return s.String() }

// LogValue implements slog.LogValuer with the credentials redacted.
func (s Secret) LogValue() slog.Value {
	return slog.GroupValue(slog.String("company", s.Company), slog.String("environment", s.Environment))
}

// Options configures a Source.
type Options struct {
	// SecretID is the secret's name or ARN (KEKA_SECRET_ID).
	SecretID string
	// TTL is how long a fetched secret is reused: DefaultTTL when 0.
	TTL time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Source fetches and caches one secret. It is safe for concurrent use: at
// most one fetch runs at a time, and callers that waited for it share its
// result.
type Source struct {
	client *secretsmanager.Client
	id     string
	ttl    time.Duration
	now    func() time.Time

	fetching chan struct{} // a token held by the one fetching caller

	mu      sync.Mutex
	cur     Secret
	fetched time.Time
	gen     uint64 // number of successful fetches
}

// New returns a Source of the secret o.SecretID read through client. It
// returns an error for a nil client, an empty secret id or a negative TTL.
func New(client *secretsmanager.Client, o Options) (*Source, error) {
	if client == nil {
		return nil, errors.New("secret: nil Secrets Manager client")
	}
	if o.SecretID == "" {
		return nil, errors.New("secret: empty secret id (set KEKA_SECRET_ID)")
	}
	if o.TTL < 0 {
		return nil, fmt.Errorf("secret: negative TTL %s", o.TTL)
	}
	if o.TTL == 0 {
		o.TTL = DefaultTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Source{
		client:   client,
		id:       o.SecretID,
		ttl:      o.TTL,
		now:      o.Now,
		fetching: make(chan struct{}, 1),
	}, nil
}

// Get returns the cached secret while it is fresh, and fetches it otherwise.
// refresh=true fetches it again (after Keka rejected the credentials), unless
// another caller fetched it while this one waited. On error the cache is kept
// as it was.
func (s *Source) Get(ctx context.Context, refresh bool) (Secret, error) {
	s.mu.Lock()
	gen := s.gen
	if !refresh && s.freshLocked() {
		v := s.cur
		s.mu.Unlock()
		return v, nil
	}
	s.mu.Unlock()

	select {
	case s.fetching <- struct{}{}:
	case <-ctx.Done():
		return Secret{}, fmt.Errorf("secret: get secret %q: %w", s.id, ctx.Err())
	}
	defer func() { <-s.fetching }()

	s.mu.Lock()
	if s.gen != gen && s.freshLocked() {
		// Fetched by another caller after this call began.
		v := s.cur
		s.mu.Unlock()
		return v, nil
	}
	s.mu.Unlock()

	v, err := s.fetch(ctx)
	if err != nil {
		return Secret{}, err
	}
	s.mu.Lock()
	s.cur, s.fetched = v, s.now()
	s.gen++
	s.mu.Unlock()
	return v, nil
}

func (s *Source) freshLocked() bool {
	return s.gen > 0 && s.now().Sub(s.fetched) < s.ttl
}

func (s *Source) fetch(ctx context.Context) (Secret, error) {
	out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(s.id)})
	if err != nil {
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			return Secret{}, &notFoundError{id: s.id, err: err}
		}
		return Secret{}, fmt.Errorf("secret: get secret %q: %w", s.id, err)
	}
	if out.SecretString == nil {
		return Secret{}, fmt.Errorf("secret: secret %q has no SecretString (a binary secret is not supported)", s.id)
	}
	return parse(s.id, *out.SecretString)
}

// notFoundError says what to check, and unwraps to
// *types.ResourceNotFoundException.
type notFoundError struct {
	id  string
	err error
}

func (e *notFoundError) Error() string {
	return fmt.Sprintf("secret: secret %q not found (ResourceNotFoundException): check KEKA_SECRET_ID and the function's permission", e.id)
}

func (e *notFoundError) Unwrap() error { return e.err }

// parse decodes the SecretString. Its errors never quote the string: those of
// encoding/json may, so only their position or a type is reported.
func parse(id, s string) (Secret, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &fields); err != nil {
		const want = `{"client_id":...,"client_secret":...,"api_key":...}`
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return Secret{}, fmt.Errorf("secret: secret %q is not JSON (want %s): syntax error at byte %d", id, want, syn.Offset)
		default:
			return Secret{}, fmt.Errorf("secret: secret %q is not JSON (want %s): it is a JSON %s", id, want, kind(s))
		}
	}
	var errs []error
	field := func(name string, required bool) string {
		raw, ok := fields[name]
		if !ok || string(raw) == "null" {
			if required {
				errs = append(errs, fmt.Errorf("secret: secret %q has no %q field", id, name))
			}
			return ""
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			errs = append(errs, fmt.Errorf("secret: secret %q field %q is a JSON %s, want a string", id, name, kind(string(raw))))
			return ""
		}
		v = strings.TrimSpace(v)
		if required && v == "" {
			errs = append(errs, fmt.Errorf("secret: secret %q has an empty %q field", id, name))
		}
		return v
	}
	sec := Secret{
		ClientID:     field("client_id", true),
		ClientSecret: field("client_secret", true),
		APIKey:       field("api_key", true),
		Company:      field("company", false),
		Environment:  field("environment", false),
		PIIHashKey:   field("pii_hash_key", false),
	}
	if err := errors.Join(errs...); err != nil {
		return Secret{}, err
	}
	return sec, nil
}

// kind names the type of a JSON value from its first byte.
func kind(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return "empty value"
	}
	switch c := v[0]; {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "boolean"
	case c == 'n':
		return "null"
	default:
		return "number"
	}
}
