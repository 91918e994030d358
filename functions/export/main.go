// Command export exports Keka Hire jobs, applications and preboarding
// candidates to date-partitioned Parquet. Under the Lambda runtime it serves
// invocations; elsewhere it runs once (see --help).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	// KEKA_TIMEZONE is loaded from the zone database embedded here: the
	// provided.al2023 runtime has no /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/kekaexport/keka-hire-export/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx, app.Env{
		Args:   os.Args[1:],
		Getenv: os.Getenv,
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	})
	stop()
	os.Exit(code)
}
