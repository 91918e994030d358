package testenv

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	rieStartTimeout = 20 * time.Second
	rieStopTimeout  = 5 * time.Second
	rieStartTries   = 3 // new ports each time, in case another process took one
	// DefaultFunctionTimeout is the function timeout StartRIE uses when given
	// none: the template's, Lambda's maximum.
	DefaultFunctionTimeout = 900 * time.Second
)

// BuildBootstrap builds the Lambda binary, ./functions/export, for this host
// (linux, the host's GOARCH, CGO_ENABLED=0, -tags lambda.norpc,nodemo, as the Makefile builds it) into
// t.TempDir() and returns its path. It fails the test if the build fails.
func BuildBootstrap(t testing.TB) string {
	t.Helper()
	return BuildLambda(t, "./functions/export")
}

// BuildLambda builds the main package pkg, a path relative to the module
// root such as "./functions/export", as BuildBootstrap does, and returns the
// path of the binary, named bootstrap. It fails the test if the build fails.
func BuildLambda(t testing.TB, pkg string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc,nodemo", "-trimpath", "-o", out, pkg)
	cmd.Dir = ModuleRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("testenv: go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// ModuleRoot returns the directory holding go.mod, found from the working
// directory upwards (a test runs in its package's directory). It fails the
// test if there is none.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testenv: working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// RIE is a running AWS Lambda Runtime Interface Emulator serving one
// function.
type RIE struct {
	// URL is http://127.0.0.1:PORT, the emulator's invoke endpoint.
	URL string

	timeout time.Duration
	logs    *syncBuffer
}

// StartRIE runs the Lambda Runtime Interface Emulator (bin/aws-lambda-rie
// under the module root, else aws-lambda-rie on PATH) with bootstrap as the
// function, on free loopback ports, waits until it answers, and registers
// t.Cleanup to stop it and the function (its process group). timeout is the
// function timeout (AWS_LAMBDA_FUNCTION_TIMEOUT, whole seconds, rounded up;
// DefaultFunctionTimeout when zero): the context deadline the handler sees,
// and when the emulator kills it.
//
// The function sees env and nothing else of the test's environment but PATH:
// HOME is an empty directory, so no profile or ~/.aws can point it at real
// AWS. Pass the function's AWS_*, KEKA_* and EXPORT_* variables in env.
//
// The emulator and the function write to one log, which Logs returns. It
// fails the test, never skips it, if the emulator is missing or does not
// start.
func StartRIE(t testing.TB, bootstrap string, env []string, timeout time.Duration) *RIE {
	t.Helper()
	bin := rieBinary(t)
	if timeout <= 0 {
		timeout = DefaultFunctionTimeout
	}
	seconds := int(math.Ceil(timeout.Seconds()))
	var lastErr error
	for range rieStartTries {
		r, err := startRIE(t, bin, bootstrap, env, time.Duration(seconds)*time.Second)
		if err == nil {
			return r
		}
		lastErr = err
	}
	t.Fatalf("testenv: %v", lastErr)
	return nil
}

func rieBinary(t testing.TB) string {
	t.Helper()
	p := filepath.Join(ModuleRoot(t), "bin", "aws-lambda-rie")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	p, err := exec.LookPath("aws-lambda-rie")
	if err != nil {
		t.Fatal("testenv: aws-lambda-rie is neither in bin/ nor on PATH: run `make tools` to install it")
	}
	return p
}

func startRIE(t testing.TB, bin, bootstrap string, env []string, timeout time.Duration) (*RIE, error) {
	addr := "127.0.0.1:" + strconv.Itoa(FreePort(t))
	// The emulator's Runtime API, which the function polls, defaults to port
	// 9001: give each emulator its own so that tests can run in parallel.
	apiAddr := "127.0.0.1:" + strconv.Itoa(FreePort(t))
	logs := &syncBuffer{} // whole: tests search it
	cmd := exec.Command(bin,
		"--log-level", "info", // not the function's LOG_LEVEL
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", apiAddr,
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"TMPDIR=" + t.TempDir(),
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(int(timeout.Seconds())),
	}, env...)
	cmd.Stdout = logs
	cmd.Stderr = logs
	p, err := startProcess(cmd)
	if err != nil {
		return nil, fmt.Errorf("start aws-lambda-rie: %w", err)
	}
	// The emulator starts the function in a process group of its own: find
	// it before the emulator is gone.
	stop := func() { p.stop(rieStopTimeout, childPIDs(p.cmd.Process.Pid)...) }

	r := &RIE{URL: "http://" + addr, timeout: timeout, logs: logs}
	// The emulator has no health endpoint: any answer will do. The function
	// itself starts at the first invocation.
	client := &http.Client{Timeout: 500 * time.Millisecond}
	err = p.waitReady(rieStartTimeout, 50*time.Millisecond, func() error {
		resp, err := client.Get(r.URL + "/")
		if err == nil {
			resp.Body.Close()
		}
		return err
	})
	if err != nil {
		stop()
		return nil, fmt.Errorf("aws-lambda-rie on %s: %w; its output:\n%s", addr, err, logs.String())
	}
	t.Cleanup(stop)
	return r, nil
}

// Invoke invokes the function with payload, as Lambda's Invoke API does
// (POST {URL}/2015-03-31/functions/function/invocations), and returns the
// response body. Like the emulator, it answers with status 200 whatever the
// handler did: a handler error comes back as Lambda's error JSON
// ({"errorMessage": ..., "errorType": ...}), a timeout as the text
// "Task timed out after N.00 seconds". It fails the test on any other status
// (502 when the function exits during init, say) or if the request fails,
// with the log in the message; InvokeStatus does not.
func (r *RIE) Invoke(t testing.TB, payload []byte) []byte {
	t.Helper()
	status, body := r.InvokeStatus(t, payload)
	if status != http.StatusOK {
		t.Fatalf("testenv: invoke the function: status %d: %s\nlog:\n%s", status, body, r.Logs())
	}
	return body
}

// InvokeStatus is Invoke for tests that expect the invocation to fail: it
// returns the emulator's status code (502 when the function exits during
// init) and body. It fails the test only if the request fails.
func (r *RIE) InvokeStatus(t testing.TB, payload []byte) (int, []byte) {
	t.Helper()
	client := &http.Client{Timeout: r.timeout + 30*time.Second}
	resp, err := client.Post(r.URL+"/2015-03-31/functions/function/invocations", "application/json", bytes.NewReader(payload))
	if err != nil {
		t.Fatalf("testenv: invoke the function: %v\nlog:\n%s", err, r.Logs())
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	if _, err := body.ReadFrom(resp.Body); err != nil {
		t.Fatalf("testenv: read the invocation's response: %v\nlog:\n%s", err, r.Logs())
	}
	return resp.StatusCode, body.Bytes()
}

// InvokeCLI invokes the function through the AWS CLI, as a user would:
//
//	aws lambda invoke --endpoint-url URL --function-name function \
//	  --cli-binary-format raw-in-base64-out --payload file://EVENT out.json
//
// (--cli-binary-format only with CLI v2: v1 has no such option and sends
// file:// payloads as they are). eventFile is relative to the module root
// unless absolute. The CLI gets PATH, an empty HOME, region us-east-1, dummy
// credentials, one attempt, and then env. It returns what the CLI wrote to
// out.json; it fails the test if the CLI is missing or fails.
func (r *RIE) InvokeCLI(t testing.TB, eventFile string, env []string) []byte {
	t.Helper()
	aws, err := exec.LookPath("aws")
	if err != nil {
		t.Fatal("testenv: the aws CLI is not on PATH")
	}
	if !filepath.IsAbs(eventFile) {
		eventFile = filepath.Join(ModuleRoot(t), eventFile)
	}
	out := filepath.Join(t.TempDir(), "out.json")
	args := []string{"lambda", "invoke",
		"--endpoint-url", r.URL,
		"--function-name", "function",
		"--cli-connect-timeout", "10",
		"--cli-read-timeout", strconv.Itoa(int(r.timeout.Seconds()) + 30),
	}
	if awsCLIMajor(t, aws) >= 2 {
		args = append(args, "--cli-binary-format", "raw-in-base64-out")
	}
	args = append(args, "--payload", "file://"+eventFile, out)
	cmd := exec.Command(aws, args...)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_PAGER=",
	}, env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("testenv: aws %s: %v\n%s\nemulator log:\n%s", strings.Join(args, " "), err, b, r.Logs())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("testenv: read the CLI's output: %v", err)
	}
	return b
}

var awsCLI struct {
	once  sync.Once
	major int
	err   error
}

// awsCLIMajor returns the major version of the aws CLI at path.
func awsCLIMajor(t testing.TB, path string) int {
	t.Helper()
	awsCLI.once.Do(func() {
		out, err := exec.Command(path, "--version").CombinedOutput() // "aws-cli/1.45.11 Python/..."
		if err != nil {
			awsCLI.err = fmt.Errorf("aws --version: %w: %s", err, out)
			return
		}
		v, ok := strings.CutPrefix(string(out), "aws-cli/")
		major, _, _ := strings.Cut(v, ".")
		if awsCLI.major, err = strconv.Atoi(major); !ok || err != nil {
			awsCLI.err = fmt.Errorf("aws --version: unexpected output %q", out)
		}
	})
	if awsCLI.err != nil {
		t.Fatalf("testenv: %v", awsCLI.err)
	}
	return awsCLI.major
}

// childPIDs returns the processes whose parent is ppid, read from /proc
// (the emulator runs on Linux only).
func childPIDs(ppid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(ppid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Logs returns everything the emulator and the function wrote to stdout and
// stderr so far, whole, so that tests can search it (for a leaked secret, say).
func (r *RIE) Logs() string { return r.logs.String() }
