package snapshot

// Plan is a dry run's prediction of the full run of the same request:
// what it reads, how many requests that takes, and how long at the
// client's rate.
type Plan struct {
	Requests int64 `json:"requests"` // page requests, without retries
	Records  int64 `json:"records"`  // records Keka reports (or were counted)
	// Seconds is the time the requests take at the client's rate.
	Seconds float64 `json:"seconds"`
	// Invocations is how many invocations of the request's length
	// (StopAt) the run needs; 1 without StopAt.
	Invocations int `json:"invocations"`
	// Exact is false when the dry run ran out of time before it had read
	// what it needs, and extrapolated the rest from what it read.
	Exact    bool          `json:"exact"`
	Datasets []PlanDataset `json:"datasets"`
}

// PlanDataset is one dataset's part of a Plan.
type PlanDataset struct {
	Name     string `json:"name"`
	Requests int64  `json:"requests"`
	Records  int64  `json:"records"`
	// Applications and Carried, for a dataset listed per application and
	// fetched where it changed (interviews, scorecards): the applications
	// the run would read from Keka (new or changed against the previous
	// snapshot, within the fetch scope), one request per list each, and
	// those whose rows it would carry over instead. Records are then not
	// counted (0): reading them would cost the requests the run saves.
	Applications *int64 `json:"applications,omitempty"`
	Carried      *int64 `json:"carried,omitempty"`
}
