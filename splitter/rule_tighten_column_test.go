package splitter

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/diff"
)

// On MySQL 8.0 a VARCHAR with a default tightened to a TEXT without one is
// refused. Declared as SQL, the refusal said to keep "`default = ...` on
// the column", HCL that neither the SQL file nor its declarations file
// takes; it names the CREATE TABLE's DEFAULT, as refusal.go does.
func TestTightenToTextOnMySQL80AdviceOfASQLRelease(t *testing.T) {
	const table = `table "images" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "note" {
    %s
  }
  primary_key {
    columns = [column.id]
  }
}
`
	before := diff.Source{Release: "before", File: "before.hcl", Src: []byte("schema \"app\" {}\n" + strings.Replace(table, "%s", "type    = varchar(60)\n    default = \"\"", 1))}
	after := diff.FromSQL(diff.SQLFiles{Release: "after", File: "schema/after.sql", SQL: []byte("-- the tables"), DeclFile: "schema/after.emcee.hcl",
		Decl: []byte("table \"images\" {\n  column \"note\" {\n    allow_copy = true\n  }\n}\n")},
		[]byte("schema \"app\" {}\n"+strings.Replace(table, "%s", "type = text", 1)), map[string]diff.Pos{"images": {Line: 1, Col: 1}, "images.note": {Line: 3, Col: 3}})
	_, err := Transition(mysql80, Sources{Prev: &before, To: after})
	if err == nil {
		t.Fatal("VARCHAR with a default -> TEXT without one planned on mysql 8.0")
	}
	for _, want := range []string{"schema/after.sql:3:3: images.note: the previous release's INSERTs leave the column to its default, which MySQL 8.0 does not take on a text column",
		"Keep a default (a DEFAULT on the column in its CREATE TABLE in schema/after.sql), or add a new column that `replaces` it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal:\n%s\nwant: %s", err, want)
		}
	}
}
