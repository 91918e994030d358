package testenv_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/kekaexport/keka-hire-export/internal/testenv"
)

func TestFreePort(t *testing.T) {
	port := testenv.FreePort(t)
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("listen on the free port %d: %v", port, err)
	}
	l.Close()
}

func TestStartMoto(t *testing.T) {
	ctx := context.Background()
	var endpoint string
	t.Run("serves S3 and Secrets Manager", func(t *testing.T) {
		m := testenv.StartMoto(t)
		endpoint = m.Endpoint
		if !strings.HasPrefix(m.Endpoint, "http://127.0.0.1:") {
			t.Fatalf("Endpoint = %s, want a loopback URL", m.Endpoint)
		}
		m.CreateBucket(t, "harness")
		if _, err := m.S3(t).PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("harness"), Key: aws.String("a/b"), Body: strings.NewReader("x"),
		}); err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		out, err := m.S3(t).ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil || len(out.Buckets) != 1 || aws.ToString(out.Buckets[0].Name) != "harness" {
			t.Fatalf("ListBuckets = %v, %v; want the one bucket", out, err)
		}
		if _, err := m.SecretsManager(t).CreateSecret(ctx, &secretsmanager.CreateSecretInput{
			Name: aws.String("s"), SecretString: aws.String("{}"),
		}); err != nil {
			t.Fatalf("CreateSecret: %v", err)
		}

		var seen []string
		rt := roundTripper(func(r *http.Request) (*http.Response, error) {
			seen = append(seen, r.Method+" "+r.URL.Path)
			return http.DefaultTransport.RoundTrip(r)
		})
		if _, err := m.S3WithTransport(t, rt).HeadObject(ctx, &s3.HeadObjectInput{
			Bucket: aws.String("harness"), Key: aws.String("a/b"),
		}); err != nil {
			t.Fatalf("HeadObject: %v", err)
		}
		if !slices.Equal(seen, []string{"HEAD /harness/a/b"}) {
			t.Fatalf("requests through the transport = %q, want one path-style HEAD", seen)
		}

		env := m.Env()
		for _, want := range []string{"AWS_ENDPOINT_URL=" + m.Endpoint, "AWS_ACCESS_KEY_ID=testing",
			"AWS_SECRET_ACCESS_KEY=testing", "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1"} {
			if !slices.Contains(env, want) {
				t.Errorf("Env() = %q, missing %q", env, want)
			}
		}
	})

	t.Run("is stopped by cleanup", func(t *testing.T) {
		if endpoint == "" {
			t.Skip("moto did not start")
		}
		client := &http.Client{Timeout: time.Second}
		if resp, err := client.Get(endpoint); err == nil {
			resp.Body.Close()
			t.Fatalf("moto at %s still answers after its test ended", endpoint)
		}
	})

	t.Run("two servers are independent", func(t *testing.T) {
		a, b := testenv.StartMoto(t), testenv.StartMoto(t)
		a.CreateBucket(t, "only-in-a")
		out, err := b.S3(t).ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil || len(out.Buckets) != 0 {
			t.Fatalf("ListBuckets on the second server = %v, %v; want none", out.Buckets, err)
		}
	})
}

func TestStartMoto_notOnPath(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testenv.StartMoto(f)
	}()
	<-done
	if !strings.Contains(f.msg, "moto_server is not on PATH") || !strings.Contains(f.msg, "make tools") {
		t.Fatalf("failure message = %q, want it to say moto_server is missing and to run `make tools`", f.msg)
	}
}

// fatalTB records Fatalf and ends the goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
