package kekasim_test

import (
	"net/http"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

// TestServer_ChangeApplications moves, archives, removes and adds
// applications, and checks that Truth and the candidates lists both say so.
func TestServer_ChangeApplications(t *testing.T) {
	tn := kekasim.NewTenant(9, kekasim.Size{Jobs: 3, Applications: 60})
	s := start(t, tn, kekasim.Options{Shape: kekasim.ShapeEnvelope, RequestsPerMinute: fast})
	tok := token(t, s)
	before := s.Truth()
	var act []kekasim.TruthApplication
	for _, a := range before.Applications {
		if !a.Archived && a.JobID == before.Jobs[0].ID {
			act = append(act, a)
		}
	}
	if len(act) < 3 {
		t.Fatalf("job %s has %d active applications", before.Jobs[0].ID, len(act))
	}
	job := before.Jobs[0].ID
	if err := s.MoveApplication(job, act[0].CandidateID, "Offered"); err != nil {
		t.Fatal(err)
	}
	if err := s.ArchiveApplication(job, act[1].CandidateID); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveApplication(job, act[2].CandidateID); err != nil {
		t.Fatal(err)
	}
	added, err := s.AddApplication(job)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MoveApplication(job, "no-such-candidate", "Offered"); err == nil {
		t.Error("moving a missing application succeeded")
	}
	if _, err := s.AddApplication("no-such-job"); err == nil {
		t.Error("adding to a missing job succeeded")
	}

	after := map[string]kekasim.TruthApplication{}
	for _, a := range s.Truth().Applications {
		after[a.CandidateID] = a
	}
	if got := len(after); got != len(before.Applications) { // one removed, one added
		t.Errorf("%d applications after the changes, want %d", got, len(before.Applications))
	}
	moved := after[act[0].CandidateID]
	if moved.Stage == nil || *moved.Stage != "Offered" || moved.MovedToStageOn == nil || moved.MovedToStageOn.Equal(*orZero(act[0].MovedToStageOn)) {
		t.Errorf("moved application: stage %s, moved %v (was %v)", show(moved.Stage), moved.MovedToStageOn, act[0].MovedToStageOn)
	}
	if !after[act[1].CandidateID].Archived {
		t.Error("archived application is not archived in Truth")
	}
	if _, ok := after[act[2].CandidateID]; ok {
		t.Error("removed application is still in Truth")
	}
	if a, ok := after[added]; !ok || a.Archived || a.JobID != job {
		t.Errorf("added application: %+v, %v", a, ok)
	}

	listed := map[string]map[string]any{}
	for _, q := range []string{"false", "true"} {
		for _, r := range all(t, s, tok, "/hire/jobs/"+job+"/candidates?isArchived="+q) {
			listed[*wireStr(r, "id")+"/"+q] = r
		}
	}
	if r, ok := listed[act[0].CandidateID+"/false"]; !ok || *wireStr(r["jobApplicationDetails"].(map[string]any), "jobHiringStageId") != "Offered" {
		t.Errorf("moved application as listed: %v", r)
	}
	if _, ok := listed[act[1].CandidateID+"/true"]; !ok {
		t.Error("archived application is not in the archived list")
	}
	if _, ok := listed[act[1].CandidateID+"/false"]; ok {
		t.Error("archived application is still in the active list")
	}
	if _, ok := listed[act[2].CandidateID+"/false"]; ok {
		t.Error("removed application is still listed")
	}
	if _, ok := listed[added+"/false"]; !ok {
		t.Error("added application is not listed")
	}
	for _, iv := range s.Truth().Interviews {
		if iv.CandidateID == act[2].CandidateID && iv.JobID == job {
			t.Errorf("interview %s of the removed application is still in Truth", iv.ID)
		}
	}
	if p := decodePage(t, mustGet(t, s, tok, "/hire/jobs/"+job+"/candidate/"+act[2].CandidateID+"/interviews", http.StatusOK)); len(p.records) != 0 {
		t.Errorf("the removed application still has %d interviews", len(p.records))
	}
}

func orZero[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}
