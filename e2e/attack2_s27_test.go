package e2e

import (
	"strings"
	"testing"
)

// A table and a column made by hand under the names two's expand gives its
// own (a hotfix's table holding rows, a column of another type holding
// data): expand said two_expand01 creates or adds them and to drop them by
// hand, which drops the hotfix's rows and the column's values; the column's
// other type was not named.
func TestAttack2S27DriftOfATableOrColumnHoldingDataUnderThePendingName(t *testing.T) {
	t.Parallel()
	two := replaceOnce(attackS27App, `  primary_key {`, `  column "Note" {
    type = varchar(64)
    null = true
  }
  primary_key {`) + `
table "Hotfix" {
  schema = schema.app
  column "Id" {
    type = int
  }
  primary_key {
    columns = [column.Id]
  }
}
`
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", attackS27App}, [2]string{"two", two})
	p.must("db", "sync", "one")
	p.exec("INSERT INTO App (Region) VALUES ('eu'), ('us')")
	p.exec("CREATE TABLE Hotfix (Id int NOT NULL PRIMARY KEY)")
	p.exec("INSERT INTO Hotfix VALUES (1), (2)")
	p.exec("ALTER TABLE App ADD COLUMN Note int NULL")
	p.exec("UPDATE App SET Note = 7 WHERE Region = 'eu'")
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expand over a table and a column made by hand: %s", r)
	}
	opContains(t, r,
		"column Note of App is int NULL, not the varchar(64) two_expand01 adds under that name (plans/two/two_expand01.sql:",
		"table Hotfix holds rows, and two_expand01 creates it (plans/two/two_expand01.sql:5): rename it by hand (RENAME TABLE), or move the data out",
		"nothing was changed")
	if strings.Contains(r.Stdout+r.Stderr, "drop it by hand") {
		t.Fatalf("expand tells to drop a table and a column holding data:\n%s", r)
	}
	// Empty, of other columns: another table, to rename or drop.
	p.exec("DROP TABLE Hotfix")
	p.exec("CREATE TABLE Hotfix (Id int NOT NULL PRIMARY KEY, Reason text)")
	p.exec("UPDATE App SET Note = NULL")
	opContains(t, p.run("db", "expand"),
		"table Hotfix is of columns (Id, Reason), not the (Id) two_expand01 creates under that name (plans/two/two_expand01.sql:5); rename it by hand (RENAME TABLE), or drop it if nothing needs it",
		"column Note of App is int NULL, not the varchar(64) two_expand01 adds under that name (plans/two/two_expand01.sql:8); rename it by hand")
	// Empty and of the revision's definition, they are its change made
	// early: dropping them loses nothing.
	p.exec("DROP TABLE Hotfix")
	p.exec("CREATE TABLE Hotfix (Id int NOT NULL PRIMARY KEY)")
	p.exec("ALTER TABLE App DROP COLUMN Note")
	p.exec("ALTER TABLE App ADD COLUMN Note varchar(64) NULL")
	opContains(t, p.run("db", "expand"), "column Note of App: two_expand01 adds it", "table Hotfix: two_expand01 creates it", "drop it by hand")
}

// --critical-load reached while db sync (or db migrate) rewrote rows the
// previous release wrote after migrate: the stop lost its kind on the way
// (exit 1, not 8), and sync said to rerun `emcee db migrate`, twice, which
// catches up one release and sends the operator to its contract, where
// sync goes on to the release it was given.
func TestAttack2S27CriticalLoadDuringTheCatchUp(t *testing.T) {
	t.Parallel()
	p := migratedThenWrittenProject(t, "(1, 5)", "(2, 7)")
	// Uptime is always at or over 1: the load is critical from the start.
	r := p.run("db", "sync", "two", "--critical-load", "Uptime=1")
	if r.Code != 8 {
		t.Fatalf("sync stopped by --critical-load in its catch-up: want exit 8 (resumable): %s", r)
	}
	opContains(t, r, "rerun `emcee db sync two --critical-load Uptime=1 --env test` once the load is down")
	if strings.Contains(r.Stdout+r.Stderr, "emcee db migrate") {
		t.Fatalf("sync sends the operator to db migrate:\n%s", r)
	}
	if r := p.run("db", "migrate", "--critical-load", "Uptime=1"); r.Code != 8 {
		t.Fatalf("migrate stopped by --critical-load in its catch-up: want exit 8 (resumable): %s", r)
	}
	opContains(t, p.must("db", "sync", "two"), "two_contract01 applied")
	if got := p.query("SELECT GROUP_CONCAT(Id, '=', MsgCountRoot ORDER BY Id) FROM ChannelMembers"); got != "1=5,2=7" {
		t.Fatalf("rows after sync: %s", got)
	}
}

// db sync resuming a contract a run was killed in, after the contract
// dropped what the release's data migration reads (T.Old): sync reran the
// migrate's backfills first, as for a contract not begun, and their count
// of pending rows failed (1054 Unknown column 'Old') at every rerun; the
// contract's gates, passed before anything was dropped, are what a resumed
// contract rechecks.
func TestAttack2S27SyncResumingAContractPastWhatItsMigrateReads(t *testing.T) {
	t.Parallel()
	one := `schema "app" {}

table "T" {
  schema = schema.app
  column "Id" {
    type = int
  }
  column "Old" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.Id]
  }
}

table "W" {
  schema = schema.app
  column "Id" {
    type = int
  }
  column "X" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.Id]
  }
  index "ix_x" {
    columns = [column.X]
  }
}

table "Z" {
  schema = schema.app
  column "Id" {
    type = int
  }
  primary_key {
    columns = [column.Id]
  }
}
`
	two := replaceOnce(replaceOnce(replaceOnce(one, `
table "Z" {
  schema = schema.app
  column "Id" {
    type = int
  }
  primary_key {
    columns = [column.Id]
  }
}
`, ""), `  column "Old" {
    type = int
    null = true
  }`, `  column "New" {
    type = int
    null = true
  }`), `  index "ix_x" {
    columns = [column.X]
  }
`, ``) + `
data_migration "new" {
  table   = "T"
  set     = "New = Old"
  pending = "New IS NULL AND Old IS NOT NULL"
}

discard {
  table  = "T"
  column = "Old"
}

discard {
  table = "Z"
}
`
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two})
	p.must("db", "sync", "one")
	p.exec("INSERT INTO T (Id, Old) VALUES (1, 5)")
	p.must("db", "expand")
	p.must("db", "migrate")
	// Killed at contract's last statement, after T.Old was dropped.
	release := p.holdMDL("Z")
	p.killWhileWaiting("DROP TABLE `Z`", true, "db", "contract")
	release()
	opContains(t, p.must("db", "sync"), "resuming two_contract01 at statement 4 of 4", "two_contract01 applied")
	if got := p.query("SELECT GROUP_CONCAT(Id, '=', New) FROM T"); got != "1=5" {
		t.Fatalf("rows after sync: %s", got)
	}
}
