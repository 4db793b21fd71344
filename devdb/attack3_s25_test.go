package devdb

import (
	"context"
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
)

// A dev server whose own defaults are latin1 (MariaDB's compiled-in
// ones, a --dev-url server nobody configured) creates the snapshot with
// the charsets the release declares, as the plans' statements (written
// for utf8mb4) create them live: Atlas's driver left out a column's
// CHARSET latin1 there as the server's, in a table declaring none, and
// the column took the dev database's utf8mb4, so the drift check saw a
// difference after a correct expand.
func TestAttack3S25SnapshotOnADevServerWithOtherDefaults(t *testing.T) {
	_, cfg := server(t)
	ctx := context.Background()
	spec := Spec{Beside: cfg}
	spec.Charset, spec.Collation = schemadef.ServerDefault(project.Target{Flavor: "mariadb"})
	d, err := Open(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close(ctx)
	exec(t, d.Conn, "SET SESSION character_set_server = latin1, collation_server = latin1_swedish_ci")
	s := schema.New("app")
	tbl := schema.NewTable("notes").SetSchema(s)
	tbl.AddColumns(schema.NewIntColumn("id", "int"))
	for _, c := range []struct{ name, attr string }{{"cs", "latin1"}, {"coll", "latin1_swedish_ci"}, {"plain", ""}} {
		col := schema.NewStringColumn(c.name, "varchar", schema.StringSize(10))
		switch {
		case c.attr == "latin1":
			col.Attrs = []schema.Attr{&schema.Charset{V: c.attr}}
		case c.attr != "":
			col.Attrs = []schema.Attr{&schema.Collation{V: c.attr}}
		}
		tbl.AddColumns(col)
	}
	s.AddTables(tbl)
	if err := d.Build(ctx, s, nil, nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"cs": "latin1_swedish_ci", "coll": "latin1_swedish_ci", "plain": "utf8mb4_general_ci"}
	for col, coll := range want {
		var got string
		if err := d.Conn.QueryRowContext(ctx, "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'notes' AND COLUMN_NAME = ?", col).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != coll {
			t.Errorf("notes.%s is %s in the snapshot; declared, it is %s", col, got, coll)
		}
	}
}
