package e2e

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/internal/testserver"
)

// A stored procedure, function or event reads a column as a view does,
// and is no more checked by the server when the column goes: contract
// dropped t.legacy, which procedure `we“ird proc` and event `nightly`
// read, and every CALL (every run of the event) failed from then on,
// "Unknown column". It must refuse like a view that reads it.
func TestAttackS25ContractRefusesDropReadByRoutines(t *testing.T) {
	t.Parallel()
	p := legacyDroppedNext(t)
	p.exec("CREATE PROCEDURE `we``ird proc`() BEGIN SELECT legacy FROM t; END")
	// A name that would forge a line of the refusal.
	p.exec("CREATE PROCEDURE `x reads\n  nothing: all clear` () SELECT legacy FROM t")
	p.exec("CREATE FUNCTION f_sum() RETURNS int READS SQL DATA RETURN (SELECT SUM(`legacy`) FROM `t`)")
	p.exec("CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01' DISABLE DO UPDATE t SET legacy = 0")
	// Read by its text (the SQL reader does not take BEGIN ... END), a
	// body with a t and a legacy_name in it read neither.
	p.exec("CREATE PROCEDURE unrelated() BEGIN SELECT 'tea' AS legacy_name; END")
	r := p.run("db", "contract")
	if r.Code != 1 {
		t.Fatalf("contract dropping a column stored routines and an event read: want the refusal: %s", r)
	}
	opContains(t, r, "b_contract01 refused, nothing was changed", "drops t.legacy, which procedure we`ird proc reads",
		"drops t.legacy, which function f_sum reads", "drops t.legacy, which event nightly reads", "routines",
		"drops t.legacy, which procedure x reads\\n  nothing: all clear reads")
	if strings.Contains(r.Stderr, "unrelated") {
		t.Fatalf("a procedure that reads neither t nor legacy: %s", r)
	}
	if got := p.columns("t"); !strings.Contains(got, "legacy") {
		t.Fatalf("the column was dropped: %s", got)
	}
	p.exec("DROP PROCEDURE `we``ird proc`")
	p.exec("DROP PROCEDURE `x reads\n  nothing: all clear`")
	p.exec("DROP FUNCTION f_sum")
	p.exec("DROP EVENT nightly")
	p.must("db", "contract")
}

// A table without a primary key but with a UNIQUE key over NOT NULL
// columns has a key that finds each row as surely (InnoDB clusters on
// it): a rollback dropping one of its columns gave no commands to copy
// the values out, saying it had no key to put them back by.
func TestAttackS25ColumnCopyOutByUniqueNotNullKey(t *testing.T) {
	t.Parallel()
	const a = "CREATE TABLE `tag s` (`c;ode` varchar(20) NOT NULL, n int NULL, UNIQUE KEY `u;k'` (`c;ode`));\n"
	p := sqlReleasesProject(t, [2]string{"a", hostileKeep + a},
		[2]string{"b", hostileKeep + strings.Replace(a, "n int NULL,", "n int NULL, `no'te` varchar(30) NULL,", 1)})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO `tag s` (`c;ode`, n, `no'te`) VALUES ('x', 1, 'one'), ('y''\\\\', NULL, 'two\\ttab'), ('z', 3, NULL)")
	losses, dir := copyOutAndRollBack(t, p)
	if len(losses) != 1 || losses[0].Column != "no'te" {
		t.Fatalf("losses: %+v", losses)
	}
	p.must("db", "expand")
	p.exec("UPDATE `tag s` SET n = 7 WHERE `c;ode` = 'x'") // the previous release wrote on
	shellIn(t, dir, losses[0].Restore)
	if got := p.query("SELECT `c;ode`, n, `no'te` FROM `tag s` ORDER BY `c;ode`"); got != "x 7 one\ny'\\ NULL two\ttab\nz 3 NULL" {
		t.Fatalf("after the restore: %q", got)
	}

	// A key the previous release changed (unlike a primary key, a
	// unique key is data: a code, an address) finds no row: the restore
	// stops there, where it exited 0 with the value not back.
	p.exec("UPDATE `tag s` SET `no'te` = NULL")
	p.exec("UPDATE `tag s` SET `c;ode` = 'x2' WHERE `c;ode` = 'x'")
	cmd := exec.Command("sh", "-c", losses[0].Restore)
	cmd.Dir = dir
	if r := opRunCmd(t, cmd); r.Code == 0 || !strings.Contains(r.Stdout, "restore stopped: no row of tag s has this line's c;ode (deleted or its c;ode changed); put the value back by hand and delete the line before running the file again") {
		t.Fatalf("the restore of a row whose unique key changed: %s", r)
	}
}

// A table whose rows reference rows of the same table (a tree) was
// copied out in key order, a child before the parent it references
// when the parent's key is the larger: the restore stopped at the child
// (error 1452), and the rows could not be put back as written. Columns
// named as the copy-out's own names do not confuse it.
func TestAttackS25SelfReferencingTableRestore(t *testing.T) {
	t.Parallel()
	const node = "CREATE TABLE `no de` (`i d` int NOT NULL PRIMARY KEY, `up` int NULL, `up2` int NULL, name varchar(20) NOT NULL, `emcee_c1` int NULL, `emcee_level` int NULL,\n" +
		"  KEY ix_up (`up`), KEY ix_up2 (`up2`),\n" +
		"  CONSTRAINT `fk up` FOREIGN KEY (`up`) REFERENCES `no de` (`i d`),\n" +
		"  CONSTRAINT `fk up2` FOREIGN KEY (`up2`) REFERENCES `no de` (`i d`));\n"
	p := sqlReleasesProject(t, [2]string{"a", hostileKeep}, [2]string{"b", hostileKeep + node})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	// 5 is the root; 4 hangs from 5, 3 from 4 and 5, 1 from 3 and 2, 2 from 2 itself.
	p.exec("INSERT INTO `no de` (`i d`, up, up2, name) VALUES (5, NULL, NULL, 'root'), (4, 5, NULL, 'four'), (3, 4, 5, 'three'), (2, 2, 5, 'self'), (1, 3, 2, 'one')")
	before := p.query("SELECT * FROM `no de` ORDER BY `i d`")
	losses, dir := copyOutAndRollBack(t, p)
	if len(losses) != 1 {
		t.Fatalf("losses: %+v", losses)
	}
	p.must("db", "expand")
	shellIn(t, dir, losses[0].Restore)
	if after := p.query("SELECT * FROM `no de` ORDER BY `i d`"); after != before {
		t.Fatalf("restored:\n%s\nwant:\n%s", after, before)
	}
}

// A run that dies after the server added a foreign key, before it
// recorded it, sends the statement again: the server's answer (a
// duplicate name) must count it as applied, not fail the resumed
// contract for good.
func TestAttackS25ForeignKeyResentAfterACrash(t *testing.T) {
	t.Parallel()
	const a = "CREATE TABLE p (id int NOT NULL PRIMARY KEY);\nCREATE TABLE c (id int NOT NULL PRIMARY KEY, pid int NULL, KEY ix (pid));\n"
	p := sqlReleasesProject(t, [2]string{"a", a},
		[2]string{"b", strings.Replace(a, "KEY ix (pid)", "KEY ix (pid), CONSTRAINT `f;k'` FOREIGN KEY (pid) REFERENCES p (id)", 1)})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO p VALUES (1)")
	p.exec("INSERT INTO c VALUES (1, 1), (2, NULL)")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	n := p.query("SELECT total FROM emcee_revisions WHERE name = 'b_contract01'")
	p.exec("UPDATE emcee_revisions SET applied = total - 1, in_flight = 1, finished_at = NULL WHERE name = 'b_contract01'")
	r := p.must("db", "contract")
	opContains(t, r, "resuming b_contract01 at statement "+n+" of "+n, "Error 1826", "counted as applied")
	if got := p.query("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'f;k'''"); got != "1" {
		t.Fatalf("foreign keys named f;k': %s", got)
	}
	if d := p.run("db", "diff"); d.Code != 0 {
		t.Fatalf("after the resumed contract: %s", d)
	}
}

// A dry run of a revision with a statement the tool cannot apply must
// refuse as the real run does, before it prints anything it would run.
func TestAttackS25DryRunRefusesWhatTheToolCannot(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	const a = "CREATE TABLE p (id int NOT NULL PRIMARY KEY, w int NULL);\nCREATE TABLE c (id int NOT NULL PRIMARY KEY, pid int NULL, KEY ix (pid), CONSTRAINT fk FOREIGN KEY (pid) REFERENCES p (id));\n"
	p := sqlReleasesProject(t, [2]string{"a", a}, [2]string{"b", strings.Replace(a, "w int NULL", "w bigint NULL", 1)})
	opWrite(t, filepath.Join(p.Dir, "schema", "b.emcee.hcl"), []byte("table \"p\" {\n  column \"w\" {\n    allow_copy = true\n  }\n}\n"))
	p.must("plan")
	p.must("db", "sync", "a")
	for _, args := range [][]string{{"db", "expand", "--osc", "pt-osc", "--dry-run"}, {"db", "expand", "--osc", "pt-osc"}} {
		r := p.run(args...)
		if r.Code != 1 {
			t.Fatalf("%s: want the refusal: %s", strings.Join(args, " "), r)
		}
		opContains(t, r, "b_expand01 refused before it ran anything", "foreign keys of other tables reference `p`")
	}
}

// A run whose pt-online-schema-change was killed leaves the tool's copy
// and triggers; the rerun skipped the release's whole drift check for
// them, and applied the rest of the revision over a column someone had
// dropped by hand meanwhile. Only what the tool left is explained by
// it: the rest of the schema is checked, and drift refuses the rerun.
func TestAttackS25ToolLeftoversExplainOnlyThemselves(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	const a = "CREATE TABLE keep (id int NOT NULL PRIMARY KEY, note varchar(20) NULL);\nCREATE TABLE `t$x` (id int NOT NULL PRIMARY KEY, n int NOT NULL);\n"
	p := sqlReleasesProject(t, [2]string{"a", a}, [2]string{"b", strings.Replace(a, "n int NOT NULL", "n bigint NOT NULL", 1)})
	opWrite(t, filepath.Join(p.Dir, "schema", "b.emcee.hcl"), []byte("table \"t$x\" {\n  column \"n\" {\n    allow_copy = true\n  }\n}\n"))
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO `t$x` VALUES (1, 1), (2, 2)")
	p.must("db", "expand", "--osc", "pt-osc")
	// What a run killed while the tool copied leaves: the statement in
	// flight, handed to the tool, its copy and its triggers on the table.
	db := p.query("SELECT DATABASE()")
	p.exec(`UPDATE emcee_revisions SET applied = total - 1, in_flight = 1, finished_at = NULL, osc = JSON_OBJECT('running', JSON_OBJECT('statement', total, 'tool', 'pt-online-schema-change 3.2.1', 'table', 't$x')) WHERE name = 'b_expand01'`)
	p.exec("CREATE TABLE `_t$x_new` LIKE `t$x`")
	for _, ev := range []string{"ins", "upd", "del"} {
		timing := map[string]string{"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}[ev]
		p.exec("CREATE TRIGGER `pt_osc_" + strings.ReplaceAll(db, "$", "_") + "_t_x_" + ev + "` AFTER " + timing + " ON `t$x` FOR EACH ROW SET @x = 1")
	}
	p.exec("ALTER TABLE keep DROP COLUMN note") // by hand, meanwhile
	r := p.run("db", "expand", "--osc", "pt-osc")
	if r.Code != 1 {
		t.Fatalf("the rerun went on over a column dropped by hand: %s", r)
	}
	opContains(t, r, "keep", "note", "not counted as drift: what the run of pt-online-schema-change 3.2.1 on `t$x` that stopped left behind")
	for _, left := range []string{"_t$x_new", "pt_osc_"} {
		if strings.Contains(r.Stderr, left) {
			t.Fatalf("what the tool left is taken for drift: %s", r)
		}
	}
	p.exec("ALTER TABLE keep ADD COLUMN note varchar(20) NULL")
	r = p.must("db", "expand", "--osc", "pt-osc")
	opContains(t, r, "dropping what pt-online-schema-change 3.2.1 left behind", "b_expand01 applied")
	if got := p.triggers(); got != "" {
		t.Fatalf("triggers after the rerun: %q", got)
	}
	if d := p.run("db", "diff"); d.Code != 0 {
		t.Fatalf("after the rerun: %s", d)
	}
}

// The same after the tool swapped the tables: the table it swapped out,
// with its triggers, and the foreign key under the tool's name for it
// are what it left; a foreign key dropped by hand is not.
func TestAttackS25ToolLeftoversAfterTheSwap(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	const a = "CREATE TABLE p (id int NOT NULL PRIMARY KEY);\nCREATE TABLE c (id int NOT NULL PRIMARY KEY, pid int NULL, n int NOT NULL, w int NOT NULL, KEY ix (pid), KEY iy (n), CONSTRAINT `fk p` FOREIGN KEY (pid) REFERENCES p (id), CONSTRAINT fk_n FOREIGN KEY (n) REFERENCES p (id));\n"
	p := sqlReleasesProject(t, [2]string{"a", a}, [2]string{"b", strings.Replace(a, "w int NOT NULL", "w bigint NOT NULL", 1)})
	opWrite(t, filepath.Join(p.Dir, "schema", "b.emcee.hcl"), []byte("table \"c\" {\n  column \"w\" {\n    allow_copy = true\n  }\n}\n"))
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO p VALUES (1)")
	p.exec("INSERT INTO c VALUES (1, 1, 1, 1)")
	p.must("db", "expand", "--osc", "pt-osc")
	// The tool killed after its swap: the table altered, its foreign
	// keys under the tool's names, the old table with the tool's
	// triggers on it.
	db := p.query("SELECT DATABASE()")
	p.exec("UPDATE emcee_revisions SET applied = total - 1, in_flight = 1, finished_at = NULL, osc = JSON_OBJECT('running', JSON_OBJECT('statement', total, 'tool', 'pt-online-schema-change 3.2.1', 'table', 'c', 'foreign_keys', JSON_ARRAY('fk p', 'fk_n'))) WHERE name = 'b_expand01'")
	p.exec("SET STATEMENT foreign_key_checks = 0 FOR ALTER TABLE c DROP FOREIGN KEY `fk p`, DROP FOREIGN KEY fk_n, ADD CONSTRAINT `_fk p` FOREIGN KEY (pid) REFERENCES p (id), ADD CONSTRAINT _fk_n FOREIGN KEY (n) REFERENCES p (id)")
	p.exec("CREATE TABLE _c_old (id int NOT NULL PRIMARY KEY, pid int NULL, n int NOT NULL, w int NOT NULL)")
	for _, ev := range []string{"ins", "upd", "del"} {
		timing := map[string]string{"ins": "INSERT", "upd": "UPDATE", "del": "DELETE"}[ev]
		p.exec("CREATE TRIGGER `pt_osc_" + db + "_c_" + ev + "` AFTER " + timing + " ON _c_old FOR EACH ROW SET @x = 1")
	}
	p.exec("ALTER TABLE c DROP FOREIGN KEY _fk_n") // by hand, meanwhile
	r := p.run("db", "expand", "--osc", "pt-osc")
	if r.Code != 1 {
		t.Fatalf("the rerun went on over a foreign key dropped by hand: %s", r)
	}
	opContains(t, r, "foreign key fk_n is missing", "not counted as drift: what the run of pt-online-schema-change 3.2.1 on `c` that stopped left behind (6 differences in 2 tables)")
	for _, left := range []string{"_c_old", "pt_osc_", "`_fk p`", "fk p is missing"} {
		if strings.Contains(r.Stderr, left) {
			t.Fatalf("what the tool left is taken for drift (%s): %s", left, r)
		}
	}
	p.exec("SET STATEMENT foreign_key_checks = 0 FOR ALTER TABLE c ADD CONSTRAINT _fk_n FOREIGN KEY (n) REFERENCES p (id)")
	r = p.must("db", "expand", "--osc", "pt-osc")
	opContains(t, r, "had swapped in the altered table before the run stopped: counted as applied", "b_expand01 applied")
	if d := p.run("db", "diff"); d.Code != 0 {
		t.Fatalf("after the rerun: %s", d)
	}
}

// A chain deeper than MariaDB's max_recursive_iterations (1000 by
// default, past which a recursive query stops without an error), its
// rows referencing by a unique key that is not the primary key, and a
// row whose parent is gone (written with the checks off): the chain
// comes back whole, and the orphan stops the restore, which puts back
// nothing.
func TestAttackS25SelfReferencingDeepChainRestore(t *testing.T) {
	t.Parallel()
	const chain = "CREATE TABLE chain (id int NOT NULL PRIMARY KEY, code int NOT NULL, next_code int NULL, UNIQUE KEY u_code (code), KEY ix_next (next_code),\n" +
		"  CONSTRAINT fk_next FOREIGN KEY (next_code) REFERENCES chain (code));\n"
	p := sqlReleasesProject(t, [2]string{"a", hostileKeep}, [2]string{"b", hostileKeep + chain})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	// Row i references row i+1 by code; the last references none.
	p.exec("INSERT INTO chain SELECT seq, seq * 10, IF(seq = 1500, NULL, (seq + 1) * 10) FROM seq_1500_to_1 ORDER BY seq DESC")
	before := p.query("SELECT COUNT(*), SUM(CRC32(CONCAT_WS(',', id, code, next_code))) FROM chain")
	losses, dir := copyOutAndRollBack(t, p)
	p.must("db", "expand")
	shellIn(t, dir, losses[0].Restore)
	if after := p.query("SELECT COUNT(*), SUM(CRC32(CONCAT_WS(',', id, code, next_code))) FROM chain"); after != before {
		t.Fatalf("restored %s, want %s", after, before)
	}

	p.exec("SET STATEMENT foreign_key_checks = 0 FOR INSERT INTO chain VALUES (0, 0, 99999)")
	losses, dir = copyOutAndRollBack(t, p)
	p.must("db", "expand")
	cmd := exec.Command("sh", "-c", losses[0].Restore)
	cmd.Dir = dir
	if r := opRunCmd(t, cmd); r.Code == 0 || !strings.Contains(r.Stdout, "fk_next") {
		t.Fatalf("the restore of a row whose parent is gone: %s", r)
	}
	if got := p.query("SELECT COUNT(*) FROM chain"); got != "0" {
		t.Fatalf("a stopped restore left %s rows", got)
	}
}

// db status counts the rows a backfill keyed on a TIMESTAMP has left
// across the hour a zone's clocks go back, where one local time names
// two instants: every row, none taken for another by its key's text.
func TestAttackS25StatusCountsAcrossAFallBackHour(t *testing.T) {
	t.Parallel()
	berlin := []string{"TZ=Europe/Berlin"} // the server's SYSTEM zone, and emcee's
	srv := testserver.Start(t, testserver.Options{Env: berlin})
	a := `schema "s" {}
table "t" {
  schema = schema.s
  column "at" {
    type = timestamp
  }
  column "name" {
    type = varchar(20)
    null = true
  }
  primary_key {
    columns = [column.at]
  }
}
`
	b := strings.Replace(a, "  primary_key {", "  column \"upper_name\" {\n    type = varchar(20)\n    null = false\n    fill = \"COALESCE(UPPER(name), '')\"\n  }\n  primary_key {", 1)
	p := plannedProjectOn(t, srv.NewDB(t), "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.env = berlin
	p.must("db", "sync", "a")
	p.exec("SET time_zone = '+00:00'")
	p.exec("INSERT INTO t (at, name) SELECT FROM_UNIXTIME(1792886400 + seq * 60), 'n' FROM seq_0_to_179")
	p.must("db", "expand")
	doc := cliDoc(t, "json", p.must("db", "status", "--format", "json"))
	migrate := doc["releases"].([]any)[1].(map[string]any)["revisions"].([]any)[1].(map[string]any)
	if got := fmt.Sprint(migrate["name"], " ", migrate["pending_rows"]); got != "b_migrate01 180" {
		t.Fatalf("pending rows across the fall-back hour: %s, want 180 (%v)", got, doc)
	}
}

// The client that copies out exits 0 with its file cut short when the
// disk fills (it does not check its writes), and a restore of such a
// file put back the values it held, or, for a table, none (its COMMIT
// is at the end), exiting 0. The restore runs only a file that ends as
// a whole copy-out does.
func TestAttackS25CutShortCopyOutIsNotRestored(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t, [2]string{"a", hostileKeep},
		[2]string{"b", "CREATE TABLE keep (id int NOT NULL PRIMARY KEY, extra varchar(10) NULL);\nCREATE TABLE added (id int NOT NULL PRIMARY KEY);\n"})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO keep VALUES (1, 'x'), (2, 'y'), (3, 'z')")
	p.exec("INSERT INTO added VALUES (1), (2), (3)")
	losses, dir := copyOutAndRollBack(t, p)
	if len(losses) != 2 {
		t.Fatalf("losses: %+v", losses)
	}
	p.must("db", "expand")
	for _, l := range losses {
		file := filepath.Join(dir, strings.TrimSpace(l.Save[strings.LastIndex(l.Save, " > ")+3:]))
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(data), "\n")
		if err := os.WriteFile(file, []byte(strings.Join(lines[:3], "")), 0o600); err != nil { // the disk full after 2 rows
			t.Fatal(err)
		}
		cmd := exec.Command("sh", "-c", l.Restore)
		cmd.Dir = dir
		if r := opRunCmd(t, cmd); r.Code == 0 || !strings.Contains(r.Stderr, "does not end with the line -- end of the copy-out: its copy-out stopped part-way") {
			t.Fatalf("the restore of %s cut short: %s", filepath.Base(file), r)
		}
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		shellIn(t, dir, l.Restore)
	}
	if got := p.query("SELECT (SELECT GROUP_CONCAT(extra ORDER BY id) FROM keep), (SELECT COUNT(*) FROM added)"); got != "x,y,z 3" {
		t.Fatalf("restored: %s", got)
	}
}

// The tool killed between taking a trigger off the table and creating it
// on its copy leaves it nowhere: the rerun's drift check says it is
// missing, and why, with the statement recorded before the tool started.
func TestAttackS25TriggerTheToolTookOffIsMissing(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	one := `schema "app" {}

table "images" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "is_public" {
    type = bool
    null = true
  }
  column "n" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
`
	two := replaceOnce(replaceOnce(one, `  column "is_public" {
    type = bool
    null = true
  }`, `  column "visibility" {
    type = varchar(20)
    null = true
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'private' END"
      backward = "visibility = 'public'"
    }
  }`), "type = int\n", "type = bigint\n    allow_copy = true\n")
	p := newSchemaProject(t, [2]string{"one", one}, [2]string{"two", two})
	p.must("plan")
	p.must("db", "sync", "one")
	p.must("db", "expand", "--osc", "pt-osc")
	trigger := p.query("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() AND ACTION_TIMING = 'BEFORE' AND EVENT_MANIPULATION = 'INSERT'")
	p.exec("UPDATE emcee_revisions SET applied = total - 1, in_flight = 1, finished_at = NULL, osc = JSON_OBJECT('running', JSON_OBJECT('statement', total, 'tool', 'pt-online-schema-change 3.2.1', 'table', 'images', 'triggers', JSON_ARRAY(JSON_OBJECT('name', ?, 'sql', 'CREATE TRIGGER recorded')))) WHERE name = 'two_expand01'", trigger)
	p.exec("DROP TRIGGER `" + trigger + "`")
	r := p.run("db", "expand", "--osc", "pt-osc")
	if r.Code != 1 {
		t.Fatalf("the rerun went on without the trigger: %s", r)
	}
	opContains(t, r, "trigger "+trigger+" is missing",
		"trigger `"+trigger+"` is missing: the run of pt-online-schema-change 3.2.1 on `images` that stopped had taken it off the table to move it to its copy, where it is not; create it again by hand", "CREATE TRIGGER recorded")
}

// A deployer with every right on its database but not its routines'
// definer is shown no definition (ROUTINE_DEFINITION is NULL): what such
// a routine reads cannot be checked, and the run says so.
func TestAttackS25RoutinesTheDeployerCannotRead(t *testing.T) {
	t.Parallel()
	p := legacyDroppedNext(t)
	p.exec("CREATE PROCEDURE legacy_report() BEGIN SELECT legacy FROM t; END")
	user := strings.Replace(p.DB.Name, "emcee_t_", "emcee_u_", 1)
	p.exec("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw-not-printed'")
	t.Cleanup(func() { _, _ = p.DB.Exec("DROP USER IF EXISTS '" + user + "'@'%'") })
	p.exec("GRANT ALL ON `" + p.DB.Name + "`.* TO '" + user + "'@'%'")
	u, err := url.Parse(p.DB.URL)
	if err != nil {
		t.Fatal(err)
	}
	dev := testdb.New(t)
	r := p.run("db", "contract", "--url", "mysql://"+user+":pw-not-printed@"+u.Host+"/"+p.DB.Name, "--dev-url", dev.URL)
	opContains(t, r, "note: the server does not show "+user+" the definitions of procedure legacy_report, so whether they read what b_contract01 drops is not checked")
}
