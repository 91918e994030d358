package dataset

// The meanings Keka's developer reference publishes for its enumerations,
// indexed by code. Each labelled integer column has a *_label column beside
// it; a code outside these tables gets a null label, never a guess. Gender and
// the application status have no published meanings: they stay integers only.
var (
	jobStatusLabels         = []string{"Draft", "Online", "Archived", "Offline", "Confidential"}
	jobTypeLabels           = map[string]string{"1": "PartTime", "2": "FullTime"}
	preboardingStageLabels  = []string{"Start", "CollectInfo", "VerifyInfo", "ManageOffer", "OfferAcceptance", "Hired"}
	preboardingStatusLabels = []string{"Initiated", "Completed", "Cancelled", "Archived", "CandidatureRevoked", "MarkedAsNoShow"}
)

// codeLabel returns the label of code in labels, or nil for a null or
// unknown code.
func codeLabel(labels []string, code *int32) *string {
	if code == nil || *code < 0 || int(*code) >= len(labels) {
		return nil
	}
	l := labels[*code]
	return &l
}

// jobTypeLabel returns the label of a job type sent as its code ("2", or
// 2 as a number, which the column keeps as "2"), or nil for anything else.
func jobTypeLabel(jobType *string) *string {
	if jobType == nil {
		return nil
	}
	l, ok := jobTypeLabels[*jobType]
	if !ok {
		return nil
	}
	return &l
}
