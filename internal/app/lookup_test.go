package app_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
	"github.com/kekaexport/keka-hire-export/internal/lookup"
)

// treeHash returns a digest of every file under dir, names and bytes.
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		h.Write([]byte(rel + "\x00"))
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(path)
		h.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestMain_Lookup(t *testing.T) {
	sim, err := kekasim.Start(kekasim.NewTenant(31, kekasim.Size{Jobs: 7, Applications: 1500, Preboarding: 420}), kekasim.Options{RequestsPerMinute: 100000, Shape: kekasim.ShapeEnvelope})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	const key = "a-pii-hash-key-of-some-length"
	env := simEnv(sim, "EXPORT_PII=hash", "KEKA_PII_HASH_KEY="+key)
	out := t.TempDir()
	if code, stdout, stderr := run(t, []string{"--out", out}, env, ""); code != 0 {
		t.Fatalf("export: exit %d\n%s\n%s", code, stdout, tail(stderr, 2000))
	}
	before := treeHash(t, out)
	truth := sim.Truth()
	hash := func(s *string, email bool) any {
		if s == nil {
			return nil
		}
		v := *s
		if email {
			v = strings.ToLower(strings.TrimSpace(v))
		}
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(v))
		return hex.EncodeToString(m.Sum(nil))
	}
	look := func(t *testing.T, q string) lookup.Result {
		t.Helper()
		code, stdout, stderr := run(t, []string{"--out", out, "--lookup", q}, env, "")
		if code != 0 {
			t.Fatalf("lookup %s: exit %d\n%s", q, code, tail(stderr, 2000))
		}
		var res lookup.Result
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatalf("lookup result: %v\n%s", err, stdout)
		}
		return res
	}

	t.Run("preboarding by status and stage", func(t *testing.T) {
		res := look(t, `{"dataset":"preboarding_candidates","status":1,"stage":3,"limit":500}`)
		want := map[string]any{}
		for _, p := range truth.Preboarding {
			if p.Status != nil && *p.Status == 1 && p.Stage != nil && *p.Stage == 3 {
				want[p.CandidateID] = hash(p.Email, true)
			}
		}
		if len(want) == 0 {
			t.Fatal("the tenant has no candidate to find")
		}
		got := map[string]any{}
		for _, r := range res.Records {
			got[r["candidate_id"].(string)] = r["email"]
			if r["status"] != 1.0 || r["stage"] != 3.0 || r["run_id"] != "lookup" {
				t.Errorf("record %v does not match the filter", r)
			}
			raw, _ := r["raw_json"].(string)
			if raw == "" || strings.Contains(raw, "@") {
				t.Errorf("raw_json missing or with an email left in: %.200s", raw)
			}
		}
		if !mapsEqual(got, want) || res.Count != len(want) || res.Truncated {
			t.Errorf("got %d records (truncated %v), want %d; got %v want %v", res.Count, res.Truncated, len(want), got, want)
		}
	})

	t.Run("preboarding by candidate ids, bounded", func(t *testing.T) {
		ids := []string{truth.Preboarding[3].CandidateID, truth.Preboarding[250].CandidateID, truth.Preboarding[400].CandidateID}
		q, _ := json.Marshal(map[string]any{"dataset": "preboarding_candidates", "candidateIds": ids})
		res := look(t, string(q))
		var got []string
		for _, r := range res.Records {
			got = append(got, r["candidate_id"].(string))
			if r["first_name"] != hash(truth.Preboarding[slices.IndexFunc(truth.Preboarding, func(p kekasim.TruthPreboarding) bool { return p.CandidateID == r["candidate_id"] })].FirstName, false) {
				t.Errorf("first_name of %v is not the keyed hash", r["candidate_id"])
			}
		}
		slices.Sort(got)
		slices.Sort(ids)
		if !slices.Equal(got, ids) || res.Pages != 1 {
			t.Errorf("got %v in %d pages, want %v in one", got, res.Pages, ids)
		}
		limited := look(t, `{"dataset":"preboarding_candidates","limit":5}`)
		if limited.Count != 5 || !limited.Truncated {
			t.Errorf("limit 5: %d records, truncated %v", limited.Count, limited.Truncated)
		}
	})

	t.Run("one job and its archived candidates", func(t *testing.T) {
		job := truth.Jobs[2]
		res := look(t, `{"dataset":"jobs","jobId":"`+job.ID+`"}`)
		if res.Count != 1 || res.Records[0]["job_id"] != job.ID || res.Records[0]["title"] != job.Title {
			t.Errorf("job look-up: %+v", res)
		}
		var want, got []string
		for _, a := range truth.Applications {
			if a.JobID == job.ID && a.Archived {
				want = append(want, a.CandidateID)
			}
		}
		res = look(t, `{"dataset":"job_candidates","jobId":"`+job.ID+`","isArchived":true,"limit":500}`)
		for _, r := range res.Records {
			got = append(got, r["candidate_id"].(string))
			if r["is_archived"] != true || r["job_id"] != job.ID {
				t.Errorf("record %v is not an archived application of %s", r["candidate_id"], job.ID)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("archived candidates of %s: got %d, want %d", job.ID, len(got), len(want))
		}
	})

	t.Run("a filter the dataset does not take", func(t *testing.T) {
		code, _, stderr := run(t, []string{"--out", out, "--lookup", `{"dataset":"job_candidates","jobId":"x","stage":2}`}, env, "")
		if code != 2 || !strings.Contains(stderr, "does not take status or stage") {
			t.Errorf("exit %d, want 2 naming the filter:\n%s", code, stderr)
		}
	})

	if after := treeHash(t, out); after != before {
		t.Error("the output tree changed during the look-ups")
	}
}

func mapsEqual(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestMain_LookupBounded looks up the jobs of a tenant one of whose jobs
// carries a 3 MB description: the answer stays within lookup.MaxBytes (a
// Lambda response holds 6 MB) and says it was cut short.
func TestMain_LookupBounded(t *testing.T) {
	sim, err := kekasim.Start(kekasim.NewEdgeCaseTenant(), kekasim.Options{RequestsPerMinute: 100000})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	code, stdout, stderr := run(t, []string{"--lookup", `{"dataset":"jobs","limit":500}`}, simEnv(sim), "")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, tail(stderr, 2000))
	}
	var res lookup.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || res.Count >= len(sim.Truth().Jobs) || len(stdout) > lookup.MaxBytes+64<<10 {
		t.Errorf("%d of %d jobs in %d bytes, truncated %v; want fewer than all, within %d bytes, truncated", res.Count, len(sim.Truth().Jobs), len(stdout), res.Truncated, lookup.MaxBytes)
	}
	if !strings.Contains(stderr, "more records may match") {
		t.Errorf("no word of the cut:\n%s", tail(stderr, 1000))
	}
}
