// Command echolambda is a Lambda handler for the testenv tests: it returns
// its event, an environment variable, its deadline and its process id, logs
// a marker, and sleeps when asked to. With ECHO_EXIT set it prints it and
// exits before serving, as a function whose configuration is wrong does.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Log   string  `json:"log"`
	Sleep float64 `json:"sleep"` // seconds
}

type result struct {
	Event      json.RawMessage `json:"event"`
	Env        string          `json:"env"`
	DeadlineIn float64         `json:"deadlineIn"` // seconds
	PID        int             `json:"pid"`
}

func main() {
	if msg := os.Getenv("ECHO_EXIT"); msg != "" {
		fmt.Fprintln(os.Stderr, "echolambda:", msg)
		os.Exit(1)
	}
	lambda.Start(func(ctx context.Context, raw json.RawMessage) (result, error) {
		var e event
		_ = json.Unmarshal(raw, &e)
		if e.Log != "" {
			fmt.Fprintln(os.Stderr, "echolambda:", e.Log)
		}
		if e.Sleep > 0 {
			time.Sleep(time.Duration(e.Sleep * float64(time.Second)))
		}
		deadline, _ := ctx.Deadline()
		return result{Event: raw, Env: os.Getenv("ECHO_VAR"), DeadlineIn: time.Until(deadline).Seconds(), PID: os.Getpid()}, nil
	})
}
