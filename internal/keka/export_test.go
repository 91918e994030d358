package keka

// LimiterRate returns the requests per second c's rate limiter lets through,
// for tests in keka_test.
func LimiterRate(c *Client) float64 { return float64(c.limiter.rate.Limit()) }

// SetMaxBody sets the largest response body c reads, for tests in keka_test.
func SetMaxBody(c *Client, n int) { c.maxBody = n }

// ParseCommonISO is parseCommonISO, and TimeLayouts the layouts it stands
// in for, for tests in keka_test.
var (
	ParseCommonISO = parseCommonISO
	TimeLayouts    = timeLayouts
)
