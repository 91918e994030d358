package dataset

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// PIIMode says what happens to personal data (see Dataset.PersonalColumns).
type PIIMode string

// The PII modes.
const (
	// PIIKeep exports values as sent; raw_json is the record byte for byte.
	PIIKeep PIIMode = "keep"
	// PIIHash replaces each personal value, in its column and in raw_json, by
	// the hex HMAC-SHA256 of the value under PII.Key, so joins still work.
	// Emails are trimmed and lower-cased before hashing; empty strings stay
	// empty. Free-form personal data in raw_json becomes null.
	PIIHash PIIMode = "hash"
	// PIIDrop makes personal columns null and sets the same fields of
	// raw_json to null.
	PIIDrop PIIMode = "drop"
)

// PII is the personal-data policy of a run. The zero value keeps.
type PII struct {
	Mode PIIMode
	Key  []byte // required for PIIHash
}

// ParsePIIMode parses "keep", "hash" or "drop" (case-insensitive, "" is
// keep); anything else is an error naming the valid values.
func ParsePIIMode(s string) (PIIMode, error) {
	switch m := PIIMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return PIIKeep, nil
	case PIIKeep, PIIHash, PIIDrop:
		return m, nil
	}
	return "", fmt.Errorf("dataset: PII mode %q is not keep, hash or drop", s)
}

// check reports an unusable policy.
func (p PII) check(dataset string) error {
	switch p.Mode {
	case "", PIIKeep, PIIDrop:
		return nil
	case PIIHash:
		if len(p.Key) == 0 {
			return fmt.Errorf("dataset %s: PII mode hash needs a key", dataset)
		}
		return nil
	}
	return fmt.Errorf("dataset %s: PII mode %q is not keep, hash or drop", dataset, p.Mode)
}

func (p PII) keep() bool { return p.Mode == "" || p.Mode == PIIKeep }

// hash is the hex HMAC-SHA256 of s under the key.
func (p PII) hash(s string) string {
	m := hmac.New(sha256.New, p.Key)
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

// value applies the policy to one personal value as it goes to a column.
func (p PII) value(v *string, email bool) *string {
	switch {
	case v == nil || p.keep():
		return v
	case p.Mode == PIIDrop:
		return nil
	case *v == "":
		return v
	}
	s := *v
	if email {
		s = strings.ToLower(strings.TrimSpace(s))
	}
	h := p.hash(s)
	return &h
}

// fieldRule says what PIIHash and PIIDrop do to one field of raw_json.
type fieldRule struct {
	kind  ruleKind
	email bool                 // ruleIdentity: normalise as an email before hashing
	inner map[string]fieldRule // ruleNested: rules of the object's fields, by foldKey
}

type ruleKind int

const (
	ruleIdentity ruleKind = iota // hashed (scalars) or nulled
	ruleFree                     // nulled under hash and drop
	ruleNested                   // an object whose fields have rules
)

// scrub applies the policy to a raw record and returns the new raw_json. Keys
// match the rules as encoding/json matches them to the columns' fields
// (Unicode case folding, see foldKey), so that no spelling of a key is
// hashed in a column and left in raw_json; everything else is copied
// verbatim, in order (whitespace between tokens is not kept).
func (p PII) scrub(raw []byte, rules map[string]fieldRule) ([]byte, error) {
	if p.keep() || len(rules) == 0 {
		return raw, nil
	}
	var out bytes.Buffer
	out.Grow(len(raw))
	if err := p.scrubObject(&out, raw, rules); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func (p PII) scrubObject(out *bytes.Buffer, raw []byte, rules map[string]fieldRule) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("not a JSON object")
	}
	out.WriteByte('{')
	for first := true; dec.More(); first = false {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return err
		}
		if !first {
			out.WriteByte(',')
		}
		writeString(out, key)
		out.WriteByte(':')
		rule, ok := rules[foldKey(key)]
		if !ok {
			out.Write(val)
			continue
		}
		if err := p.scrubValue(out, val, rule); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	out.WriteByte('}')
	return nil
}

func (p PII) scrubValue(out *bytes.Buffer, val json.RawMessage, rule fieldRule) error {
	val = bytes.TrimSpace(val)
	switch {
	case string(val) == "null":
		out.WriteString("null")
		return nil
	case rule.kind == ruleNested:
		if val[0] != '{' {
			out.WriteString("null") // not the object expected: fail closed
			return nil
		}
		return p.scrubObject(out, val, rule.inner)
	case rule.kind == ruleFree || p.Mode == PIIDrop:
		out.WriteString("null")
		return nil
	}
	// PIIHash of an identity field: hash scalars as the columns do.
	var t text
	_ = t.UnmarshalJSON(val)
	switch {
	case !t.ok:
		out.WriteString("null") // an object or array where a scalar belongs
	case t.v == "":
		out.WriteString(`""`) // nothing to hash
	default:
		writeString(out, *p.value(&t.v, rule.email))
	}
	return nil
}

// writeString writes s as a JSON string without HTML escaping.
func writeString(out *bytes.Buffer, s string) {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)           // a string always encodes
	out.Truncate(out.Len() - 1) // Encode appends a newline
}

// identity returns the rule map entries for identity fields.
func identity(names ...string) map[string]fieldRule {
	m := make(map[string]fieldRule, len(names))
	for _, n := range names {
		m[foldKey(n)] = fieldRule{kind: ruleIdentity, email: strings.EqualFold(n, "email")}
	}
	return m
}

// foldKey maps every rune of a JSON key to the smallest rune that Unicode
// simple case folding makes equal to it, so that two keys fold alike
// exactly when encoding/json would match one to the other ("firstName",
// "FIRSTNAME" and "firſtName" all do).
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}
