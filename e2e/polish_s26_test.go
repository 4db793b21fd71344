package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// The database default is checked once the run holds the operator lock:
// checked before it only, an ALTER DATABASE made while the run waited
// for the lock (--lock-timeout) went unseen when the release in progress
// stayed the same, and expand created u, planned for utf8mb4, with the
// latin1 default.
func TestPolishS26DefaultChangedWhileWaitingForTheLock(t *testing.T) {
	t.Parallel()
	t1 := "schema \"app\" {}\n\ntable \"t\" {\n  schema = schema.app\n  charset = \"latin1\"\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	u := "\ntable \"u\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"note\" {\n    type = varchar(20)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	p := newSchemaProject(t, [2]string{"a", t1}, [2]string{"b", t1 + u})
	p.must("plan")
	p.must("db", "sync", "a")
	ctx := context.Background()
	conn, err := p.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var got int
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", "emcee:"+p.DB.Name).Scan(&got); err != nil || got != 1 {
		t.Fatalf("taking the operator lock: %v %d", err, got)
	}
	expand := p.start("db", "expand", "--lock-timeout", "10m")
	p.waitFor("expand to wait for the operator lock", func() bool {
		return p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'SELECT GET_LOCK(%' AND STATE = 'User lock'", p.DB.Name) != "0"
	})
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET latin1")
	if _, err := conn.ExecContext(ctx, "DO RELEASE_LOCK(?)", "emcee:"+p.DB.Name); err != nil {
		t.Fatal(err)
	}
	r := expand.wait(t)
	if r.Code != 1 || !strings.Contains(r.Stdout+r.Stderr, "is latin1_swedish_ci, but the plans were computed for utf8mb4_general_ci: the tables of b that declare no charset (`u`)") {
		t.Fatalf("expand of b, planned for utf8mb4, into a database made latin1 while it waited for the lock: want the refusal: %s", r)
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'u'"); got != "0" {
		t.Fatalf("the refused expand created u")
	}
}

// A column added to a table breaks, while the previous release still
// runs, a trigger, routine or event that copies every column of the table
// by position, or inserts into it without a column list: from then on it
// fails with error 1136 (column count). Expand
// refuses before it changes anything, naming each; a view selecting * is
// not broken (the server expanded its * when it was created), nor a
// routine copying every column of another table.
func TestPolishS26ExpandRefusesAColumnAddedToATableASelectStarCopies(t *testing.T) {
	t.Parallel()
	tables := "CREATE TABLE t_archive (id int NOT NULL PRIMARY KEY, name varchar(20) NULL);\nCREATE TABLE t_staging (id int NOT NULL PRIMARY KEY, name varchar(20) NULL);\n"
	p := sqlReleasesProject(t,
		[2]string{"a", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(20) NULL);\n" + tables},
		[2]string{"b", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(20) NULL, extra int NULL);\n" + tables})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t VALUES (1, 'one')")
	p.exec("CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01' DISABLE DO INSERT INTO t_archive SELECT * FROM t")
	p.exec("CREATE PROCEDURE grab() BEGIN SELECT * INTO @a, @b FROM t LIMIT 1; END")
	p.exec("CREATE PROCEDURE load_staging() BEGIN INSERT INTO t SELECT * FROM t_staging; END")
	p.exec("CREATE TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW INSERT INTO t_archive SELECT t.* FROM t WHERE t.id = NEW.id")
	p.exec("CREATE PROCEDURE other() BEGIN INSERT INTO t_archive SELECT * FROM t_staging; END")
	p.exec("CREATE PROCEDURE add_one(IN k int) BEGIN INSERT INTO t VALUES (k, 'new'); END")
	p.exec("CREATE PROCEDURE add_named(IN k int) BEGIN INSERT INTO t (id, name) VALUES (k, 'new'); END")
	p.exec("CREATE VIEW v AS SELECT * FROM t")
	// db check and db status say it before expand runs: an orchestrator
	// polling check was sent to an expand that refuses.
	for _, cmd := range []string{"check", "status"} {
		c := p.run("db", cmd)
		if want := map[string]int{"check": 1, "status": 0}[cmd]; c.Code != want {
			t.Fatalf("db %s before an expand that refuses: want exit %d: %s", cmd, want, c)
		}
		opContains(t, c, "adds t.extra, and event nightly copies every column of t by position")
	}
	// --allow-drift accepts the view and trigger as they are, not what a
	// column added does to them.
	r := p.run("db", "expand", "--allow-drift")
	if r.Code != 1 {
		t.Fatalf("expand adding a column to a table routines copy with SELECT *: want the refusal: %s", r)
	}
	opContains(t, r, "b_expand01 refused, nothing was changed: it adds columns to tables that triggers, stored routines or events it does not manage fill or read by position (SELECT *, or INSERT without a column list)",
		"plans/b/b_expand01.sql:", "adds t.extra, and event nightly copies every column of t by position",
		"adds t.extra, and procedure grab copies", "adds t.extra, and procedure load_staging copies",
		"adds t.extra, and trigger t_ai (AFTER INSERT on t) copies",
		"adds t.extra, and procedure add_one inserts into t without a column list", "rewrite those triggers, routines and events to name the columns they copy")
	for _, o := range []string{"view v", "procedure other", "procedure add_named"} {
		if strings.Contains(r.Stdout+r.Stderr, o) {
			t.Fatalf("%s is not broken by a column added to t: %s", o, r)
		}
	}
	if got := p.columns("t"); strings.Contains(got, "extra") {
		t.Fatalf("the column was added: %s", got)
	}
	p.exec("CALL grab()")
	// Rewritten with column lists (or dropped), they pass; the view is
	// left as it is, and still reads t once the column is there.
	p.exec("DROP EVENT nightly")
	p.exec("DROP PROCEDURE grab")
	p.exec("DROP PROCEDURE load_staging")
	p.exec("DROP TRIGGER t_ai")
	p.exec("DROP PROCEDURE add_one")
	p.exec("CREATE PROCEDURE grab() BEGIN SELECT id, name INTO @a, @b FROM t LIMIT 1; END")
	p.must("db", "expand", "--allow-drift") // the view is not emcee's
	if got := p.columns("t"); !strings.Contains(got, "extra") {
		t.Fatalf("the column was not added: %s", got)
	}
	p.exec("CALL grab()")
	p.exec("CALL other()")
	p.exec("CALL add_named(2)")
	if got := p.query("SELECT CONCAT(id, name) FROM v WHERE id = 1"); got != "1one" {
		t.Fatalf("the view after the column was added: %s", got)
	}
}

// The same of another database's routine naming the table with its
// database (`reports`.p copying `app`.t): named as `database`.`object`; one
// copying every column of its own t is left alone.
func TestPolishS26ExpandRefusesAColumnAddedToATableAnotherDatabaseCopies(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t,
		[2]string{"a", "CREATE TABLE t (id int NOT NULL PRIMARY KEY);\n"},
		[2]string{"b", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, extra int NULL);\n"})
	p.must("plan")
	p.must("db", "sync", "a")
	name := otherDatabase(t, p)
	other, app := sqlsyntax.Ident(name), sqlsyntax.Ident(p.DB.Name)
	p.exec("CREATE TABLE " + other + ".t (id int NOT NULL PRIMARY KEY)")
	p.exec("CREATE PROCEDURE " + other + ".`copy app` () BEGIN INSERT INTO t SELECT * FROM " + app + ".`t`; END")
	p.exec("CREATE PROCEDURE " + other + ".own() BEGIN INSERT INTO t SELECT * FROM t; END")
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expand adding a column to a table another database's routine copies with SELECT *: want the refusal: %s", r)
	}
	q := "`" + strings.ReplaceAll(strings.ReplaceAll(name, "`", "``"), "\n", `\n`) + "`"
	opContains(t, r, "adds t.extra, and procedure "+q+".`copy app` copies every column of t by position")
	if strings.Contains(r.Stderr, ".`own`") {
		t.Fatalf("a procedure copying its own database's t: %s", r)
	}
	if got := p.columns("t"); strings.Contains(got, "extra") {
		t.Fatalf("the column was added: %s", got)
	}
}
