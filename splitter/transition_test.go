package splitter

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// The release pipeline is written once: outside Transition (and the
// packages that implement its steps), no code diffs releases, splits a
// diff or validates declarations itself. (Reading a release without
// planning a transition, as review does for its declarations, is not the
// pipeline.)
func TestThePipelineIsWrittenOnce(t *testing.T) {
	steps := map[string]bool{"diff.Between": true, "diff.CheckLosses": true, "splitter.Split": true}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		pkg := filepath.Base(filepath.Dir(path))
		if pkg == "diff" || path == filepath.Join("..", "splitter", "transition.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name := ""
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok {
					name = x.Name + "." + fn.Sel.Name
				}
				if fn.Sel.Name == "Check" && len(call.Args) == 1 {
					name = "(*diff.Release).Check"
				}
			case *ast.Ident:
				if pkg == "splitter" {
					name = "splitter." + fn.Name
				}
			}
			if steps[name] || name == "(*diff.Release).Check" {
				t.Errorf("%s: calls %s; run the release pipeline with splitter.Transition instead", fset.Position(call.Pos()), name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
