package snapshot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
)

// Run statuses, as stored in the checkpoint and returned in a Result.
const (
	StatusInProgress = "in_progress"
	StatusComplete   = "complete"
	StatusFailed     = "failed"
	// StatusIncomplete is a Result's status for a run that completed and
	// published, with a list it could not read whole (the manifests name
	// it under unreconciled). The checkpoint says complete.
	StatusIncomplete = "incomplete"
)

const stateVersion = 2

// state is everything a run needs to continue in another invocation. It is
// saved as the checkpoint after every segment close and read back by the
// next invocation of the same snapshot date.
type state struct {
	Version      int         `json:"version"`
	RunID        string      `json:"runId"`
	SnapshotDate string      `json:"snapshotDate"`
	Datasets     []string    `json:"datasets"`
	Settings     runSettings `json:"settings"`
	// Replaced is the run that a restart discarded to start this one.
	Replaced    string    `json:"replaced,omitempty"`
	Status      string    `json:"status"`
	Error       string    `json:"error,omitempty"`
	StartedAt   time.Time `json:"startedAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	Invocations int       `json:"invocations"`
	// Lease is held by the invocation working on the run.
	Lease lease `json:"lease"`
	// Force is the event's force flag, kept because the events that
	// continue a run carry only its date and id.
	Force bool `json:"force,omitempty"`

	// Fetch position. Tasks are numbered in the plan's order (see plan):
	// those before Next were started; Active are the started ones not yet
	// done, each with where it stands; Keys are the keys of every parent
	// dataset, which number its children's tasks; Done names the datasets
	// all of whose tasks are done.
	Next   int                `json:"next"`
	Active []*taskState       `json:"active"`
	Keys   map[string]*keySet `json:"keys"`
	Done   []string           `json:"done"`

	// Base is the previous complete snapshot the run compares with
	// (nil: there is none), pinned when the run starts. Derived names the
	// ChangesOf datasets computed and committed.
	Base    *baseRef `json:"base,omitempty"`
	Derived []string `json:"derived,omitempty"`
	// Scope is the run's fetch scope (Scope.String), Apps what the
	// CarryOver datasets do per application, Carry how far each carried
	// its base's rows over.
	Scope string               `json:"scope,omitempty"`
	Apps  appMarks             `json:"apps"`
	Carry map[string]*carryPos `json:"carry,omitempty"`

	Counts   map[string]*datasetCounts `json:"counts"`
	Segments map[string][]segment      `json:"segments"`
	// Publishing is set, and saved, before the first partition is touched:
	// from then on the run is only ever resumed, never discarded.
	Publishing bool     `json:"publishing,omitempty"`
	Published  []string `json:"published,omitempty"`
	Fetched    bool     `json:"fetched"` // every task is done

	Requests  int64 `json:"requests"`
	Retries   int64 `json:"retries"`
	Throttled int64 `json:"throttled"`
	ElapsedMs int64 `json:"elapsedMs"`
}

// runSettings are what shapes a run's rows. They must not change while the
// run goes on, or one snapshot would mix PII policies or schemas.
type runSettings struct {
	PII     string         `json:"pii"`
	PIIKey  string         `json:"piiKey,omitempty"` // a fingerprint of the hash key, never the key
	Schemas map[string]int `json:"schemas"`
	Zone    string         `json:"zone,omitempty"` // of zone-less timestamps; "" is UTC
}

// settings returns the settings a run of the datasets would have now.
func (r *Runner) settings(sel []dataset.Dataset) runSettings {
	s := runSettings{PII: string(r.cfg.PII.Mode), Schemas: map[string]int{}}
	if s.PII == "" {
		s.PII = string(dataset.PIIKeep)
	}
	if len(r.cfg.PII.Key) > 0 {
		m := hmac.New(sha256.New, r.cfg.PII.Key)
		m.Write([]byte("keka-hire-export: fingerprint of the PII hash key"))
		s.PIIKey = hex.EncodeToString(m.Sum(nil))[:16]
	}
	for _, d := range sel {
		s.Schemas[d.Name] = d.SchemaVersion
	}
	if z := r.cfg.Zone; z != nil && z.String() != time.UTC.String() {
		s.Zone = z.String()
	}
	return s
}

// diff describes how now differs from a, or returns "" when they agree. A
// run whose checkpoint records no settings agrees with any.
func (a runSettings) diff(now runSettings) string {
	if a.PII == "" {
		return ""
	}
	var out []string
	if a.PII != now.PII {
		out = append(out, fmt.Sprintf("the PII mode (%s, now %s)", a.PII, now.PII))
	} else if a.PIIKey != now.PIIKey {
		out = append(out, "the PII hash key")
	}
	if a.Zone != now.Zone {
		out = append(out, fmt.Sprintf("the zone of zone-less timestamps (%s, now %s)", zoneName(a.Zone), zoneName(now.Zone)))
	}
	for name, v := range a.Schemas {
		if now.Schemas[name] != v {
			out = append(out, fmt.Sprintf("the schema of %s (version %d, now %d)", name, v, now.Schemas[name]))
		}
	}
	sort.Strings(out)
	return strings.Join(out, " and ")
}

func zoneName(z string) string {
	if z == "" {
		return "UTC"
	}
	return z
}

// datasetCounts are one dataset's running figures.
type datasetCounts struct {
	Rows         int64          `json:"rows"`
	Bytes        int64          `json:"bytes"` // of the published object
	Pages        int64          `json:"pages"`
	Duplicates   int64          `json:"duplicates"`
	SourceTotal  int64          `json:"sourceTotal"` // sum of totalRecords Keka reported, -1 when unknown
	Rereads      int64          `json:"rereads"`
	Unreconciled []Unreconciled `json:"unreconciled,omitempty"`
}

// unreconciled records u, kept in order of list, so that the records do
// not depend on which worker finished first.
func (c *datasetCounts) unreconciled(u Unreconciled) {
	i := len(c.Unreconciled)
	for i > 0 && c.Unreconciled[i-1].List > u.List {
		i--
	}
	c.Unreconciled = slices.Insert(c.Unreconciled, i, u)
}

// Unreconciled records a Keka list whose records could not be made to agree
// with the total Keka reported, after the allowed re-reads, or that vanished.
type Unreconciled struct {
	List     string `json:"list"`
	Reported int    `json:"reported"` // Keka's totalRecords; -1 when it gave none
	Seen     int    `json:"seen"`     // distinct records seen in the last pass
	Reason   string `json:"reason"`
}

// Reasons a list is unreconciled.
const (
	reasonMoving    = "the list kept changing while it was paged"
	reasonVanished  = "the job was deleted during the run (404)"
	reasonForbidden = "Keka refused this job's candidates (403)"
	// reasonParentList is formatted with the parent dataset's name, twice.
	reasonParentList = "the %s list could not be read whole: records listed under the %s it missed are not in this snapshot"
	reasonRepeated   = "Keka answered a later page with records of earlier ones (it may ignore pageNumber): the pages after it were not read"
)

// repeatedReason is reasonRepeated, with the page numbers when Keka
// stated one.
func repeatedReason(asked, stated int) string {
	if stated != 0 && stated != asked {
		return fmt.Sprintf("Keka answered page %d as page %d, with records of earlier pages (it may ignore pageNumber): the pages after it were not read", asked, stated)
	}
	return reasonRepeated
}

// Missing reports whether records of the list may be missing from the
// snapshot. A job deleted during the run is recorded, but missing nothing
// that still exists.
func (u Unreconciled) Missing() bool { return u.Reason != reasonVanished }

func (s *state) clone() *state {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("snapshot: marshal state: %v", err)) // only plain data in state
	}
	var c state
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("snapshot: unmarshal state: %v", err))
	}
	return &c
}

func (s *state) counts(name string) *datasetCounts {
	c, ok := s.Counts[name]
	if !ok {
		c = &datasetCounts{}
		s.Counts[name] = c
	}
	return c
}

func (s *state) published(name string) bool { return slices.Contains(s.Published, name) }

func (s *state) done(name string) bool { return slices.Contains(s.Done, name) }

// keys returns the key set of a parent dataset, creating it.
func (s *state) keys(name string) *keySet {
	k, ok := s.Keys[name]
	if !ok {
		k = &keySet{}
		s.Keys[name] = k
	}
	return k
}

// taskState is where one started task stands.
type taskState struct {
	Index   int    `json:"index"`
	Cursor  cursor `json:"cursor"`
	Written keySet `json:"written"` // keys this task wrote (or, unwritten, saw): its de-duplication group
	claimed bool   // a worker of this invocation is on it
}

func decodeState(b []byte) (*state, error) {
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("checkpoint is not valid JSON: %w", err)
	}
	if s.Version != stateVersion {
		return nil, fmt.Errorf("checkpoint version %d is from another version of this export (this one reads version %d)", s.Version, stateVersion)
	}
	if s.Counts == nil {
		s.Counts = map[string]*datasetCounts{}
	}
	if s.Segments == nil {
		s.Segments = map[string][]segment{}
	}
	if s.Keys == nil {
		s.Keys = map[string]*keySet{}
	}
	return &s, nil
}
