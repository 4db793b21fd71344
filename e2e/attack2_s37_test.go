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

// A column dropped from a table keeping an index on a virtual column:
// contract's DROP COLUMN, ALGORITHM=INSTANT was refused by MariaDB 10.11
// (error 1846, "INPLACE ADD or DROP of virtual columns cannot be combined
// with other ALTER TABLE actions": the drop renumbers the virtual
// columns), contract stopping after its gates. plan asks for allow_copy on
// a column of that index, as for a FULLTEXT index, and contract copies.
func TestAttack2S37DropColumnBesideAnIndexedVirtualColumn(t *testing.T) {
	t.Parallel()
	a := "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(30), x int, v int AS (id + 1) VIRTUAL, KEY kv (v)) ENGINE=InnoDB;\n"
	b := "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(30), v int AS (id + 1) VIRTUAL, KEY kv (v)) ENGINE=InnoDB;\n"
	p := sqlReleasesProject(t, [2]string{"a", a}, [2]string{"b", b})
	if r := p.run("plan"); r.Code == 0 {
		p.must("db", "sync", "a")
		p.must("db", "expand")
		p.must("db", "migrate")
		t.Fatalf("planned without allow_copy:\n%s\ncontract: %s", p.read("plans/b/b_contract01.sql"), p.run("db", "contract"))
	} else {
		opContains(t, r, "schema/b.sql:", "t.v: dropping column x from a table that keeps an index on a virtual column", "allow_copy = true")
	}
	opWrite(t, p.Dir+"/schema/b.emcee.hcl", []byte("table \"t\" {\n  column \"v\" {\n    allow_copy = true\n  }\n}\n"))
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id, name, x) VALUES (1, 'a', 5)")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	wantAnswers(t, p, map[string]string{"SELECT id, name, v FROM t": "1 a 2"})
}

// A row a data_migration declares into a table new in the release, with
// a value the column's type stores otherwise than written (amount = 10 in
// a decimal(10,2) is 10.00): the rollback after migrate compared them as written and
// counted the row as the new release's data, refusing without
// --drop-new-data, which the next migrate inserts again. A row the new
// release changed (a note it wrote) is still its data.
func TestAttack2S37RollbackDeclaredRowAsStored(t *testing.T) {
	t.Parallel()
	keep := htable("keep", hcol("id", "int"), hpk("id"))
	prices := htable("prices", hcol("id", "int"), hcol("amount", "decimal(10,2)"), hcol("note", "varchar(20)", "null = true"), hpk("id"))
	seed := "data_migration \"seed\" {\n  table = \"prices\"\n  row {\n    id     = 1\n    amount = 10\n  }\n}\n"
	for name, write := range map[string]string{"as declared": "", "noted": "UPDATE prices SET note = 'mine'"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := newSchemaProject(t, [2]string{"a", "schema \"app\" {}\n" + keep}, [2]string{"b", "schema \"app\" {}\n" + keep + prices + seed})
			p.must("plan")
			p.must("db", "sync", "a")
			p.must("db", "expand")
			p.must("db", "migrate")
			wantAnswers(t, p, map[string]string{"SELECT id, amount FROM prices": "1 10.00"})
			if write != "" {
				p.exec(write)
			}
			r := p.run("db", "rollback")
			if write == "" {
				if r.Code != 0 {
					t.Fatalf("rollback over the declared row alone: %s", r)
				}
				return
			}
			if r.Code == 0 {
				t.Fatalf("rollback dropped the note the new release wrote: %s", r)
			}
			opContains(t, r, "prices", "--drop-new-data")
		})
	}
}

// A key changed under its name (ON DELETE CASCADE) whose referenced
// column is renamed in the same release, its unique index moved to the new
// column under its name (u_code from p.code to p.ref): contract's
// index-columns ALTER of p runs before modify-foreign-key drops the old
// key of c, which still needs u_code, and MariaDB refuses it (error 1553,
// "Cannot drop index 'u_code': needed in a foreign key constraint"):
// contract stopped at its 4th statement, and every rerun there. The old
// key is dropped first now (refersRenamed), as is one the release drops
// and adds under another name, which stopped the same way.
func TestAttack2S37ModifiedKeyOnARenamedParentColumn(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"fk_c", "fk_c2"} { // changed under its name; dropped and added under another
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			key := func(name, ref, actions string) string {
				return "  foreign_key \"" + name + "\" {\n    columns     = [column.pid]\n    ref_columns = [table.p.column." + ref + "]\n" + actions + "  }\n"
			}
			a := htable("p", hcol("id", "int"), hcol("code", "int"), hpk("id"), hindex("u_code", true, "code")) + htable("c", hcol("id", "int"), hcol("pid", "int", "null = true"), hpk("id"), key("fk_c", "code", ""))
			b := htable("p", hcol("id", "int"), hcol("ref", "int", `renamed_from = "code"`), hpk("id"), hindex("u_code", true, "ref")) + htable("c", hcol("id", "int"), hcol("pid", "int", "null = true"), hpk("id"), key(name, "ref", "    on_delete = CASCADE\n"))
			p := newSchemaProject(t, [2]string{"a", "schema \"app\" {}\n" + a}, [2]string{"b", "schema \"app\" {}\n" + b})
			p.must("plan")
			p.must("db", "sync", "a")
			p.exec("INSERT INTO p VALUES (1, 10), (2, 20)")
			p.exec("INSERT INTO c VALUES (1, 10), (2, 20)")
			p.must("db", "expand")
			p.must("db", "migrate")
			p.must("db", "contract")
			p.exec("DELETE FROM p WHERE id = 2")
			wantAnswers(t, p, map[string]string{
				"SELECT REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND CONSTRAINT_NAME = '" + name + "'": "ref",
				"SELECT GROUP_CONCAT(id) FROM c": "1",
			})
		})
	}
}
