package kekasim_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

// TestServer_HireLists checks the stage, job board and application field
// lists (served whole in the server's shape, whatever page is asked), the
// talent pools, and how interviews follow an application's stage.
func TestServer_HireLists(t *testing.T) {
	tn := kekasim.NewTenant(5, kekasim.Size{Jobs: 12, Applications: 1200})
	tr := tn.Truth()
	s := start(t, tn, kekasim.Options{Shape: kekasim.ShapeEnvelope, RequestsPerMinute: fast})
	tok := token(t, s)

	t.Run("unpaged lists answer every page with everything", func(t *testing.T) {
		for path, n := range map[string]int{"/hire/jobs/stages": len(tr.Stages), "/hire/jobboards": len(tr.JobBoards)} {
			for _, q := range []string{"", "?pageNumber=1&pageSize=200", "?pageNumber=2&pageSize=5"} {
				p := decodePage(t, mustGet(t, s, tok, path+q, http.StatusOK))
				if p.shape != "envelope" || len(p.records) != n || p.env["nextPage"] != nil {
					t.Errorf("GET %s%s: %s of %d records, nextPage %v; want the envelope of all %d and no next page", path, q, p.shape, len(p.records), p.env["nextPage"], n)
				}
			}
		}
		j := tr.Jobs[0]
		var n int
		for _, f := range tr.ApplicationFields {
			if f.JobID == j.ID {
				n++
			}
		}
		if p := decodePage(t, mustGet(t, s, tok, "/hire/jobs/"+j.ID+"/applicationfields?pageNumber=3", http.StatusOK)); len(p.records) != n || n < 2 {
			t.Errorf("application fields of %s: %d served, the truth has %d", j.ID, len(p.records), n)
		}
		mustGet(t, s, tok, "/hire/jobs/no-such-job/applicationfields", http.StatusNotFound)
	})

	t.Run("stages name the archive reasons and the stages applications are in", func(t *testing.T) {
		types := map[string]int{}
		var names []string
		for _, st := range tr.Stages {
			types[st.Type]++
			names = append(names, st.Name)
			if (st.Type == "Archive") != (len(st.ArchiveReasons) > 0) {
				t.Errorf("stage %s (%s) has %d archive reasons", st.Name, st.Type, len(st.ArchiveReasons))
			}
		}
		if types["Hiring"] == 0 || types["Archive"] != 1 || types["Preboarding"] == 0 {
			t.Errorf("stage types %v", types)
		}
		for _, a := range tr.Applications {
			if a.Stage != nil && !slices.Contains(names, *a.Stage) {
				t.Fatalf("application stage %q is not in the stage list %v", *a.Stage, names)
			}
		}
		ids := map[string]bool{}
		for _, st := range tr.Stages {
			ids[st.ID] = true
		}
		for _, iv := range tr.Interviews {
			if iv.StageID != nil && !ids[*iv.StageID] {
				t.Fatalf("interview %s names stage %s, not in the stage list", iv.ID, *iv.StageID)
			}
		}
	})

	t.Run("interviews follow the stage, scorecards the interviews", func(t *testing.T) {
		per := map[string]int{}
		for _, iv := range tr.Interviews {
			per[iv.JobID+"/"+iv.CandidateID]++
		}
		held := map[string]kekasim.TruthInterview{}
		for _, iv := range tr.Interviews {
			held[iv.ID] = iv
		}
		for _, a := range tr.Applications {
			if a.Stage != nil && (*a.Stage == "Sourced" || *a.Stage == "Applied") && per[a.JobID+"/"+a.CandidateID] != 0 {
				t.Errorf("%s/%s is %s and has %d interviews", a.JobID, a.CandidateID, *a.Stage, per[a.JobID+"/"+a.CandidateID])
			}
		}
		for _, sc := range tr.Scorecards {
			iv, ok := held[*sc.InterviewID]
			if !ok || iv.JobID != sc.JobID || iv.CandidateID != sc.CandidateID || iv.InterviewDate == nil {
				t.Fatalf("scorecard %s is for interview %s, which is not one of its application's held interviews", sc.ID, *sc.InterviewID)
			}
		}
		if len(tr.Interviews) == 0 || len(tr.Scorecards) == 0 {
			t.Fatalf("%d interviews, %d scorecards", len(tr.Interviews), len(tr.Scorecards))
		}
		a := tr.Applications[0]
		if got := all(t, s, tok, "/hire/jobs/"+a.JobID+"/candidate/"+a.CandidateID+"/interviews"); len(got) != per[a.JobID+"/"+a.CandidateID] {
			t.Errorf("%d interviews served for %s/%s, the truth has %d", len(got), a.JobID, a.CandidateID, per[a.JobID+"/"+a.CandidateID])
		}
	})

	t.Run("talent pools hold each person once, some over two pages", func(t *testing.T) {
		pools := all(t, s, tok, "/hire/talentpool")
		if len(pools) != len(tr.TalentPools) {
			t.Fatalf("%d pools served, the truth has %d", len(pools), len(tr.TalentPools))
		}
		long := false
		for _, p := range tr.TalentPools {
			got := all(t, s, tok, "/hire/talentpool/"+p.ID+"/candidates")
			seen := map[string]bool{}
			for _, c := range got {
				id, _ := c["id"].(string)
				if seen[id] {
					t.Errorf("pool %s lists %s twice", p.ID, id)
				}
				seen[id] = true
				if _, ok := c["talentPoolDetails"].(map[string]any); !ok {
					t.Errorf("pool %s member %s: talentPoolDetails is %T", p.ID, id, c["talentPoolDetails"])
				}
			}
			long = long || len(got) > 200
		}
		if want := len(tr.PoolCandidates); want == 0 || !long {
			t.Errorf("%d pool members, a pool over 200: %v", want, long)
		}
	})
}
