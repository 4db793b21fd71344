package diff

import (
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
)

// A column's charset or collation changing in a table that declares none
// (it inherits the database's) is a change: Atlas compares a column's with
// its table's and saw none, so emcee planned nothing and the column kept
// its old collation under a snapshot saying otherwise. Where the table
// declares its own, Atlas sees it, and it is reported once.
func TestColumnCharsetChangesAtlasMisses(t *testing.T) {
	table := func(tableAttrs, colAttrs string) string {
		return "schema \"app\" {}\ntable \"t\" {\n  schema = schema.app\n" + tableAttrs +
			"  column \"id\" {\n    type = int\n  }\n  column \"u\" {\n    type = varchar(10)\n" + colAttrs + "  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	const latin1 = "    collate = \"latin1_swedish_ci\"\n"
	for _, tc := range []struct {
		name          string
		before, after string
		want          schema.ChangeKind
	}{
		{"collation given, table inherits", table("", ""), table("", "    collate = \"utf8mb4_bin\"\n"), schema.ChangeCollate},
		{"collation taken away, table inherits", table("", "    collate = \"utf8mb4_bin\"\n"), table("", ""), schema.ChangeCollate},
		{"charset given, table inherits", table("", ""), table("", "    charset = \"latin1\"\n"), schema.ChangeCharset | schema.ChangeCollate},
		{"the inherited collation spelled out", table("", ""), table("", "    collate = \"utf8mb4_general_ci\"\n"), schema.NoChange},
		{"the inherited charset spelled out", table("", ""), table("", "    charset = \"utf8mb4\"\n"), schema.NoChange},
		// A charset alone has its default collation (utf8mb4_general_ci),
		// not any collation of it: unicode_ci was planned as no change.
		{"charset alone, then another collation of it", table("", "    charset = \"utf8mb4\"\n"), table("", "    collate = \"utf8mb4_unicode_ci\"\n"), schema.ChangeCollate},
		{"charset alone, then its default collation", table("", "    charset = \"utf8mb4\"\n"), table("", "    collate = \"utf8mb4_general_ci\"\n"), schema.NoChange},
		// Atlas gives the new release's column the charset its collation
		// names, and the previous release's none: not a charset change.
		{"collation alone, kept while the type widens", table("", latin1), strings.Replace(table("", latin1), "varchar(10)", "varchar(20)", 1), schema.ChangeType},
		{"collation alone, moving to another charset", table("", latin1), table("", "    collate = \"utf8mb4_bin\"\n"), schema.ChangeCharset | schema.ChangeCollate},
		// In a table declaring another charset too (Atlas compares the new
		// column's charset with the table's): it was refused as a charset
		// change together with a type change.
		{"collation of another charset alone, kept while the type widens", table("  charset = \"latin1\"\n", "    collate = \"utf8mb4_general_ci\"\n"), strings.Replace(table("  charset = \"latin1\"\n", "    collate = \"utf8mb4_general_ci\"\n"), "varchar(10)", "varchar(20)", 1), schema.ChangeType},
		{"table declares its own: Atlas's", table("  charset = \"utf8mb4\"\n  collate = \"utf8mb4_unicode_ci\"\n", ""), table("  charset = \"utf8mb4\"\n  collate = \"utf8mb4_unicode_ci\"\n", "    collate = \"utf8mb4_bin\"\n"), schema.ChangeCollate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prev, err := ParseRelease("a", "a.hcl", []byte(tc.before), mariadb)
			if err != nil {
				t.Fatal(err)
			}
			next, err := ParseRelease("b", "b.hcl", []byte(tc.after), mariadb)
			if err != nil {
				t.Fatal(err)
			}
			tr := transition(t, prev, next)
			var got []string
			kind := schema.NoChange
			for _, ch := range tr.Changes {
				mt, ok := ch.(*schema.ModifyTable)
				if !ok {
					continue
				}
				for _, c := range mt.Changes {
					if m, ok := c.(*schema.ModifyColumn); ok {
						got = append(got, m.To.Name)
						kind |= m.Change
					}
				}
			}
			if kind != tc.want || (tc.want != schema.NoChange && strings.Join(got, ",") != "u") {
				t.Errorf("column changes %v of kind %b, want u of kind %b", got, kind, tc.want)
			}
		})
	}
}

// A column declaring a charset alone, in a table of another charset, has
// that charset's default collation on the target: on MariaDB 11.4
// utf8mb4_uca1400_ai_ci, on 11.8 ucs2's and utf8mb3's uca1400_ai_ci too.
// Atlas's diff gave it its own default (utf8mb4_general_ci,
// ucs2_general_ci), so the column "changed" collation: widening it was
// refused as a conversion together with a type change, and a change of
// the table's default alone wrote MODIFY ... COLLATE ucs2_general_ci.
func TestCharsetAloneKeepsTargetsDefaultCollation(t *testing.T) {
	table := func(tableCS, colCS, size string) string {
		return "schema \"app\" {}\ntable \"t\" {\n  schema = schema.app\n  charset = \"" + tableCS + "\"\n" +
			"  column \"id\" {\n    type = int\n  }\n  column \"u\" {\n    type = varchar(" + size + ")\n    charset = \"" + colCS + "\"\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	for _, tc := range []struct {
		target              project.Target
		colCS, fromCS, toCS string
		size                string
		want                schema.ChangeKind
	}{
		{project.Target{Flavor: "mariadb", Major: 11, Minor: 4}, "utf8mb4", "latin1", "latin1", "20", schema.ChangeType},
		{project.Target{Flavor: "mariadb", Major: 11, Minor: 4}, "utf8mb4", "latin1", "latin2", "20", schema.ChangeType},
		{project.Target{Flavor: "mariadb", Major: 11, Minor: 8}, "ucs2", "latin2", "utf8mb4", "20", schema.ChangeType},
		{project.Target{Flavor: "mariadb", Major: 11, Minor: 8}, "utf8mb3", "latin1", "latin1", "20", schema.ChangeType},
		{project.Target{Flavor: "mariadb", Major: 11, Minor: 8}, "ucs2", "latin2", "utf8mb4", "10", schema.NoChange},
	} {
		name := tc.target.String() + " " + tc.colCS + " in " + tc.fromCS + " -> " + tc.toCS + ", varchar(" + tc.size + ")"
		t.Run(name, func(t *testing.T) {
			prev, err := ParseRelease("a", "a.hcl", []byte(table(tc.fromCS, tc.colCS, "10")), tc.target)
			if err != nil {
				t.Fatal(err)
			}
			next, err := ParseRelease("b", "b.hcl", []byte(table(tc.toCS, tc.colCS, tc.size)), tc.target)
			if err != nil {
				t.Fatal(err)
			}
			drv, err := Offline(tc.target)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := Between(drv, tc.target, prev, next)
			if err != nil {
				t.Fatal(err)
			}
			kind := schema.NoChange
			for _, ch := range tr.Changes {
				mt, ok := ch.(*schema.ModifyTable)
				if !ok {
					continue
				}
				for _, c := range mt.Changes {
					if m, ok := c.(*schema.ModifyColumn); ok {
						kind |= m.Change
						if co, ok := schemadef.Collation(m.To.Attrs); ok {
							t.Errorf("the column is written with collation %s, not the target's default of %s", co, tc.colCS)
						}
					}
				}
			}
			if kind != tc.want {
				t.Errorf("column change of kind %b, want %b", kind, tc.want)
			}
		})
	}
}
