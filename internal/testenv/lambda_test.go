package testenv_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/testenv"
)

type echoResult struct {
	Event      json.RawMessage `json:"event"`
	Env        string          `json:"env"`
	DeadlineIn float64         `json:"deadlineIn"`
	PID        int             `json:"pid"`
}

func decodeEcho(t *testing.T, b []byte) echoResult {
	t.Helper()
	var r echoResult
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("decode the handler's result %q: %v", b, err)
	}
	return r
}

func TestStartRIE(t *testing.T) {
	bootstrap := testenv.BuildLambda(t, "./internal/testenv/testdata/echolambda")

	t.Run("invokes the function with its event and environment", func(t *testing.T) {
		rie := testenv.StartRIE(t, bootstrap, []string{"ECHO_VAR=from-the-test"}, 7*time.Second)
		if !strings.HasPrefix(rie.URL, "http://127.0.0.1:") {
			t.Fatalf("URL = %s, want a loopback URL", rie.URL)
		}
		for _, payload := range []string{`{"log":"first-marker-1f9c"}`, `{"n":2}`} {
			got := decodeEcho(t, rie.Invoke(t, []byte(payload)))
			if string(got.Event) != payload {
				t.Errorf("the handler got %s, want %s", got.Event, payload)
			}
			if got.Env != "from-the-test" {
				t.Errorf("ECHO_VAR = %q in the function, want from-the-test", got.Env)
			}
			if got.DeadlineIn <= 5 || got.DeadlineIn > 7 {
				t.Errorf("the deadline is %.1fs away, want just under the 7s timeout", got.DeadlineIn)
			}
		}
		if logs := rie.Logs(); !strings.Contains(logs, "echolambda: first-marker-1f9c") {
			t.Errorf("Logs() lacks the function's stderr:\n%s", logs)
		}
	})

	t.Run("times out, then starts the function anew", func(t *testing.T) {
		rie := testenv.StartRIE(t, bootstrap, nil, 1500*time.Millisecond) // rounded up to 2s
		first := decodeEcho(t, rie.Invoke(t, []byte(`{}`)))
		if got := string(rie.Invoke(t, []byte(`{"sleep":10}`))); got != "Task timed out after 2.00 seconds" {
			t.Fatalf("a handler sleeping past the timeout answered %q", got)
		}
		again := decodeEcho(t, rie.Invoke(t, []byte(`{}`)))
		if again.PID == first.PID {
			t.Errorf("the function kept pid %d after a timeout, want a new process", first.PID)
		}
	})

	t.Run("invokes through the aws CLI", func(t *testing.T) {
		rie := testenv.StartRIE(t, bootstrap, nil, 10*time.Second)
		want, err := os.ReadFile(filepath.Join(testenv.ModuleRoot(t), "events", "scheduled.json"))
		if err != nil {
			t.Fatal(err)
		}
		got := decodeEcho(t, rie.InvokeCLI(t, "events/scheduled.json", nil))
		if !jsonEqual(t, got.Event, want) {
			t.Errorf("the handler got %s, want events/scheduled.json:\n%s", got.Event, want)
		}
	})

	t.Run("reports a function that exits during init", func(t *testing.T) {
		rie := testenv.StartRIE(t, bootstrap, []string{"ECHO_EXIT=init-failure-7d2e"}, 5*time.Second)
		status, _ := rie.InvokeStatus(t, []byte(`{}`))
		if status != http.StatusBadGateway {
			t.Errorf("status %d, want 502 for a function that exits before serving", status)
		}
		// The emulator may answer before the function's last output has been
		// copied into the log: give the copy a moment.
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(rie.Logs(), "init-failure-7d2e") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if logs := rie.Logs(); !strings.Contains(logs, "init-failure-7d2e") {
			t.Errorf("Logs() lacks what the function printed before exiting:\n%s", logs)
		}
	})

	var url string
	var pid int
	t.Run("cleanup stops the emulator and the function", func(t *testing.T) {
		rie := testenv.StartRIE(t, bootstrap, nil, 10*time.Second)
		url = rie.URL
		pid = decodeEcho(t, rie.Invoke(t, []byte(`{}`))).PID
	})
	client := &http.Client{Timeout: time.Second}
	if resp, err := client.Get(url + "/"); err == nil {
		resp.Body.Close()
		t.Errorf("the emulator at %s still answers after cleanup", url)
	}
	if !gone(pid) {
		t.Errorf("the function (pid %d) still runs after cleanup", pid)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var ca, cb bytes.Buffer
	if err := json.Compact(&ca, a); err != nil {
		t.Fatalf("compact %s: %v", a, err)
	}
	if err := json.Compact(&cb, b); err != nil {
		t.Fatalf("compact %s: %v", b, err)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

// gone reports whether pid has exited (a zombie waiting for its reaper counts
// as exited), waiting up to five seconds for it.
func gone(pid int) bool {
	for range 50 {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return true
		}
		if stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat")); err == nil {
			if i := bytes.LastIndexByte(stat, ')'); i >= 0 && bytes.HasPrefix(bytes.TrimSpace(stat[i+1:]), []byte("Z")) {
				return true
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}
