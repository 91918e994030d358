package deploy_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/snapshot"
	"github.com/kekaexport/keka-hire-export/internal/testenv"
)

// cfn-lint does not look inside a SAM state machine's Definition, so this
// test runs it: a small interpreter for the part of the Amazon States
// Language the template uses fails on anything else, and drives the loop
// against a fake function.
func TestTemplate_StateMachineLoop(t *testing.T) {
	def := stateMachineDefinition(t)
	scheduled := map[string]any{"detail-type": "Scheduled Event", "source": "aws.events", "time": "2026-11-26T02:00:00Z", "detail": map[string]any{}}
	resume := map[string]any{"snapshotDate": "2026-11-26", "runId": "20261126T020000Z-4f3a"}
	inProgress := map[string]any{"status": "in_progress", "snapshotDate": "2026-11-26", "runId": "20261126T020000Z-4f3a", "invocations": 1}

	cases := []struct {
		name        string
		results     func(call int) any // the function's result on its call-th invocation, from 1
		wantEnd     string             // the terminal state
		wantCalls   int
		wantPayload []any // the payloads of the first calls
	}{
		{
			name: "in progress three times, then complete",
			results: func(call int) any {
				if call < 4 {
					return inProgress
				}
				return map[string]any{"status": "complete", "snapshotDate": "2026-11-26", "runId": "20261126T020000Z-4f3a"}
			},
			wantEnd:     "Complete",
			wantCalls:   4,
			wantPayload: []any{scheduled, resume, resume, resume},
		},
		{
			name: "published but incomplete",
			results: func(int) any {
				return map[string]any{"status": "incomplete", "snapshotDate": "2026-11-26", "runId": "20261126T020000Z-4f3a"}
			},
			wantEnd:     "SnapshotIncomplete",
			wantCalls:   1,
			wantPayload: []any{scheduled},
		},
		{
			name:        "failed",
			results:     func(int) any { return map[string]any{"status": "failed", "error": "keka: 401"} },
			wantEnd:     "ExportFailed",
			wantCalls:   1,
			wantPayload: []any{scheduled},
		},
		{
			name:      "a result without status (a handler error)",
			results:   func(int) any { return map[string]any{"errorMessage": "boom", "errorType": "errorString"} },
			wantEnd:   "ExportFailed",
			wantCalls: 1,
		},
		{
			name:      "in progress forever stops after 88 invocations",
			results:   func(int) any { return inProgress },
			wantEnd:   "TooManyInvocations",
			wantCalls: 88,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var payloads []any
			invoke := func(payload any) any {
				payloads = append(payloads, payload)
				return c.results(len(payloads))
			}
			end := runStateMachine(t, def, scheduled, invoke)
			if end != c.wantEnd {
				t.Errorf("ended in %s, want %s", end, c.wantEnd)
			}
			if len(payloads) != c.wantCalls {
				t.Errorf("invoked the function %d times, want %d", len(payloads), c.wantCalls)
			}
			for i, want := range c.wantPayload {
				if i < len(payloads) && !reflect.DeepEqual(payloads[i], want) {
					t.Errorf("invocation %d got %s, want %s", i+1, jsonText(payloads[i]), jsonText(want))
				}
			}
		})
	}

	t.Run("retries what resuming makes safe, and only that", func(t *testing.T) {
		retriers := asSlice(t, asMap(t, asMap(t, def["States"])["Export"])["Retry"])
		// attempts returns how often an error is retried: the MaxAttempts of
		// the first retrier that matches it (default 3), as Step Functions
		// does.
		attempts := func(name string) int {
			for _, r := range retriers {
				m := asMap(t, r)
				for _, e := range asSlice(t, m["ErrorEquals"]) {
					if e == name || e == "States.ALL" || (e == "States.TaskFailed" && name != "States.Timeout") {
						switch n := m["MaxAttempts"].(type) {
						case int:
							return n
						case float64:
							return int(n)
						}
						return 3
					}
				}
			}
			return 0
		}
		for _, name := range []string{"Lambda.ServiceException", "Lambda.TooManyRequestsException", "Lambda.SdkClientException", "ResumableError", "SetupFailed", "Sandbox.Timedout", "States.Timeout"} {
			if attempts(name) == 0 {
				t.Errorf("%s is not retried", name)
			}
		}
		for _, name := range []string{"RunFailed", "InvalidEvent", "PublishRefused"} {
			if n := attempts(name); n != 0 {
				t.Errorf("%s is retried %d times: a retry would start a new run", name, n)
			}
		}
		// DateBusy is retried only until a dead holder's lease has lapsed.
		if n := attempts("DateBusy"); n < 1 || n > 2 {
			t.Errorf("DateBusy is retried %d times, want once or twice", n)
		}
		for _, r := range retriers {
			m := asMap(t, r)
			if slices.Contains(asSlice(t, m["ErrorEquals"]), any("DateBusy")) {
				if wait, _ := m["IntervalSeconds"].(float64); wait*float64(time.Second) <= float64(snapshot.DefaultLeaseTTL) {
					t.Errorf("DateBusy's first retry waits %vs, not longer than a lease (%s)", wait, snapshot.DefaultLeaseTTL)
				}
			}
		}
	})
}

// TestTemplate_StateMachineDefinitionParses has moto's Amazon States
// Language parser (the one its Step Functions runs executions with) read the
// Definition: the grammar check that cfn-lint does not make.
func TestTemplate_StateMachineDefinitionParses(t *testing.T) {
	def, err := json.Marshal(stateMachineDefinition(t))
	if err != nil {
		t.Fatal(err)
	}
	moto := testenv.StartMoto(t)
	// Only moto's executing backend parses definitions.
	resp, err := http.Post(moto.Endpoint+"/moto-api/config", "application/json",
		strings.NewReader(`{"stepfunctions": {"execute_state_machine": true}}`))
	if err != nil {
		t.Fatalf("configure moto: %v", err)
	}
	resp.Body.Close()

	file := filepath.Join(t.TempDir(), "definition.json")
	if err := os.WriteFile(file, def, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(lookTool(t, "aws"), "stepfunctions", "create-state-machine",
		"--endpoint-url", moto.Endpoint, "--name", "export",
		"--role-arn", "arn:aws:iam::123456789012:role/export",
		"--definition", "file://"+file)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_PAGER=", "AWS_MAX_ATTEMPTS=1"}, moto.Env()...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("moto rejects the Definition: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "stateMachineArn") {
		t.Fatalf("create-state-machine printed no ARN:\n%s", out.String())
	}
}

// stateMachineDefinition returns ExportStateMachine's Definition with the
// template's DefinitionSubstitutions applied as Step Functions would.
func stateMachineDefinition(t *testing.T) map[string]any {
	t.Helper()
	props := lookup(loadTemplate(t), "Resources", "ExportStateMachine", "Properties")
	node := lookup(props, "Definition")
	if node == nil {
		t.Fatal("template.yaml: ExportStateMachine has no inline Definition")
	}
	var def map[string]any
	if err := node.Decode(&def); err != nil {
		t.Fatalf("decode the Definition: %v", err)
	}
	subs := map[string]string{}
	if s := lookup(props, "DefinitionSubstitutions"); s != nil {
		for i := 0; i+1 < len(s.Content); i += 2 {
			subs[s.Content[i].Value] = "arn:aws:lambda:us-east-1:123456789012:function:" + s.Content[i].Value
		}
	}
	b, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`\$\{(\w+)\}`).ReplaceAllStringFunc(string(b), func(m string) string {
		v, ok := subs[m[2:len(m)-1]]
		if !ok {
			t.Errorf("the Definition uses %s, which DefinitionSubstitutions does not define", m)
		}
		return v
	})
	def = nil
	if err := json.Unmarshal([]byte(text), &def); err != nil {
		t.Fatal(err)
	}
	checkTransitions(t, def)
	return def
}

// checkTransitions fails the test unless StartAt and every Next and Default
// name a state, and every state is reachable.
func checkTransitions(t *testing.T, def map[string]any) {
	t.Helper()
	states := asMap(t, def["States"])
	reached := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		if reached[name] {
			return
		}
		st, ok := states[name]
		if !ok {
			t.Errorf("the Definition goes to %q, which is not a state", name)
			return
		}
		reached[name] = true
		s := asMap(t, st)
		for _, k := range []string{"Next", "Default"} {
			if n, ok := s[k].(string); ok {
				visit(n)
			}
		}
		if choices, ok := s["Choices"]; ok {
			for _, c := range asSlice(t, choices) {
				visit(asMap(t, c)["Next"].(string))
			}
		}
	}
	visit(def["StartAt"].(string))
	for name := range states {
		if !reached[name] {
			t.Errorf("state %q is unreachable", name)
		}
	}
}

// runStateMachine runs def on input, invoking the function through invoke,
// and returns the name of the terminal state it ended in.
func runStateMachine(t *testing.T, def map[string]any, input any, invoke func(payload any) any) string {
	t.Helper()
	states := asMap(t, def["States"])
	name := def["StartAt"].(string)
	data := input
	for step := 0; step < 10000; step++ {
		s := asMap(t, states[name])
		switch s["Type"] {
		case "Pass":
			if p, ok := s["Parameters"]; ok {
				data = evalParameters(t, p, data)
			}
		case "Task":
			if s["Resource"] != "arn:aws:states:::lambda:invoke" {
				t.Fatalf("%s: Resource %v is not supported by this test", name, s["Resource"])
			}
			params := asMap(t, evalParameters(t, s["Parameters"], data))
			if !strings.HasPrefix(params["FunctionName"].(string), "arn:aws:lambda:") {
				t.Fatalf("%s: FunctionName = %v, want a function ARN", name, params["FunctionName"])
			}
			var result any = map[string]any{"Payload": invoke(params["Payload"]), "StatusCode": 200.0}
			if rs, ok := s["ResultSelector"]; ok {
				result = evalParameters(t, rs, result)
			}
			data = setPath(t, data, s["ResultPath"], result)
		case "Choice":
			next, _ := s["Default"].(string)
			for _, c := range asSlice(t, s["Choices"]) {
				if evalRule(t, asMap(t, c), data) {
					next = asMap(t, c)["Next"].(string)
					break
				}
			}
			if next == "" {
				t.Fatalf("%s: no choice matched and no Default", name)
			}
			name = next
			continue
		case "Succeed", "Fail":
			return name
		default:
			t.Fatalf("%s: state type %v is not supported by this test", name, s["Type"])
		}
		if s["End"] == true {
			return name
		}
		name = s["Next"].(string)
	}
	t.Fatal("the state machine ran 10000 steps")
	return ""
}

var mathAdd = regexp.MustCompile(`^States\.MathAdd\((\$[\w.]*), *(-?\d+)\)$`)

// evalParameters evaluates a Parameters (or ResultSelector) template.
func evalParameters(t *testing.T, tmpl, data any) any {
	t.Helper()
	m, ok := tmpl.(map[string]any)
	if !ok {
		return tmpl
	}
	out := map[string]any{}
	for k, v := range m {
		key, dynamic := strings.CutSuffix(k, ".$")
		if !dynamic {
			out[k] = evalParameters(t, v, data)
			continue
		}
		expr := v.(string)
		if sub := mathAdd.FindStringSubmatch(expr); sub != nil {
			n, _ := strconv.ParseFloat(sub[2], 64)
			x, ok := getPath(t, data, sub[1]).(float64)
			if !ok {
				t.Fatalf("States.MathAdd on %s: not a number", sub[1])
			}
			out[key] = x + n
			continue
		}
		if !strings.HasPrefix(expr, "$") {
			t.Fatalf("%s: %q is not supported by this test", k, expr)
		}
		out[key] = getPath(t, data, expr)
	}
	return out
}

// getPath returns the value at a path like $.a.b, failing the test (as
// Step Functions fails the execution) when it is missing.
func getPath(t *testing.T, data any, path string) any {
	t.Helper()
	v, ok := lookupPath(data, path)
	if !ok {
		t.Fatalf("path %s is missing from %s", path, jsonText(data))
	}
	return v
}

func lookupPath(data any, path string) (any, bool) {
	if path == "$" {
		return data, true
	}
	rest, ok := strings.CutPrefix(path, "$.")
	if !ok {
		return nil, false
	}
	for _, k := range strings.Split(rest, ".") {
		m, ok := data.(map[string]any)
		if !ok {
			return nil, false
		}
		if data, ok = m[k]; !ok {
			return nil, false
		}
	}
	return data, true
}

// setPath returns data with value set at path, a ResultPath like $.a.
func setPath(t *testing.T, data, path, value any) any {
	t.Helper()
	p, _ := path.(string)
	if p == "" || p == "$" {
		return value
	}
	key, ok := strings.CutPrefix(p, "$.")
	if !ok || strings.Contains(key, ".") {
		t.Fatalf("ResultPath %q is not supported by this test", p)
	}
	out := map[string]any{}
	for k, v := range asMap(t, data) {
		out[k] = v
	}
	out[key] = value
	return out
}

// evalRule evaluates one Choice rule.
func evalRule(t *testing.T, r map[string]any, data any) bool {
	t.Helper()
	switch {
	case r["And"] != nil:
		for _, sub := range asSlice(t, r["And"]) {
			if !evalRule(t, asMap(t, sub), data) {
				return false
			}
		}
		return true
	case r["Or"] != nil:
		for _, sub := range asSlice(t, r["Or"]) {
			if evalRule(t, asMap(t, sub), data) {
				return true
			}
		}
		return false
	case r["Not"] != nil:
		return !evalRule(t, asMap(t, r["Not"]), data)
	}
	v, present := lookupPath(data, r["Variable"].(string))
	for k, want := range r {
		switch k {
		case "Variable", "Next":
		case "IsPresent":
			return present == want.(bool)
		case "StringEquals":
			if !present {
				t.Fatalf("Choice on missing %s (Step Functions fails the execution)", r["Variable"])
			}
			s, ok := v.(string)
			return ok && s == want.(string)
		case "NumericLessThan":
			if !present {
				t.Fatalf("Choice on missing %s (Step Functions fails the execution)", r["Variable"])
			}
			n, ok := v.(float64)
			return ok && n < want.(float64)
		default:
			t.Fatalf("Choice comparison %s is not supported by this test", k)
		}
	}
	t.Fatalf("Choice rule %s has no comparison", jsonText(r))
	return false
}

func asMap(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("want an object, got %s", jsonText(v))
	}
	return m
}

func asSlice(t *testing.T, v any) []any {
	t.Helper()
	s, ok := v.([]any)
	if !ok {
		t.Fatalf("want a list, got %s", jsonText(v))
	}
	return s
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
