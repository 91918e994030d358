package keka

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// pageCall is one call of Page: what it asks for and what its attempts
// learnt so far.
type pageCall struct {
	c                   *Client
	path, target, where string
	number              int

	unauthorized int  // 401 answers so far
	rotated      bool // the credentials were asked for again after a rejection
	mismatched   bool // a page stated another number than asked
	page         Page // the result
}

// attempt gets a token, waits for the limiter and makes one GET.
func (pc *pageCall) attempt(ctx context.Context, n int) verdict {
	c := pc.c
	tok, v := c.tokens.get(ctx, n)
	if v.err != nil {
		return pc.tokenFailure(v)
	}
	if err := c.limiter.wait(ctx); err != nil {
		return failed(fmt.Errorf("%s: %w", pc.where, err))
	}
	res := c.get(ctx, pc.target, tok.value)
	c.log.Debug("keka: request", "path", pc.path, "page", pc.number, "status", res.status,
		"attempt", n, "duration", res.duration)
	if res.ctxErr != nil {
		return failed(fmt.Errorf("%s: %w", pc.where, res.ctxErr))
	}
	switch {
	case res.err != nil:
		return c.classify(answer{err: res.err, at: apiBase(c.baseURL), where: pc.where, shared: true},
			fmt.Errorf("%s: %w", pc.where, transportError(res.err)), n)
	case len(res.body) > c.maxBody:
		// The same answer would come back on a retry.
		return failed(&permanentError{fmt.Errorf("%s: %d response with a body larger than %d bytes", pc.where, res.status, c.maxBody)})
	case res.status == http.StatusNoContent:
		c.tokens.accepted(tok.seq)
		pc.page = Page{Records: []json.RawMessage{}, PageNumber: pc.number, TotalRecords: -1, TotalPages: -1, Last: true}
		return verdict{}
	case res.status >= 200 && res.status < 300:
		c.tokens.accepted(tok.seq)
		return pc.body(res, n)
	case res.status == http.StatusUnauthorized && pc.unauthorized < 2:
		return pc.unauthorizedAnswer(res, tok)
	}
	return c.classify(answer{status: res.status, header: res.header, at: apiBase(c.baseURL), shared: true},
		c.apiError(pc.path, pc.number, res), n)
}

// tokenFailure is the verdict on a page whose token could not be had. The
// first rejection of the credentials asks for them again (once per call).
func (pc *pageCall) tokenFailure(v verdict) verdict {
	var rej *rejectedError
	switch {
	case errors.As(v.err, &rej) && pc.rotated:
		return failed(&credentialsError{status: rej.status, code: rej.code})
	case errors.As(v.err, &rej):
		pc.rotated = true
		pc.c.log.Warn("keka: token endpoint rejected the credentials; fetching them again", "status", rej.status, "error", rej.code)
		pc.c.tokens.rotate(rej.seq)
		v.after, v.reason = 0, "credentials rejected, fetching them again"
		return v
	case !v.retry && !Permanent(v.err):
		v.err = fmt.Errorf("%s: %w", pc.where, v.err)
	}
	return v
}

// unauthorizedAnswer retries a 401: first with a new token (it may have
// been revoked or expired early), then, when a fresh token was refused too,
// with credentials fetched again (the secret may have been rotated and the
// old key revoked).
func (pc *pageCall) unauthorizedAnswer(res result, tok token) verdict {
	v := verdict{err: pc.c.apiError(pc.path, pc.number, res), retry: true, status: res.status}
	if pc.c.tokens.expired(tok.seq) {
		// A token that worked has expired: a new one, and this 401 says
		// nothing against the key.
		pc.c.tokens.invalidate(tok.seq)
		v.reason = "unauthorized, the token expired; fetching a new one"
		return v
	}
	pc.unauthorized++
	if pc.unauthorized == 1 {
		pc.c.tokens.invalidate(tok.seq)
		v.reason = "unauthorized, fetching a new token"
		return v
	}
	pc.rotated = true
	pc.c.tokens.rotate(tok.seq)
	v.reason = "unauthorized with a fresh token, fetching the credentials again"
	return v
}

// body reads a 2xx body as a page. Keka's succeeded:false is retried like
// a truncated body (Keka sends it for passing failures, its rate limit
// among them); so, once, is a page stating another number than asked.
func (pc *pageCall) body(res result, n int) verdict {
	c := pc.c
	p, err := ParsePage(res.body, pc.number)
	var fe *failedError
	switch {
	case errors.As(err, &fe):
		fail := &APIError{Status: http.StatusOK, Path: pc.path, Page: pc.number, Message: clean(c.secrets.redact(fe.text))}
		if fe.rateLimited {
			return c.rateLimited(fail, res.header, n)
		}
		return verdict{err: fail, retry: true, after: -1, status: res.status, reason: "Keka reported a failure"}
	case err != nil:
		return verdict{err: fmt.Errorf("%s: %w", pc.where, err), retry: !Permanent(err), after: -1, status: res.status, reason: "malformed body"}
	case p.Stated != 0 && p.Stated != pc.number && !pc.mismatched && n < c.maxAttempts:
		// A cache may have mixed up one answer: ask once more.
		pc.mismatched = true
		return verdict{err: fmt.Errorf("%s: the response says it is page %d", pc.where, p.Stated),
			retry: true, after: -1, status: res.status, reason: "another page than asked"}
	case p.Stated != 0 && p.Stated != pc.number:
		// A server or proxy that ignores pageNumber: retrying longer
		// changes nothing. The page goes back as sent; Stated tells.
		c.log.Warn("keka: the server answers another page than asked; returning it as sent",
			"path", pc.path, "page", pc.number, "stated_page", p.Stated, "attempts", n)
	}
	pc.page = p
	return verdict{}
}

// result is the outcome of one HTTP attempt.
type result struct {
	status   int
	header   http.Header
	body     []byte // up to maxBody+1 bytes
	err      error  // transport or read failure; never holds the token
	ctxErr   error  // the caller's context ended
	duration time.Duration
}

// get makes one GET under its own timeout and reads the whole body.
func (c *Client) get(ctx context.Context, target, token string) result {
	start := time.Now()
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, target, nil)
	if err != nil {
		return result{err: fmt.Errorf("build request: %w", err)}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	// Go's transport may itself replay a GET once when a reused keep-alive
	// connection turns out closed before any answer; such a replay is not
	// counted here nor rate limited. It is rare, and the server has (almost
	// always) not processed the first try. Every other failure comes back
	// to the retry loop, which counts, limits and backs off.
	c.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return c.failure(ctx, err, start)
	}
	defer resp.Body.Close()
	body, err := readBody(resp, c.maxBody)
	if err != nil {
		return c.failure(ctx, fmt.Errorf("read body: %w", err), start)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: body, duration: time.Since(start)}
}

// readBody reads at most limit+1 bytes of the body (more is refused by
// the caller), into one buffer of the size the response announces when it
// does, rather than one grown by doubling.
func readBody(resp *http.Response, limit int) ([]byte, error) {
	var buf bytes.Buffer
	if n := resp.ContentLength; n > 0 && n <= int64(limit) {
		buf.Grow(int(n) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, int64(limit)+1))
	return buf.Bytes(), err
}

func (c *Client) failure(ctx context.Context, err error, start time.Time) result {
	r := result{duration: time.Since(start), err: err}
	if ctxErr := ctx.Err(); ctxErr != nil {
		r.ctxErr, r.err = ctxErr, nil
	}
	return r
}

func (c *Client) apiError(path string, page int, r result) *APIError {
	return &APIError{Status: r.status, Path: path, Page: page, Message: clean(c.secrets.redact(errorText(r.body)))}
}
