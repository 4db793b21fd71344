package e2e

import (
	"testing"
)

// A table that stops declaring its collation (or charset) goes back to the
// database's default, as schemadef.Effective reads the new release: Atlas
// cannot write a DROP of a table option and, the schema block declaring
// none, planned no change at all (mysql diff.collationChange), so the
// table and its columns kept the old collation under a snapshot saying
// otherwise.
func TestAttack3S25TableDropsItsCollation(t *testing.T) {
	t.Parallel()
	for _, c := range [][2]string{
		{`collate = "utf8mb4_bin"`, ""},
		{`charset = "utf8mb3"`, ""},
		{"charset = \"utf8mb4\"\n  collate = \"utf8mb4_bin\"", `charset = "utf8mb4"`},
	} {
		attr, after := c[0], c[1]
		t.Run(attr, func(t *testing.T) {
			table := func(attr string) string {
				return `
table "notes" {
  schema = schema.app
  ` + attr + `
  column "id" {
    type = int
  }
  column "body" {
    type = varchar(20)
  }
  primary_key {
    columns = [column.id]
  }
}
`
			}
			ruleCase{
				before: table(attr),
				after:  table(after),
				rules:  []string{"convert-charset"},
				seed:   []string{"INSERT INTO notes VALUES (1, 'a')"},
				checks: map[string]string{
					"SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'notes' AND COLUMN_NAME = 'body'": "utf8mb4_general_ci",
					"SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'notes'":                          "utf8mb4_general_ci",
				},
			}.run(t)
		})
	}
}

// A column that declares its charset (or collation) gets it on the server
// whatever the database's default: Atlas leaves out a column's CHARSET and
// COLLATE equal to the server's (utf8mb4, utf8mb4_general_ci offline), so
// in a table declaring none, in a database created latin1 (an old
// WordPress install), `charset = "utf8mb4"` was created latin1: the emoji
// the release stores were refused, and the drift check, building the
// snapshot in a dev database like the live one, saw nothing. (title
// declares the database's latin1: a column taking the default would make
// the plans' default matter, and the applier refuse the database.)
func TestAttack3S25ColumnCharsetInALatin1Database(t *testing.T) {
	t.Parallel()
	table := func(attr string) string {
		return `
table "notes" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "title" {
    type    = varchar(20)
    charset = "latin1"
  }
  column "body" {
    type = varchar(20)
    ` + attr + `
  }
  primary_key {
    columns = [column.id]
  }
}
`
	}
	for _, attr := range []string{`charset = "utf8mb4"`, `collate = "utf8mb4_general_ci"`, "charset = \"utf8mb4\"\n    collate = \"utf8mb4_general_ci\""} {
		t.Run(attr, func(t *testing.T) {
			other := `
table "other" {
  schema = schema.app
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
`
			r := newRuleProject(t, other, other+table(attr))
			execAll(t, r.db.DB, "the operator's database", []string{"ALTER DATABASE " + r.db.Name + " CHARACTER SET latin1 COLLATE latin1_swedish_ci"})
			r.must("before")
			r.must("expand")
			r.must("migrate")
			r.must("contract")
			if got := rows(t, r.db.DB, "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'notes' AND COLUMN_NAME = 'body'"); got != "utf8mb4_general_ci" {
				t.Errorf("notes.body, declared %s, is %s", attr, got)
			}
			execAll(t, r.db.DB, "the new release", []string{"INSERT INTO notes VALUES (1, 'a', '\U0001F600')"})
		})
	}
}

// Rows of a self-referencing table that reference each other in a ring
// (1 -> 2 -> 1), which the foreign key allows, written with its checks on
// (a row added, then its parent changed): no chain from a root reaches
// them, so the copy-out wrote them last, each before its parent, and the
// restore stopped at the first of them (error 1452), whatever the order.
func TestAttack3S25SelfReferencingRingRestore(t *testing.T) {
	t.Parallel()
	const node = "CREATE TABLE node (id int NOT NULL PRIMARY KEY, up int NOT NULL, name varchar(20) NOT NULL, KEY ix_up (up),\n" +
		"  CONSTRAINT fk_up FOREIGN KEY (up) REFERENCES node (id));\n"
	p := sqlReleasesProject(t, [2]string{"a", hostileKeep}, [2]string{"b", hostileKeep + node})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO node VALUES (1, 1, 'one'), (2, 1, 'two'), (3, 2, 'three')")
	p.exec("UPDATE node SET up = 2 WHERE id = 1")
	before := p.query("SELECT * FROM node ORDER BY id")
	losses, dir := copyOutAndRollBack(t, p)
	if len(losses) != 1 {
		t.Fatalf("losses: %+v", losses)
	}
	p.must("db", "expand")
	shellIn(t, dir, losses[0].Restore)
	if after := p.query("SELECT * FROM node ORDER BY id"); after != before {
		t.Fatalf("restored:\n%s\nwant:\n%s", after, before)
	}
}

// A column of a table declaring its collation starts or stops declaring a
// charset alone (its default collation, not the table's): the column
// moves between the two collations, and ends as Effective says.
func TestAttack3S25ColumnCharsetAloneInACollatedTable(t *testing.T) {
	t.Parallel()
	table := func(attr string) string {
		return `
table "logins" {
  schema  = schema.app
  collate = "utf8mb4_bin"
  column "id" {
    type = int
  }
  column "email" {
    type = varchar(40)
    ` + attr + `
  }
  primary_key {
    columns = [column.id]
  }
}
`
	}
	query := "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'logins' AND COLUMN_NAME = 'email'"
	for _, c := range [][3]string{{"", `charset = "utf8mb4"`, "utf8mb4_general_ci"}, {`charset = "utf8mb4"`, "", "utf8mb4_bin"}} {
		t.Run(c[0]+" -> "+c[1], func(t *testing.T) {
			ruleCase{
				before: table(c[0]),
				after:  table(c[1]),
				rules:  []string{"convert-charset"},
				seed:   []string{"INSERT INTO logins VALUES (1, 'a')"},
				checks: map[string]string{query: c[2]},
			}.run(t)
		})
	}
}
