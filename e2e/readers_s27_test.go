package e2e

import (
	"strings"
	"testing"
)

// Expand refuses a column added to t only where a routine would break:
// one copying every column of t where their number counts (a cursor
// fetched into variables, INSERT INTO x (SELECT * ...), INSERT ...
// PARTITION (...) SELECT *, REPLACE INTO x SELECT *, a temporary table
// made from every column of t and copied on), or inserting into t
// without a column list; not one sending SELECT * FROM t to the client,
// nor one testing EXISTS (SELECT * FROM t), which were refused though
// they break nothing. A routine running statements it builds as it runs
// (PREPARE ... FROM) cannot be read: a note says so. Those passed over
// still run once the column is there.
func TestReadersS27ExpandRefusesOnlyWhatACountedSelectStarBreaks(t *testing.T) {
	t.Parallel()
	tables := "CREATE TABLE t_archive (id int NOT NULL PRIMARY KEY, name varchar(20) NULL);\nCREATE TABLE t_staging (id int NOT NULL PRIMARY KEY, name varchar(20) NULL);\n"
	p := sqlReleasesProject(t,
		[2]string{"a", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(20) NULL);\n" + tables},
		[2]string{"b", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(20) NULL, extra int NULL);\n" + tables})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t VALUES (1, 'one')")
	broken := map[string]string{
		"walk":     "BEGIN DECLARE a INT; DECLARE b VARCHAR(20); DECLARE c CURSOR FOR SELECT * FROM t; OPEN c; FETCH c INTO a, b; CLOSE c; END",
		"keep":     "BEGIN INSERT INTO t_archive (SELECT * FROM t WHERE id > 100); END",
		"keep_p":   "BEGIN INSERT INTO t_archive PARTITION (p0) SELECT * FROM t WHERE id > 100; END",
		"swap":     "BEGIN REPLACE INTO t_archive SELECT * FROM t WHERE id > 100; END",
		"via_tmp":  "BEGIN CREATE TEMPORARY TABLE tmp AS SELECT * FROM t; INSERT INTO t_archive SELECT * FROM tmp WHERE id > 100; DROP TEMPORARY TABLE tmp; END",
		"load_all": "BEGIN INSERT INTO t (SELECT id, name FROM t_staging); END",
	}
	for name, body := range broken {
		p.exec("CREATE PROCEDURE " + name + "() " + body)
	}
	p.exec("CREATE PROCEDURE shows() BEGIN SELECT * FROM t WHERE id > 0 ORDER BY id; END")
	p.exec("CREATE PROCEDURE guard() BEGIN IF EXISTS (SELECT * FROM t WHERE id = 1) THEN SELECT 1; END IF; END")
	p.exec("CREATE PROCEDURE dyn(IN tbl varchar(64)) BEGIN SET @q = CONCAT('INSERT INTO t_archive SELECT * FROM ', tbl); PREPARE s FROM @q; EXECUTE s; END")
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expand adding a column routines copy by position: want the refusal: %s", r)
	}
	for name := range broken {
		opContains(t, r, "adds t.extra, and procedure "+name+" ")
	}
	opContains(t, r, "procedure load_all inserts into t without a column list",
		"note: procedure dyn run statements built as they run (PREPARE ... FROM, EXECUTE IMMEDIATE), which cannot be read before, so whether those read or copy what b_expand01 adds columns to is not checked")
	for _, o := range []string{"procedure shows ", "procedure guard ", "procedure dyn "} {
		if strings.Contains(r.Stdout+r.Stderr, "and "+o) {
			t.Fatalf("%s is not broken by a column added to t: %s", o, r)
		}
	}
	if got := p.columns("t"); strings.Contains(got, "extra") {
		t.Fatalf("the column was added: %s", got)
	}
	for name := range broken {
		p.exec("DROP PROCEDURE " + name)
	}
	p.must("db", "expand")
	p.exec("CALL shows()")
	p.exec("CALL guard()")
}
