package e2e

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/internal/testserver"
)

// A table without a primary key had a column's lost values put back by
// an UPDATE finding each row by its other columns: once the previous
// release, serving again after the rollback, changed one of them (a tag
// renamed), that row's UPDATE matched nothing, and the restore exited 0
// with its value gone; rows alike in every other column got each other's
// values. Such a column gets no commands now, and the refusal says why.
func TestAttackKeylessColumnRestoreMissesNoRowSilently(t *testing.T) {
	t.Parallel()
	a := `schema "app" {}

table "tags" {
  schema = schema.app
  column "image" {
    type = varchar(64)
  }
  column "tag" {
    type = varchar(64)
  }
}
`
	b := strings.Replace(a, "  column \"tag\" {", "  column \"colour\" {\n    type = varchar(16)\n    null = true\n  }\n  column \"tag\" {", 1)
	p := plannedProjectOn(t, testdb.New(t), "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO tags (image, tag, colour) VALUES ('img-1', 'new', 'red'), ('img-2', 'new', 'blue')")
	r := p.run("db", "rollback")
	if r.Code != 1 {
		t.Fatalf("rollback: want the refusal: %s", r)
	}
	if strings.Contains(r.Stderr, "--execute=") {
		// The commands given must put every value back, or fail.
		losses := refusedLosses(t, p)
		dir := t.TempDir()
		shellIn(t, dir, losses[0].Save)
		p.must("db", "rollback", "--drop-new-data")
		p.exec("UPDATE tags SET tag = 'renamed' WHERE image = 'img-1'")
		p.must("db", "expand")
		cmd := exec.Command("sh", "-c", losses[0].Restore)
		cmd.Dir = dir
		r := opRunCmd(t, cmd)
		if got := p.query("SELECT COUNT(*) FROM tags WHERE colour IS NOT NULL"); got != "2" && r.Code == 0 {
			t.Fatalf("the restore put back %s of 2 values and exited 0: %s", got, r)
		}
		return
	}
	opContains(t, r, "column tags.colour: 2 row(s)", "no command to copy out tags.colour: table tags has no primary key", "ways out")
}

// A table a rollback drops was copied out by the dump tool, which writes
// the values of its generated columns too; a strict restore refuses them
// (MariaDB's error 1906), so a table with one was put back in a sql_mode
// that was not strict: once the release was rewritten with a shorter
// column and expanded again, 'a name longer than ten' went back as 'a
// name lon', the restore exiting 0. The copy-out names the columns it
// writes, the generated ones left out, and the restore is strict.
func TestAttackTableRestoreOfGeneratedColumnsIsStrict(t *testing.T) {
	t.Parallel()
	a := keyTable("int")
	b := a + `
table "extra" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "name" {
    type = varchar(100)
  }
  column "shout" {
    type = varchar(200)
    null = true
    as {
      expr = "UPPER(` + "`name`" + `)"
      type = PERSISTENT
    }
  }
  primary_key {
    columns = [column.id]
  }
}
`
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO extra (id, name) VALUES (1, 'a name longer than ten'), (2, 'short')")
	restoreIntoAShorterColumn(t, p, b, "extra", "name")
}

// A backfill run as one UPDATE checked the throttles once, before its
// first attempt: a deadlock or lock wait timeout tried the whole UPDATE
// again seconds later without looking again, so a server that crossed
// --critical-load meanwhile (here the first attempt's own lock wait, on a
// private server where nothing else waits) got the whole table rewritten.
// They are checked before every attempt now.
func TestAttackOneUpdateBackfillChecksThrottlesBeforeARetry(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	a := strings.Replace(keyTable("int"), "columns = [column.id]", "columns = [column.id, column.name]", 1)
	a = strings.Replace(a, "type = varchar(20)\n    null = true", "type = varchar(20)\n    null = false", 1)
	b := strings.Replace(a, "  primary_key {", "  column \"upper_name\" {\n    type = varchar(20)\n    null = false\n    fill = \"UPPER(name)\"\n  }\n  primary_key {", 1)
	db := *srv.NewDB(t)
	db.URL += "?lock_wait_timeout=1"
	p := plannedProjectOn(t, &db, "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id, name) SELECT seq, 'n' FROM seq_1_to_20")
	p.must("db", "expand")
	holder, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.Exec("SELECT * FROM t WHERE id = 1 FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	run := p.start("db", "migrate", "--critical-load", "Innodb_row_lock_waits=1")
	p.waitFor("the UPDATE's first lock wait timeout, or migrate to end", func() bool {
		return exited(run.cmd) || strings.Contains(run.out.String(), "retry 1 of")
	})
	holder.Rollback()
	r := run.wait(t)
	if got := p.query("SELECT COUNT(*) FROM t WHERE upper_name = 'N'"); got != "0" {
		t.Fatalf("migrate --critical-load Innodb_row_lock_waits=1 retried the one UPDATE past it, %s rows backfilled: %s", got, r)
	}
	opContains(t, r, "retry 1 of", "stopped by --critical-load: Innodb_row_lock_waits is 1 (limit 1), before the backfill's one UPDATE")
}

// A contract whose run stopped after pt-online-schema-change had swapped
// in the table it altered (killed before it recorded so) was refused on
// the rerun "before it ran anything", the check of the tool's statements
// reading the table already altered: the shortening of a NO PAD key,
// which an emcee that handed such keys to the tool had run. The rerun
// finds first that the tool had finished, and counts the statement.
func TestAttackOSCResumeAfterTheSwapIsNotRefusedAsUnrun(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	a := padKeyTable()
	b := strings.Replace(a, "type = varchar(40)", "type = varchar(20)\n    allow_copy = true", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.exec("ALTER DATABASE " + p.query("SELECT DATABASE()") + " CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id, code) VALUES (1, 'k1'), (2, 'k2')")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	n := p.query("SELECT total FROM emcee_revisions WHERE name = 'b_contract01'")
	// What the record held between the tool's swap and its record.
	p.exec(`UPDATE emcee_revisions SET applied = ` + n + ` - 1, in_flight = 1, finished_at = NULL, osc = '{"running":{"statement":` + n + `,"tool":"pt-online-schema-change 3.2.1","table":"t"}}' WHERE name = 'b_contract01'`)
	// Had the tool not finished, the statement is checked before it
	// goes to the tool again.
	p.exec("ALTER TABLE t MODIFY code varchar(40) NOT NULL")
	r := p.run("db", "contract", "--osc", "pt-osc")
	if r.Code != 1 {
		t.Fatalf("rerun handed a NO PAD key's shortening to the tool: %s", r)
	}
	opContains(t, r, "b_contract01 stopped, statement "+n+" not handed to pt-online-schema-change 3.2.1 again", "a column of unique key `u_code`")
	p.exec("ALTER TABLE t MODIFY code varchar(20) NOT NULL")
	r = p.run("db", "contract", "--osc", "pt-osc")
	if r.Code != 0 {
		t.Fatalf("rerun after the tool had swapped the tables: %s", r)
	}
	opContains(t, r, "had swapped in the altered table before the run stopped: counted as applied", "b_contract01 applied")
}
