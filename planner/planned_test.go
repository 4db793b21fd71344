package planner

import (
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/revision"
)

// Every statement emcee plans outside a directive is one effect's
// DDL.Planned knows: the applier refuses a revision holding any other
// before it runs anything (apply's Session.readable), so a statement the
// planner writes and Planned does not know would make emcee refuse its
// own plans. Checked on the whole corpus planned now (the bundled
// example, the operator fixture, real projects' releases, the fuzz
// corpus) and on the plans committed to the repository, which databases
// ran; splitter's TestEveryStatementSplitWritesIsPlanned covers the forms
// the corpus lacks (data migrations' rows, delete and insert, views).
func TestEveryStatementPlannedIsPlanned(t *testing.T) {
	files := map[string][]byte{}
	for name, out := range planCorpus(t) {
		for path, data := range out.Files {
			files[name+": "+path] = data
		}
	}
	for _, dir := range []string{"../plans", "../e2e/testdata/operator/project/plans"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			files[path] = read(t, ".", path)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	kinds := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		stmts, err := revision.Parse(name, files[name])
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range stmts {
			if why := st.Foreign(nil); why != "" {
				t.Errorf("%s:%d: emcee planned a statement the applier refuses (%s): %s", name, st.Line, why, st.SQL)
			}
			if st.Kind != revision.DDL {
				continue
			}
			d := effect.Parse(st.SQL)
			kinds[d.Kind] = true
			if !d.Planned() {
				t.Errorf("%s:%d: emcee planned a statement effect.DDL.Planned does not know, which the applier refuses: %s", name, st.Line, st.SQL)
			}
		}
	}
	// The corpus holds the kinds it is there for.
	for _, k := range []string{effect.KindAlterTable, effect.KindCreateTable, effect.KindDropTable, effect.KindCreateTrigger, effect.KindDropTrigger} {
		if !kinds[k] {
			t.Errorf("the corpus planned no %s: it no longer checks that kind", k)
		}
	}
}
