package e2e

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/emcee-db/emcee/"

// layers are the rows of ARCHITECTURE.md's picture, top down: a package
// imports packages of its own row or of rows below it, never above. The
// bottom row of the picture is two here: the database packages read and
// write with the shared ones, which never need a database.
var layers = [][]string{
	{"cmd/emcee", "fleet"},
	{"apply", "planner", "lint", "review", "simulate", "adopt"},
	{"sqlrelease"},
	{"splitter"},
	{"diff"},
	{"devdb", "history", "dbconn"},
	{"schemadef", "sqlname", "sqlsyntax", "effect", "revision", "project", "internal/shell", "internal/hclquote", "internal/dropdb"},
}

// forbidden are the imports the document rules out beyond the rows: the
// applier imports no planning package, and planning needs no database
// (a release declared as SQL reaches the planner through
// planner.Options.SQL, not an import).
var forbidden = map[string][]string{
	"apply":    {"planner", "lint", "review", "simulate", "adopt", "sqlrelease", "splitter", "diff"},
	"planner":  {"devdb", "history", "dbconn", "sqlrelease"},
	"splitter": {"devdb", "history", "dbconn"},
	"diff":     {"devdb", "history", "dbconn"},
}

// testOnly are packages for tests: no non-test code imports them.
var testOnly = []string{"e2e", "internal/testdb", "internal/testserver"}

// TestArchitecture holds ARCHITECTURE.md to the code: every package is in
// its table and its picture, every package the table names exists, no
// package imports upward, and no code, test code included, picks a value
// by a map[bool].
func TestArchitecture(t *testing.T) {
	t.Parallel()
	imports := map[string]map[string]bool{} // package -> emcee packages its non-test code imports
	var all []string                        // packages, test-only ones included
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != ".." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "tools" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		pkg := filepath.ToSlash(filepath.Dir(strings.TrimPrefix(path, "../")))
		if !slices.Contains(all, pkg) {
			all = append(all, pkg)
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		// "one or many": no map[bool]... picks (sqlsyntax.OneOrMany, or an
		// if), in tests too, which are read and copied as the code is.
		ast.Inspect(f, func(n ast.Node) bool {
			if ix, ok := n.(*ast.IndexExpr); ok {
				if lit, ok := ix.X.(*ast.CompositeLit); ok {
					if m, ok := lit.Type.(*ast.MapType); ok && types.ExprString(m.Key) == "bool" {
						t.Errorf("%s: a value picked by a map[bool]: ARCHITECTURE.md rules them out (sqlsyntax.OneOrMany for a word that agrees with a count, an if otherwise)", fset.Position(ix.Pos()))
					}
				}
			}
			return true
		})
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if imports[pkg] == nil {
			imports[pkg] = map[string]bool{}
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if dep, ok := strings.CutPrefix(p, module); ok {
				imports[pkg][dep] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	row := map[string]int{}
	for i, r := range layers {
		for _, p := range r {
			row[p] = i
		}
	}
	for pkg, deps := range imports {
		r, ok := row[pkg]
		if !ok && slices.Contains(testOnly, pkg) {
			continue
		}
		if !ok {
			t.Errorf("package %s has no row in this test's layers (and ARCHITECTURE.md's picture): add it where its imports put it", pkg)
			continue
		}
		for dep := range deps {
			switch dr, ok := row[dep]; {
			case slices.Contains(testOnly, dep):
				t.Errorf("%s imports %s, which is for tests only", pkg, dep)
			case ok && dr < r:
				t.Errorf("%s imports %s, which is above it in ARCHITECTURE.md's picture", pkg, dep)
			case slices.Contains(forbidden[pkg], dep):
				t.Errorf("%s imports %s, which ARCHITECTURE.md rules out", pkg, dep)
			}
		}
	}

	doc, err := os.ReadFile("../ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	picture, table := architecture(t, string(doc))
	for _, pkg := range all {
		if !slices.Contains(table, pkg) {
			t.Errorf("package %s is not in ARCHITECTURE.md's table of packages: add a row saying what it owns", pkg)
		}
		if _, ok := imports[pkg]; ok && !strings.HasPrefix(pkg, "internal/") && !regexp.MustCompile(`\b`+regexp.QuoteMeta(pkg)+`\b`).MatchString(picture) {
			t.Errorf("package %s is not in ARCHITECTURE.md's picture", pkg)
		}
	}
	for _, pkg := range table {
		if !slices.Contains(all, pkg) {
			t.Errorf("ARCHITECTURE.md's table lists %s, which does not exist", pkg)
		}
	}
}

// architecture reads the picture (the first code block) and the packages
// the table of packages names in its first column.
func architecture(t *testing.T, doc string) (picture string, table []string) {
	_, rest, _ := strings.Cut(doc, "```\n")
	picture, _, _ = strings.Cut(rest, "```")
	_, rows, _ := strings.Cut(doc, "| package | what it does |\n")
	rows, _, _ = strings.Cut(rows, "\n\n")
	for _, line := range strings.Split(rows, "\n") {
		if name, ok := strings.CutPrefix(line, "| `"); ok {
			name, _, _ = strings.Cut(name, "`")
			table = append(table, name)
		}
	}
	if picture == "" || len(table) == 0 {
		t.Fatal("ARCHITECTURE.md: no picture (a ``` block) or no table of packages (| package | what it does |)")
	}
	return picture, table
}
