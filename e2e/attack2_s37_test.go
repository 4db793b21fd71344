package e2e

import (
	"strings"
	"testing"
)

// Columns added where neither server adds one instantly, planned
// ALGORITHM=INSTANT (with the table's other instant changes, in one
// statement since plan format 6): a STORED generated column (both servers,
// error 1845 "Try ALGORITHM=COPY"), and, on MariaDB 10.11, a column added
// to a table with an index on a virtual column (1845 "Try
// ALGORITHM=INPLACE", and INPLACE is refused online too, error 1846
// "online rebuild with indexed virtual columns"). expand's preflight
// stopped it, the plan unrunnable. plan now asks for allow_copy, and with
// it expand copies the table once for all the table's changes.
func TestAttack2S37AddColumnNoServerAddsInstantly(t *testing.T) {
	t.Parallel()
	for name, c := range map[string][3]string{
		"stored generated": {"CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(30)) ENGINE=InnoDB;\n",
			"CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(40), c1 int, g int AS (id * 2) STORED) ENGINE=InnoDB;\n", "g"},
		"indexed virtual": {"CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(30), v int AS (id + 1) VIRTUAL, KEY kv (v)) ENGINE=InnoDB;\n",
			"CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(40), v int AS (id + 1) VIRTUAL, c1 int, g int, KEY kv (v)) ENGINE=InnoDB;\n", "g"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := sqlReleasesProject(t, [2]string{"a", c[0]}, [2]string{"b", c[1]})
			if r := p.run("plan"); r.Code == 0 {
				p.must("db", "sync", "a")
				t.Fatalf("planned without allow_copy:\n%s\nexpand: %s", p.read("plans/b/b_expand01.sql"), p.run("db", "expand"))
			} else {
				opContains(t, r, "schema/b.sql:", "allow_copy = true")
			}
			opWrite(t, p.Dir+"/schema/b.emcee.hcl", []byte("table \"t\" {\n  column \"c1\" {\n    allow_copy = true\n  }\n  column \""+c[2]+"\" {\n    allow_copy = true\n  }\n}\n"))
			p.must("plan")
			if got := p.read("plans/b/b_expand01.sql"); !strings.Contains(got, "ALGORITHM=COPY") {
				t.Errorf("expand does not copy the table:\n%s", got)
			}
			p.must("db", "sync", "a")
			p.exec("INSERT INTO t (id, name) VALUES (1, 'a')")
			p.must("db", "expand")
			p.exec("INSERT INTO t (id, name, c1) VALUES (2, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 7)")
			wantAnswers(t, p, map[string]string{"SELECT COUNT(*), SUM(c1) FROM t": "2 7"})
		})
	}
}
