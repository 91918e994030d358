package app

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// printResult writes the summary table of a local run for people: one
// line per dataset, then the run's figures.
func printResult(w io.Writer, res snapshot.Result, took time.Duration) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "dataset\trows\tfiles\tbytes\tpages\tduplicates\trereads\tunreconciled\t")
	for _, d := range res.Datasets {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", d.Name, d.Rows, d.Files, d.Bytes, d.Pages, d.Duplicates, d.Rereads, len(d.Unreconciled))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "run %s for dt=%s: %s in %s, %d invocations, %d requests, %d retries, %d throttled\n",
		res.RunID, res.SnapshotDate, res.Status, took.Round(100*time.Millisecond), res.Invocations, res.Requests, res.Retries, res.Throttled)
}

// printPlan writes a dry run's plan for people.
func printPlan(w io.Writer, p *snapshot.Plan) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "dataset\trecords\trequests\t")
	for _, d := range p.Datasets {
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", d.Name, d.Records, d.Requests)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "a full run needs %d requests for %d records: about %s at the configured rate, in %d invocation(s)\n",
		p.Requests, p.Records, (time.Duration(p.Seconds) * time.Second).String(), p.Invocations)
}

// hint returns what to do next about err, or "" when there is nothing to
// add to its message.
func hint(err error) string {
	var api *keka.APIError
	switch {
	case errors.Is(err, keka.ErrForbidden):
		return "the API key lacks Hire access: a Global admin grants it in Keka under Settings, Integrations & Automations, API access (edit the key and give it the Hire scope), or creates a key that has it"
	case errors.As(err, &api) && api.Status == 401:
		return "Keka issued a token but its API refused it: check KEKA_COMPANY and KEKA_ENVIRONMENT (a sandbox key works only on kekademo, a production key only on keka)"
	case errors.Is(err, keka.ErrUnauthorized):
		return "Keka's token endpoint refused the key: check KEKA_CLIENT_ID, KEKA_CLIENT_SECRET and KEKA_API_KEY (or the client_id, client_secret and api_key of the secret KEKA_SECRET_ID names), and KEKA_ENVIRONMENT (keka or kekademo, as the key was made for)"
	case errors.Is(err, keka.ErrNotFound):
		return "Keka answered 404: check KEKA_COMPANY (your subdomain) and KEKA_ENVIRONMENT (keka or kekademo)"
	}
	return ""
}
