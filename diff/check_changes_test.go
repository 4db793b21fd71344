package diff

import (
	"testing"

	"ariga.io/atlas/sql/schema"
)

// A check whose expression changes under the same name is a change (Atlas
// matches checks by name only); the same expression spelled otherwise is
// not. Before the expressions were compared as trees, every blank was
// dropped, inside strings too: 'a b' -> 'ab' went unseen, and the database
// kept the old check.
func TestCheckExprChanges(t *testing.T) {
	for _, c := range []struct {
		from, to string
		changed  bool
	}{
		{"name <> 'a b'", "name <> 'ab'", true},
		{"size >= 0", "size > 0", true},
		{"size >= 0", "(`size` >= 0)", false},
		{"(size>=0 AND name <> '')", "`size` >= 0 and `name` <> ''", false},
	} {
		table := func(expr string) *schema.Schema {
			tb := schema.NewTable("t").AddAttrs(&schema.Check{Name: "ck", Expr: expr})
			return schema.New("s").AddTables(tb)
		}
		got := len(withCheckExprChanges(table(c.from), table(c.to), nil)) > 0
		if got != c.changed {
			t.Errorf("%s -> %s: changed %v, want %v", c.from, c.to, got, c.changed)
		}
	}
}
