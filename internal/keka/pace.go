package keka

import "time"

// RequestInterval returns the time the client's rate limit leaves between
// two requests (its margin included): a run of n requests takes at least
// n times this, whatever its concurrency.
func (c *Client) RequestInterval() time.Duration {
	return time.Duration(float64(c.interval) / limiterMargin)
}
