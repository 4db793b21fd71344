package e2e

import (
	"strings"
	"testing"
)

// attackS27App is a release one whose App rows a release two gives
// columns that a data migration sets.
const attackS27App = `schema "app" {}

table "App" {
  schema = schema.app
  column "Id" {
    type           = int
    unsigned       = true
    auto_increment = true
  }
  column "Region" {
    type = varchar(8)
  }
  column "IsDeleted" {
    type    = bool
    default = false
  }
  primary_key {
    columns = [column.Id]
  }
}
`

// A data migration whose assignments each test their own column (CASE
// WHEN ... ELSE col END) and whose pending predicate keeps it to some
// rows: rollback counted a value of a row the predicate does not select
// as one migrate writes again, and dropped it without a word (exit 0):
// the later migrate leaves the column at its default there.
func TestAttackS27RollbackRefillOutsideTheDataMigrationsRows(t *testing.T) {
	t.Parallel()
	two := replaceOnce(attackS27App, `  primary_key {`, `  column "A" {
    type    = int
    default = 0
  }
  column "B" {
    type    = int
    default = 0
  }
  primary_key {`) + `
data_migration "ab" {
  table   = "App"
  set     = "A = CASE WHEN A = 0 THEN 5 ELSE A END, B = CASE WHEN B = 0 THEN 6 ELSE B END"
  pending = "Region = 'eu' AND (A = 0 OR B = 0)"
}
`
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", attackS27App}, [2]string{"two", two})
	p.must("db", "sync", "one")
	p.exec("INSERT INTO App (Region) VALUES ('eu'), ('us')")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.exec("UPDATE App SET A = 5 WHERE Region = 'us'") // two's code writes 5 where migrate did not
	r := p.run("db", "rollback")
	if r.Code == 0 {
		t.Fatalf("rollback dropped a value only two wrote:\n%s", r)
	}
	// Every value the CASEs wrote counts (which of them the WHERE wrote
	// is not told from the statement): more, never less.
	opContains(t, r, "column App.A: 2 row(s) hold a value only the new release wrote")
}

// A data migration writing the day it ran: rollback on that day counted
// the values as ones a later migrate writes again, though that migrate
// writes the day it runs; a value depending on when, where or how often
// it is computed is no value written again.
func TestAttackS27RollbackRefillOfTheCurrentDate(t *testing.T) {
	t.Parallel()
	two := replaceOnce(attackS27App, `  primary_key {`, `  column "DeletedOn" {
    type = date
    null = true
  }
  primary_key {`) + `
data_migration "deleted_on" {
  table   = "App"
  set     = "DeletedOn = UTC_DATE()"
  pending = "IsDeleted = 1 AND DeletedOn IS NULL"
}
`
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", attackS27App}, [2]string{"two", two})
	p.must("db", "sync", "one")
	p.exec("INSERT INTO App (Region, IsDeleted) VALUES ('eu', 1), ('us', 0)")
	p.must("db", "expand")
	p.must("db", "migrate")
	r := p.run("db", "rollback")
	if r.Code == 0 {
		t.Fatalf("rollback dropped the day migrate ran, which a later migrate does not write again:\n%s", r)
	}
	opContains(t, r, "column App.DeletedOn: 1 row(s) hold a value only the new release wrote")
}

// An operator's own index named like the one expand creates, on another
// column: expand said two_expand01 creates it and to drop it by hand, an
// index that is not the revision's (a hotfix's, which queries may need),
// as if it were the revision's change run early.
func TestAttackS27DriftOfAnotherIndexUnderThePendingName(t *testing.T) {
	t.Parallel()
	one := `schema "app" {}

table "Rule" {
  schema = schema.app
  column "Id" {
    type = int
  }
  column "ReleaseId" {
    type = int
  }
  column "AppId" {
    type = varchar(64)
  }
  primary_key {
    columns = [column.Id]
  }
}
`
	two := replaceOnce(one, `  primary_key {`, `  index "IX_Rule" {
    columns = [column.ReleaseId]
  }
  primary_key {`)
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two})
	p.must("db", "sync", "one")
	p.exec("CREATE INDEX `IX_Rule` ON `Rule` (`AppId`)")
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expand over another index of the name: %s", r)
	}
	opContains(t, r, "index IX_Rule of Rule is (AppId), not the (ReleaseId) two_expand01 creates under that name (plans/two/two_expand01.sql:", "nothing was changed")
	if strings.Contains(r.Stdout+r.Stderr, "drop it by hand") {
		t.Fatalf("expand tells to drop an index that is not the revision's:\n%s", r)
	}
	// The same index made early by hand is the revision's change.
	p.exec("DROP INDEX `IX_Rule` ON `Rule`")
	p.exec("CREATE INDEX `IX_Rule` ON `Rule` (`ReleaseId`)")
	opContains(t, p.run("db", "expand"), "two_expand01 creates it (plans/two/two_expand01.sql:", "drop it by hand")
}

// Procedures copying every column of t by position, written with a
// comment where the SELECT * reader looked for blanks (SELECT /* ... */ *,
// INSERT/**/INTO, SELECT -- ...): expand added the column unseen, and each
// call failed from then on (error 1136), the previous release still
// running.
func TestAttackS27SelectStarBehindAComment(t *testing.T) {
	t.Parallel()
	tables := "CREATE TABLE t_archive (id int NOT NULL PRIMARY KEY, name varchar(20) NULL);\n"
	p := sqlReleasesProject(t,
		[2]string{"a", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(20) NULL);\n" + tables},
		[2]string{"b", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(20) NULL, extra int NULL);\n" + tables})
	p.must("plan")
	p.must("db", "sync", "a")
	broken := map[string]string{
		"block": "BEGIN INSERT INTO t_archive SELECT /* every column */ * FROM t WHERE id > 100; END",
		"glued": "BEGIN INSERT/**/INTO t_archive SELECT * FROM t WHERE id > 100; END",
		"line":  "BEGIN INSERT INTO t_archive SELECT -- every column\n * FROM t WHERE id > 100; END",
		"hash":  "BEGIN DECLARE a INT; DECLARE b VARCHAR(20); DECLARE c CURSOR FOR SELECT # all\n * FROM t; OPEN c; FETCH c INTO a, b; CLOSE c; END",
	}
	for name, body := range broken {
		p.exec("CREATE PROCEDURE " + name + "() " + body)
	}
	// A comment's text is no code: not counted.
	p.exec("CREATE PROCEDURE shows() BEGIN /* INSERT INTO t_archive */ SELECT * FROM t WHERE id > 0; END")
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expand adding a column routines copy by position: want the refusal: %s", r)
	}
	for name := range broken {
		opContains(t, r, "adds t.extra, and procedure "+name+" ")
	}
	if strings.Contains(r.Stdout+r.Stderr, "procedure shows ") {
		t.Fatalf("shows sends t's rows to the client: %s", r)
	}
}

// `db sync two` (an offline upgrade to two, whose code is what will run)
// stopped by data at two's contract said to rerun `emcee db sync`, which
// syncs through the latest release, three, whose code is not deployed.
func TestAttackS27SyncToAReleaseBlockedByDataRerunsToIt(t *testing.T) {
	t.Parallel()
	p := blockedByDataProject(t)
	r := p.run("db", "sync", "two")
	if r.Code != 7 {
		t.Fatalf("sync two over a row two's contract would cut: %s", r)
	}
	opContains(t, r, "contract blocked by data", "then rerun `emcee db sync two --env test`")
	p.exec("UPDATE App SET AppId = 'app-2' WHERE Id = 2")
	p.must("db", "sync", "two")
	if v := p.version(); v != "two_expand01, two_contract01" {
		t.Fatalf("version after the rerun sync: %s", v)
	}
}

// Two data migrations of the release set one column, merged into one
// pass: a fill where NULL, then IFNULL(C, 7) in the rows of one region.
// Rollback read the pass's last assignment of C alone, for which a row
// two's code wrote 7 into (its Flag still 0) is written again, though a
// later migrate writes 0 there: the fill runs first, and IFNULL keeps it.
func TestAttackS27RollbackRefillOfAColumnTwoBackfillsSet(t *testing.T) {
	t.Parallel()
	one := replaceOnce(attackS27App, `  primary_key {`, `  column "Flag" {
    type    = int
    default = 0
  }
  primary_key {`)
	two := replaceOnce(one, `  primary_key {`, `  column "C" {
    type = int
    null = true
  }
  primary_key {`) + `
data_migration "fill" {
  table   = "App"
  set     = "C = 0"
  pending = "C IS NULL"
}

data_migration "eu" {
  table   = "App"
  set     = "C = IFNULL(C, 7), Flag = 1"
  pending = "Region = 'eu' AND Flag = 0"
}
`
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two})
	p.must("db", "sync", "one")
	p.exec("INSERT INTO App (Region) VALUES ('eu'), ('us')")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.exec("INSERT INTO App (Region, C) VALUES ('eu', 7)") // two's code
	r := p.run("db", "rollback")
	if r.Code == 0 {
		t.Fatalf("rollback dropped a value a later migrate does not write again:\n%s", r)
	}
	// Only two's row: the backfills run one after the other leave 0 in
	// the other two (the fill, then IFNULL keeping it), and would write 0
	// over its 7 (sqlsyntax.Refills; every value was counted before).
	opContains(t, r, "column App.C: 1 row(s) hold a value only the new release wrote")
}
