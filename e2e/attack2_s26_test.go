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
