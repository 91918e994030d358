package deploy_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kekaexport/keka-hire-export/internal/config"
	"github.com/kekaexport/keka-hire-export/internal/dataset"
)

// root is the repository root, relative to this package.
const root = "../.."

// glueTable is what the tests read of one AWS::Glue::Table resource.
type glueTable struct {
	resource     string
	name         string
	columns      []dataset.GlueColumn
	partitionKey []dataset.GlueColumn
	location     string            // StorageDescriptor.Location, tags kept as text
	params       map[string]string // TableInput.Parameters, tags kept as text
}

func TestTemplate_GlueTablesMatchDatasets(t *testing.T) {
	tables := glueTables(t, loadTemplate(t))

	byName := map[string]glueTable{}
	for _, tb := range tables {
		if _, dup := byName[tb.name]; dup {
			t.Errorf("two Glue tables are named %q", tb.name)
		}
		byName[tb.name] = tb
	}
	for _, d := range dataset.All() {
		t.Run(d.Name, func(t *testing.T) {
			tb, ok := byName[d.Name]
			if !ok {
				t.Fatalf("template.yaml has no AWS::Glue::Table named %q; add one with these columns:\n%s", d.Name, columnsYAML(d.GlueColumns()))
			}
			if want := d.GlueColumns(); !slices.Equal(tb.columns, want) {
				t.Errorf("%s: the Glue columns differ from dataset %q's Parquet schema (%s).\ntemplate.yaml has:\n%s\nthe schema wants:\n%s",
					tb.resource, d.Name, firstDifference(tb.columns, want), columnsYAML(tb.columns), columnsYAML(want))
			}
			if want := []dataset.GlueColumn{{Name: "dt", Type: "string"}}; !slices.Equal(tb.partitionKey, want) {
				t.Errorf("%s: PartitionKeys = %v, want %v", tb.resource, tb.partitionKey, want)
			}
			// The layout is {prefix}/{dataset}/dt=YYYY-MM-DD/: a table that
			// points at another dataset's folder would read the wrong files.
			wantLoc := "s3://${ExportBucket}/${ExportPrefix}/" + d.Name + "/"
			if tb.location != wantLoc {
				t.Errorf("%s: StorageDescriptor.Location = %q, want %q", tb.resource, tb.location, wantLoc)
			}
			wantParams := map[string]string{
				"classification":              "parquet",
				"EXTERNAL":                    "TRUE",
				"projection.enabled":          "true",
				"projection.dt.type":          "date",
				"projection.dt.format":        "yyyy-MM-dd",
				"projection.dt.range":         "2020-01-01,NOW",
				"projection.dt.interval":      "1",
				"projection.dt.interval.unit": "DAYS",
				"storage.location.template":   wantLoc + "dt=${!dt}/",
			}
			for k, want := range wantParams {
				if got := tb.params[k]; got != want {
					t.Errorf("%s: TableInput.Parameters[%q] = %q, want %q", tb.resource, k, got, want)
				}
			}
		})
	}
	known := dataset.Names()
	for _, tb := range tables {
		if !slices.Contains(known, tb.name) {
			t.Errorf("%s: Glue table %q has no dataset (datasets: %v)", tb.resource, tb.name, known)
		}
	}
}

// TestEvents checks that every sample event in events/ is accepted by the
// function's event parser, and that each reads as its name says.
func TestEvents(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	today := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		file string
		want func(config.Request) error
	}{
		{"scheduled.json", func(r config.Request) error {
			return wantDate(r, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
		}},
		{"manual.json", func(r config.Request) error {
			if r.DryRun || r.Force || r.Restart || r.RunID != "" {
				return fmt.Errorf("got flags %+v, want none", r)
			}
			return wantDate(r, today)
		}},
		{"dry-run.json", func(r config.Request) error {
			if !r.DryRun {
				return errors.New("DryRun = false, want true")
			}
			return wantDate(r, today)
		}},
		{"past-date.json", func(r config.Request) error {
			return wantDate(r, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
		}},
		{"lookup-candidate.json", func(r config.Request) error {
			if l := r.Lookup; l == nil || l.Dataset != "preboarding_candidates" || len(l.CandidateIDs) != 1 || l.Status == nil || l.Stage == nil {
				return fmt.Errorf("lookup %+v, want preboarding_candidates by id, status and stage", r.Lookup)
			}
			return nil
		}},
		{"lookup-job.json", func(r config.Request) error {
			if l := r.Lookup; l == nil || l.Dataset != "jobs" || l.JobID == "" {
				return fmt.Errorf("lookup %+v, want one job", r.Lookup)
			}
			return nil
		}},
		{"lookup-job-candidates.json", func(r config.Request) error {
			if l := r.Lookup; l == nil || l.Dataset != "job_candidates" || l.JobID == "" || l.IsArchived == nil || l.LastModified.IsZero() || l.Limit != 200 {
				return fmt.Errorf("lookup %+v, want one job's active candidates changed since a date", r.Lookup)
			}
			return nil
		}},
		{"resume.json", func(r config.Request) error {
			if r.RunID == "" {
				return errors.New("RunID is empty, want the run to resume")
			}
			return wantDate(r, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
		}},
	}
	files, err := filepath.Glob(filepath.Join(root, "events", "*.json"))
	if err != nil || len(files) != len(cases) {
		t.Fatalf("events/*.json = %v (%v), want exactly the %d files this test checks", files, err, len(cases))
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(root, "events", c.file))
			if err != nil {
				t.Fatal(err)
			}
			r, err := config.ParseEvent(b, dataset.Names(), now)
			if err != nil {
				t.Fatalf("ParseEvent: %v", err)
			}
			if err := c.want(r); err != nil {
				t.Error(err)
			}
		})
	}
}

func wantDate(r config.Request, want time.Time) error {
	if !r.SnapshotDate.Equal(want) {
		return fmt.Errorf("SnapshotDate = %s, want %s", r.SnapshotDate.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	return nil
}

// TestTemplate_CfnLint runs cfn-lint on template.yaml: any finding, error,
// warning or informational, fails the test. A rule that must be ignored is
// ignored in the template's own Metadata, with the reason beside it.
func TestTemplate_CfnLint(t *testing.T) {
	bin := lookTool(t, "cfn-lint")
	cmd := exec.Command(bin, "template.yaml")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("cfn-lint template.yaml: %v\n%s", err, out)
	}
}

// lookTool finds a tool that `make tools` installs: on PATH, or in the
// repository's bin/ or .venv/bin/ when the test is run without make.
func lookTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"bin", ".venv/bin"} {
		p, err := filepath.Abs(filepath.Join(root, dir, name))
		if err == nil {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	t.Fatalf("%s is not on PATH nor in bin/ or .venv/bin/: run make tools", name)
	return ""
}

func loadTemplate(t *testing.T) *yaml.Node {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// CloudFormation's short forms (!Ref, !Sub, !GetAtt, ...) decode as
	// nodes with that tag, which is all these tests need.
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse template.yaml: %v", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatal("template.yaml: want one YAML document holding a mapping")
	}
	return doc.Content[0]
}

// glueTables returns the AWS::Glue::Table resources of the template, in
// the template's order.
func glueTables(t *testing.T, tmpl *yaml.Node) []glueTable {
	t.Helper()
	resources := lookup(tmpl, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		t.Fatal("template.yaml: no Resources mapping")
	}
	var tables []glueTable
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id, res := resources.Content[i].Value, resources.Content[i+1]
		if scalar(lookup(res, "Type")) != "AWS::Glue::Table" {
			continue
		}
		in := lookup(res, "Properties", "TableInput")
		if in == nil {
			t.Fatalf("%s: no Properties.TableInput", id)
		}
		tb := glueTable{
			resource:     id,
			name:         scalar(lookup(in, "Name")),
			columns:      columns(t, id+".StorageDescriptor.Columns", lookup(in, "StorageDescriptor", "Columns")),
			partitionKey: columns(t, id+".PartitionKeys", lookup(in, "PartitionKeys")),
			location:     scalar(lookup(in, "StorageDescriptor", "Location")),
			params:       map[string]string{},
		}
		if p := lookup(in, "Parameters"); p != nil {
			for j := 0; j+1 < len(p.Content); j += 2 {
				tb.params[p.Content[j].Value] = scalar(p.Content[j+1])
			}
		}
		tables = append(tables, tb)
	}
	if len(tables) == 0 {
		t.Fatal("template.yaml has no AWS::Glue::Table")
	}
	return tables
}

func columns(t *testing.T, where string, seq *yaml.Node) []dataset.GlueColumn {
	t.Helper()
	if seq == nil || seq.Kind != yaml.SequenceNode {
		t.Fatalf("%s: want a list of {Name, Type}", where)
	}
	cols := make([]dataset.GlueColumn, 0, len(seq.Content))
	for _, c := range seq.Content {
		cols = append(cols, dataset.GlueColumn{Name: scalar(lookup(c, "Name")), Type: scalar(lookup(c, "Type"))})
	}
	return cols
}

// lookup follows keys through nested mappings; nil when one is missing.
func lookup(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
				break
			}
		}
		n = next
	}
	return n
}

// scalar returns a scalar's text whatever its tag (so !Sub "x" gives x);
// "" for anything else.
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func firstDifference(got, want []dataset.GlueColumn) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("column %d: template %s %s, schema %s %s", i+1, got[i].Name, got[i].Type, want[i].Name, want[i].Type)
		}
	}
	return fmt.Sprintf("template has %d columns, schema %d", len(got), len(want))
}

// columnsYAML renders columns as they are written in template.yaml, so a
// failure shows the block to paste.
func columnsYAML(cols []dataset.GlueColumn) string {
	var b strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&b, "            - {Name: %s, Type: %s}\n", c.Name, quoteIfNeeded(c.Type))
	}
	return b.String()
}

func quoteIfNeeded(s string) string {
	if strings.ContainsAny(s, "<>:,{}[]") {
		return `"` + s + `"`
	}
	return s
}
