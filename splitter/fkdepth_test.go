package splitter

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// Tables are created parents first and dropped children first, whatever
// their names: "a_child" sorts before "z_parent" but references it.
func TestForeignKeyOrder(t *testing.T) {
	target := project.Target{Flavor: "mariadb", Major: 10, Minor: 11}
	tables := `schema "app" {}
table "z_parent" {
  schema = schema.app
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
table "a_child" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "p" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_p" {
    columns     = [column.p]
    ref_columns = [table.z_parent.column.id]
  }
}
`
	full := diff.Source{Release: "full", File: "full.hcl", Src: []byte(tables)}
	empty := diff.Source{Release: "empty", File: "empty.hcl", Src: []byte(`schema "app" {}`)}
	for _, tc := range []struct {
		name     string
		from     *diff.Source
		to       diff.Source
		phase    revision.Phase
		first    string
		firstSQL string
	}{
		{"create", nil, full, revision.Expand, "z_parent", "CREATE TABLE `z_parent`"},
		{"drop", &full, empty, revision.Contract, "a_child", "DROP TABLE `a_child`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := Transition(target, Sources{Prev: tc.from, To: tc.to})
			if err != nil {
				t.Fatal(err)
			}
			ph := pl.Phases
			stmts := ph[tc.phase]
			if len(stmts) != 2 || !strings.HasPrefix(stmts[0].SQL, tc.firstSQL) {
				t.Fatalf("%s: first statement should touch %s:\n%v", tc.phase, tc.first, stmts)
			}
		})
	}
}
