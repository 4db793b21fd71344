package e2e

import (
	"strings"
	"testing"

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
	p := sqlReleasesProject(t,
		[2]string{"a", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, legacy int NULL);\n"},
		[2]string{"b", "CREATE TABLE t (id int NOT NULL PRIMARY KEY);\n"})
	if p.query("SELECT @@lower_case_table_names") != "0" {
		t.Skip("the server does not tell names' case apart")
	}
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.must("db", "migrate")
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
