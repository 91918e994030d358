package secret_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/kekaexport/keka-hire-export/internal/secret"
	"github.com/kekaexport/keka-hire-export/internal/testenv"
)

// Values that must never appear in an error message or a log line.
var values = []string{"cid-7f3a91", "csec-Q8dLx2", "akey-Zr44Wm", "hashkey-0N1x"}

const goodJSON = `{"client_id":"cid-7f3a91","client_secret":"csec-Q8dLx2","api_key":"akey-Zr44Wm",
	"company":"acme","environment":"kekademo","pii_hash_key":"hashkey-0N1x"}`

// counter counts GetSecretValue requests.
type counter struct{ n atomic.Int64 }

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("X-Amz-Target") == "secretsmanager.GetSecretValue" {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

type env struct {
	m      *testenv.Moto
	client *secretsmanager.Client
	calls  *counter
}

func newEnv(t *testing.T) *env {
	m := testenv.StartMoto(t)
	c := &counter{}
	cfg := m.AWSConfig(t)
	cfg.HTTPClient = &http.Client{Transport: c}
	return &env{m: m, client: secretsmanager.NewFromConfig(cfg), calls: c}
}

func (e *env) create(t *testing.T, name, value string) {
	t.Helper()
	_, err := e.m.SecretsManager(t).CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String(name), SecretString: aws.String(value),
	})
	if err != nil {
		t.Fatalf("CreateSecret(%s): %v", name, err)
	}
}

func (e *env) update(t *testing.T, name, value string) {
	t.Helper()
	_, err := e.m.SecretsManager(t).PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(name), SecretString: aws.String(value),
	})
	if err != nil {
		t.Fatalf("PutSecretValue(%s): %v", name, err)
	}
}

func (e *env) source(t *testing.T, o secret.Options) *secret.Source {
	t.Helper()
	s, err := secret.New(e.client, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// clock is an injected Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func assertNoValues(t *testing.T, s string) {
	t.Helper()
	for _, v := range values {
		if strings.Contains(s, v) {
			t.Errorf("%q contains the secret value %q", s, v)
		}
	}
}

func TestSource_Get(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)

	t.Run("reads every field", func(t *testing.T) {
		e.create(t, "keka/export", goodJSON)
		got, err := e.source(t, secret.Options{SecretID: "keka/export"}).Get(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		want := secret.Secret{ClientID: "cid-7f3a91", ClientSecret: "csec-Q8dLx2", APIKey: "akey-Zr44Wm",
			Company: "acme", Environment: "kekademo", PIIHashKey: "hashkey-0N1x"}
		if got != want {
			t.Fatalf("Get = %#v, want the fields of the secret", got) // redacted on purpose
		}
	})

	t.Run("optional fields may be missing; values are trimmed", func(t *testing.T) {
		e.create(t, "minimal", `{"client_id":" a ","client_secret":"b\n","api_key":"c","company":null}`)
		got, err := e.source(t, secret.Options{SecretID: "minimal"}).Get(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if want := (secret.Secret{ClientID: "a", ClientSecret: "b", APIKey: "c"}); got != want {
			t.Fatalf("Get = %+v (%q %q %q), want a b c", got, got.ClientID, got.ClientSecret, got.APIKey)
		}
	})

	t.Run("caches until refresh or TTL", func(t *testing.T) {
		e.create(t, "rotating", `{"client_id":"id","client_secret":"v1","api_key":"k"}`)
		clk := &clock{t: time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)}
		s := e.source(t, secret.Options{SecretID: "rotating", TTL: time.Minute, Now: clk.Now})
		get := func(refresh bool) string {
			t.Helper()
			v, err := s.Get(ctx, refresh)
			if err != nil {
				t.Fatal(err)
			}
			return v.ClientSecret
		}
		before := e.calls.n.Load()
		if got := get(false); got != "v1" {
			t.Fatalf("first Get = %s, want v1", got)
		}
		e.update(t, "rotating", `{"client_id":"id","client_secret":"v2","api_key":"k"}`)
		clk.Add(59 * time.Second)
		if got := get(false); got != "v1" {
			t.Fatalf("Get within the TTL = %s, want the cached v1", got)
		}
		if got := e.calls.n.Load() - before; got != 1 {
			t.Fatalf("GetSecretValue calls = %d, want 1", got)
		}
		if got := get(true); got != "v2" {
			t.Fatalf("Get with refresh = %s, want v2", got)
		}
		e.update(t, "rotating", `{"client_id":"id","client_secret":"v3","api_key":"k"}`)
		clk.Add(59 * time.Second)
		if got := get(false); got != "v2" {
			t.Fatalf("Get within the TTL of the refresh = %s, want v2", got)
		}
		clk.Add(time.Second)
		if got := get(false); got != "v3" {
			t.Fatalf("Get after the TTL = %s, want v3", got)
		}
		if got := e.calls.n.Load() - before; got != 3 {
			t.Fatalf("GetSecretValue calls = %d, want 3", got)
		}
	})

	t.Run("concurrent callers share one fetch", func(t *testing.T) {
		e.create(t, "shared", goodJSON)
		s := e.source(t, secret.Options{SecretID: "shared"})
		before := e.calls.n.Load()
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if v, err := s.Get(ctx, false); err != nil || v.APIKey != "akey-Zr44Wm" {
					t.Errorf("Get = %v", err)
				}
			})
		}
		wg.Wait()
		if got := e.calls.n.Load() - before; got != 1 {
			t.Fatalf("GetSecretValue calls = %d, want 1", got)
		}
	})

	t.Run("a failed refresh keeps the cache", func(t *testing.T) {
		e.create(t, "broken-later", goodJSON)
		s := e.source(t, secret.Options{SecretID: "broken-later"})
		if _, err := s.Get(ctx, false); err != nil {
			t.Fatal(err)
		}
		e.update(t, "broken-later", `{"client_id":"x"}`)
		if _, err := s.Get(ctx, true); err == nil {
			t.Fatal("refresh of a broken secret succeeded")
		}
		if v, err := s.Get(ctx, false); err != nil || v.ClientID != "cid-7f3a91" {
			t.Fatalf("Get after a failed refresh = %v, want the cached secret", err)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, c := range []struct {
			name, value string // value "" means: do not create the secret
			want        string
		}{
			{"missing", "",
				`secret: secret "missing" not found (ResourceNotFoundException): check KEKA_SECRET_ID and the function's permission`},
			{"not-json", `client_secret=csec-Q8dLx2`,
				`secret: secret "not-json" is not JSON (want {"client_id":...,"client_secret":...,"api_key":...}): syntax error at byte 1`},
			{"bad-json", `{"client_id":"cid-7f3a91", csec-Q8dLx2}`,
				`secret: secret "bad-json" is not JSON (want {"client_id":...,"client_secret":...,"api_key":...}): syntax error at byte 28`},
			{"array", `["cid-7f3a91"]`,
				`secret: secret "array" is not JSON (want {"client_id":...,"client_secret":...,"api_key":...}): it is a JSON array`},
			{"number", `12345`,
				`secret: secret "number" is not JSON (want {"client_id":...,"client_secret":...,"api_key":...}): it is a JSON number`},
			{"keka/export-no-secret", `{"client_id":"cid-7f3a91","api_key":"akey-Zr44Wm"}`,
				`secret: secret "keka/export-no-secret" has no "client_secret" field`},
			{"empty-field", `{"client_id":"cid-7f3a91","client_secret":"  ","api_key":"akey-Zr44Wm"}`,
				`secret: secret "empty-field" has an empty "client_secret" field`},
			{"wrong-type", `{"client_id":"cid-7f3a91","client_secret":"csec-Q8dLx2","api_key":{"v":"akey-Zr44Wm"}}`,
				`secret: secret "wrong-type" field "api_key" is a JSON object, want a string`},
			{"optional-wrong-type", `{"client_id":"cid-7f3a91","client_secret":"csec-Q8dLx2","api_key":"akey-Zr44Wm","pii_hash_key":["hashkey-0N1x"]}`,
				`secret: secret "optional-wrong-type" field "pii_hash_key" is a JSON array, want a string`},
			{"several", `{"api_key":"akey-Zr44Wm"}`,
				"secret: secret \"several\" has no \"client_id\" field\nsecret: secret \"several\" has no \"client_secret\" field"},
		} {
			t.Run(c.name, func(t *testing.T) {
				if c.value != "" {
					e.create(t, c.name, c.value)
				}
				_, err := e.source(t, secret.Options{SecretID: c.name}).Get(ctx, false)
				if err == nil {
					t.Fatal("Get succeeded, want an error")
				}
				if err.Error() != c.want {
					t.Errorf("error =\n%s\nwant\n%s", err, c.want)
				}
				assertNoValues(t, err.Error())
			})
		}

		t.Run("not found unwraps to the AWS error", func(t *testing.T) {
			_, err := e.source(t, secret.Options{SecretID: "absent"}).Get(ctx, false)
			var nf *types.ResourceNotFoundException
			if !errors.As(err, &nf) {
				t.Fatalf("error %v is not a ResourceNotFoundException", err)
			}
		})

		t.Run("binary secret", func(t *testing.T) {
			_, err := e.m.SecretsManager(t).CreateSecret(ctx, &secretsmanager.CreateSecretInput{
				Name: aws.String("binary"), SecretBinary: []byte(goodJSON),
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.source(t, secret.Options{SecretID: "binary"}).Get(ctx, false)
			if err == nil || !strings.Contains(err.Error(), `secret "binary" has no SecretString`) {
				t.Fatalf("error = %v, want no SecretString", err)
			}
		})

		t.Run("canceled context", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			_, err := e.source(t, secret.Options{SecretID: "keka/export"}).Get(cctx, false)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
		})
	})
}

func TestSecret_redacted(t *testing.T) {
	s := secret.Secret{ClientID: "cid-7f3a91", ClientSecret: "csec-Q8dLx2", APIKey: "akey-Zr44Wm",
		Company: "acme", Environment: "keka", PIIHashKey: "hashkey-0N1x"}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("loaded", "secret", s)
	out := fmt.Sprintf("%v %+v %#v %s", s, s, s, s) + buf.String()
	assertNoValues(t, out)
	if !strings.Contains(out, "acme") {
		t.Errorf("%q does not name the company", out)
	}
}

func TestNew(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		name   string
		client *secretsmanager.Client
		o      secret.Options
	}{
		{"nil client", nil, secret.Options{SecretID: "x"}},
		{"no secret id", e.client, secret.Options{}},
		{"negative TTL", e.client, secret.Options{SecretID: "x", TTL: -time.Second}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := secret.New(c.client, c.o); err == nil {
				t.Fatal("New succeeded, want an error")
			}
		})
	}
}
