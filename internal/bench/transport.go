package bench

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// Endpoints the client is pointed at; Transport answers them in process.
const (
	BaseURL  = "http://127.0.0.1:9/api/v1"
	TokenURL = "http://127.0.0.1:9/connect/token"
)

// Transport answers the client's requests for t's pages, and for a token,
// without a network, and counts them.
type Transport struct {
	Tenant Tenant
	Seen   atomic.Int64 // requests answered, token requests included
}

// RoundTrip implements http.RoundTripper.
func (tr *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tr.Seen.Add(1)
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	status, body := tr.answer(req)
	return &http.Response{
		StatusCode:    status,
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

func (tr *Transport) answer(req *http.Request) (int, []byte) {
	path := req.URL.Path
	if path == "/connect/token" {
		return http.StatusOK, []byte(`{"access_token":"bench-token","token_type":"Bearer","expires_in":86400}`)
	}
	number, err := strconv.Atoi(req.URL.Query().Get("pageNumber"))
	if err != nil || number < 1 {
		return http.StatusBadRequest, []byte(`{"succeeded":false,"message":"pageNumber"}`)
	}
	rest, ok := strings.CutPrefix(path, "/api/v1/hire/jobs")
	switch {
	case ok && rest == "":
		return http.StatusOK, tr.Tenant.JobsPage(number)
	case ok && strings.HasSuffix(rest, "/candidates"):
		j, ok := jobIndex(strings.TrimSuffix(strings.TrimPrefix(rest, "/"), "/candidates"))
		if !ok || j >= tr.Tenant.Jobs() {
			return http.StatusNotFound, []byte(`{"succeeded":false,"message":"Job not found"}`)
		}
		return http.StatusOK, tr.Tenant.CandidatesPage(j, req.URL.Query().Get("isArchived") == "true", number)
	}
	return http.StatusNotFound, []byte(`{"succeeded":false,"message":"not found"}`)
}
