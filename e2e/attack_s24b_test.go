package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testserver"
)

// sqlReleasesProject is a project of releases declared as SQL, on a test
// database.
func sqlReleasesProject(t *testing.T, releases ...[2]string) *opProject {
	t.Helper()
	p := newSchemaProject(t, releases...)
	for _, r := range releases {
		if err := os.Rename(filepath.Join(p.Dir, "schema", r[0]+".hcl"), filepath.Join(p.Dir, "schema", r[0]+".sql")); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

const hostileKeep = "CREATE TABLE keep (id int NOT NULL PRIMARY KEY);\n"

// hostileTable is a table whose name, column names and values a copy-out
// must carry exactly.
const hostileTable = "CREATE TABLE `we'ird \"tab\\le;` (\n" +
	"  `id` int NOT NULL AUTO_INCREMENT,\n" +
	"  `select` varchar(50) NULL,\n" +
	"  `naïve ☃ \\N` text NULL,\n" +
	"  `bits` bit(10) NULL,\n" +
	"  `js` json NULL,\n" +
	"  `e` enum('a','b') NULL,\n" +
	"  `s` set('x','y') NULL,\n" +
	"  `d` date NULL,\n" +
	"  `dt` datetime(6) NULL,\n" +
	"  `ts` timestamp(6) NULL DEFAULT NULL,\n" +
	"  `tm` time(3) NULL,\n" +
	"  `y` year NULL,\n" +
	"  `f` float NULL,\n" +
	"  `dbl` double NULL,\n" +
	"  `dec` decimal(30,10) NULL,\n" +
	"  `u` bigint unsigned NULL,\n" +
	"  `bin` varbinary(20) NULL,\n" +
	"  `blb` blob NULL,\n" +
	"  `lat` varchar(20) CHARACTER SET latin1 NULL,\n" +
	"  `stamp` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n" +
	"  `gv` int AS (`id` * 2) VIRTUAL,\n" +
	"  `gs` varchar(60) AS (CONCAT('x', `select`)) STORED,\n" +
	"  PRIMARY KEY (`id`)\n" +
	");\n"

const hostileState = "SELECT `id`, HEX(`select`), `select` IS NULL, HEX(`naïve ☃ \\N`), `naïve ☃ \\N` IS NULL, BIN(`bits`), HEX(`js`), `e`, `s`, `d`, `dt`, UNIX_TIMESTAMP(`ts`), `tm`, `y`, HEX(CAST(`f` AS DOUBLE)), `dbl` = CAST(? AS DOUBLE), HEX(`dbl`), `dec`, `u`, HEX(`bin`), HEX(`blb`), HEX(`lat`), `gv`, `gs`, UNIX_TIMESTAMP(`stamp`) FROM `we'ird \"tab\\le;` ORDER BY `id`"

// TestAttack2S24TableRestoreComesBackExactly: a table a rollback drops,
// with a hostile name, column names and a value of each type, copied out
// with the refusal's command and put back with its restore after the
// release is expanded again, comes back exactly.
func TestAttack2S24TableRestoreComesBackExactly(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t, [2]string{"a", hostileKeep}, [2]string{"b", hostileKeep + hostileTable})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	tbl := "`we'ird \"tab\\le;`"
	p.exec("SET time_zone = '+00:00'")
	p.exec("INSERT INTO " + tbl + " (`id`, `select`, `naïve ☃ \\N`, `bits`, `js`, `e`, `s`, `d`, `dt`, `ts`, `tm`, `y`, `f`, `dbl`, `dec`, `u`, `bin`, `blb`, `lat`) VALUES " +
		"(5, 'NULL', 'tab\\there\\nline\\\\ \\'q\\' 😀', b'1010101010', '{\"a\": [1, \"\\\\u0000\"]}', 'b', 'x,y', '0000-00-00', '2024-03-31 02:30:00.123456', '2038-01-19 03:14:07.999999', '-838:59:59.000', 2155, 0.1, 0.1 + 0.2, 12345678901234567890.0123456789, 18446744073709551615, X'00FF0A09275C4E', X'', 'caf\\xe9 ñ')," +
		"(6, NULL, 'NULL', NULL, NULL, NULL, '', '2024-02-29', '0000-00-00 00:00:00', NULL, '00:00:00.001', 0, -0.0, 1e-300, -0.0000000001, 0, NULL, NULL, '')," +
		"(7, '', '\\\\N', b'0', 'null', 'a', 'y', NULL, NULL, '1970-01-01 00:00:01', NULL, 1901, 3.4e38, 1.7976931348623157e308, 0, 1, X'5C', X'00', NULL)")
	p.exec("UPDATE " + tbl + " SET `stamp` = '2001-02-03 04:05:06' WHERE `id` = 5")
	// id 0, which an INSERT without NO_AUTO_VALUE_ON_ZERO makes the next one.
	p.exec("UPDATE " + tbl + " SET `id` = 0 WHERE `id` = 7")
	before := p.query(hostileState, "0.30000000000000004")
	losses, dir := copyOutAndRollBack(t, p)
	if len(losses) != 1 {
		t.Fatalf("losses: %+v", losses)
	}
	p.must("db", "expand")
	shellIn(t, dir, losses[0].Restore)
	if after := p.query(hostileState, "0.30000000000000004"); after != before {
		t.Fatalf("the restore did not put the rows back as they were:\nbefore %s\nafter  %s", before, after)
	}
	// Run twice, it changes nothing and says so.
	cmd := exec.Command("sh", "-c", losses[0].Restore)
	cmd.Dir = dir
	if r := opRunCmd(t, cmd); r.Code == 0 {
		t.Fatalf("the restore ran twice exited 0: %s", r)
	}
	if after := p.query(hostileState, "0.30000000000000004"); after != before {
		t.Fatalf("the second restore changed the rows:\nbefore %s\nafter  %s", before, after)
	}
}

// TestAttack2S24KeylessTableRestoredTwice: rows of a table without a
// primary key, put back twice, were there twice, the second restore
// exiting 0.
func TestAttack2S24KeylessTableRestoredTwice(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t, [2]string{"a", hostileKeep}, [2]string{"b", hostileKeep + "CREATE TABLE log (msg varchar(20) NOT NULL);\n"})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO log (msg) VALUES ('one'), ('two')")
	losses, dir := copyOutAndRollBack(t, p)
	p.must("db", "expand")
	shellIn(t, dir, losses[0].Restore)
	cmd := exec.Command("sh", "-c", losses[0].Restore)
	cmd.Dir = dir
	r := opRunCmd(t, cmd)
	if got := p.query("SELECT COUNT(*) FROM log"); got != "2" || r.Code == 0 || !strings.Contains(r.Stdout, "restore refused: table log holds rows already") {
		t.Fatalf("the restore run twice left %s rows of 2: %s", got, r)
	}
}

// A table's restore refuses a table holding rows. Its check, a SET whose
// subquery reads the table, waits for rows another session has written
// and not committed (the application, a second restore), and sees them
// once committed; but it waited as long as the server's
// innodb_lock_wait_timeout (here an hour, where emcee's URL says a
// second), and outside the restore's transaction: its lock ended before
// the restore's INSERTs began. It is a locking read in that transaction
// now, waiting no longer than emcee's statements do.
func TestAttackRestoreWaitsForUncommittedRowsAsLongAsEmceeSays(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{Args: []string{"--innodb-lock-wait-timeout=3600", "--lock-wait-timeout=3600"}})
	a := `schema "s" {}
table "keep" {
  schema = schema.s
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
`
	b := a + `table "log" {
  schema = schema.s
  column "msg" {
    type = varchar(20)
  }
}
`
	db := srv.NewDB(t)
	p := plannedProjectOn(t, db, "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	hcl := filepath.Join(p.Dir, "atlas.hcl")
	data, err := os.ReadFile(hcl)
	if err != nil {
		t.Fatal(err)
	}
	opWrite(t, hcl, []byte(strings.Replace(string(data), db.URL, db.URL+"?lock_wait_timeout=1", 1)))
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO log (msg) VALUES ('one'), ('two')")
	losses, dir := copyOutAndRollBack(t, p)
	p.must("db", "expand")
	restore := func() *running {
		r := &running{cmd: exec.Command("sh", "-c", losses[0].Restore)}
		r.cmd.Dir, r.cmd.Stdout, r.cmd.Stderr = dir, &r.out, &r.out
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Held past emcee's lock_wait_timeout: the restore stops, nothing
	// put back.
	_, release := p.lockRows("INSERT INTO log (msg) VALUES ('app')")
	run := restore()
	p.waitFor("the restore to stop after emcee's lock_wait_timeout", func() bool { return exited(run.cmd) })
	if r := run.wait(t); r.Code == 0 || !strings.Contains(r.Stdout, "Lock wait timeout exceeded") {
		t.Fatalf("the restore beside an uncommitted row: %s", r)
	}
	release()
	if got := p.query("SELECT COUNT(*) FROM log"); got != "0" {
		t.Fatalf("the restore stopped by a lock wait left %s rows", got)
	}
	// Committed while the restore waits: it sees the row and refuses.
	conn, _ := p.lockRows("INSERT INTO log (msg) VALUES ('app')")
	run = restore()
	p.waitFor("the restore's check to run", func() bool {
		return exited(run.cmd) || p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SET @emcee_stop = IF(EXISTS(SELECT 1 FROM `log`%'") == "1"
	})
	if _, err := conn.ExecContext(context.Background(), "COMMIT"); err != nil {
		t.Fatal(err)
	}
	r := run.wait(t)
	if got := p.query("SELECT GROUP_CONCAT(msg ORDER BY msg) FROM log"); got != "app" || r.Code == 0 || !strings.Contains(r.Stdout, "restore refused: table log holds rows already") {
		t.Fatalf("the restore beside a row committed meanwhile: log holds %s: %s", got, r)
	}
}

// TestAttack2S24RestoreIntoARewrittenReleaseRoundsNothing: values put
// back into the table of a release rewritten with a smaller scale were
// rounded (a note, not an error, even in a strict sql_mode), the restore
// exiting 0.
func TestAttack2S24RestoreIntoARewrittenReleaseRoundsNothing(t *testing.T) {
	t.Parallel()
	a := keyTable("int")
	b := a + `
table "extra" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "amount" {
    type = decimal(12,4)
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
	p.exec("INSERT INTO extra (id, amount) VALUES (1, 1.2345), (2, 2.5)")
	losses, dir := copyOutAndRollBack(t, p)
	opWrite(t, filepath.Join(p.Dir, "schema", "b.hcl"), []byte(strings.Replace(b, "decimal(12,4)", "decimal(12,2)", 1)))
	p.must("plan", "--rewrite", "b")
	p.must("db", "expand")
	cmd := exec.Command("sh", "-c", losses[0].Restore)
	cmd.Dir = dir
	r := opRunCmd(t, cmd)
	if got := p.query("SELECT COUNT(*) FROM extra"); r.Code == 0 || got != "0" || !strings.Contains(r.Stdout, "restore stopped: table extra does not hold what was copied out") {
		t.Fatalf("the restore of 1.2345 into a decimal(12,2) left %s rows: %s", got, r)
	}
}

// TestAttack2S24ColumnRestoreIntoARewrittenReleaseRoundsNothing: a
// column's values put back by UPDATE into the column of a release
// rewritten with a smaller scale (DATETIME(6) to DATETIME) lost their
// fraction, the restore exiting 0.
func TestAttack2S24ColumnRestoreIntoARewrittenReleaseRoundsNothing(t *testing.T) {
	t.Parallel()
	a := keyTable("int")
	b := strings.Replace(a, "  primary_key {", "  column \"at\" {\n    type = datetime(6)\n    null = true\n  }\n  primary_key {", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id) VALUES (1), (2)")
	p.must("db", "expand")
	p.exec("UPDATE t SET at = '2024-01-01 10:00:00.5' WHERE id = 1")
	p.exec("UPDATE t SET at = '2024-01-01 11:00:00' WHERE id = 2")
	losses, dir := copyOutAndRollBack(t, p)
	opWrite(t, filepath.Join(p.Dir, "schema", "b.hcl"), []byte(strings.Replace(b, "datetime(6)", "datetime", 1)))
	p.must("plan", "--rewrite", "b")
	p.must("db", "expand")
	cmd := exec.Command("sh", "-c", losses[0].Restore)
	cmd.Dir = dir
	r := opRunCmd(t, cmd)
	if r.Code == 0 || !strings.Contains(r.Stdout, "restore stopped: t.at does not hold what was copied out") {
		t.Fatalf("the restore of 10:00:00.5 into a DATETIME put back %s: %s", p.query("SELECT GROUP_CONCAT(COALESCE(at, 'NULL') ORDER BY id) FROM t"), r)
	}
}

// TestAttack2S24TableRestoreThroughATriggerStops: rows put back into a
// table whose later release has a trigger rewriting what is inserted
// came back changed, the restore exiting 0.
func TestAttack2S24TableRestoreThroughATriggerStops(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t, [2]string{"a", hostileKeep}, [2]string{"b", hostileKeep + "CREATE TABLE extra (id int NOT NULL PRIMARY KEY, name varchar(20) NULL);\n"})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO extra (id, name) VALUES (1, 'kept as it was')")
	losses, dir := copyOutAndRollBack(t, p)
	p.must("db", "expand")
	p.exec("CREATE TRIGGER shout BEFORE INSERT ON extra FOR EACH ROW SET NEW.name = UPPER(NEW.name)")
	cmd := exec.Command("sh", "-c", losses[0].Restore)
	cmd.Dir = dir
	r := opRunCmd(t, cmd)
	if got := p.query("SELECT COUNT(*) FROM extra"); r.Code == 0 || got != "0" || !strings.Contains(r.Stdout, "restore stopped: table extra does not hold what was copied out") {
		t.Fatalf("the restore through a trigger left %s rows (%s): %s", got, p.query("SELECT GROUP_CONCAT(name) FROM extra"), r)
	}
}

// TestAttack2S24ColumnRestoreByATextKeyOfAnotherCollation: a column's
// values were put back by an UPDATE finding its row by a text key as
// CONVERT(X'...' USING utf8mb4), in the connection's default collation:
// for a key in another one (utf8mb4_unicode_ci) the server refused every
// line ("Illegal mix of collations"), and no value could be put back.
func TestAttack2S24ColumnRestoreByATextKeyOfAnotherCollation(t *testing.T) {
	t.Parallel()
	a := "CREATE TABLE t (id varchar(20) COLLATE utf8mb4_unicode_ci NOT NULL PRIMARY KEY, l varchar(20) CHARACTER SET latin1 NULL);\n"
	b := strings.Replace(a, " NULL);", " NULL, note varchar(20) COLLATE utf8mb4_unicode_ci NULL);", 1)
	p := sqlReleasesProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id, l) VALUES ('a', 'é'), ('B', NULL)")
	p.must("db", "expand")
	p.exec("UPDATE t SET note = CONCAT('for ', id)")
	before := p.query("SELECT id, HEX(l), note FROM t ORDER BY id")
	losses, dir := copyOutAndRollBack(t, p)
	p.must("db", "expand")
	shellIn(t, dir, losses[0].Restore)
	if after := p.query("SELECT id, HEX(l), note FROM t ORDER BY id"); after != before {
		t.Fatalf("restored %s, copied out %s", after, before)
	}
}

// TestAttack2S24TableRestoresInTheOrderGiven: the restores of a parent
// and its child table, both dropped by the rollback, run in the order the
// refusal gives them, put both back.
func TestAttack2S24TableRestoresInTheOrderGiven(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t, [2]string{"a", hostileKeep}, [2]string{"b", hostileKeep +
		"CREATE TABLE parent (id int NOT NULL PRIMARY KEY);\n" +
		"CREATE TABLE child (id int NOT NULL PRIMARY KEY, parent_id int NOT NULL, CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id));\n"})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO parent (id) VALUES (1), (2)")
	p.exec("INSERT INTO child (id, parent_id) VALUES (10, 1), (20, 2)")
	losses, dir := copyOutAndRollBack(t, p)
	p.must("db", "expand")
	for _, l := range losses {
		shellIn(t, dir, l.Restore)
	}
	if got := p.query("SELECT COUNT(*) FROM child JOIN parent ON parent.id = child.parent_id"); got != "2" {
		t.Fatalf("put back %s of 2 children", got)
	}
}
