package keka

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiterMargin slows the limiter to 97% of RequestsPerMinute. The server
// counts requests in fixed 60-second windows by when they arrive, and
// arrival times jitter (network, TLS handshakes, a retried connection, the
// server's own queueing): at exactly rpm/60 one request arriving early can
// put rpm+1 in one window. At 97%, rpm+1 requests span 60/0.97 ≈ 61.9s, so
// arrivals may drift by up to ~1.8s before two of them can squeeze an extra
// request into a window. The cost is 3% of throughput.
const limiterMargin = 0.97

// ErrNoTimeLeft is returned (wrapped) at once when the context's deadline
// falls before the rate limiter would let the next request go. It wraps
// context.DeadlineExceeded.
var ErrNoTimeLeft = fmt.Errorf("keka: the next request slot is after the deadline: %w", context.DeadlineExceeded)

// limiter is the one rate limit every API request of a client passes, from
// any goroutine. A server's request to slow down (a 429, a Retry-After)
// pauses it for every caller, not only the one that got the answer.
type limiter struct {
	rate *rate.Limiter

	mu    sync.Mutex
	until time.Time // no request goes before this
}

func newLimiter(requestsPerMinute float64) *limiter {
	return &limiter{rate: rate.NewLimiter(rate.Limit(requestsPerMinute/60*limiterMargin), 1)}
}

// pause holds every request back for d from now (or longer, when an
// earlier pause ends later).
func (l *limiter) pause(d time.Duration) {
	until := time.Now().Add(d)
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.until) {
		l.until = until
	}
}

// wait blocks until no pause holds requests back and the rate lets the
// request go. A pause that begins while a caller waits for the rate holds
// it back too, and the caller then queues for the rate again, so that the
// callers released when a pause ends do not go all at once. When ctx's
// deadline falls before the request could go, wait returns ErrNoTimeLeft at
// once rather than waiting for nothing; when ctx ends, ctx's error.
func (l *limiter) wait(ctx context.Context) error {
	for {
		if err := l.paused(ctx); err != nil {
			return err
		}
		if err := l.rate.Wait(ctx); err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			return ErrNoTimeLeft
		}
		l.mu.Lock()
		free := !time.Now().Before(l.until)
		l.mu.Unlock()
		if free {
			return nil
		}
	}
}

// paused waits for the pause in force, if any, to end.
func (l *limiter) paused(ctx context.Context) error {
	l.mu.Lock()
	until := l.until
	l.mu.Unlock()
	d := time.Until(until)
	if d <= 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && deadline.Before(until) {
		return ErrNoTimeLeft
	}
	return sleep(ctx, d)
}

// sleep waits d or until ctx ends, returning ctx's error in that case.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
