package config_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/config"
)

var (
	known = []string{"jobs", "job_candidates", "preboarding_candidates"}
	now   = time.Date(2026, 11, 26, 23, 30, 0, 0, time.FixedZone("IST", 5*3600+1800)) // 18:00 UTC
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseEvent(t *testing.T) {
	var all []string // no datasets named: all, or those of the run continued
	tests := []struct {
		name string
		in   string
		want config.Request
	}{
		{"empty", ``, config.Request{SnapshotDate: day("2026-11-26"), Datasets: all}},
		{"blank", " \n", config.Request{SnapshotDate: day("2026-11-26"), Datasets: all}},
		{"null", `null`, config.Request{SnapshotDate: day("2026-11-26"), Datasets: all}},
		{"empty object", `{}`, config.Request{SnapshotDate: day("2026-11-26"), Datasets: all}},
		{"every field", `{"snapshotDate":"2026-11-20","datasets":["jobs"],"dryRun":true,"force":true,"restart":true,"runId":"20261126T020000Z-4f3a"}`,
			config.Request{SnapshotDate: day("2026-11-20"), Datasets: []string{"jobs"}, DryRun: true, Force: true, Restart: true, RunID: "20261126T020000Z-4f3a"}},
		{"fetch scope", `{"fetchScope":"Active"}`, config.Request{SnapshotDate: day("2026-11-26"), Datasets: all, FetchScope: "active"}},
		{"fetch scope in days", `{"fetchScope":"30d"}`, config.Request{SnapshotDate: day("2026-11-26"), Datasets: all, FetchScope: "30d"}},
		{"tomorrow is allowed", `{"snapshotDate":"2026-11-27"}`, config.Request{SnapshotDate: day("2026-11-27"), Datasets: all}},
		{"leap day", `{"snapshotDate":"2024-02-29"}`, config.Request{SnapshotDate: day("2024-02-29"), Datasets: all}},
		{"null and empty fields", `{"snapshotDate":null,"datasets":null,"runId":""}`, config.Request{SnapshotDate: day("2026-11-26"), Datasets: all}},
		{"empty date and list", `{"snapshotDate":"","datasets":[]}`, config.Request{SnapshotDate: day("2026-11-26"), Datasets: all}},
		{"duplicates removed, order kept", `{"datasets":["preboarding_candidates","jobs","preboarding_candidates"]}`,
			config.Request{SnapshotDate: day("2026-11-26"), Datasets: []string{"preboarding_candidates", "jobs"}}},
		{"EventBridge rule", `{"version":"0","id":"53dc4d37","detail-type":"Scheduled Event","source":"aws.events","account":"123456789012",
			"time":"2026-11-25T21:00:00Z","region":"ap-south-1","resources":["arn:aws:events:ap-south-1:123456789012:rule/x"],"detail":{}}`,
			config.Request{SnapshotDate: day("2026-11-25"), Datasets: all}},
		{"EventBridge time with offset", `{"detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-26T02:00:00+05:30","detail":{}}`,
			config.Request{SnapshotDate: day("2026-11-25"), Datasets: all}},
		{"EventBridge Scheduler envelope", `{"source":"aws.scheduler","detail-type":"Scheduled Event","time":"2026-11-24T02:00:00Z","detail":"{}"}`,
			config.Request{SnapshotDate: day("2026-11-24"), Datasets: all}},
		{"EventBridge detail with our fields", `{"detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-24T02:00:00Z","detail":{"datasets":["jobs"],"dryRun":true}}`,
			config.Request{SnapshotDate: day("2026-11-24"), Datasets: []string{"jobs"}, DryRun: true}},
		{"EventBridge with a null detail", `{"detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-24T02:00:00Z","detail":null}`,
			config.Request{SnapshotDate: day("2026-11-24"), Datasets: all}},
		{"EventBridge event of any source", `{"detail-type":"Export requested","source":"acme.ops","time":"2026-11-24T02:00:00Z","detail":{"datasets":["jobs"],"force":true}}`,
			config.Request{SnapshotDate: day("2026-11-24"), Datasets: []string{"jobs"}, Force: true}},
		{"EventBridge replayed event", `{"version":"0","id":"x","detail-type":"Scheduled Event","source":"aws.events","account":"1","time":"2026-11-24T02:00:00Z","region":"ap-south-1","resources":[],"detail":{},"replay-name":"r"}`,
			config.Request{SnapshotDate: day("2026-11-24"), Datasets: all}},
		{"Scheduler target with our payload", `{"snapshotDate":"2026-11-01","datasets":["job_candidates"]}`,
			config.Request{SnapshotDate: day("2026-11-01"), Datasets: []string{"job_candidates"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.ParseEvent([]byte(tt.in), known, now)
			if err != nil {
				t.Fatalf("ParseEvent: %v", err)
			}
			if !got.SnapshotDate.Equal(tt.want.SnapshotDate) || got.SnapshotDate.Location() != time.UTC ||
				!slices.Equal(got.Datasets, tt.want.Datasets) || got.DryRun != tt.want.DryRun || got.Force != tt.want.Force ||
				got.Restart != tt.want.Restart || got.RunID != tt.want.RunID {
				t.Errorf("ParseEvent =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseEvent_Errors(t *testing.T) {
	big := `{"datasets":["` + strings.Repeat("x", 70_000) + `"]}`
	tests := []struct {
		name, in, want string
	}{
		{"not an object", `["jobs"]`, "event: want a JSON object"},
		{"string", `"jobs"`, "want a JSON object"},
		{"syntax", `{"datasets":["jobs"`, "event: not valid JSON"},
		{"trailing data", `{} {}`, "unexpected data after the JSON object"},
		{"unknown field", `{"snapshot_date":"2026-11-01"}`, `event: unknown field "snapshot_date": valid ones are snapshotDate`},
		{"unknown field in detail", `{"detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-24T02:00:00Z","detail":{"x":1}}`, `EventBridge detail: unknown field "x"`},
		{"restart without the run to discard", `{"restart":true}`, `"restart" needs "runId"`},
		{"unknown dataset", `{"datasets":["jobs","offers"]}`, `event: unknown dataset "offers": valid ones are jobs, job_candidates, preboarding_candidates`},
		{"datasets not a list", `{"datasets":"jobs"}`, "event: field datasets: want a list of strings"},
		{"dryRun not a bool", `{"dryRun":"yes"}`, "field dryRun: want true or false"},
		{"fetch scope", `{"fetchScope":"weekly"}`, "event: fetchScope is not all, active or Nd"},
		{"fetch scope of no days", `{"fetchScope":"0d"}`, "event: fetchScope is not all, active or Nd"},
		{"date format", `{"snapshotDate":"26/11/2026"}`, "event: snapshotDate is not a date: want YYYY-MM-DD"},
		{"impossible date", `{"snapshotDate":"2026-02-30"}`, "snapshotDate is not a date"},
		{"timestamp instead of date", `{"snapshotDate":"2026-11-01T00:00:00Z"}`, "snapshotDate is not a date"},
		{"date as number", `{"snapshotDate":20261101}`, "field snapshotDate: want a string YYYY-MM-DD"},
		{"future", `{"snapshotDate":"2026-11-28"}`, "event: snapshotDate 2026-11-28 is in the future (today is 2026-11-26 UTC)"},
		{"ancient", `{"snapshotDate":"0001-01-01"}`, "before 2020-01-01"},
		{"before the tables begin", `{"snapshotDate":"2019-12-31"}`, "before 2020-01-01"},
		{"EventBridge bad time", `{"detail-type":"Scheduled Event","source":"aws.events","time":"yesterday","detail":{}}`, "EventBridge field time is not an RFC 3339 timestamp"},
		{"EventBridge time not a string", `{"detail-type":"Scheduled Event","source":"aws.events","time":1789573328,"detail":{}}`, "EventBridge field time is not an RFC 3339 timestamp"},
		{"EventBridge future", `{"detail-type":"Scheduled Event","source":"aws.events","time":"2027-01-01T00:00:00Z","detail":{}}`, "in the future"},
		{"runId with a slash", `{"runId":"../../etc"}`, "event: runId must be"},
		{"too large", big, "more than the 65536 accepted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.ParseEvent([]byte(tt.in), known, now)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if len(err.Error()) > 200 || strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one short line: %q", err)
			}
		})
	}
}

// TestParseEvent_Shapes covers what was read wrongly before: an event was
// taken as EventBridge's when it merely had "source": "aws.events" (dropping
// our fields beside it), and field names matched case-insensitively, so a
// misspelt field was neither used as meant nor reported.
func TestParseEvent_Shapes(t *testing.T) {
	const eb = `"detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-24T02:00:00Z"`
	tests := []struct {
		name, in, want string
	}{
		{"our fields beside source", `{"source":"aws.events","snapshotDate":"2026-11-20","dryRun":true}`,
			"event: has both EventBridge fields (source) and our own (snapshotDate, dryRun): send ours alone, or inside the detail of an EventBridge event"},
		{"our fields beside a whole EventBridge event", `{` + eb + `,"detail":{},"dryRun":true}`,
			"event: has both EventBridge fields (detail-type, source, time, detail) and our own (dryRun)"},
		{"our field beside detail", `{"detail":{},"runId":"r-1"}`, "has both EventBridge fields (detail) and our own (runId)"},
		{"source alone", `{"source":"aws.events"}`,
			"event: has EventBridge fields source but not detail-type, time, detail: an EventBridge event has all of source, detail-type, time, detail; an on-demand event has only snapshotDate, datasets, dryRun, force, restart, runId"},
		{"EventBridge event without source", `{"detail-type":"Scheduled Event","time":"2026-11-24T02:00:00Z","detail":{"dryRun":true}}`,
			"has EventBridge fields detail-type, time, detail but not source"},
		{"EventBridge event without detail", `{` + eb + `}`, "but not detail:"},
		{"wrong case", `{"snapshotdate":"2026-11-20"}`, `event: unknown field "snapshotdate": did you mean snapshotDate? (field names are case-sensitive)`},
		{"wrong case of a flag", `{"DryRun":true}`, `unknown field "DryRun": did you mean dryRun?`},
		{"wrong case, all capitals", `{"RUNID":"r-1"}`, `did you mean runId?`},
		{"wrong case by Unicode folding", `{"ſnapshotDate":"2026-11-20"}`, `did you mean snapshotDate?`},
		{"wrong case after a right field", `{"dryRun":true,"Datasets":["jobs"]}`, `unknown field "Datasets": did you mean datasets?`},
		{"wrong case in detail", `{` + eb + `,"detail":{"snapshotdate":"2026-11-20"}}`, `event: EventBridge detail: unknown field "snapshotdate": did you mean snapshotDate?`},
		{"wrong case of ours beside an EventBridge event", `{` + eb + `,"detail":{},"dryrun":true}`, `unknown field "dryrun": did you mean dryRun? Our fields go inside detail`},
		{"wrong case of an EventBridge field", `{"Source":"aws.events","detail-type":"Scheduled Event","time":"2026-11-24T02:00:00Z","detail":{}}`,
			`unknown field "Source": did you mean source?`},
		{"wrong case of an EventBridge field, complete otherwise", `{` + eb + `,"detail":{},"Detail":{"dryRun":true}}`, `unknown field "Detail": did you mean detail?`},
		{"a field given twice", `{"dryRun":true,"dryRun":false}`, `event: field "dryRun" is given twice`},
		{"a field given twice in detail", `{` + eb + `,"detail":{"force":true,"force":false}}`, `EventBridge detail: field "force" is given twice`},
		{"detail as a string with fields", `{` + eb + `,"detail":"{\"dryRun\":true}"}`, "EventBridge detail: is a string: give the fields as a JSON object"},
		{"detail as a list", `{` + eb + `,"detail":[]}`, "EventBridge detail: want a JSON object"},
		{"source not a string", `{"detail-type":"Scheduled Event","source":1,"time":"2026-11-24T02:00:00Z","detail":{}}`, "EventBridge field source: want a string"},
		{"unknown field, long name", `{"` + strings.Repeat("n", 100) + `":1}`, `unknown field "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"…: valid ones are`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := config.ParseEvent([]byte(tt.in), known, now)
			if err == nil {
				t.Fatalf("ParseEvent = %+v, want an error containing %q", r, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if len(err.Error()) > 300 || strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one short line: %q", err)
			}
		})
	}
}

func FuzzParseEvent(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `null`, `{"snapshotDate":"2026-11-20","datasets":["jobs","jobs"],"dryRun":true,"runId":"r-1"}`,
		`{"detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-25T21:00:00Z","detail":{}}`,
		`{"snapshotDate":"2026-02-30"}`, `{"datasets":["nope"]}`, `[]`,
		`{"source":"aws.events","snapshotDate":"2026-11-20","dryRun":true}`, `{"snapshotdate":"2026-11-20"}`, `{"force":true,"force":false}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := config.ParseEvent(b, known, now)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		d := r.SnapshotDate
		if d.IsZero() || d.Location() != time.UTC || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
			t.Errorf("SnapshotDate %v is not a midnight UTC", d)
		}
		if d.After(day("2026-11-27")) {
			t.Errorf("SnapshotDate %v is in the future", d)
		}
		if r.Datasets != nil && len(r.Datasets) == 0 {
			t.Error("an empty, non-nil dataset list")
		}
		for i, name := range r.Datasets {
			if !slices.Contains(known, name) || slices.Contains(r.Datasets[:i], name) {
				t.Errorf("dataset %q unknown or repeated in %v", name, r.Datasets)
			}
		}
	})
}
