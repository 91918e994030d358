package dataset

import (
	"encoding/json"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// JobBoardRow is one row of job_boards: one job board the account
// integrates with, from /hire/jobboards. job_board_identifier is the value
// the jobs list's jobBoardIdentifier filter takes.
type JobBoardRow struct {
	JobBoardIdentifier string    `parquet:"job_board_identifier"`
	JobBoardName       *string   `parquet:"job_board_name,optional"`
	IsActive           *bool     `parquet:"is_active,optional"`
	RawJSON            string    `parquet:"raw_json"`
	ExtractedAt        time.Time `parquet:"extracted_at,timestamp(millisecond)"`
	RunID              string    `parquet:"run_id"`
}

// Key returns the job board identifier.
func (r JobBoardRow) Key() string { return r.JobBoardIdentifier }

type jobBoardJSON struct {
	JobBoardIdentifier, JobBoardName text
	IsActive                         boolean
}

var jobBoardFields = fieldTable[jobBoardJSON]{
	textField("jobBoardIdentifier", func(b *jobBoardJSON) *text { return &b.JobBoardIdentifier }),
	textField("jobBoardName", func(b *jobBoardJSON) *text { return &b.JobBoardName }),
	booleanField("isActive", func(b *jobBoardJSON) *boolean { return &b.IsActive }),
}

func jobBoards() Dataset {
	const name = "job_boards"
	return Dataset{
		Name:          name,
		SchemaVersion: jobBoardsSchemaVersion,
		KeyColumns:    []string{"job_board_identifier"},
		Lists:         func(string) []keka.List { return []keka.List{keka.JobBoardsList()} },
		Map:           mapJobBoard,
		Schema:        parquet.SchemaOf(JobBoardRow{}),
		NewWriter:     func(w io.Writer) Writer { return newWriter[JobBoardRow](name, w) },
	}
}

var jobBoardScratch scratchPool[jobBoardJSON]

func mapJobBoard(raw json.RawMessage, m Meta) (Row, error) {
	const name = "job_boards"
	sc := jobBoardScratch.get()
	defer jobBoardScratch.put(sc)
	b := &sc.v
	rawJSON, err := decodeRecord(name, raw, m, sc, jobBoardFields, &b.JobBoardIdentifier, nil)
	if err != nil {
		return nil, err
	}
	return JobBoardRow{
		JobBoardIdentifier: b.JobBoardIdentifier.v,
		JobBoardName:       b.JobBoardName.ptr(),
		IsActive:           b.IsActive.ptr(),
		RawJSON:            rawJSON,
		ExtractedAt:        utcMillis(m.ExtractedAt),
		RunID:              m.RunID,
	}, nil
}
