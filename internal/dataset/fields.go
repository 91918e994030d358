package dataset

import (
	"bytes"
	"sync"

	"github.com/kekaexport/keka-hire-export/internal/jsonscan"
)

// field is one key a record type reads: read decodes the value at j into
// v and returns the index just past it.
type field[T any] struct {
	name string
	read func(d *decoder, v *T, j int) (int, error)
}

// fieldTable is the keys of one record type, in the order of its struct
// fields: of two names a key matches only without regard to case, the
// first wins, as in encoding/json.
type fieldTable[T any] []field[T]

// lookup returns the field a key fills: the one named exactly so, else
// the first whose name equals it under Unicode case folding; nil for none.
func (fs fieldTable[T]) lookup(key []byte) *field[T] {
	for i := range fs {
		if string(key) == fs[i].name {
			return &fs[i]
		}
	}
	for i := range fs {
		if bytes.EqualFold(key, []byte(fs[i].name)) {
			return &fs[i]
		}
	}
	return nil
}

// object decodes the object at j into v; any other value is skipped and
// leaves v as it was.
func (fs fieldTable[T]) object(d *decoder, v *T, j int) (int, error) {
	b := d.b
	j = jsonscan.Space(b, j)
	if j >= len(b) || b[j] != '{' {
		return jsonscan.Value(b, j)
	}
	return jsonscan.Members(b, j, func(key []byte, escaped bool, k int) (int, error) {
		if escaped {
			key = []byte(jsonscan.Key(key))
		}
		if f := fs.lookup(key); f != nil {
			return f.read(d, v, k)
		}
		return jsonscan.Value(b, k)
	})
}

func textField[T any](name string, at func(*T) *text) field[T] {
	return field[T]{name, func(d *decoder, v *T, j int) (int, error) {
		t, end, err := d.text(j)
		if t.ok {
			*at(v) = t
		}
		return end, err
	}}
}

func integerField[T any](name string, at func(*T) *integer) field[T] {
	return field[T]{name, func(d *decoder, v *T, j int) (int, error) {
		n, end, err := d.integer(j)
		if n.ok {
			*at(v) = n
		}
		return end, err
	}}
}

func booleanField[T any](name string, at func(*T) *boolean) field[T] {
	return field[T]{name, func(d *decoder, v *T, j int) (int, error) {
		p, end, err := d.boolean(j)
		if p.ok {
			*at(v) = p
		}
		return end, err
	}}
}

func dateField[T any](name string, at func(*T) *date) field[T] {
	return field[T]{name, func(d *decoder, v *T, j int) (int, error) {
		t, end, err := d.date(j)
		if t.t.Valid {
			*at(v) = t
		}
		return end, err
	}}
}

// objectField reads a nested object into the struct at(v) with fields.
func objectField[T, U any](name string, at func(*T) *U, fields fieldTable[U]) field[T] {
	return field[T]{name, func(d *decoder, v *T, j int) (int, error) {
		return fields.object(d, at(v), j)
	}}
}

// stringsField reads an array of texts, keeping the set, non-empty ones;
// null makes it nil, as in encoding/json, and any value but an array
// leaves it as it was.
func stringsField[T any](name string, at func(*T) *[]string) field[T] {
	return field[T]{name, func(d *decoder, v *T, j int) (int, error) {
		return list(d, j, at(v), func(j int) (int, error) {
			t, end, err := d.text(j)
			if t.ok && t.v != "" {
				*at(v) = append(*at(v), t.v)
			}
			return end, err
		})
	}}
}

// rowsField reads an array of objects with fields, each made into an
// element by row, which returns false for an object of none of the fields
// (its element would be empty). Elements that are not objects are skipped
// too; null makes the list nil, and any value but an array leaves it as it
// was.
func rowsField[T, U, R any](name string, at func(*T) *[]R, fields fieldTable[U], row func(*U) (R, bool)) field[T] {
	elems := sync.Pool{New: func() any { return new(U) }} // an element reaches the heap through fields' funcs
	return field[T]{name, func(d *decoder, v *T, j int) (int, error) {
		return list(d, j, at(v), func(j int) (int, error) {
			j = jsonscan.Space(d.b, j)
			if j >= len(d.b) || d.b[j] != '{' {
				return jsonscan.Value(d.b, j)
			}
			u := elems.Get().(*U)
			end, err := fields.object(d, u, j)
			if r, ok := row(u); ok && err == nil {
				*at(v) = append(*at(v), r)
			}
			var zero U
			*u = zero
			elems.Put(u)
			return end, err
		})
	}}
}

// orEmpty returns s, or an empty list for nil.
func orEmpty[E any](s []E) []E {
	if s == nil {
		return []E{}
	}
	return s
}

// list reads the array at j with elem, into a new, empty *dst.
func list[U any](d *decoder, j int, dst *[]U, elem func(j int) (int, error)) (int, error) {
	b := d.b
	j = jsonscan.Space(b, j)
	switch {
	case j < len(b) && b[j] == '[':
		*dst = []U{}
		return jsonscan.Elements(b, j, elem)
	case j < len(b) && b[j] == 'n':
		end, err := jsonscan.Value(b, j)
		if err == nil {
			*dst = nil
		}
		return end, err
	}
	return jsonscan.Value(b, j)
}
