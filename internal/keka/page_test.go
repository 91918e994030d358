package keka_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unsafe"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

func TestParsePage(t *testing.T) {
	bare := func(n int) string {
		recs := make([]string, n)
		for i := range recs {
			recs[i] = `{"id":"x"}`
		}
		return "[" + strings.Join(recs, ",") + "]"
	}
	cases := []struct {
		name         string
		body         string
		page         int
		wantRecords  []string // exact bytes of each record
		wantN        int      // record count when wantRecords is nil
		wantLast     bool
		wantTotalRec int
		wantTotalPg  int
		wantStated   int
		wantErr      string
		wantPerm     bool // keka.Permanent of the error
	}{
		{name: "envelope, middle page",
			body:        `{"succeeded":true,"message":"","errors":[],"data":[{"id": "a", "n":1},{"id":"b"}],"pageNumber":2,"pageSize":200,"totalPages":5,"totalRecords":906,"nextPage":"https://acme.keka.com/api/v1/hire/jobs?pageNumber=3&pageSize=200","previousPage":null}`,
			page:        2,
			wantRecords: []string{`{"id": "a", "n":1}`, `{"id":"b"}`}, wantTotalRec: 906, wantTotalPg: 5, wantStated: 2},
		{name: "envelope, nextPage null is last",
			body: `{"succeeded":true,"data":[{"id":"a"}],"totalPages":5,"totalRecords":906,"nextPage":null}`,
			page: 2, wantN: 1, wantLast: true, wantTotalRec: 906, wantTotalPg: 5},
		{name: "envelope, page equals totalPages is last",
			body: `{"succeeded":true,"data":[{"id":"a"}],"totalPages":5,"totalRecords":906,"nextPage":"https://x/?pageNumber=6"}`,
			page: 5, wantN: 1, wantLast: true, wantTotalRec: 906, wantTotalPg: 5},
		{name: "envelope, page past totalPages is last",
			body: `{"succeeded":true,"data":[{"id":"a"}],"totalPages":5}`,
			page: 7, wantN: 1, wantLast: true, wantTotalRec: -1, wantTotalPg: 5},
		{name: "envelope without nextPage or totals is not last",
			body: `{"succeeded":true,"data":[{"id":"a"}]}`,
			page: 1, wantN: 1, wantTotalRec: -1, wantTotalPg: -1},
		{name: "envelope, empty data is last",
			body: `{"succeeded":true,"data":[],"totalPages":5,"totalRecords":906,"nextPage":"https://x/"}`,
			page: 3, wantN: 0, wantLast: true, wantTotalRec: 906, wantTotalPg: 5},
		{name: "envelope, data null is empty and last",
			body: `{"succeeded":true,"data":null,"totalPages":0,"totalRecords":0}`,
			page: 1, wantN: 0, wantLast: true, wantTotalRec: 0, wantTotalPg: 0},
		{name: "envelope, null totals are unknown",
			body: `{"data":[{"id":"a"}],"totalPages":null,"totalRecords":null}`,
			page: 1, wantN: 1, wantTotalRec: -1, wantTotalPg: -1},
		{name: "bare array, full page is not last",
			body: bare(keka.PageSize), page: 1, wantN: keka.PageSize, wantTotalRec: -1, wantTotalPg: -1},
		{name: "bare array of 100 (Keka's default page size) is not last",
			body: bare(100), page: 1, wantN: 100, wantTotalRec: -1, wantTotalPg: -1},
		{name: "bare array of 99 is last",
			body: bare(99), page: 1, wantN: 99, wantLast: true, wantTotalRec: -1, wantTotalPg: -1},
		{name: "bare array of 101 is last",
			body: bare(101), page: 1, wantN: 101, wantLast: true, wantTotalRec: -1, wantTotalPg: -1},
		{name: "bare array of 199 is last",
			body: bare(199), page: 2, wantN: 199, wantLast: true, wantTotalRec: -1, wantTotalPg: -1},
		{name: "envelope stating the page asked for",
			body: `{"succeeded":true,"data":[{"id":"a"}],"pageNumber":3,"totalPages":5}`,
			page: 3, wantN: 1, wantTotalRec: -1, wantTotalPg: 5, wantStated: 3},
		{name: "envelope stating the page as a string",
			body: `{"succeeded":true,"data":[{"id":"a"}],"pageNumber":"3","totalPages":5}`,
			page: 3, wantN: 1, wantTotalRec: -1, wantTotalPg: 5, wantStated: 3},
		{name: "envelope with pageNumber null states none",
			body: `{"succeeded":true,"data":[{"id":"a"}],"pageNumber":null,"totalPages":5}`,
			page: 3, wantN: 1, wantTotalRec: -1, wantTotalPg: 5},
		{name: "envelope stating another page",
			body: `{"succeeded":true,"data":[{"id":"a"}],"pageNumber":1,"totalPages":5}`,
			page: 3, wantN: 1, wantTotalRec: -1, wantTotalPg: 5, wantStated: 1},
		{name: "envelope stating another page as a string",
			body: `{"succeeded":true,"data":[],"pageNumber":"2"}`,
			page: 3, wantN: 0, wantLast: true, wantTotalRec: -1, wantTotalPg: -1, wantStated: 2},
		{name: "items wrapper stating another page",
			body: `{"items":[{"id":"a"}],"page":1,"pageSize":100,"totalItems":500,"totalPages":3}`,
			page: 2, wantN: 1, wantTotalRec: 500, wantTotalPg: 3, wantStated: 1},
		{name: "bare array, short page is last",
			body: bare(3), page: 2, wantN: 3, wantLast: true, wantTotalRec: -1, wantTotalPg: -1},
		{name: "bare array, empty is last",
			body: " [ ] ", page: 4, wantN: 0, wantLast: true, wantTotalRec: -1, wantTotalPg: -1},
		{name: "bare array keeps records as sent",
			body: "[\n {\"id\" : \"a\",\"x\":[1, 2]} ,\n{\"jobtitle\":\"é\\u00e9\"}]", page: 1,
			wantRecords: []string{`{"id" : "a","x":[1, 2]}`, `{"jobtitle":"é\u00e9"}`}, wantLast: true, wantTotalRec: -1, wantTotalPg: -1},
		{name: "items wrapper, last",
			body: `{"items":[{"id":"a"},{"id":"b"}],"page":1,"pageSize":100,"totalItems":5,"totalPages":1}`,
			page: 1, wantN: 2, wantLast: true, wantTotalRec: 5, wantTotalPg: 1, wantStated: 1},
		{name: "items wrapper, not last",
			body: `{"items":[{"id":"a"}],"page":1,"pageSize":100,"totalItems":500,"totalPages":3}`,
			page: 1, wantN: 1, wantTotalRec: 500, wantTotalPg: 3, wantStated: 1},
		{name: "succeeded false", body: `{"succeeded":false,"message":"Job not found","errors":["no such job"],"data":null}`,
			page: 1, wantErr: "Keka reported a failure: Job not found; no such job"},
		{name: "succeeded false without message", body: `{"succeeded":false}`,
			page: 1, wantErr: "Keka reported a failure: no message"},
		{name: "truncated envelope", body: `{"succeeded":true,"data":[{"id":"a"},`, page: 1, wantErr: "malformed"},
		{name: "truncated array", body: `[{"id":"a"}`, page: 1, wantErr: "malformed"},
		{name: "empty body", body: "", page: 1, wantErr: "empty body"},
		{name: "html", body: "<html>oops</html>", page: 1, wantErr: "malformed response: an HTML page", wantPerm: true},
		{name: "nested deeper than the decoder allows", body: `{"data":[` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `]}`,
			page: 1, wantErr: "nested deeper than the decoder allows", wantPerm: true},
		{name: "bare array nested deeper than the decoder allows", body: strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
			page: 1, wantErr: "nested deeper than the decoder allows", wantPerm: true},
		{name: "object without records", body: `{"succeeded":true}`, page: 1, wantErr: `neither "data" nor "items"`},
		{name: "data not an array", body: `{"data":{"id":"a"}}`, page: 1, wantErr: "not a JSON array"},
		{name: "totals of the wrong type", body: `{"data":[],"totalPages":"five"}`, page: 1, wantErr: "wrong type"},
		{name: "trailing garbage", body: `{"data":[]} x`, page: 1, wantErr: "malformed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			p, err := keka.ParsePage(body, tc.page)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParsePage error = %v, want it to contain %q", err, tc.wantErr)
				}
				if got := keka.Permanent(err); got != tc.wantPerm {
					t.Errorf("Permanent(%v) = %v, want %v", err, got, tc.wantPerm)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePage: %v", err)
			}
			// Records are the body's own bytes, not copies.
			for _, r := range p.Records {
				if len(r) > 0 && !within(body, r) {
					t.Errorf("record %s is not a part of the body", r)
				}
			}
			if tc.wantRecords != nil {
				if len(p.Records) != len(tc.wantRecords) {
					t.Fatalf("records = %q, want %q", p.Records, tc.wantRecords)
				}
				for i, r := range p.Records {
					if string(r) != tc.wantRecords[i] {
						t.Errorf("record %d = %s, want %s", i, r, tc.wantRecords[i])
					}
				}
			} else if len(p.Records) != tc.wantN {
				t.Errorf("records = %d, want %d", len(p.Records), tc.wantN)
			}
			if p.Records == nil {
				t.Errorf("Records is nil, want an empty slice")
			}
			if p.Last != tc.wantLast || p.PageNumber != tc.page || p.TotalRecords != tc.wantTotalRec || p.TotalPages != tc.wantTotalPg || p.Stated != tc.wantStated {
				t.Errorf("page = {Last:%v PageNumber:%d TotalRecords:%d TotalPages:%d Stated:%d}, want {%v %d %d %d %d}",
					p.Last, p.PageNumber, p.TotalRecords, p.TotalPages, p.Stated, tc.wantLast, tc.page, tc.wantTotalRec, tc.wantTotalPg, tc.wantStated)
			}
		})
	}
}

// within reports whether part lies inside whole's memory.
func within(whole, part []byte) bool {
	return len(part) <= len(whole) && cap(whole) > 0 &&
		uintptr(unsafe.Pointer(&part[0])) >= uintptr(unsafe.Pointer(&whole[0])) &&
		uintptr(unsafe.Pointer(&part[len(part)-1])) <= uintptr(unsafe.Pointer(&whole[len(whole)-1]))
}

func TestLists(t *testing.T) {
	cases := []struct {
		l         keka.List
		wantPath  string
		wantQuery string
	}{
		{keka.JobsList(), "/hire/jobs", ""},
		{keka.JobCandidatesList("b8a4", false), "/hire/jobs/b8a4/candidates", "isArchived=false"},
		{keka.JobCandidatesList("a/b", true), "/hire/jobs/a%2Fb/candidates", "isArchived=true"},
		{keka.PreboardingList(), "/hire/preboarding/candidates", ""},
	}
	for _, tc := range cases {
		if tc.l.Path != tc.wantPath || tc.l.Query.Encode() != tc.wantQuery {
			t.Errorf("list = %q?%s, want %q?%s", tc.l.Path, tc.l.Query.Encode(), tc.wantPath, tc.wantQuery)
		}
	}
}

func FuzzParsePage(f *testing.F) {
	f.Add([]byte(`{"succeeded":true,"data":[{"id":"a"}],"totalPages":2,"nextPage":null}`), 1)
	f.Add([]byte(`[{"id":"a"},{"id":"b"}]`), 3)
	f.Add([]byte(`{"items":[],"page":1,"totalItems":0,"totalPages":0}`), 1)
	f.Fuzz(func(t *testing.T, body []byte, page int) {
		p, err := keka.ParsePage(body, page)
		if err != nil {
			if p.Records != nil {
				t.Errorf("error %v with records", err)
			}
			return
		}
		if p.PageNumber != page || p.TotalPages < -1 || p.TotalRecords < -1 {
			t.Errorf("page %+v for page number %d", p, page)
		}
		if len(p.Records) == 0 && !p.Last {
			t.Errorf("empty page not last")
		}
		for _, r := range p.Records {
			if !json.Valid(r) {
				t.Errorf("record %q is not valid JSON", r)
			}
		}
	})
}
