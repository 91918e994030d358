package dataset

import (
	"encoding/json"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// HiringStageRow is one row of hiring_stages: one stage of the account's
// hiring process, its archive stage or a preboarding stage, from
// /hire/jobs/stages. Keka publishes no shape for this response: the columns
// follow what the simulator serves ({id, name, stageType, order,
// archiveReasons[{id, reason}]}, see keka-api.md), and raw_json keeps
// whatever Keka really sends. job_candidates.stage holds stage names
// (join on name); interviews.stage_id and scorecards.stage_id hold ids.
type HiringStageRow struct {
	StageID        string          `parquet:"stage_id"`
	Name           *string         `parquet:"name,optional"`
	StageType      *string         `parquet:"stage_type,optional"`
	SortOrder      *int32          `parquet:"sort_order,optional"`
	ArchiveReasons []ArchiveReason `parquet:"archive_reasons,list"`
	RawJSON        string          `parquet:"raw_json"`
	ExtractedAt    time.Time       `parquet:"extracted_at,timestamp(millisecond)"`
	RunID          string          `parquet:"run_id"`
}

// ArchiveReason is one element of hiring_stages.archive_reasons. reason is
// read from "reason", or from "name".
type ArchiveReason struct {
	ID     *string `parquet:"id,optional"`
	Reason *string `parquet:"reason,optional"`
}

// Key returns the stage id.
func (r HiringStageRow) Key() string { return r.StageID }

type hiringStageJSON struct {
	ID, Name, StageType text
	Order               integer
	ArchiveReasons      []ArchiveReason
}

type archiveReasonJSON struct{ ID, Reason, Name text }

var hiringStageFields = fieldTable[hiringStageJSON]{
	textField("id", func(s *hiringStageJSON) *text { return &s.ID }),
	textField("name", func(s *hiringStageJSON) *text { return &s.Name }),
	textField("stageType", func(s *hiringStageJSON) *text { return &s.StageType }),
	integerField("order", func(s *hiringStageJSON) *integer { return &s.Order }),
	rowsField("archiveReasons", func(s *hiringStageJSON) *[]ArchiveReason { return &s.ArchiveReasons }, fieldTable[archiveReasonJSON]{
		textField("id", func(a *archiveReasonJSON) *text { return &a.ID }),
		textField("reason", func(a *archiveReasonJSON) *text { return &a.Reason }),
		textField("name", func(a *archiveReasonJSON) *text { return &a.Name }),
	}, archiveReasonRow),
}

// archiveReasonRow is an element of archive_reasons; false for an empty one.
func archiveReasonRow(a *archiveReasonJSON) (ArchiveReason, bool) {
	reason := a.Reason
	if !reason.ok || reason.v == "" {
		reason = a.Name
	}
	return ArchiveReason{ID: a.ID.ptr(), Reason: reason.ptr()}, a.ID.ok || a.Reason.ok || a.Name.ok
}

func hiringStages() Dataset {
	const name = "hiring_stages"
	return Dataset{
		Name:          name,
		SchemaVersion: hiringStagesSchemaVersion,
		KeyColumns:    []string{"stage_id"},
		Lists:         func(string) []keka.List { return []keka.List{keka.StagesList()} },
		Map:           mapHiringStage,
		Schema:        parquet.SchemaOf(HiringStageRow{}),
		NewWriter:     func(w io.Writer) Writer { return newWriter[HiringStageRow](name, w) },
	}
}

var hiringStageScratch scratchPool[hiringStageJSON]

func mapHiringStage(raw json.RawMessage, m Meta) (Row, error) {
	const name = "hiring_stages"
	sc := hiringStageScratch.get()
	defer hiringStageScratch.put(sc)
	s := &sc.v
	rawJSON, err := decodeRecord(name, raw, m, sc, hiringStageFields, &s.ID, nil)
	if err != nil {
		return nil, err
	}
	return HiringStageRow{
		StageID:        s.ID.v,
		Name:           s.Name.ptr(),
		StageType:      s.StageType.ptr(),
		SortOrder:      s.Order.ptr(),
		ArchiveReasons: orEmpty(s.ArchiveReasons),
		RawJSON:        rawJSON,
		ExtractedAt:    utcMillis(m.ExtractedAt),
		RunID:          m.RunID,
	}, nil
}
