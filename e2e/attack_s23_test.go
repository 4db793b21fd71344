package e2e

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testserver"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A backfill of a table without a single-column primary key runs as one
// UPDATE. It ignored --max-rows (all 20 rows written under --max-rows 5)
// and the throttles (written under --critical-load Threads_connected=1,
// which emcee's own connection reaches): the operator who limits a run to
// a chunk, or stops it on load, got the whole table rewritten at once.
// The UPDATE still computes in the application's time zone (the count
// before it once set the session back to emcee's own).
func TestAttackOneUpdateBackfillHonoursMaxRowsAndLoad(t *testing.T) {
	t.Parallel()
	a := strings.Replace(keyTable("int"), "columns = [column.id]", "columns = [column.id, column.name]", 1)
	a = strings.Replace(a, "type = varchar(20)\n    null = true", "type = varchar(20)\n    null = false", 1)
	b := strings.Replace(a, "  primary_key {", "  column \"upper_name\" {\n    type = varchar(20)\n    null = false\n    fill = \"CONCAT(UPPER(name), DATE_FORMAT(FROM_UNIXTIME(0), '%H'))\"\n  }\n  primary_key {", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	cfg := p.read("atlas.hcl")
	opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(strings.Replace(cfg, "emcee {\n", "emcee {\n  app_time_zone = \"+05:00\"\n", 1)))
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id, name) SELECT seq, 'n' FROM seq_1_to_20")
	p.must("db", "expand")
	filled := func() string { return p.query("SELECT COUNT(*) FROM t WHERE upper_name IS NOT NULL") }
	r := p.run("db", "migrate", "--max-rows", "5")
	if got := filled(); got != "0" {
		t.Fatalf("migrate --max-rows 5 backfilled %s rows in one UPDATE: %s", got, r)
	}
	opContains(t, r, "stopped by --max-rows", "one UPDATE", "20 pending rows", "--max-rows 20 or more")
	r = p.run("db", "migrate", "--critical-load", "Threads_connected=1")
	if got := filled(); got != "0" {
		t.Fatalf("migrate --critical-load Threads_connected=1 backfilled %s rows: %s", got, r)
	}
	opContains(t, r, "stopped by --critical-load")
	p.must("db", "migrate", "--max-rows", "20")
	if got := p.query("SELECT COUNT(*) FROM t WHERE upper_name = 'N05'"); got != "20" {
		t.Fatalf("migrate --max-rows 20: %s of 20 rows backfilled in the application's zone (+05:00): %s", got, p.query("SELECT DISTINCT upper_name FROM t"))
	}
}

// With binlog_format = STATEMENT the server logs the application's INSERT,
// and each replica runs it again, its triggers too: a fill trigger calling
// UUID() (a column of tokens) wrote other tokens on every replica than on
// the primary (a primary and a replica started by hand: same RAND(), other
// UUID() and SYSDATE()), with only a warning (1592) the application never
// reads. The backfill is refused at migrate (TestAttackBackfillUnsafeFor-
// StatementBinlog), but expand had created the trigger by then. Expand
// refuses it now, before it changes anything.
func TestAttackUnsafeTriggerForStatementBinlog(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{LogBin: true, Args: []string{"--binlog-format=STATEMENT"}})
	a := keyTable("int")
	b := strings.Replace(a, "  primary_key {", "  column \"token\" {\n    type = char(36)\n    null = false\n    fill = \"UUID()\"\n  }\n  primary_key {", 1)
	p := plannedProjectOn(t, srv.NewDB(t), "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	r := p.run("db", "expand")
	if r.Code == 0 {
		t.Fatalf("expand created a trigger writing UUID()s every replica computes anew: %s", r)
	}
	opContains(t, r, "binlog_format = STATEMENT", "trigger emcee_t_b_", "plans/b/b_expand01.sql:", "binlog_format = MIXED or ROW", "nothing was changed")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"); got != "0" {
		t.Errorf("%s triggers created", got)
	}
	// Under MIXED the server logs such a statement as the rows it wrote.
	p.exec("SET GLOBAL binlog_format = 'MIXED'")
	p.must("db", "expand")
}

// The application's own triggers on a table fire for every row a backfill
// writes: an audit trigger logs each, a trigger stamping updated_at with
// NOW() stamps every row with the time of the migrate. emcee cannot run
// an UPDATE without them; migrate said nothing of it. It names them now,
// before the backfill's first row, and so does its --dry-run.
func TestAttackBackfillNamesApplicationTriggers(t *testing.T) {
	t.Parallel()
	a := keyTable("int")
	b := strings.Replace(a, "  primary_key {", "  column \"upper_name\" {\n    type = varchar(20)\n    null = false\n    fill = \"COALESCE(UPPER(name), '')\"\n  }\n  primary_key {", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("CREATE TABLE audit (id int, at datetime(6))")
	p.exec("CREATE TRIGGER app_audit AFTER UPDATE ON t FOR EACH ROW INSERT INTO audit VALUES (NEW.id, NOW(6))")
	p.exec("INSERT INTO t (id, name) SELECT seq, 'n' FROM seq_1_to_20")
	p.must("db", "expand", "--allow-drift")
	// The dry run says so too, as a comment of the script it prints.
	opContains(t, p.must("db", "migrate", "--allow-drift", "--dry-run"), "-- note: the backfill updates each pending row of `t`, and so fires for each the UPDATE triggers of the table that emcee did not create: `app_audit`")
	r := p.must("db", "migrate", "--allow-drift")
	if got := p.query("SELECT COUNT(*) FROM audit"); got != "20" {
		t.Fatalf("audit rows: %s", got)
	}
	opContains(t, r, "fires for each the UPDATE triggers of the table that emcee did not create: `app_audit`")
	if strings.Contains(r.Stdout, "`emcee_t_b_") {
		t.Errorf("emcee's own triggers named as the application's:\n%s", r)
	}
}

// A DECIMAL(10,3) column of a unique key tightened to DECIMAL(10,2) by
// pt-online-schema-change: the gate counted no row with a third decimal,
// then, while the tool copied, the application set one row's price to
// 1.004. The tool's trigger wrote it to the copy with REPLACE, rounded to
// 1.00 (a note, not an error, even in strict mode), and REPLACE deleted
// the copy's row that held 1.00: contract said applied, with 19,999 of
// 20,000 rows. The server's own copy blocks the write and fails it after.
// Such a tightening is refused to the tool before the revision runs.
func TestAttackOSCRoundedKeyTakesAnotherRowsPlace(t *testing.T) {
	t.Parallel()
	a := `schema "s" {}
table "t" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "price" {
    type = decimal(10,3)
  }
  primary_key {
    columns = [column.id]
  }
  index "u_price" {
    unique  = true
    columns = [column.price]
  }
}
`
	p, r := priceRoundedDuringOSCCopy(t, a)
	if r.Code == 0 {
		t.Fatalf("contract handed the tightening of a unique key to the tool: %s", r)
	}
	opContains(t, r, "b_contract01 refused before it ran anything", "tightens `t`.`price`, a column of unique key `u_price`", "run without --osc pt-osc")
	p.must("db", "contract")
	if got := p.query("SELECT COUNT(*) FROM t"); got != "20000" {
		t.Fatalf("%s of 20000 rows after contract", got)
	}
}

// A column's copy-out writes one UPDATE per row, built by the server with
// CONCAT, which returns NULL (a warning only) past max_allowed_packet: a
// 9 MB value (18 MB in hexadecimal, over MariaDB's 16 MB) was copied out
// as `SET body = NULL` and put back as NULL, both commands exiting 0, the
// value gone once the rollback had dropped the column. Such a column now
// gets no commands, and the refusal says why.
func TestAttackCopyOutOfAValueLongerThanAPacket(t *testing.T) {
	t.Parallel()
	a := keyTable("int")
	b := strings.Replace(a, "  primary_key {", "  column \"body\" {\n    type = longtext\n    null = true\n  }\n  primary_key {", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id) VALUES (1), (2)")
	p.must("db", "expand")
	p.exec("UPDATE t SET body = REPEAT('x', 9000000) WHERE id = 1")
	p.exec("UPDATE t SET body = 'short' WHERE id = 2")
	const state = "SELECT id, LENGTH(body), MD5(body) FROM t ORDER BY id"
	before := p.query(state)
	r := p.run("db", "rollback")
	if r.Code != 1 {
		t.Fatalf("rollback: want the refusal: %s", r)
	}
	if strings.Contains(r.Stderr, "--execute=") {
		// The commands given must put the value back.
		doc := cliDoc(t, "json", p.run("db", "rollback", "--format", "json"))
		var losses []copyOutLoss
		raw, _ := json.Marshal(doc["losses"])
		if err := json.Unmarshal(raw, &losses); err != nil || len(losses) != 1 {
			t.Fatalf("losses: %s (%v)", raw, err)
		}
		dir := t.TempDir()
		shellIn(t, dir, losses[0].Save)
		p.must("db", "rollback", "--drop-new-data")
		p.must("db", "expand")
		shellIn(t, dir, losses[0].Restore)
		if after := p.query(state); after != before {
			t.Fatalf("put back:\n%s\nwant\n%s", after, before)
		}
		return
	}
	opContains(t, r, "no command to copy out t.body: 1 of its rows hold a value", "max_allowed_packet, 16777216 bytes")
}

// A table a rollback drops is copied out by the dump tool and put back
// in the dump's sql_mode, which is not strict: once the release was
// rewritten (`emcee plan --rewrite`) with a shorter column and expanded
// again, the restore cut 'a name longer than ten' to 'a name lon', and
// exited 0. It is strict now, and stops at such a row.
func TestAttackTableRestoreDoesNotCutValues(t *testing.T) {
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

// A column's copy-out file was put back in the server's own sql_mode: on
// a server that is not strict, a value too long for the column a
// rewritten release made shorter was cut to fit, the restore exiting 0.
// The file sets a strict mode first.
func TestAttackColumnRestoreDoesNotCutValues(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{Args: []string{"--sql-mode="}})
	a := keyTable("int")
	b := strings.Replace(a, "  primary_key {", "  column \"body\" {\n    type = varchar(100)\n    null = true\n  }\n  primary_key {", 1)
	p := plannedProjectOn(t, srv.NewDB(t), "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id) VALUES (1), (2)")
	p.must("db", "expand")
	p.exec("UPDATE t SET body = 'a body longer than ten' WHERE id = 1")
	restoreIntoAShorterColumn(t, p, b, "t", "body")
}

// priceRoundedDuringOSCCopy plans release a (table t: id, price
// decimal(10,3), 20,000 rows) and b (price decimal(10,2)), and runs b's
// contract through pt-online-schema-change; once the tool has copied row
// 2, the application sets its price to 1.004, which rounds to another
// row's. The result is contract's, no row of t having been lost.
func priceRoundedDuringOSCCopy(t *testing.T, a string) (*opProject, opResult) {
	b := strings.Replace(a, "type = decimal(10,3)", "type = decimal(10,2)\n    allow_copy = true", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id, price) SELECT seq, seq FROM seq_1_to_20000")
	p.must("db", "expand")
	p.must("db", "migrate")
	run := p.start("db", "contract", "--osc", "pt-osc", "--osc-sleep", "20ms")
	p.waitFor("the tool to copy row 2, or contract to end", func() bool {
		return exited(run.cmd) || p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_t_new'") == "1" &&
			p.query("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME LIKE 'pt\\_osc\\_%'") == "3" &&
			p.query("SELECT COUNT(*) FROM _t_new WHERE id = 2") == "1"
	})
	if !exited(run.cmd) {
		p.exec("UPDATE t SET price = 1.004 WHERE id = 2")
	}
	r := run.wait(t)
	if got := p.query("SELECT COUNT(*) FROM t"); got != "20000" {
		t.Fatalf("%s of 20000 rows after contract through the tool:\n%s", got, r)
	}
	return p, r
}

// restoreIntoAShorterColumn copies out the one loss a rollback of release
// b refuses to make, rolls back with --drop-new-data, re-plans b with the
// column's varchar(100) as varchar(10), expands it again and runs the
// restore: it must stop on the value longer than ten characters, not cut
// it to fit.
func restoreIntoAShorterColumn(t *testing.T, p *opProject, b, table, column string) {
	t.Helper()
	losses, dir := copyOutAndRollBack(t, p)
	if len(losses) != 1 {
		t.Fatalf("losses: %+v", losses)
	}
	opWrite(t, filepath.Join(p.Dir, "schema", "b.hcl"), []byte(strings.Replace(b, "varchar(100)", "varchar(10)", 1)))
	p.must("plan", "--rewrite", "b")
	p.must("db", "expand")
	cmd := exec.Command("sh", "-c", losses[0].Restore)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if got := p.query("SELECT COUNT(*) FROM " + sqlsyntax.Ident(table) + " WHERE CHAR_LENGTH(" + sqlsyntax.Ident(column) + ") = 10"); got != "0" {
		t.Fatalf("the restore cut a value to fit (%v): %s", err, out)
	}
	if err == nil || !strings.Contains(string(out), "Data too long for column '"+column+"'") {
		t.Fatalf("the restore of a value too long for the column: %v\n%s", err, out)
	}
}
