package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A stored procedure of ANOTHER database whose body the SQL reader does
// not take (BEGIN ... END) was taken to read this database's table t
// when its text held this database's name and a t anywhere, apart: a
// reporting database's procedure copying from app.keep into its own t
// (unqualified: its own) refused every drop of a column of app.t it
// names. An object of another database reaches app.t only by writing
// app.t (or `app` . `t`), which still refuses.
func TestAttack2S26OtherDatabaseProcedureNamingItsOwnTable(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t,
		[2]string{"a", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, legacy int NULL);\nCREATE TABLE keep (id int NOT NULL PRIMARY KEY);\n"},
		[2]string{"b", "CREATE TABLE t (id int NOT NULL PRIMARY KEY);\nCREATE TABLE keep (id int NOT NULL PRIMARY KEY);\n"})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.must("db", "migrate")
	other := sqlsyntax.Ident(otherDatabase(t, p))
	app := sqlsyntax.Ident(p.DB.Name)
	p.exec("CREATE TABLE " + other + ".t (id int NOT NULL PRIMARY KEY, legacy int NULL)")
	p.exec("CREATE PROCEDURE " + other + ".copy_keep() BEGIN INSERT INTO t (id, legacy) SELECT id, 0 FROM " + app + ".keep; END")
	p.exec("CREATE PROCEDURE " + other + ".spaced() BEGIN SELECT legacy FROM " + app + " . t; END")
	r := p.run("db", "contract")
	opContains(t, r, "b_contract01 refused, nothing was changed", "`.`spaced` reads")
	if strings.Contains(r.Stderr, "copy_keep") {
		t.Fatalf("a procedure of another database naming its own t refused the drop of %s.t.legacy: %s", p.DB.Name, r)
	}
	p.exec("DROP PROCEDURE " + other + ".spaced")
	p.must("db", "contract")
	if got := p.columns("t"); strings.Contains(got, "legacy") {
		t.Fatalf("t.legacy is still there: %s", got)
	}
}

// On a server telling names' case apart (lower_case_table_names = 0, as
// on Linux), a database named like the live one in other letters (APP
// beside app) is another database: its view, trigger and procedure
// reading its own t.legacy read nothing of app.t. They were taken for
// the live database's own objects (information_schema compares names
// without case), or for ones naming app.t, and refused contract's drop
// of app.t.legacy. One of them reading app.t.legacy still refuses it.
func TestAttack2S26DatabaseNamedLikeTheLiveOneInOtherCase(t *testing.T) {
	t.Parallel()
	p := legacyDroppedNext(t)
	if p.query("SELECT @@lower_case_table_names") != "0" {
		t.Skip("the server does not tell names' case apart")
	}
	twin := sqlsyntax.Ident(strings.ToUpper(p.DB.Name))
	p.exec("CREATE DATABASE " + twin)
	t.Cleanup(func() { _, _ = p.DB.Exec("DROP DATABASE IF EXISTS " + twin) })
	p.exec("CREATE TABLE " + twin + ".t (id int NOT NULL PRIMARY KEY, legacy int NULL)")
	p.exec("CREATE VIEW " + twin + ".v AS SELECT legacy FROM " + twin + ".t")
	p.exec("CREATE TRIGGER " + twin + ".t_bi BEFORE INSERT ON " + twin + ".t FOR EACH ROW SET NEW.legacy = 1")
	p.exec("CREATE PROCEDURE " + twin + ".p() BEGIN SELECT legacy FROM " + twin + ".t; END")
	p.exec("CREATE VIEW " + twin + ".reads_app AS SELECT legacy FROM " + sqlsyntax.Ident(p.DB.Name) + ".t")
	r := p.run("db", "contract")
	opContains(t, r, "b_contract01 refused, nothing was changed", "`.`reads_app` reads")
	for _, o := range []string{"`v`", "`t_bi`", "`p`"} {
		if strings.Contains(r.Stderr, o) {
			t.Fatalf("%s of %s, reading its own t, refused the drop of %s.t.legacy: %s", o, twin, p.DB.Name, r)
		}
	}
	p.exec("DROP VIEW " + twin + ".reads_app")
	p.must("db", "contract")
}

// Atlas reads every integer of display width 1 as a bool (int(1),
// bigint(1) unsigned, tinyint(1) unsigned), which HCL, the plans and the
// drift check know only as a signed tinyint(1). A release declared as
// SQL with n int(1) was planned and created as n bool: the live column
// took -128 to 127, the application's 1000 was refused, and the drift
// check, reading the live column as the same bool, saw nothing. It is
// refused at its position, saying what to write instead; a tinyint(1),
// which is a bool, is not.
func TestAttack2S26IntegerOfDisplayWidthOneInASQLRelease(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t, [2]string{"a", "CREATE TABLE t (\n  id int NOT NULL PRIMARY KEY,\n  flag tinyint(1) NOT NULL,\n  n int(1) NOT NULL,\n  u tinyint(1) unsigned NOT NULL\n);\n"})
	r := p.run("plan")
	if r.Code != 1 {
		p.must("db", "sync", "a")
		p.exec("INSERT INTO t (id, flag, n, u) VALUES (1, 1, 1000, 200)")
		t.Fatalf("a release declaring int(1) planned: %s\n%s", r, p.query("SHOW CREATE TABLE t"))
	}
	opContains(t, r, "schema/a.sql:4:3: column t.n is int(1), which Atlas reads as a bool (a signed tinyint(1)), and the plans would create it so; write int",
		"schema/a.sql:5:3: column t.u is tinyint(1) unsigned, which Atlas reads as a bool (a signed tinyint(1)), and the plans would create it so; write tinyint unsigned")
	if strings.Contains(r.Stderr, "t.flag") {
		t.Fatalf("a tinyint(1) refused: %s", r)
	}
}

// A database adopted with such a column: emcee init wrote it as a bool,
// and db baseline, reading the live column as a bool too, found no
// drift; a later release's change of the column would have narrowed it.
func TestAttack2S26IntegerOfDisplayWidthOneAdopted(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	if _, err := db.Exec("CREATE TABLE t (id int NOT NULL PRIMARY KEY, flag tinyint(1) NOT NULL, n bigint(1) unsigned NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(opBinary(t), "init", "--from", db.URL, "--release", "r1")
	cmd.Dir = t.TempDir()
	r := opRunCmd(t, cmd)
	if r.Code != 1 {
		src, _ := os.ReadFile(filepath.Join(cmd.Dir, "schema", "r1.hcl"))
		t.Fatalf("init adopting a bigint(1) unsigned: %s\n%s", r, src)
	}
	opContains(t, r, "t.n is bigint(1) unsigned, which Atlas reads as a bool (a signed tinyint(1)) (a display width changes nothing of what it holds: ALTER TABLE `t` MODIFY COLUMN `n` bigint unsigned NOT NULL)")
	if strings.Contains(r.Stderr, "t.flag") {
		t.Fatalf("a tinyint(1) refused: %s", r)
	}
}

// A number default the server writes with an exponent (a double's 1e100)
// or past 64 bits (a DECIMAL(65,0)'s) stopped emcee init and the
// planning of a SQL release with Atlas's own error, naming neither the
// column nor what to do ("strconv.ParseInt: parsing "1e100": invalid
// syntax"): Atlas writes an integer it cannot parse no other way. The
// default is declared as the expression it is, and the release plans,
// syncs and shows no drift; the column takes the default.
func TestAttack2S26NumberDefaultsAtlasCannotWrite(t *testing.T) {
	t.Parallel()
	table := "CREATE TABLE t (\n  id int NOT NULL PRIMARY KEY,\n  d double DEFAULT 1e100,\n  e double NOT NULL DEFAULT -2.5e-7,\n  big decimal(65,0) DEFAULT 123456789012345678901234567890,\n  neg decimal(65,0) DEFAULT -123456789012345678901234567890\n);\n"
	p := sqlReleasesProject(t, [2]string{"a", table})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "diff")
	p.exec("INSERT INTO t (id) VALUES (1)")
	if got, want := p.query("SELECT d = 1e100, e = -2.5e-7, big, neg FROM t"), "1 1 123456789012345678901234567890 -123456789012345678901234567890"; got != want {
		t.Fatalf("defaults: %q, want %q", got, want)
	}

	db := testdb.New(t)
	if _, err := db.Exec(strings.TrimSuffix(table, ";\n")); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	run := func(args ...string) opResult {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		return opRunCmd(t, cmd)
	}
	if r := run("init", "--from", db.URL, "--release", "r1"); r.Code != 0 {
		t.Fatalf("init: %s", r)
	}
	for _, args := range [][]string{{"plan", "--check"}, {"db", "baseline", "r1", "--url", db.URL}, {"db", "diff", "--url", db.URL}} {
		if r := run(args...); r.Code != 0 {
			t.Fatalf("%v: %s", args, r)
		}
	}
}

// A bool column changed by hand into an integer of display width 1 (int(1)
// to hold more than 127, tinyint(1) unsigned) is drift: Atlas reads both
// as a bool, and db diff said the database matched; the next release
// changing the column would have made it a tinyint(1) again, refusing
// (or, strict mode off, cutting) the values the application had written.
func TestAttack2S26BoolWidenedByHandIsDrift(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t, [2]string{"a", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, flag tinyint(1) NOT NULL, other tinyint(1) NOT NULL);\n"})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "diff")
	p.exec("ALTER TABLE t MODIFY flag int(1) NOT NULL, MODIFY other tinyint(1) unsigned NOT NULL")
	r := p.run("db", "diff")
	if r.Code == 0 {
		t.Fatalf("db diff after a bool became int(1) by hand: want drift: %s", r)
	}
	opContains(t, r, "column flag is int(1) NOT NULL, expected tinyint(1) NOT NULL", "column other is tinyint(1) unsigned NOT NULL, expected tinyint(1) NOT NULL")
}

// db check and db status on a fleet: a target whose default the pending
// release was not planned for, in another charset, fails with the reason
// as its state; one in another collation of the same charset is fine,
// and its note (what the applying commands will say) was printed by
// neither on a fleet: only a single database's text had it.
func TestAttack2S26FleetStatusNotesTheDatabaseDefault(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"a", dbCollationRelease("200")}, [2]string{"b", dbCollationRelease("300")})
	p.must("plan")
	other := testdb.New(t)
	for _, db := range []*testdb.DB{p.DB, other} {
		for _, q := range []string{
			"CREATE TABLE t (id int NOT NULL, name varchar(200) NOT NULL, PRIMARY KEY (id))",
			"CREATE TABLE tagged (id int NOT NULL, label varchar(200) NOT NULL, PRIMARY KEY (id)) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
		} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		p.must("db", "baseline", "a", "--url", db.URL)
	}
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	if _, err := other.Exec("ALTER DATABASE `" + other.Name + "` CHARACTER SET latin1"); err != nil {
		t.Fatal(err)
	}
	targets := filepath.Join(p.Dir, "targets.txt")
	if err := os.WriteFile(targets, []byte(p.DB.URL+"\n"+other.URL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// status reports, exiting 0 as on one database; check exits 1.
	for cmd, code := range map[string]int{"check": 1, "status": 0} {
		r := p.run("db", cmd, "--targets", targets)
		if r.Code != code {
			t.Fatalf("db %s on a fleet with a latin1 target: want %d: %s", cmd, code, r)
		}
		opContains(t, r, "the default collation of database "+other.Name+" is latin1_swedish_ci, but the plans were computed for utf8mb4_general_ci",
			"note: the default collation of database "+p.DB.Name+" is utf8mb4_unicode_ci, not utf8mb4_general_ci as the plans assume")
	}
}
