package testenv

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Region and the static credentials that moto accepts.
const (
	MotoRegion    = "us-east-1"
	MotoAccessKey = "testing"
	MotoSecretKey = "testing"
)

const (
	motoStartTimeout = 20 * time.Second
	motoStopTimeout  = 5 * time.Second
	motoStartTries   = 3 // new port each time, in case another process took it
)

// Moto is a running moto_server, an in-memory emulation of AWS services.
type Moto struct {
	// Endpoint is http://127.0.0.1:PORT.
	Endpoint string
}

// StartMoto starts moto_server on a free loopback port, waits until it
// answers, and registers t.Cleanup to stop it. It fails the test, never skips
// it, if moto_server is not on PATH or does not start.
func StartMoto(t testing.TB) *Moto {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Fatalf("testenv: moto_server is not on PATH (%v): run `make tools` to install it", err)
	}
	var lastErr error
	for range motoStartTries {
		m, err := startMoto(t, bin)
		if err == nil {
			return m
		}
		lastErr = err
	}
	t.Fatalf("testenv: %v", lastErr)
	return nil
}

func startMoto(t testing.TB, bin string) (*Moto, error) {
	port := strconv.Itoa(FreePort(t))
	out := &syncBuffer{max: 64 << 10}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	cmd.Stdout = out
	cmd.Stderr = out
	p, err := startProcess(cmd)
	if err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	stop := func() { p.stop(motoStopTimeout) }

	m := &Moto{Endpoint: "http://127.0.0.1:" + port}
	client := &http.Client{Timeout: 500 * time.Millisecond}
	err = p.waitReady(motoStartTimeout, 100*time.Millisecond, func() error {
		resp, err := client.Get(m.Endpoint + "/moto-api/data.json")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %s", resp.Status)
		}
		return nil
	})
	if err != nil {
		stop()
		return nil, fmt.Errorf("moto_server on port %s: %w; its output:\n%s", port, err, out.String())
	}
	t.Cleanup(stop)
	return m, nil
}

// AWSConfig returns a configuration for moto: region us-east-1, static test
// credentials, BaseEndpoint set to Endpoint. It is built by hand, not by
// config.LoadDefaultConfig, so that nothing in the developer's environment or
// ~/.aws (a profile, AWS_ENDPOINT_URL_S3) can point a test at real AWS.
func (m *Moto) AWSConfig(t testing.TB) aws.Config {
	t.Helper()
	return aws.Config{
		Region:       MotoRegion,
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(MotoAccessKey, MotoSecretKey, "")),
		BaseEndpoint: aws.String(m.Endpoint),
	}
}

// S3 returns a path-style S3 client for moto.
func (m *Moto) S3(t testing.TB) *s3.Client {
	t.Helper()
	return m.S3WithTransport(t, nil)
}

// S3WithTransport returns a path-style S3 client for moto whose requests go
// through rt (http.DefaultTransport when nil), for tests that inject faults.
func (m *Moto) S3WithTransport(t testing.TB, rt http.RoundTripper) *s3.Client {
	t.Helper()
	cfg := m.AWSConfig(t)
	if rt != nil {
		cfg.HTTPClient = &http.Client{Transport: rt}
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// SecretsManager returns a Secrets Manager client for moto.
func (m *Moto) SecretsManager(t testing.TB) *secretsmanager.Client {
	t.Helper()
	return secretsmanager.NewFromConfig(m.AWSConfig(t))
}

// CreateBucket creates a bucket in moto and returns its name.
func (m *Moto) CreateBucket(t testing.TB, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := m.S3(t).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("testenv: create bucket %s: %v", name, err)
	}
	return name
}

// Env returns the environment for a child process (the lambda binary, the
// aws cli) that should talk to moto; append it to os.Environ().
func (m *Moto) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + m.Endpoint,
		"AWS_ACCESS_KEY_ID=" + MotoAccessKey,
		"AWS_SECRET_ACCESS_KEY=" + MotoSecretKey,
		"AWS_REGION=" + MotoRegion,
		"AWS_DEFAULT_REGION=" + MotoRegion,
	}
}
