package snapshot_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kekaexport/keka-hire-export/internal/dataset"
)

// The run engine and the client are kept in small parts: no file over
// about 400 lines, no function over about 60.
const (
	maxFileLines = 420
	maxFuncLines = 62
)

// sources parses the non-test Go files of dir.
func sources(t *testing.T, dir string) (*token.FileSet, map[string]*ast.File) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fs := token.NewFileSet()
	files := map[string]*ast.File{}
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fs, n, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files[n] = f
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	return fs, files
}

func TestStructure_SmallParts(t *testing.T) {
	for _, dir := range []string{".", "../keka"} {
		fs, files := sources(t, dir)
		for name, f := range files {
			if n := fs.File(f.Pos()).LineCount(); n > maxFileLines {
				t.Errorf("%s has %d lines, more than %d: split it by responsibility", name, n, maxFileLines)
			}
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok {
					continue
				}
				if n := fs.Position(fd.End()).Line - fs.Position(fd.Pos()).Line + 1; n > maxFuncLines {
					t.Errorf("%s: %s has %d lines, more than %d", name, fd.Name.Name, n, maxFuncLines)
				}
			}
		}
	}
}

// TestStructure_NoDatasetNamed: the run plans from the datasets'
// declarations alone; naming one would make it special behind the
// registry's back.
func TestStructure_NoDatasetNamed(t *testing.T) {
	fs, files := sources(t, ".")
	for name, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			v, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, ds := range dataset.Names() {
				if v == ds || strings.Contains(v, `"`+ds+`"`) {
					t.Errorf("%s:%d names the dataset %q", name, fs.Position(lit.Pos()).Line, ds)
				}
			}
			return true
		})
	}
}
