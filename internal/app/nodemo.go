//go:build nodemo

package app

import (
	"context"
	"fmt"
)

// This file replaces demo.go in a build with -tags nodemo, as the Lambda
// bootstrap is built: the binary links no simulator, and --demo says where
// the demo is.

const demoUsage = "not in this build (built with -tags nodemo, as the Lambda bootstrap is): run make demo from the source"

// runDemo refuses the demo: exit status 2, as for any unusable flag.
func runDemo(_ context.Context, env Env, _ flags) int {
	fmt.Fprintln(env.Stderr, "keka-export: --demo is not in this build: it was built with -tags nodemo, as the Lambda bootstrap is, without the Keka simulator; run the demo from the source with make demo (go run ./functions/export --demo)")
	return 2
}
