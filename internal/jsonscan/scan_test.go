package jsonscan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/jsonscan"
)

var documents = []string{
	`{}`, `[]`, ` {"a" : [1, -2.5e+3, true, false, null, "x\"y\u00e9"]} `, `"\ud800"`, "\"\xff\"",
	`0`, `-0.0`, `1E9`, `01`, `1.`, `.5`, `-`, `1e`, `+1`, `tru`, `nul`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `{a:1}`,
	`[1 2]`, `"abc`, "\"a\tb\"", `"\x"`, `"\u12g4"`, `{"a":1} x`, ``, `   `, `[[[]]]`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000), strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
}

// TestDocument: Document accepts exactly what encoding/json accepts.
func TestDocument(t *testing.T) {
	for _, doc := range documents {
		if _, err := jsonscan.Document([]byte(doc)); (err == nil) != json.Valid([]byte(doc)) {
			name := doc
			if len(name) > 40 {
				name = name[:40] + "…"
			}
			t.Errorf("Document(%q) error %v, json.Valid %v", name, err, json.Valid([]byte(doc)))
		}
	}
}

// TestMembers: keys are given as sent and each value's span is exact.
func TestMembers(t *testing.T) {
	b := []byte(`{ "a" : 1 , "b\u0063":{"x":[2]},"d":"e" }`)
	var got []string
	end, err := jsonscan.Members(b, 0, func(key []byte, escaped bool, j int) (int, error) {
		k := string(key)
		if escaped {
			k = jsonscan.Key(key)
		}
		end, err := jsonscan.Value(b, j)
		got = append(got, k+"="+strings.TrimSpace(string(b[j:end])))
		return end, err
	})
	if err != nil || end != len(b) || strings.Join(got, " ") != `a=1 bc={"x":[2]} d="e"` {
		t.Errorf("Members: end %d of %d, err %v, members %q", end, len(b), err, got)
	}
}

func FuzzDocument(f *testing.F) {
	for _, doc := range documents {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := jsonscan.Document(b); (err == nil) != json.Valid(b) {
			t.Errorf("Document(%q) error %v, json.Valid %v", b, err, json.Valid(b))
		}
	})
}
