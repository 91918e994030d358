package kekasim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kekaexport/keka-hire-export/internal/kekasim"
)

// send makes one request to s with the given User-Agent; "-" sends none,
// "default" leaves Go's own.
func send(t *testing.T, s *kekasim.Server, method, url, ua, tok string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	switch ua {
	case "default":
	case "-":
		req.Header.Set("User-Agent", "") // net/http then sends none
	default:
		req.Header.Set("User-Agent", ua)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestServer_Gateway(t *testing.T) {
	tn := kekasim.NewTenant(1, small)
	s := start(t, tn, kekasim.Options{Gateway: true, RequestsPerMinute: 4, Window: time.Hour})
	tok := token(t, s)
	turnedAway := []string{"default", "-", " ", "Go-http-client/1.1", "Go-http-client/2.0", "go-http-client/1.1", "python-requests/2.31.0", "curl/8.5.0"}
	passed := []string{"keka-hire-export/1.4.0", "keka-hire-export/dev (+https://github.com/kekaexport/keka-hire-export)", "Mozilla/5.0", "Go-http-client-wrapper"}

	for _, ua := range turnedAway {
		for _, ep := range []struct{ name, method, url, tok, form string }{
			{"token", http.MethodPost, s.TokenURL(), "", tokenForm().Encode()},
			{"api", http.MethodGet, s.BaseURL() + "/hire/jobs", tok, ""},
			{"api without token", http.MethodGet, s.BaseURL() + "/hire/preboarding/candidates", "", ""},
		} {
			t.Run(ep.name+" "+ua, func(t *testing.T) {
				var body io.Reader
				if ep.form != "" {
					body = strings.NewReader(ep.form)
				}
				resp, b := send(t, s, ep.method, ep.url, ua, ep.tok, body)
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("status %d, want 403; body %.200s", resp.StatusCode, b)
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("Content-Type %q, want text/html", ct)
				}
				if !strings.Contains(string(b), "<title>403 Forbidden</title>") || !strings.Contains(string(b), "Microsoft-Azure-Application-Gateway") {
					t.Errorf("body is not the gateway's page: %s", b)
				}
			})
		}
	}
	st := s.Stats()
	if want := int64(3 * len(turnedAway)); st.GatewayRejected != want {
		t.Errorf("GatewayRejected %d, want %d", st.GatewayRejected, want)
	}
	if st.RateLimited != 0 {
		t.Errorf("the rate limit counted requests the gateway turned away: %+v", st)
	}
	// Only the rate limit's 4 requests an hour reach Keka: the turned-away
	// ones did not use them up.
	for i, ua := range passed {
		resp, b := send(t, s, http.MethodGet, s.BaseURL()+"/hire/jobs", ua, tok, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%q: status %d, body %.200s", ua, resp.StatusCode, b)
		}
		if i == 0 {
			if resp, _ := send(t, s, http.MethodPost, s.TokenURL(), ua, "", strings.NewReader(tokenForm().Encode())); resp.StatusCode != http.StatusOK {
				t.Fatalf("%q: token status %d", ua, resp.StatusCode)
			}
		}
	}

	t.Run("off, default agents pass", func(t *testing.T) {
		s := start(t, tn, kekasim.Options{RequestsPerMinute: fast})
		resp, b := send(t, s, http.MethodPost, s.TokenURL(), "default", "", strings.NewReader(tokenForm().Encode()))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("token with Go's agent: %d %s", resp.StatusCode, b)
		}
		if resp, _ := send(t, s, http.MethodGet, s.BaseURL()+"/hire/jobs", "curl/8.5.0", token(t, s), nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("API with curl's agent: %d", resp.StatusCode)
		}
		if resp, _ := send(t, s, http.MethodGet, s.BaseURL()+"/hire/jobs", "-", token(t, s), nil); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("API without User-Agent: %d, want Keka's own 400", resp.StatusCode)
		}
		if st := s.Stats(); st.GatewayRejected != 0 {
			t.Fatalf("stats %+v", st)
		}
	})
}

func TestServer_IgnorePageNumber(t *testing.T) {
	tn := kekasim.NewTenant(3, kekasim.Size{Jobs: 450, Applications: 1000, Preboarding: 450})
	tr := tn.Truth()
	ids := func(p page) []string {
		var out []string
		for _, r := range p.records {
			out = append(out, r["id"].(string))
		}
		return out
	}
	for _, sh := range []kekasim.Shape{kekasim.ShapeSpec, kekasim.ShapeEnvelope, kekasim.ShapeArray, kekasim.ShapeItems} {
		t.Run(sh.String(), func(t *testing.T) {
			s := start(t, tn, kekasim.Options{Shape: sh, IgnorePageNumber: []string{"/HIRE"}, RequestsPerMinute: fast})
			tok := token(t, s)
			for _, l := range []struct {
				path  string
				first []string // the ids of page 1 of 200
			}{
				{"/hire/jobs", jobIDs(tr.Jobs[:200])},
				{"/hire/preboarding/candidates", preIDs(tr.Preboarding[:200])},
			} {
				for _, n := range []int{1, 2, 3, 7} {
					p := decodePage(t, mustGet(t, s, tok, fmt.Sprintf("%s?pageNumber=%d&pageSize=200", l.path, n), 200))
					if got := ids(p); strings.Join(got, ",") != strings.Join(l.first, ",") {
						t.Fatalf("%s page %d: %d records, not page 1's", l.path, n, len(got))
					}
					switch p.shape {
					case "envelope":
						next, _ := p.env["nextPage"].(string)
						if p.env["pageNumber"] != jsonNum(1) || !strings.Contains(next, "pageNumber=2") || p.env["totalRecords"] != jsonNum(450) {
							t.Fatalf("%s page %d: envelope pageNumber %v, nextPage %v, totalRecords %v", l.path, n, p.env["pageNumber"], p.env["nextPage"], p.env["totalRecords"])
						}
					case "items":
						if p.env["page"] != jsonNum(1) || p.env["totalItems"] != jsonNum(450) {
							t.Fatalf("%s page %d: items page %v, totalItems %v", l.path, n, p.env["page"], p.env["totalItems"])
						}
					}
				}
			}
			mustGet(t, s, tok, "/hire/jobs?pageNumber=0", 400)
		})
	}

	t.Run("only the lists named", func(t *testing.T) {
		s := start(t, tn, kekasim.Options{IgnorePageNumber: []string{"/preboarding/"}, RequestsPerMinute: fast})
		tok := token(t, s)
		if got := ids(decodePage(t, mustGet(t, s, tok, "/hire/jobs?pageNumber=2&pageSize=200", 200))); strings.Join(got, ",") != strings.Join(jobIDs(tr.Jobs[200:400]), ",") {
			t.Fatal("the job list ignored pageNumber too")
		}
		if got := ids(decodePage(t, mustGet(t, s, tok, "/hire/preboarding/candidates?pageNumber=3&pageSize=200", 200))); strings.Join(got, ",") != strings.Join(preIDs(tr.Preboarding[:200]), ",") {
			t.Fatal("the preboarding list did not answer page 1")
		}
	})
}

func jsonNum(n int) any { return json.Number(strconv.Itoa(n)) }

func jobIDs(js []kekasim.TruthJob) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.ID
	}
	return out
}

func preIDs(ps []kekasim.TruthPreboarding) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.CandidateID
	}
	return out
}

// latencies collects the delays a server logs, in request order.
type latencies struct {
	mu   sync.Mutex
	d    []time.Duration
	gave int // requests that gave up while waiting
}

var latencyRe = regexp.MustCompile(`latency (\S+)$`)

func (l *latencies) logf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	if m := latencyRe.FindStringSubmatch(msg); m != nil {
		d, _ := time.ParseDuration(m[1])
		l.d = append(l.d, d)
	}
	if strings.Contains(msg, "gave up during latency") {
		l.gave++
	}
}

func (l *latencies) get() ([]time.Duration, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.d...), l.gave
}

func TestServer_Latency(t *testing.T) {
	tn := kekasim.NewTenant(1, small)
	const base, jitter = 2 * time.Millisecond, 3 * time.Millisecond

	// run makes the same requests, one after the other, and returns the
	// delays the server drew.
	run := func(t *testing.T, o kekasim.Options) []time.Duration {
		var l latencies
		o.Logf, o.RequestsPerMinute = l.logf, fast
		s := start(t, tn, o)
		tok := token(t, s)
		for range 20 {
			start := time.Now()
			b := mustGet(t, s, tok, "/hire/jobs?pageSize=5", 200)
			if el := time.Since(start); el < o.Latency {
				t.Fatalf("answered after %v, before the latency of %v", el, o.Latency)
			}
			if p := decodePage(t, b); len(p.records) != 5 {
				t.Fatalf("%d records", len(p.records))
			}
		}
		d, _ := l.get()
		if len(d) != 21 {
			t.Fatalf("%d delays logged for 21 requests", len(d))
		}
		return d
	}

	t.Run("fixed", func(t *testing.T) {
		for _, d := range run(t, kekasim.Options{Latency: base}) {
			if d != base {
				t.Fatalf("delay %v, want %v", d, base)
			}
		}
	})
	t.Run("jittered, reproducible from the seed", func(t *testing.T) {
		a := run(t, kekasim.Options{Latency: base, LatencyJitter: jitter, Seed: 5})
		b := run(t, kekasim.Options{Latency: base, LatencyJitter: jitter, Seed: 5})
		c := run(t, kekasim.Options{Latency: base, LatencyJitter: jitter, Seed: 6})
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("the same seed drew different delays:\n%v\n%v", a, b)
		}
		if fmt.Sprint(a) == fmt.Sprint(c) {
			t.Fatalf("different seeds drew the same delays: %v", a)
		}
		distinct := map[time.Duration]bool{}
		for _, d := range a {
			if d < base || d >= base+jitter {
				t.Fatalf("delay %v outside [%v, %v)", d, base, base+jitter)
			}
			distinct[d] = true
		}
		if len(distinct) < 10 {
			t.Fatalf("only %d distinct delays in %d: not jittered", len(distinct), len(a))
		}
	})
	t.Run("latency does not change which requests fail", func(t *testing.T) {
		statuses := func(o kekasim.Options) string {
			o.RequestsPerMinute, o.Seed = fast, 9
			s := start(t, tn, o)
			tok := token(t, s)
			s.SetFaults(kekasim.Faults{ServerError: 0.4})
			var out []string
			for range 30 {
				resp, _, err := get(s, tok, "/hire/jobs?pageSize=1")
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprint(resp.StatusCode))
			}
			return strings.Join(out, " ")
		}
		if a, b := statuses(kekasim.Options{}), statuses(kekasim.Options{Latency: 10 * time.Microsecond, LatencyJitter: time.Millisecond}); a != b {
			t.Fatalf("faults differ with latency on:\n%s\n%s", a, b)
		}
	})
	t.Run("a cancelled request gets no response", func(t *testing.T) {
		var l latencies
		s := start(t, tn, kekasim.Options{Latency: time.Hour, Logf: l.logf, RequestsPerMinute: fast})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.BaseURL()+"/hire/jobs", nil)
		req.Header.Set("User-Agent", "kekasim-test/1")
		if resp, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, %v; want the client's deadline", resp, err)
		}
		// The handler notices the closed connection and returns.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if _, gave := l.get(); gave == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the handler is still waiting after its request was cancelled")
			}
		}
	})
	t.Run("negative latency is refused", func(t *testing.T) {
		if s, err := kekasim.Start(tn, kekasim.Options{LatencyJitter: -time.Second}); err == nil {
			s.Close()
			t.Fatal("Start accepted a negative jitter")
		}
	})
}
