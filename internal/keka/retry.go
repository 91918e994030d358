package keka

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The retry of every request, to the API and to the token endpoint alike,
// is made of three small pieces: do, the one loop; classify, which sorts
// an answer into "retry after so long" or "fail with this error"; and the
// waits (backoff, throttleWait, retryAfter). Each kind of request adds only
// what is its own (a page's body, a token endpoint's OAuth codes) before
// handing the rest of its answers to classify.

// verdict is what one attempt decided.
type verdict struct {
	err     error         // nil: the attempt succeeded
	retry   bool          // err may pass: try again
	after   time.Duration // wait before the retry; below 0, the backoff
	limited bool          // a rate limit answer (counted in Stats.Throttled)
	pause   bool          // the wait applies to every caller: pause the shared limiter
	status  int           // HTTP status, 0 without one (for the log)
	reason  string        // for the log
}

// failed is a verdict that no retry changes.
func failed(err error) verdict { return verdict{err: err} }

// do runs attempt until it succeeds, fails for good, MaxAttempts are spent
// or ctx ends. Errors are returned as the attempt gave them, prefixed with
// where when attempts ran out or ctx ended.
func (c *Client) do(ctx context.Context, where string, logAttrs []any, attempt func(ctx context.Context, n int) verdict) error {
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		v := attempt(ctx, n)
		if v.err == nil {
			return nil
		}
		if v.limited {
			c.throttled.Add(1)
		}
		if !v.retry {
			return v.err
		}
		if n >= c.maxAttempts {
			return fmt.Errorf("%s: giving up after %d attempts: %w", where, n, v.err)
		}
		wait := v.after
		if wait < 0 {
			wait = c.backoff(n)
		}
		if v.pause {
			c.limiter.pause(wait)
		}
		c.retries.Add(1)
		c.log.Warn("keka: retrying", append(logAttrs, "attempt", n, "status", v.status, "reason", v.reason, "wait", wait)...)
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
}

// answer is what an HTTP attempt got that its kind of request did not
// handle itself.
type answer struct {
	err    error       // transport failure; then status is 0
	status int         //
	header http.Header //
	at     endpoint    // where the request went
	where  string      // prefix of the errors classify makes, "" for none
	shared bool        // the API, whose rate limit every caller shares
}

// classify sorts an answer: fail is the error to report. Transport
// failures are retried, except configuration problems (ErrConfiguration)
// and an unknown host; 408, 429 and 5xx but 501 and 505 are retried after
// Retry-After or the backoff; anything else fails for good.
func (c *Client) classify(a answer, fail error, n int) verdict {
	if a.err != nil {
		if cfg := configProblem(a.err, a.at); cfg != nil {
			if a.where != "" {
				cfg = fmt.Errorf("%s: %w", a.where, cfg)
			}
			return failed(cfg)
		}
		var dnsErr *net.DNSError
		if errors.As(a.err, &dnsErr) && dnsErr.IsNotFound {
			return failed(fail)
		}
		reason := "connection"
		var ne net.Error
		if errors.As(a.err, &ne) && ne.Timeout() || errors.Is(a.err, context.DeadlineExceeded) {
			reason = "timeout"
		}
		return verdict{err: fail, retry: true, after: -1, reason: reason}
	}
	v := verdict{err: fail, status: a.status, reason: "status " + strconv.Itoa(a.status)}
	if !retryableStatus(a.status) {
		return v
	}
	v.retry = true
	v.limited = a.status == http.StatusTooManyRequests
	v.after = c.retryAfter(a.header, v.limited)
	v.pause = a.shared && v.after >= 0
	if v.limited {
		v.reason = "rate limited"
		v.pause = a.shared
		if v.after < 0 {
			v.after = c.throttleWait(n)
		}
	}
	return v
}

// rateLimited is the verdict on a rate limit answer that is not a 429
// (Keka's succeeded:false with rateLimitExceeded): retried like a 429.
func (c *Client) rateLimited(fail error, h http.Header, n int) verdict {
	v := verdict{err: fail, retry: true, limited: true, pause: true, status: http.StatusOK, reason: "rate limited (in a 200)"}
	if v.after = c.retryAfter(h, true); v.after < 0 {
		v.after = c.throttleWait(n)
	}
	return v
}

// transportError strips the URL from a *url.Error (it adds nothing the
// caller's message does not already say) and explains timeouts.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within the request timeout: %w", err)
	}
	return err
}

// backoff is capped exponential backoff with full jitter: a uniform wait in
// [0, min(MaxBackoff, MinBackoff·2^(attempt-1))).
//
// cenkalti/backoff/v5 is not used: its jitter is a ±randomization factor
// around the interval (not full jitter) drawn from the global source (not
// injectable), and its Retry-After support takes whole seconds only.
func (c *Client) backoff(attempt int) time.Duration {
	ceiling := c.minBackoff
	for i := 1; i < attempt && ceiling < c.maxBackoff; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, c.maxBackoff)
	return time.Duration(c.jitter() * float64(ceiling))
}

// throttleWait is the wait after a 429 that says nothing of when to come
// back: at least one limiter interval (60s/RequestsPerMinute) times a
// factor in [1,2), or the backoff when that is longer, capped at
// MaxBackoff. A 429 means the server's window is spent; the backoff alone
// starts at MinBackoff, and a retry that soon would land in the same
// window and be refused again.
func (c *Client) throttleWait(attempt int) time.Duration {
	floor := time.Duration((1 + c.jitter()) * float64(c.interval))
	return min(max(floor, c.backoff(attempt)), c.maxBackoff)
}

// jitter returns a number in [0,1) from the jitter source.
func (c *Client) jitter() float64 {
	c.randMu.Lock()
	f := c.rand()
	c.randMu.Unlock()
	if f < 0 || f >= 1 || math.IsNaN(f) {
		f = 0.5
	}
	return f
}

// retryAfter reads Retry-After (seconds or an HTTP date) and, for 429s,
// X-RateLimit-Reset (epoch seconds, or seconds from now when small). It
// returns -1 when neither is present or readable, and caps the wait at
// 5×MaxBackoff.
func (c *Client) retryAfter(h http.Header, rateLimited bool) time.Duration {
	d := time.Duration(-1)
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 && !math.IsInf(secs, 0) {
			d = time.Duration(math.Min(secs, 1e6) * float64(time.Second))
		} else if t, err := http.ParseTime(v); err == nil {
			d = max(t.Sub(c.now()), 0)
		}
	}
	if d < 0 && rateLimited {
		d = c.rateLimitReset(h.Get("X-RateLimit-Reset"))
	}
	if limit := 5 * c.maxBackoff; d > limit {
		d = limit
	}
	return d
}

// rateLimitReset reads X-RateLimit-Reset: epoch seconds, or seconds from
// now when small; -1 when absent or unreadable.
func (c *Client) rateLimitReset(v string) time.Duration {
	n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	switch {
	case err != nil || n < 0 || math.IsInf(n, 0):
		return -1
	case n > 1e9 && n < 1e11: // epoch seconds
		return max(time.Unix(int64(n), 0).Sub(c.now()), 0)
	case n > 1e9:
		return -1
	}
	return time.Duration(math.Min(n, 1e6) * float64(time.Second))
}
