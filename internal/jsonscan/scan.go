// Package jsonscan reads JSON in one pass without building values: it finds
// where each value ends, checking its syntax as encoding/json does, and
// walks objects and arrays member by member, so that a caller decodes the
// fields it needs and skips the rest in the same pass.
package jsonscan

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// MaxDepth is the deepest nesting Value accepts, as in encoding/json.
const MaxDepth = 10000

// SyntaxError is JSON that does not parse. It carries the offset, never
// the content around it.
type SyntaxError struct {
	Offset int // byte offset of the error in the input
	msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s (offset %d)", e.msg, e.Offset)
}

func errAt(b []byte, i int, what string) error {
	if i >= len(b) {
		return &SyntaxError{Offset: i, msg: "unexpected end of JSON input"}
	}
	return &SyntaxError{Offset: i, msg: "invalid character " + strconv.QuoteRune(rune(b[i])) + " " + what}
}

// Space returns the index of the first byte at or after i that is not JSON
// whitespace.
func Space(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// Value returns the index just past the JSON value starting at b[i]
// (whitespace before it is skipped), or an error when it does not parse.
func Value(b []byte, i int) (int, error) { return value(b, i, 0) }

// Nested is Value for a value inside depth enclosing objects or arrays,
// which count towards MaxDepth.
func Nested(b []byte, i, depth int) (int, error) { return value(b, i, depth) }

func value(b []byte, i, depth int) (int, error) {
	i = Space(b, i)
	if i >= len(b) {
		return i, errAt(b, i, "")
	}
	switch c := b[i]; {
	case c == '"':
		end, _, err := String(b, i)
		return end, err
	case c == '{':
		return object(b, i, depth+1)
	case c == '[':
		return array(b, i, depth+1)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return Number(b, i)
	}
	return i, errAt(b, i, "looking for beginning of value")
}

func depthError(i int) error {
	return &SyntaxError{Offset: i, msg: "exceeded max depth"}
}

func object(b []byte, i, depth int) (int, error) {
	if depth > MaxDepth {
		return i, depthError(i)
	}
	return Members(b, i, func(_ []byte, _ bool, j int) (int, error) { return value(b, j, depth) })
}

func array(b []byte, i, depth int) (int, error) {
	if depth > MaxDepth {
		return i, depthError(i)
	}
	return Elements(b, i, func(j int) (int, error) { return value(b, j, depth) })
}

// Members walks the object starting at b[i] (after whitespace): for each
// member it calls fn with the key as sent (between the quotes, escapes not
// decoded; escaped says whether it has any) and the index where the value
// starts, and fn returns the index just past the value (Value skips one).
// It returns the index just past the object.
func Members(b []byte, i int, fn func(key []byte, escaped bool, j int) (int, error)) (int, error) {
	i = Space(b, i)
	if i >= len(b) || b[i] != '{' {
		return i, errAt(b, i, "looking for beginning of object")
	}
	i = Space(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, errAt(b, i, "looking for beginning of object key string")
		}
		end, escaped, err := String(b, i)
		if err != nil {
			return end, err
		}
		key := b[i+1 : end-1]
		i = Space(b, end)
		if i >= len(b) || b[i] != ':' {
			return i, errAt(b, i, "after object key")
		}
		if i, err = fn(key, escaped, i+1); err != nil {
			return i, err
		}
		i = Space(b, i)
		switch {
		case i >= len(b):
			return i, errAt(b, i, "")
		case b[i] == ',':
			i = Space(b, i+1)
		case b[i] == '}':
			return i + 1, nil
		default:
			return i, errAt(b, i, "after object key:value pair")
		}
	}
}

// Elements walks the array starting at b[i] (after whitespace): for each
// element it calls fn with the index where it starts, and fn returns the
// index just past it. It returns the index just past the array.
func Elements(b []byte, i int, fn func(j int) (int, error)) (int, error) {
	i = Space(b, i)
	if i >= len(b) || b[i] != '[' {
		return i, errAt(b, i, "looking for beginning of array")
	}
	i = Space(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = fn(i); err != nil {
			return i, err
		}
		i = Space(b, i)
		switch {
		case i >= len(b):
			return i, errAt(b, i, "")
		case b[i] == ',':
			i = Space(b, i+1)
		case b[i] == ']':
			return i + 1, nil
		default:
			return i, errAt(b, i, "after array element")
		}
	}
}

// String returns the index just past the JSON string starting at b[i] (a
// quote) and whether it holds escapes. Bytes that are not UTF-8 are
// accepted, as encoding/json accepts them.
func String(b []byte, i int) (end int, escaped bool, err error) {
	for j := i + 1; j < len(b); j++ {
		c := b[j]
		switch {
		case c == '"':
			return j + 1, escaped, nil
		case c < 0x20:
			return j, escaped, errAt(b, j, "in string literal")
		case c != '\\':
			continue
		}
		escaped = true
		j++
		if j >= len(b) {
			break
		}
		switch b[j] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			for k := 1; k <= 4; k++ {
				if j+k >= len(b) {
					return j + k, escaped, errAt(b, j+k, "")
				}
				if !isHex(b[j+k]) {
					return j + k, escaped, errAt(b, j+k, "in \\u hexadecimal character escape")
				}
			}
			j += 4
		default:
			return j, escaped, errAt(b, j, "in string escape code")
		}
	}
	return len(b), escaped, errAt(b, len(b), "")
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// Number returns the index just past the JSON number starting at b[i].
func Number(b []byte, i int) (int, error) {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	switch {
	case j < len(b) && b[j] == '0':
		j++
	case j < len(b) && b[j] >= '1' && b[j] <= '9':
		j = digits(b, j)
	default:
		return j, errAt(b, j, "in numeric literal")
	}
	if j < len(b) && b[j] == '.' {
		k := digits(b, j+1)
		if k == j+1 {
			return k, errAt(b, k, "after decimal point in numeric literal")
		}
		j = k
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		k := digits(b, j)
		if k == j {
			return k, errAt(b, k, "in exponent of numeric literal")
		}
		j = k
	}
	return j, nil
}

func digits(b []byte, j int) int {
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	return j
}

func literal(b []byte, i int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if i+k >= len(b) || b[i+k] != lit[k] {
			return i + k, errAt(b, i+k, "in literal "+lit)
		}
	}
	return i + len(lit), nil
}

// Unquote decodes the JSON string s (with its quotes) as encoding/json
// does: invalid UTF-8 and lone surrogates become U+FFFD.
func Unquote(s []byte) (string, bool) {
	var v string
	if json.Unmarshal(s, &v) != nil {
		return "", false
	}
	return v, true
}

// Key decodes an object key as Members gives it (without its quotes).
func Key(key []byte) string {
	q := make([]byte, 0, len(key)+2)
	q = append(append(append(q, '"'), key...), '"')
	s, _ := Unquote(q)
	return s
}

// Document checks that b holds one JSON value and nothing but whitespace
// after it, and returns the index where the value starts.
func Document(b []byte) (int, error) {
	start := Space(b, 0)
	end, err := Value(b, start)
	if err != nil {
		return start, err
	}
	if end = Space(b, end); end < len(b) {
		return start, errAt(b, end, "after top-level value")
	}
	return start, nil
}
