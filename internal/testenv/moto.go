package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
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
	out := &syncBuffer{}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	cmd.Stdout = out
	cmd.Stderr = out
	// Own process group, so that cleanup also stops anything moto spawns.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		pgid := cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(motoStopTimeout):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-exited
		}
	}

	m := &Moto{Endpoint: "http://127.0.0.1:" + port}
	if err := m.wait(exited); err != nil {
		stop()
		return nil, fmt.Errorf("moto_server on port %s: %w; its output:\n%s", port, err, out.String())
	}
	t.Cleanup(stop)
	return m, nil
}

// wait polls the endpoint with short timeouts until moto answers, the process
// exits, or motoStartTimeout passes.
func (m *Moto) wait(exited <-chan struct{}) error {
	client := &http.Client{Timeout: 500 * time.Millisecond}
	deadline := time.Now().Add(motoStartTimeout)
	for {
		resp, err := client.Get(m.Endpoint + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		select {
		case <-exited:
			return errors.New("exited before answering")
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not answering after %s: %w", motoStartTimeout, err)
		}
	}
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

// syncBuffer collects a child's output for error messages.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 { // keep the start, where startup errors are
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
