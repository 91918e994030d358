package dataset

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// ApplicationFieldRow is one row of application_fields: one field of one
// job's application form, from /hire/jobs/{jobId}/applicationfields. job_id
// comes from the job the list was read for (Meta.Parent). field_type is
// Keka's integer; the types Keka publishes are 1 TextBox, 2 TextArea,
// 3 DropdownMenu, 4 Checkbox, 5 RadioButton, 6 Date and 9 Number. options
// are the choices of the choice types.
type ApplicationFieldRow struct {
	JobID       string        `parquet:"job_id"`
	FieldID     string        `parquet:"field_id"`
	FieldName   *string       `parquet:"field_name,optional"`
	Required    *bool         `parquet:"required,optional"`
	FieldType   *int32        `parquet:"field_type,optional"`
	Options     []FieldOption `parquet:"options,list"`
	RawJSON     string        `parquet:"raw_json"`
	ExtractedAt time.Time     `parquet:"extracted_at,timestamp(millisecond)"`
	RunID       string        `parquet:"run_id"`
}

// FieldOption is one element of application_fields.options.
type FieldOption struct {
	ID    *string `parquet:"id,optional"`
	Value *string `parquet:"value,optional"`
}

// Key returns job_id + "/" + field_id.
func (r ApplicationFieldRow) Key() string { return r.JobID + "/" + r.FieldID }

type applicationFieldJSON struct {
	ID, FieldName text
	Required      boolean
	FieldType     integer
	Options       []FieldOption
}

type fieldOptionJSON struct{ ID, Value text }

var applicationFieldFields = fieldTable[applicationFieldJSON]{
	textField("id", func(f *applicationFieldJSON) *text { return &f.ID }),
	textField("fieldName", func(f *applicationFieldJSON) *text { return &f.FieldName }),
	booleanField("required", func(f *applicationFieldJSON) *boolean { return &f.Required }),
	integerField("fieldType", func(f *applicationFieldJSON) *integer { return &f.FieldType }),
	rowsField("fieldOptions", func(f *applicationFieldJSON) *[]FieldOption { return &f.Options }, fieldTable[fieldOptionJSON]{
		textField("id", func(o *fieldOptionJSON) *text { return &o.ID }),
		textField("value", func(o *fieldOptionJSON) *text { return &o.Value }),
	}, func(o *fieldOptionJSON) (FieldOption, bool) {
		return FieldOption{ID: o.ID.ptr(), Value: o.Value.ptr()}, o.ID.ok || o.Value.ok
	}),
}

func applicationFields() Dataset {
	const name = "application_fields"
	return Dataset{
		Name:          name,
		SchemaVersion: applicationFieldsSchemaVersion,
		KeyColumns:    []string{"job_id", "field_id"},
		Parent:        "jobs",
		Lists:         func(jobID string) []keka.List { return []keka.List{keka.ApplicationFieldsList(jobID)} },
		Map:           mapApplicationField,
		Schema:        parquet.SchemaOf(ApplicationFieldRow{}),
		NewWriter:     func(w io.Writer) Writer { return newWriter[ApplicationFieldRow](name, w) },
	}
}

var applicationFieldScratch scratchPool[applicationFieldJSON]

func mapApplicationField(raw json.RawMessage, m Meta) (Row, error) {
	const name = "application_fields"
	if m.Parent == "" {
		return nil, fmt.Errorf("dataset %s: Meta.Parent (the job id) is empty", name)
	}
	sc := applicationFieldScratch.get()
	defer applicationFieldScratch.put(sc)
	f := &sc.v
	rawJSON, err := decodeRecord(name, raw, m, sc, applicationFieldFields, &f.ID, nil)
	if err != nil {
		return nil, err
	}
	return ApplicationFieldRow{
		JobID:       m.Parent,
		FieldID:     f.ID.v,
		FieldName:   f.FieldName.ptr(),
		Required:    f.Required.ptr(),
		FieldType:   f.FieldType.ptr(),
		Options:     orEmpty(f.Options),
		RawJSON:     rawJSON,
		ExtractedAt: utcMillis(m.ExtractedAt),
		RunID:       m.RunID,
	}, nil
}
