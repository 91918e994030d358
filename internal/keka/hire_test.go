package keka_test

import (
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

func TestHireLists(t *testing.T) {
	for _, tc := range []struct {
		list keka.List
		want string
	}{
		{keka.StagesList(), "/hire/jobs/stages"},
		{keka.InterviewsList("j 1", "c/2"), "/hire/jobs/j%201/candidate/c%2F2/interviews"},
		{keka.ScorecardsList("j1", "c2"), "/hire/jobs/j1/candidate/c2/scorecards"},
		{keka.TalentPoolsList(), "/hire/talentpool"},
		{keka.TalentPoolCandidatesList("p?1"), "/hire/talentpool/p%3F1/candidates"},
		{keka.JobBoardsList(), "/hire/jobboards"},
		{keka.ApplicationFieldsList("j1"), "/hire/jobs/j1/applicationfields"},
	} {
		if tc.list.Path != tc.want || len(tc.list.Query) != 0 {
			t.Errorf("list %+v, want path %s and no filters", tc.list, tc.want)
		}
	}
}
