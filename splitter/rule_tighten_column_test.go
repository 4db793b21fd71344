package splitter

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/revision"
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

// A NOT NULL column losing its default (MantisBT 1.2.0a1: possible_values
// VARCHAR(255) DEFAULT "" -> TEXT) is tightened in contract, no gate: the
// reason says the default goes, where it said the column "takes its
// declared order of values" and "needs a table copy" of an instant ALTER.
func TestTightenWhyOfADroppedDefault(t *testing.T) {
	const table = "table \"images\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"note\" {\n    type = %s\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	for _, tc := range []struct {
		name, before, after string
		has, lacks          string
	}{
		{"default dropped", "varchar(60)\n    default = \"\"", "varchar(60)",
			"images.note loses its default (default): the previous release's INSERTs that leave the column out would fail, so it comes after that release; no stored value changes, so no gate counts rows; metadata only", "order of values"},
		{"enum values reordered", "enum(\"a\", \"b\")", "enum(\"b\", \"a\")\n    allow_copy = true",
			"images.note takes its declared order of values (type)", "loses its default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, ctx := tcTransition(t, mariadb1011, fmt.Sprintf(table, tc.before), fmt.Sprintf(table, tc.after))
			ph, err := Split(tr, mariadb1011, ctx.drv)
			if err != nil {
				t.Fatal(err)
			}
			c := ph[revision.Contract]
			if len(c) != 1 || !strings.Contains(c[0].Why, tc.has) || strings.Contains(c[0].Why, tc.lacks) {
				t.Errorf("contract: %+v\nwant a reason with %q, without %q", c, tc.has, tc.lacks)
			}
		})
	}
}

// Nextcloud 16's collres_accesscache.access, smallint -> boolean, its rows
// out of range deleted by a data_migration of the release: the delete runs
// in contract first after the gates, so the tightening's gate leaves its
// rows out, as the duplicate and orphan gates do, and so does a new
// check's. They counted them, and contract stayed shut over rows it was
// about to delete.
func TestGatesLeaveOutDeletedRows(t *testing.T) {
	const table = "table \"cache\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"access\" {\n    type = %s\n  }\n  primary_key {\n    columns = [column.id]\n  }\n%s}\n"
	const stale = "data_migration \"stale\" {\n  table  = \"cache\"\n  delete = \"access NOT IN (0, 1)\"\n}\n"
	for _, tc := range []struct{ name, after, gate string }{
		{"tightening", fmt.Sprintf(table, "bool\n    allow_copy = true", ""),
			"SELECT COUNT(*) FROM `cache` WHERE (`access` NOT BETWEEN -128 AND 127) AND (`access` NOT IN (0,1)) IS NOT TRUE"},
		{"check", fmt.Sprintf(table, "smallint\n    allow_copy = true", "  check \"ck_access\" {\n    expr = \"access < 2\"\n  }\n"),
			"SELECT COUNT(*) FROM `cache` WHERE NOT (`access` < 2) AND (`access` NOT IN (0,1)) IS NOT TRUE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, ctx := tcTransition(t, mariadb1011, fmt.Sprintf(table, "smallint", ""), tc.after+stale)
			ph, err := Split(tr, mariadb1011, ctx.drv)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range ph[revision.Contract] {
				if s.Kind == revision.Gate && s.SQL == tc.gate {
					return
				}
			}
			t.Errorf("contract: %+v\nwant the gate %s", ph[revision.Contract], tc.gate)
		})
	}
}
