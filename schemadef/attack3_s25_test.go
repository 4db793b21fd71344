package schemadef_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
)

// Every text type, not VARCHAR alone, gets the collation Effective says
// from the statements WithCharsets has Atlas write: CHAR, TEXT, ENUM and
// SET (whose values hold the names Atlas writes next to a CHARSET) in
// tables of each default, created, added and modified, in a database
// created latin1 (the operator's: a column declaring utf8mb4 in a table
// declaring none must not take it). Refuted attack on the names Atlas
// writes next to a CHARSET (ENUM and SET values holding CHARSET and
// COLLATE) and on the types; the latin1 database found the hole
// TestAttack3S25ColumnCharsetInALatin1Database shows end to end.
func TestAttack3S25EffectiveForEveryTextType(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	if _, err := db.DB.Exec("ALTER DATABASE " + db.Name + " CHARACTER SET latin1 COLLATE latin1_swedish_ci"); err != nil {
		t.Fatal(err)
	}
	mariadb := project.Target{Flavor: "mariadb", Major: 10, Minor: 11}
	drv, err := diff.Offline(mariadb)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]func() schema.Type{
		"char": func() schema.Type { return &schema.StringType{T: "char", Size: 5} },
		"text": func() schema.Type { return &schema.StringType{T: "text"} },
		"enum": func() schema.Type { return &schema.EnumType{T: "enum", Values: []string{"x CHARSET latin1", "a`b"}} },
		"set":  func() schema.Type { return &mysql.SetType{Values: []string{"COLLATE utf8mb4_bin", "b"}} },
	}
	tables := []string{"", "latin1", "utf8mb4_bin", "utf8mb4", "latin1 latin1_bin"}
	columns := []string{"", "utf8mb4", "utf8mb4_general_ci", "utf8mb4 utf8mb4_general_ci", "latin1", "utf8mb4_bin", "latin1_bin"}
	want := map[string]string{}
	s := schema.New("app")
	n := 0
	for typ, mk := range types {
		for _, ta := range tables {
			n++
			tbl := schema.NewTable(fmt.Sprintf("t%d", n)).SetSchema(s)
			tbl.Attrs = charsetAttrs(ta)
			tbl.AddColumns(schema.NewIntColumn("id", "int"))
			var added, modified []schema.Change
			for j, ca := range columns {
				c := &schema.Column{Name: fmt.Sprintf("c%d", j), Type: &schema.ColumnType{Type: mk(), Null: true}, Attrs: charsetAttrs(ca)}
				a := *c
				a.Name = "a" + a.Name[1:]
				tbl.AddColumns(c)
				added = append(added, &schema.AddColumn{C: &a})
				modified = append(modified, &schema.ModifyColumn{From: c, To: c, Change: schema.ChangeCharset | schema.ChangeCollate})
				_, coll := schemadef.Effective(mariadb, tbl, c)
				if ta == "" && ca == "" {
					// Declared nowhere: the database's default, which
					// is the operator's (Effective assumes the server's).
					coll = "latin1_swedish_ci"
				}
				for _, name := range []string{c.Name, a.Name} {
					want[tbl.Name+"."+name] = fmt.Sprintf("%s.%s (%s, table %q, column %q): %s", tbl.Name, name, typ, ta, ca, coll)
				}
			}
			for _, ch := range []schema.Change{&schema.AddTable{T: tbl}, &schema.ModifyTable{T: tbl, Changes: added}, &schema.ModifyTable{T: tbl, Changes: modified}} {
				plan, err := drv.PlanChanges(ctx, "t", []schema.Change{schemadef.WithCharsets(ch, mariadb, [2]string{"utf8mb4", "utf8mb4_general_ci"})}, func(o *migrate.PlanOptions) { o.SchemaQualifier = new(string) })
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range plan.Changes {
					if _, err := db.DB.Exec(c.Cmd); err != nil {
						t.Fatalf("%s: %v", c.Cmd, err)
					}
				}
			}
		}
	}
	rows, err := db.DB.Query("SELECT TABLE_NAME, COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLLATION_NAME IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var table, column, coll string
		if err := rows.Scan(&table, &column, &coll); err != nil {
			t.Fatal(err)
		}
		seen++
		if w := want[table+"."+column]; !strings.HasSuffix(w, ": "+coll) {
			t.Errorf("%s; the server gave %s", w, coll)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != len(want) {
		t.Errorf("%d text columns on the server, %d planned", seen, len(want))
	}
}
