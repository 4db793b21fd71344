package diff

import (
	"testing"

	"ariga.io/atlas/sql/schema"
)

// Between leaves the states it compares as they were: Atlas's diff writes
// into what it compares, and a loaded release is shared by the transitions
// planned side by side (go test -race ./planner found them racing).
func TestBetweenLeavesItsInputsAlone(t *testing.T) {
	state := func(width string, withFKIndex bool) *schema.Schema {
		s := schema.New("app")
		parent := schema.NewTable("parent").AddColumns(schema.NewIntColumn("id", "int"))
		parent.SetPrimaryKey(schema.NewPrimaryKey(parent.Columns[0]))
		child := schema.NewTable("child").AddColumns(
			&schema.Column{Name: "n", Type: &schema.ColumnType{Type: &schema.IntegerType{T: "int" + width}}},
			schema.NewIntColumn("parent_id", "int"),
		)
		child.AddForeignKeys(schema.NewForeignKey("fk_parent").AddColumns(child.Columns[1]).SetRefTable(parent).AddRefColumns(parent.Columns[0]))
		if withFKIndex {
			child.AddIndexes(schema.NewIndex("fk_parent").AddColumns(child.Columns[1]))
		}
		child.AddAttrs(&schema.Collation{V: "utf8mb4_general_ci"})
		s.AddTables(parent, child)
		return s
	}
	from, to := state("(11)", true), state("", false)
	to.Tables[1].Attrs = nil
	to.Tables[1].AddColumns(schema.NewNullIntColumn("extra", "int"))
	drv, err := Offline(mariadb)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Between(drv, mariadb, &Release{Schema: from}, &Release{Name: "r", File: "r.hcl", Schema: to, Declarations: &Declarations{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Changes) == 0 {
		t.Fatal("no changes: the test compares nothing")
	}
	child := from.Tables[1]
	if got := child.Columns[0].Type.Type.(*schema.IntegerType).T; got != "int(11)" {
		t.Errorf("the old state's column type became %q", got)
	}
	if len(child.Indexes) != 1 {
		t.Errorf("the old state's indexes became %d", len(child.Indexes))
	}
	if n := len(to.Tables[1].Attrs); n != 0 {
		t.Errorf("the new state's table gained %d attributes", n)
	}
	if tr.To.Schema == to || tr.From == from {
		t.Error("the transition holds the shared states, not its own copies")
	}
}
