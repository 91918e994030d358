// Package dataset is the registry of exported datasets: for each one its name,
// key, Parquet row type and schema, the Keka lists that feed it, the mapping
// from a raw Keka record to a row (with the PII policy applied), and the
// Parquet writer. Adding a dataset means adding one entry to All.
package dataset

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// Meta is what a row knows besides the record itself.
type Meta struct {
	Parent      string    // the parent row's key, for a dataset listed per parent (job_candidates: the job id)
	List        keka.List // the list the record came from (job_candidates: archived or not)
	RunID       string    // written to run_id
	ExtractedAt time.Time // written to extracted_at (UTC, milliseconds)
	PII         PII       // keep | hash | drop, with the hash key; the zero value keeps
	// Zone is the zone of Keka's zone-less timestamps (2026-10-02T09:14:00,
	// 2026-10-02): they are read as its wall clock. nil means UTC.
	Zone *time.Location
}

// Row is one typed Parquet row; Key returns the dataset key, e.g.
// jobID+"/"+candidateID.
type Row interface{ Key() string }

// Dataset describes one exported table.
type Dataset struct {
	Name          string   // "jobs", "job_candidates", "preboarding_candidates"
	SchemaVersion int      // bumped on any incompatible column change
	KeyColumns    []string // the columns that make Row.Key
	// Parent names the dataset per whose rows this one is listed (one set
	// of lists per parent key: job_candidates per job), or "" for a
	// dataset listed once. The run reads a parent before its children,
	// and reads it, without writing it, when only a child is selected.
	Parent string

	// Lists returns the Keka lists that feed the dataset, read in order:
	// for a dataset with a Parent, those of the parent row whose key is
	// given; otherwise parent is "". Records are de-duplicated by key
	// across the lists of one call.
	Lists func(parent string) []keka.List

	// ChangesOf, when set, names the dataset this one is computed from: the
	// run compares its rows of that dataset (which must be selected too)
	// with the previous complete snapshot's, and asks Keka for nothing
	// (Lists is nil).
	ChangesOf string

	// CarryOver marks a dataset listed per application (Parent
	// job_candidates) that a run reads only for the applications that are
	// new or changed against the previous complete snapshot
	// (ApplicationState.Changed), and within the run's fetch scope; the
	// rows of the others it carries over from that snapshot's partition
	// (CarriedOver). Its rows have last_read_at, and are Carried.
	CarryOver bool

	// OnlyWhenNamed keeps the dataset out of the default selection (a
	// request that names no datasets): it is exported only when a request
	// names it. Set on datasets whose cost the default run cannot bear yet.
	OnlyWhenNamed bool

	// Map turns one raw Keka record into a row. It fails only when the record
	// is not a JSON object, lacks its key, or the PII policy is unusable (hash
	// without a key); the error names the dataset and field, never a value.
	Map func(raw json.RawMessage, m Meta) (Row, error)

	// Schema is the Parquet schema of the row type.
	Schema *parquet.Schema

	// NewWriter returns a streaming Parquet writer (zstd, bounded row groups)
	// writing to w. Its Write fails on a row of another dataset.
	NewWriter func(w io.Writer) Writer

	personal []string // see PersonalColumns
	read     func(r io.ReaderAt, size, from int64, fn func([]Row) error) error
}

// Carried is a row of a CarryOver dataset.
type Carried interface {
	Row
	Application() string // the job_candidates key of its application
	CarriedOver(m Meta) Row
}

// ReadRows reads the rows of a Parquet file of the dataset (of size bytes,
// from row number from on) in batches, in file order; fn must not keep the
// slice. Columns the file lacks read as zero values. It fails for a
// dataset declared without a reader (only CarryOver datasets have one),
// on a file that is not Parquet or has other column types, or when fn does.
func (d Dataset) ReadRows(r io.ReaderAt, size, from int64, fn func([]Row) error) error {
	if d.read == nil {
		return fmt.Errorf("dataset %s: no reader", d.Name)
	}
	if err := d.read(r, size, from, fn); err != nil {
		return fmt.Errorf("dataset %s: %w", d.Name, err)
	}
	return nil
}

func readerOf[T Row]() func(r io.ReaderAt, size, from int64, fn func([]Row) error) error {
	return func(r io.ReaderAt, size, from int64, fn func([]Row) error) error {
		var rows []Row
		return readFrom(r, size, from, func(batch []T) error {
			rows = rows[:0]
			for _, v := range batch {
				rows = append(rows, v)
			}
			return fn(rows)
		})
	}
}

// Writer writes rows of one dataset as one Parquet file.
type Writer interface {
	// Write buffers one row, flushing a row group when it is full.
	Write(Row) error
	// Rows returns the number of rows written so far.
	Rows() int64
	// Close flushes the last row group and writes the footer; the file is
	// incomplete unless it returns nil.
	Close() error
}

// The column names every dataset has besides its own.
const (
	ColumnRawJSON     = "raw_json"
	ColumnExtractedAt = "extracted_at"
	ColumnRunID       = "run_id"
)

// SchemaVersion of the datasets declared here.
const (
	jobsSchemaVersion          = 2 // 2: job_type_label, status_label
	jobCandidatesSchemaVersion = 1
	preboardingSchemaVersion   = 2 // 2: stage_label, status_label
	interviewsSchemaVersion    = 2 // 2: last_read_at
	scorecardsSchemaVersion    = 2 // 2: last_read_at

	hiringStagesSchemaVersion         = 1
	talentPoolsSchemaVersion          = 1
	talentPoolCandidatesSchemaVersion = 1
	jobBoardsSchemaVersion            = 1
	applicationFieldsSchemaVersion    = 1
	jobCandidateChangesSchemaVersion  = 1
)

var registry = []Dataset{
	jobs(), jobCandidates(), preboardingCandidates(), interviews(), scorecards(),
	hiringStages(), talentPools(), talentPoolCandidates(), jobBoards(), applicationFields(),
	jobCandidateChanges(),
}

// All returns every dataset, in a stable order (jobs first: the per-job
// datasets need its ids). The slice is a copy.
func All() []Dataset { return slices.Clone(registry) }

// Default returns the datasets a request that names none exports: all but
// those declared OnlyWhenNamed, in the order of All.
func Default() []Dataset {
	var out []Dataset
	for _, d := range registry {
		if !d.OnlyWhenNamed {
			out = append(out, d)
		}
	}
	return out
}

// Lookup returns the dataset called name; ok is false when there is none.
func Lookup(name string) (Dataset, bool) {
	for _, d := range registry {
		if d.Name == name {
			return d, true
		}
	}
	return Dataset{}, false
}

// Names returns the names of all datasets, in the order of All.
func Names() []string {
	names := make([]string, len(registry))
	for i, d := range registry {
		names[i] = d.Name
	}
	return names
}

// PersonalColumns returns the columns holding personal data of candidates,
// which the PII policy hashes or drops:
//
//   - first_name, middle_name, last_name, email, and phone (job_candidates) or
//     mobile_number (preboarding_candidates);
//   - in raw_json, the same fields, plus the free-form personal history and
//     answers (educationDetails, experienceDetails,
//     additionalCandidateDetails, jobApplicationDetails.screeningQuestionsResponse),
//     which are set to null under both hash and drop: a hash of free text
//     serves no join.
//
// talent_pool_candidates has the personal columns of job_candidates (phone,
// education, experience) and talent_pool_details, a free-form map nulled as
// a whole; scorecards has overall_comments and the sections'
// section_comments (opinions about the candidate), nulled under hash and
// drop alike, as free text.
//
// Not personal by this policy: country_code (a dialling prefix, kept for
// analysis by country), gender (an unlabelled integer), skills, tags, and the
// names of employees (hiring team, recruiters, interviewers, who added a
// talent pool). jobs, hiring_stages, talent_pools, job_boards,
// application_fields and interviews have no personal columns.
// Keys in raw_json match case-insensitively. The slice is a copy.
func (d Dataset) PersonalColumns() []string { return slices.Clone(d.personal) }
