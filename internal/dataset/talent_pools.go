package dataset

import (
	"encoding/json"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// TalentPoolRow is one row of talent_pools: one talent pool, from
// /hire/talentpool. added_by is an employee's name, not personal data by
// this export's policy.
type TalentPoolRow struct {
	TalentPoolID string     `parquet:"talent_pool_id"`
	Name         *string    `parquet:"name,optional"`
	AddedBy      *string    `parquet:"added_by,optional"`
	AddedOn      *time.Time `parquet:"added_on,optional,timestamp(millisecond)"`
	RawJSON      string     `parquet:"raw_json"`
	ExtractedAt  time.Time  `parquet:"extracted_at,timestamp(millisecond)"`
	RunID        string     `parquet:"run_id"`
}

// Key returns the talent pool id.
func (r TalentPoolRow) Key() string { return r.TalentPoolID }

type talentPoolJSON struct {
	ID, Name, AddedBy text
	AddedOn           date
}

var talentPoolFields = fieldTable[talentPoolJSON]{
	textField("id", func(p *talentPoolJSON) *text { return &p.ID }),
	textField("name", func(p *talentPoolJSON) *text { return &p.Name }),
	textField("addedBy", func(p *talentPoolJSON) *text { return &p.AddedBy }),
	dateField("addedOn", func(p *talentPoolJSON) *date { return &p.AddedOn }),
}

func talentPools() Dataset {
	const name = "talent_pools"
	return Dataset{
		Name:          name,
		SchemaVersion: talentPoolsSchemaVersion,
		KeyColumns:    []string{"talent_pool_id"},
		Lists:         func(string) []keka.List { return []keka.List{keka.TalentPoolsList()} },
		Map:           mapTalentPool,
		Schema:        parquet.SchemaOf(TalentPoolRow{}),
		NewWriter:     func(w io.Writer) Writer { return newWriter[TalentPoolRow](name, w) },
	}
}

var talentPoolScratch scratchPool[talentPoolJSON]

func mapTalentPool(raw json.RawMessage, m Meta) (Row, error) {
	const name = "talent_pools"
	sc := talentPoolScratch.get()
	defer talentPoolScratch.put(sc)
	p := &sc.v
	rawJSON, err := decodeRecord(name, raw, m, sc, talentPoolFields, &p.ID, nil)
	if err != nil {
		return nil, err
	}
	return TalentPoolRow{
		TalentPoolID: p.ID.v,
		Name:         p.Name.ptr(),
		AddedBy:      p.AddedBy.ptr(),
		AddedOn:      p.AddedOn.ptr(),
		RawJSON:      rawJSON,
		ExtractedAt:  utcMillis(m.ExtractedAt),
		RunID:        m.RunID,
	}, nil
}
