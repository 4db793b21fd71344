package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// legacyDroppedNext is a project of releases declared as SQL whose b
// drops t.legacy of a, applied up to b's contract: what a drop check
// refuses or lets through is what contract does next.
func legacyDroppedNext(t *testing.T) *opProject {
	t.Helper()
	p := sqlReleasesProject(t,
		[2]string{"a", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, legacy int NULL);\n"},
		[2]string{"b", "CREATE TABLE t (id int NOT NULL PRIMARY KEY);\n"})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.must("db", "migrate")
	return p
}

// otherDatabase creates a database beside p's whose name holds a
// backtick, a dot and a line break (which would forge a line of a
// refusal, or name another database.object), dropped when the test ends.
func otherDatabase(t *testing.T, p *opProject) string {
	t.Helper()
	name := p.DB.Name + "_r`e.p\nx"
	p.exec("CREATE DATABASE " + sqlsyntax.Ident(name))
	t.Cleanup(func() { _, _ = p.DB.Exec("DROP DATABASE IF EXISTS " + sqlsyntax.Ident(name)) })
	return name
}

// A view, trigger, procedure or event of ANOTHER database on the server
// that reads this database's table (`reports`.v selecting from `app`.t)
// is no more checked by the server than one of this database: contract
// dropped t.legacy, which they read, and every one of them failed from
// then on. Only those of this database were compared with the drop. The
// refusal names each as `database`.`object`; objects of the other
// database reading a t of their own, or no t at all, are not named.
func TestContractRefusesDropReadFromOtherDatabases(t *testing.T) {
	t.Parallel()
	p := legacyDroppedNext(t)
	other := sqlsyntax.Ident(otherDatabase(t, p))
	app := sqlsyntax.Ident(p.DB.Name)
	p.exec("CREATE VIEW " + other + ".`v.1` AS SELECT legacy FROM " + app + ".t")
	p.exec("CREATE TABLE " + other + ".audit (id int NOT NULL PRIMARY KEY)")
	p.exec("CREATE TRIGGER " + other + ".audit_ai AFTER INSERT ON " + other + ".audit FOR EACH ROW UPDATE " + app + ".t SET legacy = NEW.id")
	// Read by its text: the SQL reader does not take BEGIN ... END.
	p.exec("CREATE PROCEDURE " + other + ".`we``ird proc`() BEGIN SELECT legacy FROM " + app + ".`t`; END")
	p.exec("CREATE PROCEDURE " + other + ".`x reads\n  nothing: all clear` () SELECT legacy FROM " + app + ".t")
	p.exec("CREATE EVENT " + other + ".nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01' DISABLE DO UPDATE " + app + ".t SET legacy = 0")
	// The other database's own t, with a legacy column, is another table.
	p.exec("CREATE TABLE " + other + ".t (id int NOT NULL PRIMARY KEY, legacy int NULL)")
	p.exec("CREATE VIEW " + other + ".own AS SELECT legacy FROM " + other + ".t")
	p.exec("CREATE PROCEDURE " + other + ".own_proc() BEGIN SELECT legacy FROM t; END")
	r := p.run("db", "contract")
	if r.Code != 1 {
		t.Fatalf("contract dropping a column objects of another database read: want the refusal: %s", r)
	}
	q := "`" + strings.ReplaceAll(strings.ReplaceAll(p.DB.Name+"_r`e.p\nx", "`", "``"), "\n", `\n`) + "`"
	opContains(t, r, "b_contract01 refused, nothing was changed",
		"drops t.legacy, which view "+q+".`v.1` reads",
		"drops t.legacy, which trigger "+q+".`audit_ai` (AFTER INSERT on "+q+".`audit`) reads",
		"drops t.legacy, which procedure "+q+".`we``ird proc` reads",
		"drops t.legacy, which procedure "+q+".`x reads\\n  nothing: all clear` reads",
		"drops t.legacy, which event "+q+".`nightly` reads",
		"belongs to another database on the server")
	for _, s := range []string{"`own`", "`own_proc`", "p\nx"} {
		if strings.Contains(r.Stderr, s) {
			t.Fatalf("%q in the refusal: %s", s, r)
		}
	}
	if got := p.columns("t"); !strings.Contains(got, "legacy") {
		t.Fatalf("the column was dropped: %s", got)
	}
	for _, o := range []string{"VIEW " + other + ".`v.1`", "TRIGGER " + other + ".audit_ai", "PROCEDURE " + other + ".`we``ird proc`", "PROCEDURE " + other + ".`x reads\n  nothing: all clear`", "EVENT " + other + ".nightly"} {
		p.exec("DROP " + o)
	}
	p.must("db", "contract")
}

// A rollback drops what expand added: a view of another database made
// since, reading the new column, broke as silently.
func TestRollbackRefusesDropReadFromOtherDatabases(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t,
		[2]string{"a", "CREATE TABLE t (id int NOT NULL PRIMARY KEY);\n"},
		[2]string{"b", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, fresh int NULL);\nCREATE TABLE added (id int NOT NULL PRIMARY KEY);\n"})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	other := sqlsyntax.Ident(otherDatabase(t, p))
	app := sqlsyntax.Ident(p.DB.Name)
	p.exec("CREATE VIEW " + other + ".fresh_ones AS SELECT id, fresh FROM " + app + ".t")
	p.exec("CREATE FUNCTION " + other + ".n_added() RETURNS int READS SQL DATA RETURN (SELECT COUNT(*) FROM " + app + ".added)")
	r := p.run("db", "rollback")
	if r.Code != 1 {
		t.Fatalf("rollback dropping a column and a table objects of another database read: want the refusal: %s", r)
	}
	opContains(t, r, "b_rollback01 refused, nothing was changed", "drops t.fresh, which view `", "`.`fresh_ones` reads",
		"drops table added, which function `", "`.`n_added` reads")
	if got := p.columns("t"); !strings.Contains(got, "fresh") {
		t.Fatalf("the column was dropped: %s", got)
	}
	p.exec("DROP VIEW " + other + ".fresh_ones")
	p.exec("DROP FUNCTION " + other + ".n_added")
	p.must("db", "rollback")
}

// What the server does not show the deployer cannot be checked, and the
// run says so: a deployer with privileges on its database alone sees no
// object of another database; one with SELECT there sees a view but not
// its definition.
func TestContractSaysWhatOtherDatabasesItCannotRead(t *testing.T) {
	t.Parallel()
	p := legacyDroppedNext(t)
	name := otherDatabase(t, p)
	other := sqlsyntax.Ident(name)
	p.exec("CREATE VIEW " + other + ".v AS SELECT legacy FROM " + sqlsyntax.Ident(p.DB.Name) + ".t")
	user := strings.Replace(p.DB.Name, "emcee_t_", "emcee_u_", 1)
	p.exec("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw-not-printed'")
	t.Cleanup(func() { _, _ = p.DB.Exec("DROP USER IF EXISTS '" + user + "'@'%'") })
	p.exec("GRANT ALL ON `" + p.DB.Name + "`.* TO '" + user + "'@'%'")
	u, err := url.Parse(p.DB.URL)
	if err != nil {
		t.Fatal(err)
	}
	as := "mysql://" + user + ":pw-not-printed@" + u.Host + "/" + p.DB.Name
	dev := testdb.New(t)
	r := p.run("db", "contract", "--dry-run", "--url", as, "--dev-url", dev.URL)
	opContains(t, r, "note: the server lists to "+user+" only the triggers, views, stored routines and events of other databases that "+user+" has some privilege on, so whether the others read what b_contract01 drops is not checked; "+user+" lacks the global SHOW VIEW (views), TRIGGER (triggers), EVENT (events) and SELECT (stored routines; SELECT ON mysql.proc is enough): GRANT them ON *.* to have every database checked")
	p.exec("GRANT SELECT ON " + other + ".* TO '" + user + "'@'%'")
	r = p.run("db", "contract", "--dry-run", "--url", as, "--dev-url", dev.URL)
	opContains(t, r, "note: the server does not show "+user+" the definitions of view "+strings.ReplaceAll(sqlsyntax.Ident(name), "\n", `\n`)+".`v`, so whether they read what b_contract01 drops is not checked")
	// As root, who sees it all: the refusal, and no note.
	r = p.run("db", "contract", "--dry-run")
	if r.Code != 1 || strings.Contains(r.Stderr, "note: the server") {
		t.Fatalf("contract --dry-run as root: %s", r)
	}
	opContains(t, r, "`.`v` reads")
}
