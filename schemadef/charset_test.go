package schemadef_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
)

// Every column a plan writes gets, on the server, the charset and
// collation schemadef.Effective says, whatever its table and it declare:
// each pair below is created (CREATE TABLE), added (ALTER TABLE ADD COLUMN)
// and modified (MODIFY COLUMN) as the splitter writes them, and
// information_schema must agree.
// Atlas alone, leaving out a CHARSET or COLLATE equal to its table's or the
// server's level by level, gave 7 of these declarations another collation,
// in every statement (utf8mb4_general_ci in a latin1 table was
// latin1_swedish_ci; utf8mb4 in a latin1_bin table latin1_bin, in a
// utf8mb4_bin table utf8mb4_bin; latin1 latin1_bin in a latin1_bin table
// latin1_swedish_ci).
func TestEffectiveIsWhatTheServerGives(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	mariadb := project.Target{Flavor: "mariadb", Major: 10, Minor: 11}
	drv, err := diff.Offline(mariadb)
	if err != nil {
		t.Fatal(err)
	}
	tables := []string{"", "latin1", "latin1_bin", "utf8mb4", "utf8mb4_bin", "utf8mb4 utf8mb4_unicode_ci", "latin1 latin1_bin", "utf8mb3"}
	columns := []string{"", "utf8mb4", "latin1", "utf8mb3", "utf8mb4_general_ci", "utf8mb4_bin", "latin1_bin", "latin1_swedish_ci", "utf8mb4 utf8mb4_general_ci", "latin1 latin1_bin", "utf8mb4 utf8mb4_bin"}
	want := map[string]string{}
	s := schema.New("app")
	for i, ta := range tables {
		tbl := schema.NewTable(fmt.Sprintf("t%d", i)).SetSchema(s)
		tbl.Attrs = charsetAttrs(ta)
		tbl.AddColumns(schema.NewIntColumn("id", "int"))
		var added, modified []schema.Change
		for j, ca := range columns {
			c := schema.NewStringColumn(fmt.Sprintf("c%d", j), "varchar", schema.StringSize(10))
			c.Attrs = charsetAttrs(ca)
			a := *c
			a.Name = "a" + a.Name[1:]
			tbl.AddColumns(c)
			added = append(added, &schema.AddColumn{C: &a})
			modified = append(modified, &schema.ModifyColumn{From: c, To: c, Change: schema.ChangeCharset | schema.ChangeCollate})
			_, coll := schemadef.Effective(mariadb, tbl, c)
			want[tbl.Name+"."+c.Name] = fmt.Sprintf("%s.%s (table %q, column %q): %s", tbl.Name, c.Name, ta, ca, coll)
			want[tbl.Name+"."+a.Name] = fmt.Sprintf("%s.%s (table %q, column %q): %s", tbl.Name, a.Name, ta, ca, coll)
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
	rows, err := db.DB.Query("SELECT TABLE_NAME, COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLLATION_NAME IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, column, coll string
		if err := rows.Scan(&table, &column, &coll); err != nil {
			t.Fatal(err)
		}
		w := want[table+"."+column]
		if !strings.HasSuffix(w, ": "+coll) {
			t.Errorf("%s; the server gave %s", w, coll)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// charsetAttrs are the attributes a level declaring s has: each word a
// collation where it holds an underscore, else a charset
// ("utf8mb4 utf8mb4_bin").
func charsetAttrs(s string) []schema.Attr {
	var out []schema.Attr
	for _, f := range strings.Fields(s) {
		if strings.Contains(f, "_") {
			out = append(out, &schema.Collation{V: f})
		} else {
			out = append(out, &schema.Charset{V: f})
		}
	}
	return out
}
