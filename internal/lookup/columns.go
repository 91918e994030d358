package lookup

import (
	"reflect"
	"strings"
	"time"
)

// Columns returns a row's columns by their Parquet names, as JSON takes
// them: null for a nil pointer, times in RFC 3339 (UTC, milliseconds),
// lists as arrays, nested rows as objects.
func Columns(row any) map[string]any {
	v := reflect.ValueOf(row)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	out := map[string]any{}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("parquet"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = value(v.Field(i))
	}
	return out
}

var timeType = reflect.TypeFor[time.Time]()

// value converts one field.
func value(v reflect.Value) any {
	switch {
	case v.Kind() == reflect.Pointer && v.IsNil():
		return nil
	case v.Kind() == reflect.Pointer:
		return value(v.Elem())
	case v.Type() == timeType:
		return v.Interface().(time.Time).UTC().Format("2006-01-02T15:04:05.000Z")
	case v.Kind() == reflect.Struct:
		return Columns(v.Interface())
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() != reflect.Uint8:
		if v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range v.Len() {
			out[i] = value(v.Index(i))
		}
		return out
	}
	return v.Interface()
}
