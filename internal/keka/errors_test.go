package keka_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/keka"
)

func TestAPIError_Message(t *testing.T) {
	long := strings.Repeat("x", 400)
	cases := []struct {
		name   string
		status int
		body   string
		want   string // the whole error
	}{
		{"paged error", 403, `{"succeeded":false,"message":"Access denied","errors":["no hire scope"]}`,
			"keka: GET /hire/jobs/123/candidates page 3: 403 Forbidden: Access denied; no hire scope (the API key lacks Hire access: give the key the Hire scope in Keka's API access settings)"},
		{"write-style errors", 400, `{"status":400,"succeeded":false,"message":"Validation failed","errors":[{"fieldName":"pageSize","errorMessage":"must be at most 200"}],"errorCode":"E1"}`,
			"keka: GET /hire/jobs/123/candidates page 3: 400 Bad Request: Validation failed; pageSize: must be at most 200"},
		{"OAuth style", 401, `{"error":"invalid_token","error_description":"The token expired"}`,
			"keka: GET /hire/jobs/123/candidates page 3: 401 Unauthorized: invalid_token: The token expired (refused again with a freshly fetched token: check that the API key belongs to this environment)"},
		{"problem details", 400, `{"title":"One or more validation errors occurred.","status":400,"errors":{"lastModified":["not a date"]}}`,
			"keka: GET /hire/jobs/123/candidates page 3: 400 Bad Request: One or more validation errors occurred.; lastModified: not a date"},
		{"HTML body", 404, "<html><body><h1>404</h1></body></html>",
			"keka: GET /hire/jobs/123/candidates page 3: 404 Not Found (check company and environment)"},
		{"empty body", 409, "", "keka: GET /hire/jobs/123/candidates page 3: 409 Conflict"},
		{"plain text", 400, "Bad\nRequest\tplease", "keka: GET /hire/jobs/123/candidates page 3: 400 Bad Request: Bad Request please"},
		{"rate limited in a 200", 200, `{"succeeded":false,"message":"rateLimitExceeded","errors":["rateLimitExceeded"]}`,
			"keka: GET /hire/jobs/123/candidates page 3: giving up after 5 attempts: keka: GET /hire/jobs/123/candidates page 3: Keka reported a failure: rateLimitExceeded (rate limited: lower the requests per minute)"},
		{"long message is cut", 400, fmt.Sprintf(`{"message":%q}`, long),
			"keka: GET /hire/jobs/123/candidates page 3: 400 Bad Request: " + strings.Repeat("x", 299) + "…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, scripted(t, status(tc.status, tc.body)))
			c := newClient(t, f)
			_, err := c.Page(context.Background(), keka.JobCandidatesList("123", false), 3)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error\n got %v\nwant %s", err, tc.want)
			}
			var ae *keka.APIError
			if !errors.As(err, &ae) || ae.Status != tc.status || ae.Path != "/hire/jobs/123/candidates" || ae.Page != 3 {
				t.Errorf("APIError = %+v", ae)
			}
			if len([]rune(ae.Message)) > 300 {
				t.Errorf("message has %d characters, want at most 300", len([]rune(ae.Message)))
			}
		})
	}
}

func TestAPIError_Is(t *testing.T) {
	targets := []error{keka.ErrUnauthorized, keka.ErrForbidden, keka.ErrNotFound}
	cases := []struct {
		status int
		want   error
		perm   bool
	}{
		{401, keka.ErrUnauthorized, true},
		{403, keka.ErrForbidden, true},
		{404, keka.ErrNotFound, true},
		{400, nil, true},
		{408, nil, false},
		{429, nil, false},
		{500, nil, false},
		{503, nil, false},
		{200, nil, false}, // succeeded:false
		{501, nil, true},
		{505, nil, true},
		{507, nil, false},
		{520, nil, false},
	}
	for _, tc := range cases {
		err := fmt.Errorf("list jobs: %w", &keka.APIError{Status: tc.status, Path: "/hire/jobs", Page: 1})
		for _, target := range targets {
			if got := errors.Is(err, target); got != (target == tc.want) {
				t.Errorf("status %d: errors.Is(%v) = %v", tc.status, target, got)
			}
		}
		if got := keka.Permanent(err); got != tc.perm {
			t.Errorf("status %d: Permanent = %v, want %v", tc.status, got, tc.perm)
		}
	}
	if keka.Permanent(nil) || keka.Permanent(context.Canceled) || keka.Permanent(errors.New("x")) {
		t.Errorf("Permanent is true for nil, context.Canceled or a plain error")
	}
}
