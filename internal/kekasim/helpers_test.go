package kekasim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

// start serves tn and stops the server when the test ends.
func start(t *testing.T, tn *kekasim.Tenant, o kekasim.Options) *kekasim.Server {
	t.Helper()
	s, err := kekasim.Start(tn, o)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func tokenForm() url.Values {
	return url.Values{
		"grant_type": {"kekaapi"}, "scope": {"kekaapi"},
		"client_id": {"sim-client-id"}, "client_secret": {"sim-client-secret"}, "api_key": {"sim-api-key"},
	}
}

// postToken posts form to the token endpoint and returns status and body.
func postToken(t *testing.T, s *kekasim.Server, form url.Values) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.TokenURL(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "kekasim-test/1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("token body %q: %v", b, err)
		}
	}
	return resp.StatusCode, m
}

// token gets an access token with the default credentials.
func token(t *testing.T, s *kekasim.Server) string {
	t.Helper()
	status, m := postToken(t, s, tokenForm())
	if status != http.StatusOK {
		t.Fatalf("token: status %d, body %v", status, m)
	}
	return m["access_token"].(string)
}

// get sends an API GET and returns the response (body read) or the
// transport error.
func get(s *kekasim.Server, tok, path string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(http.MethodGet, s.BaseURL()+path, nil)
	if err != nil {
		return nil, nil, err
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("User-Agent", "kekasim-test/1")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// mustGet is get that expects want.
func mustGet(t *testing.T, s *kekasim.Server, tok, path string, want int) []byte {
	t.Helper()
	resp, b, err := get(s, tok, path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d; body %.300s", path, resp.StatusCode, want, b)
	}
	return b
}

// page is one decoded list response, whatever its shape.
type page struct {
	shape   string // envelope, array, items
	records []map[string]any
	env     map[string]any
}

func decode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

func decodePage(t *testing.T, b []byte) page {
	t.Helper()
	var p page
	if len(b) > 0 && b[0] == '[' {
		p.shape = "array"
		if err := decode(b, &p.records); err != nil {
			t.Fatalf("decode array: %v", err)
		}
		return p
	}
	var env map[string]json.RawMessage
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("decode page %.200s: %v", b, err)
	}
	key := "data"
	p.shape = "envelope"
	if _, ok := env["items"]; ok {
		key, p.shape = "items", "items"
	}
	if err := decode(env[key], &p.records); err != nil {
		t.Fatalf("decode %s: %v", key, err)
	}
	if err := decode(b, &p.env); err != nil {
		t.Fatalf("decode envelope: %v", err)
	}
	return p
}

// all fetches every page of a list with pageSize 200.
func all(t *testing.T, s *kekasim.Server, tok, path string) []map[string]any {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	var out []map[string]any
	for n := 1; ; n++ {
		p := decodePage(t, mustGet(t, s, tok, fmt.Sprintf("%s%spageNumber=%d&pageSize=200", path, sep, n), http.StatusOK))
		out = append(out, p.records...)
		if len(p.records) < 200 {
			return out
		}
	}
}

// ---- reading wire values, independently of the simulator ----

func wireStr(m map[string]any, k string) *string {
	s, _ := m[k].(string)
	if s == "" {
		return nil
	}
	return &s
}

func wireInt(t *testing.T, m map[string]any, k string) *int {
	t.Helper()
	v, ok := m[k]
	if !ok || v == nil {
		return nil
	}
	n, err := strconv.Atoi(string(v.(json.Number)))
	if err != nil {
		t.Fatalf("%s: %v", k, err)
	}
	return &n
}

// wireNumText reads a number Keka's spec types as a string: a string
// holding an integer or a JSON number, counting which in seen as
// "k as string" or "k as number".
func wireNumText(t *testing.T, m map[string]any, k string, seen map[string]int) *int {
	t.Helper()
	v, ok := m[k]
	if !ok || v == nil {
		return nil
	}
	var s string
	switch v := v.(type) {
	case string:
		s = v
		seen[k+" as string"]++
	case json.Number:
		s = string(v)
		seen[k+" as number"]++
	default:
		t.Fatalf("%s is %T", k, v)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s: %v", k, err)
	}
	return &n
}

var epochRe = regexp.MustCompile(`^(\d+)(?:\.(\d{1,3}))?$`)

// wireTime reads a date as Keka sends it: ISO 8601 with or without a zone
// (zone-less is UTC), epoch seconds in a string with a decimal fraction,
// "" or null.
func wireTime(t *testing.T, m map[string]any, k string) *time.Time {
	t.Helper()
	v, ok := m[k]
	if !ok || v == nil {
		return nil
	}
	s := v.(string)
	if s == "" {
		return nil
	}
	if e := epochRe.FindStringSubmatch(s); e != nil {
		sec, _ := strconv.ParseInt(e[1], 10, 64)
		ms, _ := strconv.Atoi((e[2] + "000")[:3])
		tm := time.Unix(sec, int64(ms)*int64(time.Millisecond)).UTC()
		return &tm
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if tm, err := time.Parse(layout, s); err == nil {
			tm = tm.UTC()
			return &tm
		}
	}
	t.Fatalf("%s: unparseable date %q", k, s)
	return nil
}

func eqPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func eqTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func show[T any](p *T) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}
