package dataset_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
)

// TestDataset_InvalidUTF8: one record with bytes that are not UTF-8 must not
// make the file unreadable; raw_json carries U+FFFD in their place.
func TestDataset_InvalidUTF8(t *testing.T) {
	jobs := mustLookup(t, "jobs")
	rows := mapAll(t, jobs, meta(), `{"id":"j1","title":"Eng`+"\xff\xfe"+`"}`, `{"id":"j2","title":"Analyst"}`)
	path := saveFile(t, writeRows(t, jobs, rows))
	var n int
	var raw string
	if err := duck(t).QueryRow(`SELECT count(*), max(raw_json) FILTER (WHERE job_id = 'j1') FROM read_parquet(?)`, path).Scan(&n, &raw); err != nil {
		t.Fatalf("DuckDB cannot read the file: %v", err)
	}
	if n != 2 || !strings.Contains(raw, "Eng\uFFFD") || !json.Valid([]byte(raw)) {
		t.Errorf("read %d rows, raw_json %q", n, raw)
	}
}

// TestDataset_PIIKeySpellings: every spelling of a key that fills a
// personal column is scrubbed in raw_json too, and nested personal data in
// an unexpected shape is dropped rather than kept.
func TestDataset_PIIKeySpellings(t *testing.T) {
	candidates := mustLookup(t, "job_candidates")
	for _, mode := range []dataset.PIIMode{dataset.PIIHash, dataset.PIIDrop} {
		t.Run(string(mode), func(t *testing.T) {
			m := meta()
			m.Parent = "j1"
			m.PII = dataset.PII{Mode: mode, Key: []byte("0123456789abcdef-key")}
			raw := `{"id":"c1","firſtName":"Asha","LASTNAME":"Rao","\u0065mail":"asha@example.com",` +
				`"educationDetailſ":[{"university":"VTU"}],` +
				`"jobApplicationDetails":[{"screeningQuestionsResponse":{"Salary?":"42 lakh"}}]}`
			rows := mapAll(t, candidates, m, raw)
			r := rows[0].(dataset.JobCandidateRow)
			for _, leak := range []string{"Asha", "Rao", "asha@example.com", "VTU", "42 lakh"} {
				if strings.Contains(r.RawJSON, leak) {
					t.Errorf("raw_json keeps %q: %s", leak, r.RawJSON)
				}
			}
			if mode == dataset.PIIHash && (r.FirstName == nil || *r.FirstName == "Asha") {
				t.Errorf("first_name column %v is not hashed", r.FirstName)
			}
			if !json.Valid([]byte(r.RawJSON)) {
				t.Errorf("raw_json is not JSON: %s", r.RawJSON)
			}
		})
	}
}
