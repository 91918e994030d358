package kekasim

import (
	"strconv"
	"time"
)

// ---- random helpers ----

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// between returns a random instant in [a, b) truncated to prec.
func (g *gen) between(a, b time.Time, prec time.Duration) time.Time {
	d := b.Sub(a)
	if d <= 0 {
		return a.Truncate(prec)
	}
	return a.Add(time.Duration(g.r.Int64N(int64(d)))).Truncate(prec).UTC()
}

// instant returns a random instant in [a, b): mostly whole seconds,
// sometimes with milliseconds.
func (g *gen) instant(a, b time.Time) time.Time {
	if g.chance(0.3) {
		return g.between(a, b, time.Millisecond)
	}
	return g.between(a, b, time.Second)
}

func (g *gen) uuid() string { return string(g.appendUUID(nil)) }

// appendUUID appends a random version 4 UUID.
func (g *gen) appendUUID(b []byte) []byte {
	const hex = "0123456789abcdef"
	hi, lo := g.r.Uint64(), g.r.Uint64()
	hi = hi&^(0xf<<12) | 4<<12         // version 4
	lo = lo&^(0x3<<62) | uint64(2)<<62 // variant 10
	for i := range 32 {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			b = append(b, '-')
		}
		v := hi
		if i >= 16 {
			v = lo
		}
		b = append(b, hex[v>>(60-4*(i%16))&0xf])
	}
	return b
}

func ptr[T any](v T) *T { return &v }

// ---- nullable wire values ----

// optStr writes v, or for nil one of null, "" or nothing at all.
func (g *gen) optStr(w *jw, k string, v *string) {
	if v != nil {
		w.kstr(k, *v)
		return
	}
	switch g.r.IntN(3) {
	case 0:
		w.knull(k)
	case 1:
		w.kstr(k, "")
	}
}

// optInt writes v, or for nil null or nothing.
func (g *gen) optInt(w *jw, k string, v *int) {
	if v != nil {
		w.kint(k, *v)
		return
	}
	if g.chance(0.5) {
		w.knull(k)
	}
}

// Wire forms of a date. Each field has its own mix, as seen on live accounts.
type form uint8

const (
	formISOZ     form = iota // 2026-10-02T09:14:00Z
	formISOLocal             // 2026-10-02T09:14:00 (UTC)
	formISOIST               // 2026-10-02T14:44:00+05:30
	formEpoch                // "1789573328.01" (needs a time on a 10 ms boundary)
)

var ist = time.FixedZone("IST", 5*3600+1800)

func formatTime(t time.Time, f form) string { return string(appendTime(nil, t, f)) }

func appendTime(b []byte, t time.Time, f form) []byte {
	switch f {
	case formISOLocal:
		return t.UTC().AppendFormat(b, "2006-01-02T15:04:05.9999999")
	case formISOIST:
		return t.In(ist).AppendFormat(b, "2006-01-02T15:04:05.9999999Z07:00")
	case formEpoch:
		cs := t.Nanosecond() / int(10*time.Millisecond) // hundredths
		b = strconv.AppendInt(b, t.Unix(), 10)
		b = append(b, '.', byte('0'+cs/10))
		if cs%10 != 0 {
			b = append(b, byte('0'+cs%10))
		}
		return b
	default:
		return t.UTC().AppendFormat(b, "2006-01-02T15:04:05.9999999Z07:00")
	}
}

// optTime writes t in one of forms, or for nil one of null, "" or nothing.
func (g *gen) optTime(w *jw, k string, t *time.Time, forms ...form) {
	if t == nil {
		g.optStr(w, k, nil)
		return
	}
	f := forms[g.r.IntN(len(forms))]
	if f == formEpoch && t.Nanosecond()%int(10*time.Millisecond) != 0 {
		f = formISOZ
	}
	w.ktime(k, *t, f)
}

// maybeTime returns nil with probability p, else a pointer to t.
func (g *gen) maybeTime(p float64, t time.Time) *time.Time {
	if g.chance(p) {
		return nil
	}
	if len(g.times) == 0 {
		g.times = make([]time.Time, 1024) // fewer, larger allocations
	}
	tp := &g.times[0]
	g.times = g.times[1:]
	*tp = t
	return tp
}

// maybePtr returns nil with probability p, else v.
func (g *gen) maybePtr(p float64, v *string) *string {
	if g.chance(p) {
		return nil
	}
	return v
}

func (g *gen) maybeStr(p float64, s string) *string {
	if g.chance(p) {
		return nil
	}
	return &s
}

func (g *gen) maybeInt(p float64, n int) *int {
	if g.chance(p) {
		return nil
	}
	if n >= 0 && n < len(smallInts) {
		return &smallInts[n]
	}
	return &n
}

// smallInts and interned give shared pointers for truth values, so that a
// million applications do not mean millions of tiny allocations. Truth
// values are read-only.
var smallInts = [16]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}

func interned(list []string) []*string {
	out := make([]*string, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}

func (g *gen) pickPtr(list []*string) *string { return list[g.r.IntN(len(list))] }

// scratch returns the generator's reusable writer, emptied, for a fragment
// without braces; keep copies the result out.
func (g *gen) scratch() *jw {
	g.w.b = g.w.b[:0]
	g.w.more = append(g.w.more[:0], false)
	return &g.w
}

// keep copies b into a large pointer-free chunk, so that pre-rendered
// records cost neither an allocation each nor the slack of a grown slice.
func (g *gen) keep(b []byte) []byte {
	if len(b) > cap(g.chunk)-len(g.chunk) {
		g.chunk = make([]byte, 0, max(1<<20, len(b)))
	}
	off := len(g.chunk)
	g.chunk = append(g.chunk, b...)
	return g.chunk[off:len(g.chunk):len(g.chunk)]
}
