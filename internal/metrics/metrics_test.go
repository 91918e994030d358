package metrics_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/keka"
	"github.com/kekaexport/keka-hire-export/internal/metrics"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// names returns the metric names each EMF line of b declares.
func names(t *testing.T, b []byte) [][]string {
	t.Helper()
	var out [][]string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var doc struct {
			AWS struct {
				CloudWatchMetrics []struct{ Metrics []struct{ Name string } }
			} `json:"_aws"`
		}
		if err := json.Unmarshal([]byte(line), &doc); err != nil || len(doc.AWS.CloudWatchMetrics) != 1 {
			t.Fatalf("not an EMF line: %s", line)
		}
		var ns []string
		for _, m := range doc.AWS.CloudWatchMetrics[0].Metrics {
			ns = append(ns, m.Name)
		}
		out = append(out, ns)
	}
	return out
}

func TestWrite(t *testing.T) {
	end := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	t.Run("an invocation that leaves the run in progress", func(t *testing.T) {
		var b bytes.Buffer
		res := &snapshot.Result{Status: snapshot.StatusInProgress, SnapshotDate: "2026-11-26", Datasets: []snapshot.DatasetResult{{Name: "jobs", Rows: 5}}}
		err := metrics.Write(&b, metrics.Invocation{Stack: "s", Outcome: metrics.OutcomeInProgress, Client: keka.Stats{Requests: 7}, Result: res, End: end})
		if err != nil {
			t.Fatal(err)
		}
		got := names(t, b.Bytes())
		if len(got) != 2 || strings.Contains(b.String(), `"Rows"`) || strings.Contains(b.String(), `"TimeLeft"`) {
			t.Errorf("in progress, no deadline: %s", b.String())
		}
		if !strings.Contains(b.String(), `"Requests":7`) || !strings.Contains(b.String(), `"Outcome":"in_progress"`) {
			t.Errorf("lines %s", b.String())
		}
	})
	t.Run("the invocation that publishes", func(t *testing.T) {
		var b bytes.Buffer
		left := 90 * time.Second
		res := &snapshot.Result{Status: snapshot.StatusIncomplete, SnapshotDate: "2026-11-26", Invocations: 3,
			Datasets: []snapshot.DatasetResult{{Name: "jobs", Rows: 5}, {Name: "job_candidates", Rows: 9, Unreconciled: []snapshot.Unreconciled{{}, {}}}}}
		if err := metrics.Write(&b, metrics.Invocation{Stack: "s", Outcome: res.Status, Result: res, End: end, TimeLeft: &left}); err != nil {
			t.Fatal(err)
		}
		if got := names(t, b.Bytes()); len(got) != 5 {
			t.Fatalf("%d lines, want invocation, outcome, run and two datasets: %s", len(got), b.String())
		}
		for _, want := range []string{`"TimeLeft":90000`, `"InvocationsPerRun":3`, `"SnapshotAge":10800`, `"SnapshotsComplete":0`,
			`"Dataset":"job_candidates"`, `"UnreconciledLists":2`, `"Timestamp":` + "1795662000000"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("lines lack %s:\n%s", want, b.String())
			}
		}
	})
}
