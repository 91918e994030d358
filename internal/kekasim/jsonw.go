package kekasim

import (
	"strconv"
	"time"
)

// jw appends JSON to b. more has one entry per open object or array: true
// once it holds a member, so the next one needs a comma.
type jw struct {
	b    []byte
	more []bool
}

func (w *jw) begin(c byte) { w.b = append(w.b, c); w.more = append(w.more, false) }
func (w *jw) end(c byte)   { w.b = append(w.b, c); w.more = w.more[:len(w.more)-1] }

func (w *jw) elem() {
	if n := len(w.more) - 1; n >= 0 {
		if w.more[n] {
			w.b = append(w.b, ',')
		}
		w.more[n] = true
	}
}

func (w *jw) key(k string) {
	w.elem()
	w.b = appendQuoted(w.b, k)
	w.b = append(w.b, ':')
}

func (w *jw) str(s string)           { w.b = appendQuoted(w.b, s) }
func (w *jw) kstr(k, v string)       { w.key(k); w.b = appendQuoted(w.b, v) }
func (w *jw) kint(k string, v int)   { w.key(k); w.b = strconv.AppendInt(w.b, int64(v), 10) }
func (w *jw) kbool(k string, v bool) { w.key(k); w.b = strconv.AppendBool(w.b, v) }
func (w *jw) knull(k string)         { w.key(k); w.b = append(w.b, "null"...) }

// appendQuoted appends s as a JSON string; UTF-8 passes through.
func appendQuoted(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// ktime writes t as a string in form f.
func (w *jw) ktime(k string, t time.Time, f form) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = appendTime(w.b, t, f)
	w.b = append(w.b, '"')
}

// kuuid writes a new random UUID from g.
func (w *jw) kuuid(k string, g *gen) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = g.appendUUID(w.b)
	w.b = append(w.b, '"')
}
