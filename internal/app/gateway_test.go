package app_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/snapshot"
)

// TestMain_BehindGateway runs one export, once, against a Keka behind the
// Azure application gateway that turns away default user agents (on the
// token endpoint too), with faults on, and reads the files back through
// DuckDB: every record of the simulator's ground truth exactly once, with
// its values, and nothing else.
func TestMain_BehindGateway(t *testing.T) {
	tn := kekasim.NewTenant(7, kekasim.Size{Jobs: 8, Applications: 700, Preboarding: 230})
	sim, err := kekasim.Start(tn, kekasim.Options{Gateway: true, RequestsPerMinute: 100000, Seed: 17, Shape: kekasim.ShapeMixed})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()

	// The gateway is in force: Go's default user agent is turned away.
	resp, err := http.Post(sim.TokenURL(), "application/x-www-form-urlencoded", strings.NewReader("grant_type=kekaapi"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("the gateway let Go's default user agent through: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rejected := sim.Stats().GatewayRejected

	sim.SetFaults(kekasim.Faults{
		TooManyRequests: 0.1, RetryAfter: true,
		ServerError:      0.1,
		DropConnection:   0.05,
		MalformedJSON:    0.05,
		TruncatedJSON:    0.05,
		ExpireTokenEvery: 9,
		FailOnce:         map[string]int{"/connect/token": 1, "/candidates": 1},
	})
	env := simEnv(sim)
	out := t.TempDir()
	code, stdout, stderr := run(t, []string{"--out", out, "--event", "-"}, env, `{"snapshotDate":"2026-11-26"}`)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr (last 3000 bytes):\n%s", code, stdout, tail(stderr, 3000))
	}
	var res snapshot.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.Status != snapshot.StatusComplete || res.Invocations != 1 {
		t.Fatalf("result %s (%v); want one complete invocation", stdout, err)
	}
	st := sim.Stats()
	if st.GatewayRejected != rejected {
		t.Errorf("the gateway turned away %d of the export's requests", st.GatewayRejected-rejected)
	}
	if st.FaultsInjected == 0 {
		t.Errorf("no fault was injected: %+v", st)
	}

	truth := sim.Truth()
	if len(truth.Drafts) == 0 {
		t.Fatal("the tenant has no draft jobs to leave out")
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	from := func(ds string) string {
		return "read_parquet('" + filepath.ToSlash(filepath.Join(out, ds, "*", "*.parquet")) + "', hive_partitioning = true) WHERE dt = '2026-11-26'"
	}

	want := map[string]string{}
	for _, j := range truth.Jobs {
		want[j.ID] = row(j.Title, j.DepartmentName, j.Status, j.NoOfOpenings, text(j.JobType), j.CreatedOn, j.PublishedOn, j.TargetHireDate)
	}
	compare(t, db, "jobs", `SELECT job_id, title, department_name, status, no_of_openings, job_type, created_on, published_on, target_hire_date FROM `+from("jobs"), want)

	want = map[string]string{}
	for _, a := range truth.Applications {
		want[a.JobID+"/"+a.CandidateID] = row(a.Archived, a.FirstName, a.LastName, a.Email, a.Phone, a.Stage, a.Status, a.AppliedOn, a.MovedToStageOn, a.Source, a.SourcedBy)
	}
	compare(t, db, "job_candidates", `SELECT job_id || '/' || candidate_id, is_archived, first_name, last_name, email, phone, stage, application_status,
		applied_on, moved_to_stage_on, source, sourced_by FROM `+from("job_candidates"), want)

	want = map[string]string{}
	for _, p := range truth.Preboarding {
		want[p.CandidateID] = row(p.FirstName, p.LastName, p.Email, p.Stage, p.Status, p.JobTitle, p.Department, p.ExpectedDateOfJoining)
	}
	compare(t, db, "preboarding_candidates", `SELECT candidate_id, first_name, last_name, email, stage, status, job_title, department,
		expected_date_of_joining FROM `+from("preboarding_candidates"), want)
}

// compare runs q, whose first column is the key, and checks that its rows
// are want's, each exactly once.
func compare(t *testing.T, db *sql.DB, ds, q string, want map[string]string) {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", ds, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	bad := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %v", ds, err)
		}
		key := fmt.Sprint(vals[0])
		got := row(vals[1:]...)
		switch w, ok := want[key]; {
		case seen[key]:
			t.Errorf("%s: %s exported twice", ds, key)
		case !ok:
			t.Errorf("%s: %s is not in the tenant", ds, key)
		case got != w:
			if bad++; bad <= 5 {
				t.Errorf("%s %s:\n got  %s\n want %s", ds, key, got, w)
			}
		}
		seen[key] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if bad > 5 {
		t.Errorf("%s: %d rows differ from the tenant", ds, bad)
	}
	missing := 0
	for k := range want {
		if !seen[k] {
			if missing++; missing <= 5 {
				t.Errorf("%s: %s missing", ds, k)
			}
		}
	}
	if missing > 0 || len(seen) != len(want) {
		t.Errorf("%s: %d rows exported, %d missing; the tenant has %d", ds, len(seen), missing, len(want))
	}
}

// row renders values, from the truth or from DuckDB, in one comparable
// form: nil and nil pointers as NULL, integers in decimal, times in UTC at
// millisecond precision.
func row(vals ...any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = cell(v)
	}
	return strings.Join(parts, " | ")
}

func cell(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case *string:
		if v == nil {
			return "NULL"
		}
		return strconv.Quote(*v)
	case string:
		return strconv.Quote(v)
	case *int:
		if v == nil {
			return "NULL"
		}
		return strconv.Itoa(*v)
	case int:
		return strconv.Itoa(v)
	case int32:
		return strconv.Itoa(int(v))
	case int64:
		return strconv.FormatInt(v, 10)
	case *time.Time:
		if v == nil {
			return "NULL"
		}
		return cell(*v)
	case time.Time:
		return v.UTC().Truncate(time.Millisecond).Format(time.RFC3339Nano)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// text is the job_type column's form of an integer code: its decimal text.
func text(p *int) *string {
	if p == nil {
		return nil
	}
	s := strconv.Itoa(*p)
	return &s
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
