package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
)

// checkNamedQueries runs the Athena named queries of template.yaml in
// DuckDB over the export in out, each table a view of its folder with dt a
// string, as the Glue tables have it, on the day of the export (date).
// The latest-snapshot query must name every dataset and count the rows of
// date's partition of each one exported (want); the others must run and
// return rows.
func checkNamedQueries(t *testing.T, out, date string, want map[string]int) {
	t.Helper()
	queries := namedQueries(t)
	if len(queries) < 3 {
		t.Fatalf("template.yaml has %d named queries, want at least 3", len(queries))
	}
	db := duck(t)
	if _, err := db.Exec("CREATE MACRO date_format(d, f) AS strftime(d, f)"); err != nil {
		t.Fatal(err)
	}
	for _, d := range dataset.All() {
		from := "SELECT * FROM read_parquet('" + filepath.ToSlash(filepath.Join(out, d.Name, "*", "*.parquet")) + "', hive_partitioning = true, hive_types = {'dt': VARCHAR})"
		if _, err := os.Stat(filepath.Join(out, d.Name)); err != nil {
			from = "SELECT NULL::VARCHAR AS dt WHERE false" // a table with no partitions yet
		}
		if _, err := db.Exec("CREATE VIEW " + d.Name + " AS " + from); err != nil {
			t.Fatal(err)
		}
	}
	for id, q := range queries {
		q = strings.ReplaceAll(q, "current_date", "DATE '"+date+"'")
		rows, err := db.Query(q)
		if err != nil {
			t.Errorf("%s does not run: %v", id, err)
			continue
		}
		cols, _ := rows.Columns()
		got, n := map[string]int{}, 0
		for rows.Next() {
			n++
			if id != "LatestSnapshotsQuery" {
				continue
			}
			var ds, dt string
			var count int
			if err := rows.Scan(&ds, &dt, &count); err != nil {
				t.Fatalf("%s: %v (columns %v)", id, err, cols)
			}
			if dt != date {
				t.Errorf("%s: %s's newest snapshot is %s, want %s", id, ds, dt, date)
			}
			got[ds] = count
		}
		rows.Close()
		if n == 0 {
			t.Errorf("%s returns no rows", id)
		}
		if id == "LatestSnapshotsQuery" {
			for _, d := range dataset.Names() {
				if !strings.Contains(q, "FROM "+d+" ") {
					t.Errorf("%s does not read %s", id, d)
				}
			}
			for ds, w := range want {
				if got[ds] != w {
					t.Errorf("%s: %s has %d rows, want %d", id, ds, got[ds], w)
				}
			}
		}
	}
}

// namedQueries returns the query strings of the template's
// AWS::Athena::NamedQuery resources, by logical id.
func namedQueries(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	res := mapValue(doc.Content[0], "Resources")
	for i := 0; res != nil && i+1 < len(res.Content); i += 2 {
		r := res.Content[i+1]
		if typ := mapValue(r, "Type"); typ == nil || typ.Value != "AWS::Athena::NamedQuery" {
			continue
		}
		if q := mapValue(mapValue(r, "Properties"), "QueryString"); q != nil {
			out[res.Content[i].Value] = q.Value
		}
	}
	return out
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
