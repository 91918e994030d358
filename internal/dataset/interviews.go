package dataset

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/kekaexport/keka-hire-export/internal/jsonscan"
	"github.com/kekaexport/keka-hire-export/internal/keka"
)

// InterviewRow is one row of interviews: one interview of one application.
// job_id and candidate_id come from the application the list was read for
// (Meta.Parent), as in job_candidates.
//
// start_time and end_time are the wall-clock "HH:MM" of Keka's {hours,
// minutes} objects, in the zone time_zone_id names (a Windows zone name
// such as "India Standard Time"). interview_type and panel_members are
// strings, as the spec types them (interview_type "1" Online, "2"
// FaceToFace in a spec-derived client; panel_members one string of names).
// stage_id joins hiring_stages.stage_id. scheduled_by and panel_members are
// employees' names, not personal data by this export's policy.
type InterviewRow struct {
	InterviewID   string     `parquet:"interview_id"`
	JobID         string     `parquet:"job_id"`
	CandidateID   string     `parquet:"candidate_id"`
	InterviewDate *time.Time `parquet:"interview_date,optional,timestamp(millisecond)"`
	StartTime     *string    `parquet:"start_time,optional"`
	EndTime       *string    `parquet:"end_time,optional"`
	TimeZoneID    *string    `parquet:"time_zone_id,optional"`
	ScheduledBy   *string    `parquet:"scheduled_by,optional"`
	ScheduledDate *time.Time `parquet:"scheduled_date,optional,timestamp(millisecond)"`
	InterviewType *string    `parquet:"interview_type,optional"`
	StageID       *string    `parquet:"stage_id,optional"`
	PanelMembers  *string    `parquet:"panel_members,optional"`
	RawJSON       string     `parquet:"raw_json"`
	ExtractedAt   time.Time  `parquet:"extracted_at,timestamp(millisecond)"`
	RunID         string     `parquet:"run_id"`
	LastReadAt    time.Time  `parquet:"last_read_at,timestamp(millisecond)"`
}

// Application returns the job_candidates key of the row's application.
func (r InterviewRow) Application() string { return r.JobID + "/" + r.CandidateID }

// CarriedOver returns the row as a run carries it over from an earlier
// snapshot: run_id and extracted_at the run's, last_read_at as it was
// (extracted_at, for a row of a schema without last_read_at).
func (r InterviewRow) CarriedOver(m Meta) Row {
	if r.LastReadAt.IsZero() {
		r.LastReadAt = r.ExtractedAt
	}
	r.RunID, r.ExtractedAt = m.RunID, utcMillis(m.ExtractedAt)
	return r
}

// Key returns the interview id.
func (r InterviewRow) Key() string { return r.InterviewID }

type interviewJSON struct {
	ID                           text
	InterviewDate, ScheduledDate date
	StartTime, EndTime           clock
	TimeZoneID, ScheduledBy      text
	InterviewType, StageID       text
	PanelMembers                 text
}

var interviewFields = fieldTable[interviewJSON]{
	textField("id", func(iv *interviewJSON) *text { return &iv.ID }),
	dateField("interviewDate", func(iv *interviewJSON) *date { return &iv.InterviewDate }),
	clockField("startTime", func(iv *interviewJSON) *clock { return &iv.StartTime }),
	clockField("endTime", func(iv *interviewJSON) *clock { return &iv.EndTime }),
	textField("timeZoneId", func(iv *interviewJSON) *text { return &iv.TimeZoneID }),
	textField("scheduledBy", func(iv *interviewJSON) *text { return &iv.ScheduledBy }),
	dateField("scheduledDate", func(iv *interviewJSON) *date { return &iv.ScheduledDate }),
	textField("interviewType", func(iv *interviewJSON) *text { return &iv.InterviewType }),
	textField("stageId", func(iv *interviewJSON) *text { return &iv.StageID }),
	textField("panelMembers", func(iv *interviewJSON) *text { return &iv.PanelMembers }),
}

// clock is a time of day "HH:MM": Keka's {hours, minutes} object (minutes
// missing or null: on the hour), or a string "HH:MM" or "HH:MM:SS". Hours
// outside 0 to 23 or minutes outside 0 to 59 leave it unset.
type clock struct {
	v  string
	ok bool
}

type hoursMinutesJSON struct{ Hours, Minutes integer }

var hoursMinutesFields = fieldTable[hoursMinutesJSON]{
	integerField("hours", func(hm *hoursMinutesJSON) *integer { return &hm.Hours }),
	integerField("minutes", func(hm *hoursMinutesJSON) *integer { return &hm.Minutes }),
}

func clockField[T any](name string, at func(*T) *clock) field[T] {
	return field[T]{name, func(d *decoder, v *T, j int) (int, error) {
		var hm hoursMinutesJSON
		j = jsonscan.Space(d.b, j)
		if j < len(d.b) && d.b[j] == '{' {
			end, err := hoursMinutesFields.object(d, &hm, j)
			if c := newClock(hm); err == nil && c.ok {
				*at(v) = c
			}
			return end, err
		}
		t, end, err := d.text(j)
		if !t.ok || err != nil {
			return end, err
		}
		h, m, found := strings.Cut(strings.TrimSpace(t.v), ":")
		m, _, _ = strings.Cut(m, ":") // seconds, if any
		if hm.Hours, hm.Minutes = parseInt32(h), parseInt32(m); found && hm.Minutes.ok {
			if c := newClock(hm); c.ok {
				*at(v) = c
			}
		}
		return end, nil
	}}
}

func parseInt32(s string) integer {
	n, err := strconv.ParseInt(s, 10, 32)
	return integer{v: int32(n), ok: err == nil}
}

func newClock(hm hoursMinutesJSON) clock {
	h, m := hm.Hours.v, hm.Minutes.v
	if !hm.Hours.ok || h < 0 || h > 23 || m < 0 || m > 59 {
		return clock{}
	}
	return clock{v: fmt.Sprintf("%02d:%02d", h, m), ok: true}
}

func (c clock) ptr() *string {
	if !c.ok {
		return nil
	}
	v := c.v
	return &v
}

// applicationLists returns the lists of one application, given its
// job_candidates key (job_id + "/" + candidate_id).
func applicationLists(key string, list func(jobID, candidateID string) keka.List) []keka.List {
	job, cand, _ := strings.Cut(key, "/")
	return []keka.List{list(job, cand)}
}

// splitApplication returns the job and candidate ids of a job_candidates
// key, or an error naming the dataset when it is not one.
func splitApplication(dataset, key string) (jobID, candidateID string, err error) {
	job, cand, ok := strings.Cut(key, "/")
	if !ok || job == "" || cand == "" {
		return "", "", fmt.Errorf("dataset %s: Meta.Parent is not a job_candidates key (job id/candidate id)", dataset)
	}
	return job, cand, nil
}

// interviews is listed per application, a request per application and
// list. A run reads it only for the applications new or changed since the
// previous complete snapshot and carries the rest over (CarryOver): a day
// of a 20,000-application tenant in which 300 applications move costs 300
// requests. It stays out of the default selection (OnlyWhenNamed) all the
// same: the first run that exports it reads every application (20,000
// requests, 6.7 hours at 50 a minute, across as many invocations as it
// takes), and a run publishes all its datasets together, so that first
// run would hold back the day's jobs and job_candidates for as long.
// Name it (the ExportDatasets parameter, or an event's datasets) once, with
// a fetch scope (KEKA_FETCH_SCOPE=30d) to bound that first run if need be.
func interviews() Dataset {
	const name = "interviews"
	return Dataset{
		Name:          name,
		SchemaVersion: interviewsSchemaVersion,
		KeyColumns:    []string{"interview_id"},
		Parent:        "job_candidates",
		OnlyWhenNamed: true,
		CarryOver:     true,
		Lists:         func(key string) []keka.List { return applicationLists(key, keka.InterviewsList) },
		Map:           mapInterview,
		Schema:        parquet.SchemaOf(InterviewRow{}),
		NewWriter:     func(w io.Writer) Writer { return newWriter[InterviewRow](name, w) },
		read:          readerOf[InterviewRow](),
	}
}

var interviewScratch scratchPool[interviewJSON]

func mapInterview(raw json.RawMessage, m Meta) (Row, error) {
	const name = "interviews"
	job, cand, err := splitApplication(name, m.Parent)
	if err != nil {
		return nil, err
	}
	sc := interviewScratch.get()
	defer interviewScratch.put(sc)
	iv := &sc.v
	rawJSON, err := decodeRecord(name, raw, m, sc, interviewFields, &iv.ID, nil)
	if err != nil {
		return nil, err
	}
	return InterviewRow{
		InterviewID:   iv.ID.v,
		JobID:         job,
		CandidateID:   cand,
		InterviewDate: iv.InterviewDate.ptr(),
		StartTime:     iv.StartTime.ptr(),
		EndTime:       iv.EndTime.ptr(),
		TimeZoneID:    iv.TimeZoneID.ptr(),
		ScheduledBy:   iv.ScheduledBy.ptr(),
		ScheduledDate: iv.ScheduledDate.ptr(),
		InterviewType: iv.InterviewType.ptr(),
		StageID:       iv.StageID.ptr(),
		PanelMembers:  iv.PanelMembers.ptr(),
		RawJSON:       rawJSON,
		ExtractedAt:   utcMillis(m.ExtractedAt),
		RunID:         m.RunID,
		LastReadAt:    utcMillis(m.ExtractedAt),
	}, nil
}
