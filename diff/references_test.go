package diff

import (
	"fmt"
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/schemadef"
)

// referenced is a release whose table child has a column, an index on it,
// and a foreign key from it to the table parent, each named name.
func referenced(parent, column string) string {
	return "schema \"app\" {}\ntable " + quoteHCL(parent) + " {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n" +
		"table \"child\" {\n  schema = schema.app\n  column " + quoteHCL(column) + " {\n    type = int\n  }\n" +
		"  index \"ix\" {\n    columns = [column[" + quoteHCL(column) + "]]\n  }\n" +
		"  foreign_key \"fk\" {\n    columns     = [column[" + quoteHCL(column) + "]]\n    ref_columns = [table[" + quoteHCL(parent) + "].column.id]\n  }\n}\n"
}

// Atlas keeps a reference's name as Go-quoted text and looks the quoted
// text up: a key on a column, or a foreign key to a table, whose name holds
// a double quote, a backslash or a character Go escapes failed with
// Atlas's "column "a\\\"b" was not found in table child" (and, for a
// release declared as SQL, "Invalid index"), without the name's position
// or what to do. They are refused at the reference, before Atlas
// evaluates the file, whichever way the file is loaded.
func TestReferencesAtlasCannotResolveAreRefusedAtThem(t *testing.T) {
	for _, tc := range []struct {
		name, parent, column, want string
	}{
		{"double quote in the referenced table", `pa"rent`, "p", `pike.hcl:21:25: this reference names the table "pa\"rent", whose name holds a double quote: Atlas, which reads emcee's HCL, keeps such a name escaped in a reference and does not find the table (a key's columns and a foreign key's table are references); rename the table`},
		{"backslash in the referenced table", `pa\rent`, "p", `pike.hcl:21:25: this reference names the table "pa\\rent", whose name holds a backslash`},
		{"double quote in a key's column", "parent", `a"b`, `pike.hcl:17:22: this reference names the column "a\"b" of table child, whose name holds a double quote`},
		{"backslash in a key's column", "parent", `a\b`, `pike.hcl:17:22: this reference names the column "a\\b" of table child, whose name holds a backslash`},
		{"no-break space in a key's column", "parent", "a\u00a0b", `pike.hcl:17:22: this reference names the column "a\u00a0b" of table child, whose name holds U+00A0, which Atlas writes as \u00a0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := referenced(tc.parent, tc.column)
			_, err := ParseRelease("pike", "pike.hcl", []byte(src), mariadb)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseRelease: got %v\nwant it to contain %s\nsource:\n%s", err, tc.want, src)
			}
			_, err = Load(Source{Release: "pike", File: "pike.hcl", Src: []byte(src)}, mariadb)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load: got %v\nwant it to contain %s", err, tc.want)
			}
		})
	}
}

// Names Atlas writes unescaped in a reference (or as an identifier) are
// resolved: template markers HCL escapes itself, dots, spaces, letters of
// any script. Written by schemadef.Marshal, as a release declared as SQL
// and `emcee init --from` are, they load as the schema they came from.
func TestReferencesToNamesAtlasResolves(t *testing.T) {
	for _, n := range []string{"a${b}", "a%{b}", "a.b", "a b", "naïve ☃", "a[b]", "x]", "1"} {
		t.Run(n, func(t *testing.T) {
			src := referenced(n, n)
			for _, load := range []func() (*Release, error){
				func() (*Release, error) { return ParseRelease("pike", "pike.hcl", []byte(src), mariadb) },
				func() (*Release, error) {
					return Load(Source{Release: "pike", File: "pike.hcl", Src: []byte(src)}, mariadb)
				},
			} {
				r, err := load()
				if err != nil {
					t.Fatalf("%v\nsource:\n%s", err, src)
				}
				if got := describeKeys(r.Schema); got != want(n) {
					t.Fatalf("got %s, want %s", got, want(n))
				}
			}
		})
	}
}

// Marshal wrote a reference's name quoted twice (Atlas's mysql.MarshalHCL
// quotes the text it keeps for a reference again), so the file named
// another column than the schema's: evaluating it failed with "Invalid
// index" for every name Atlas escapes. Now the file names the schema's
// names: those Atlas resolves load back as they were, the others are
// refused at the reference, with the name as the server has it.
func TestMarshalWritesReferencesToTheNames(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"a${b}", ""},
		{"a%{b}", ""},
		{"a b", ""},
		{`a"b`, `names the table "a\"b", whose name holds a double quote`},
		{`a\b`, `names the table "a\\b", whose name holds a backslash`},
		{"a\u00a0b", `names the table "a\u00a0b", whose name holds U+00A0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := schema.NewIntColumn("id", "int")
			parent := schema.NewTable(tc.name).AddColumns(id)
			parent.SetPrimaryKey(schema.NewPrimaryKey(id))
			pid := schema.NewIntColumn(tc.name, "int")
			child := schema.NewTable("child").AddColumns(pid)
			child.AddIndexes(schema.NewIndex("ix").AddColumns(pid))
			child.AddForeignKeys(schema.NewForeignKey("fk").AddColumns(pid).SetRefTable(parent).AddRefColumns(id))
			child.SetPrimaryKey(schema.NewPrimaryKey(pid))
			src, err := schemadef.Marshal(schema.New("app").AddTables(parent, child), mariadb, "")
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseRelease("pike", "pike.hcl", src, mariadb)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("%v\n%s", err, src)
			case tc.want == "":
				if got := describeKeys(r.Schema); got != want(tc.name) {
					t.Fatalf("got %s, want %s", got, want(tc.name))
				}
			case err == nil || !strings.Contains(err.Error(), tc.want):
				t.Fatalf("got %v, want it to contain %s\n%s", err, tc.want, src)
			}
		})
	}
}

func describeKeys(s *schema.Schema) string {
	child, ok := s.Table("child")
	if !ok {
		return "no table child"
	}
	var b strings.Builder
	for _, ix := range child.Indexes {
		fmt.Fprintf(&b, "index %q on %q; ", ix.Name, ix.Parts[0].C.Name)
	}
	for _, fk := range child.ForeignKeys {
		fmt.Fprintf(&b, "fk %q %q -> %q.%q", fk.Symbol, fk.Columns[0].Name, fk.RefTable.Name, fk.RefColumns[0].Name)
	}
	return b.String()
}

func want(n string) string {
	return fmt.Sprintf("index %q on %q; fk %q %q -> %q.%q", "ix", n, "fk", n, n, "id")
}

// A foreign key's ref_columns names the column of the table referenced.
func TestReferenceToAnotherTablesColumnNamesThatTable(t *testing.T) {
	src := "schema \"app\" {}\ntable \"parent\" {\n  schema = schema.app\n  column \"a\\\\b\" {\n    type = int\n  }\n  primary_key {\n    columns = [column[\"a\\\\b\"]]\n  }\n}\n" +
		"table \"child\" {\n  schema = schema.app\n  column \"p\" {\n    type = int\n  }\n  foreign_key \"fk\" {\n    columns     = [column.p]\n    ref_columns = [table.parent.column[\"a\\\\b\"]]\n  }\n}\n"
	_, err := ParseRelease("pike", "pike.hcl", []byte(src), mariadb)
	for _, want := range []string{`pike.hcl:8:22: this reference names the column "a\\b" of table parent`, `pike.hcl:18:39: this reference names the column "a\\b" of table parent`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want it to contain %s", err, want)
		}
	}
}

// A table's schema is a reference too: a schema block named with a double
// quote failed in Atlas with `r.hcl: schema "a\\\"b" not found for table
// "t"`, without the reference's position.
func TestAttack3S26SchemaReferenceAtlasCannotResolve(t *testing.T) {
	src := "schema \"a\\\"b\" {}\ntable \"t\" {\n  schema = schema[\"a\\\"b\"]\n  column \"id\" {\n    type = int\n  }\n}\n"
	_, err := ParseRelease("pike", "pike.hcl", []byte(src), mariadb)
	if want := `pike.hcl:3:18: this reference names the schema "a\"b", whose name holds a double quote: Atlas, which reads emcee's HCL, keeps such a name escaped in a reference and does not find the schema (a table's schema is a reference); rename the schema`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}
