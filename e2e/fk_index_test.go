package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// InnoDB gives a foreign key an index of its own, named after the key,
// when no index of the table leads with the key's columns; it drops that
// index by itself when an index that leads with them is added, refuses to
// drop the last index a key can use (error 1553), and keeps the index
// when the key is dropped. A release declares none of that: the schema
// it declares, built afresh, has exactly the indexes the server makes for
// its keys. These cases run an upgrade and a rollback through the real
// binary and hold the live schema to the release's at every step (`emcee
// db diff` exit 0).

// fkTable is a table block of schema app.
func fkTable(name string, blocks ...string) string {
	return "table \"" + name + "\" {\n  schema = schema.app\n" + strings.Join(blocks, "") + "}\n"
}

func fkCol(name string) string {
	return "  column \"" + name + "\" {\n    type = int\n    null = true\n  }\n"
}

func fkIndex(name string, cols ...string) string {
	return "  index \"" + name + "\" {\n    columns = [column." + strings.Join(cols, ", column.") + "]\n  }\n"
}

func fkKey(name, ref string, cols ...string) string {
	refs := make([]string, len(cols))
	for i := range cols {
		refs[i] = "table." + ref + ".column." + []string{"id", "k"}[i]
	}
	return "  foreign_key \"" + name + "\" {\n    columns     = [column." + strings.Join(cols, ", column.") + "]\n    ref_columns = [" + strings.Join(refs, ", ") + "]\n  }\n"
}

const (
	fkID = "  column \"id\" {\n    type = int\n  }\n"
	fkPK = "  primary_key {\n    columns = [column.id]\n  }\n"
	// fkParent is what the keys reference: id alone, or (id, k).
	fkParent = "schema \"app\" {}\n" + "table \"parent\" {\n  schema = schema.app\n" + fkID + "  column \"k\" {\n    type = int\n  }\n" + fkPK +
		"  index \"ux_id_k\" {\n    unique  = true\n    columns = [column.id, column.k]\n  }\n}\n"
)

// fkChild is the child table of the cases: columns pid, q and rid, and
// the blocks given.
func fkChild(blocks ...string) string {
	return fkParent + fkTable("child", append([]string{fkID, fkCol("pid"), fkCol("q"), fkCol("rid"), fkPK}, blocks...)...)
}

var fkSeed = []string{
	"INSERT INTO parent VALUES (1, 1), (2, 2)",
	"INSERT INTO child (id, pid, q, rid) VALUES (1, 1, 1, 1), (2, 2, 2, 2), (3, NULL, NULL, NULL)",
}

// fkUpgrade plans a -> b and proves both ways through it with zero drift
// after every command: sync a, expand, migrate, contract; and, on a
// database of its own, sync a, expand, rollback, expand again, migrate,
// contract.
func fkUpgrade(t *testing.T, a, b string, seed []string) {
	t.Helper()
	noDrift := func(p *opProject, after string) {
		t.Helper()
		if r := p.run("db", "diff"); r.Code != 0 {
			t.Fatalf("after %s, db diff: %s\nlive child:\n%s", after, r, p.query("SHOW CREATE TABLE child"))
		}
	}
	run := func(p *opProject, steps ...string) {
		t.Helper()
		for _, s := range steps {
			args := strings.Fields(s)
			p.must(append([]string{"db"}, args...)...)
			noDrift(p, "db "+s)
		}
	}
	t.Run("upgrade", func(t *testing.T) {
		p := plannedProject(t, "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
		// The plans pass lint, replayed in a dev database: the index a
		// statement of expand drops is the server's, served by the one it
		// adds (EM101), and each expand and its rollback meet (EM112).
		p.must("lint")
		run(p, "sync a")
		execAll(t, p.DB.DB, "seed", seed)
		run(p, "expand", "migrate", "contract")
	})
	t.Run("rollback", func(t *testing.T) {
		p := plannedProject(t, "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
		run(p, "sync a")
		execAll(t, p.DB.DB, "seed", seed)
		run(p, "expand", "rollback", "expand", "migrate", "contract")
	})
}

func TestForeignKeyIndexes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		a, b string
	}{
		{"key dropped, an index over its columns added",
			fkChild(fkKey("fk_pid", "parent", "pid")), fkChild(fkIndex("ix_pid", "pid"))},
		{"key dropped, an index over its columns and more added",
			fkChild(fkKey("fk_pid", "parent", "pid")), fkChild(fkIndex("ix_pid_q", "pid", "q"))},
		{"key over two columns dropped, an index over the first added",
			fkChild(fkKey("fk_pid_q", "parent", "pid", "q")), fkChild(fkIndex("ix_pid", "pid"))},
		{"key stays, an index over its columns added",
			fkChild(fkKey("fk_pid", "parent", "pid")), fkChild(fkKey("fk_pid", "parent", "pid"), fkIndex("ix_pid", "pid"))},
		{"key stays, the index over its columns dropped",
			fkChild(fkKey("fk_pid", "parent", "pid"), fkIndex("ix_pid", "pid")), fkChild(fkKey("fk_pid", "parent", "pid"))},
		{"key stays, the index over its columns and more dropped",
			fkChild(fkKey("fk_pid", "parent", "pid"), fkIndex("ix_pid_q", "pid", "q")), fkChild(fkKey("fk_pid", "parent", "pid"))},
		{"key and the index over its columns dropped",
			fkChild(fkKey("fk_pid", "parent", "pid"), fkIndex("ix_pid", "pid")), fkChild()},
		{"index over its columns dropped, a key over them added",
			fkChild(fkIndex("ix_pid", "pid")), fkChild(fkKey("fk_pid", "parent", "pid"))},
		{"key stays, one of two indexes over its columns dropped",
			fkChild(fkKey("fk_pid", "parent", "pid"), fkIndex("ix_pid", "pid"), fkIndex("ix_pid_q", "pid", "q")), fkChild(fkKey("fk_pid", "parent", "pid"), fkIndex("ix_pid_q", "pid", "q"))},
		{"key stays, both indexes over its columns dropped",
			fkChild(fkKey("fk_pid", "parent", "pid"), fkIndex("ix_pid", "pid"), fkIndex("ix_pid_q", "pid", "q")), fkChild(fkKey("fk_pid", "parent", "pid"))},
		{"key stays, a unique index over its columns added",
			fkChild(fkKey("fk_pid", "parent", "pid")), fkChild(fkKey("fk_pid", "parent", "pid"), "  index \"ux_pid_id\" {\n    unique  = true\n    columns = [column.pid, column.id]\n  }\n")},
		{"key stays, the index over its columns moves to other columns",
			fkChild(fkKey("fk_pid", "parent", "pid"), fkIndex("ix", "pid")), fkChild(fkKey("fk_pid", "parent", "pid"), fkIndex("ix", "q"))},
		{"key stays, an index moves to its columns",
			fkChild(fkKey("fk_pid", "parent", "pid"), fkIndex("ix", "q")), fkChild(fkKey("fk_pid", "parent", "pid"), fkIndex("ix", "pid"))},
		{"one of two keys over the same column dropped",
			fkChild(fkKey("fk_a", "parent", "pid"), fkKey("fk_c", "parent", "pid")), fkChild(fkKey("fk_c", "parent", "pid"))},
		{"the other of two keys over the same column dropped",
			fkChild(fkKey("fk_a", "parent", "pid"), fkKey("fk_c", "parent", "pid")), fkChild(fkKey("fk_a", "parent", "pid"))},
		{"of a key over a column and one over it and another, the longer dropped",
			fkChild(fkKey("fk_a", "parent", "pid"), fkKey("fk_pq", "parent", "pid", "q")), fkChild(fkKey("fk_a", "parent", "pid"))},
		{"of a key over a column and one over it and another, the shorter dropped",
			fkChild(fkKey("fk_a", "parent", "pid"), fkKey("fk_pq", "parent", "pid", "q")), fkChild(fkKey("fk_pq", "parent", "pid", "q"))},
		{"a second key over a key's column added",
			fkChild(fkKey("fk_a", "parent", "pid")), fkChild(fkKey("fk_a", "parent", "pid"), fkKey("fk_c", "parent", "pid"))},
		{"key dropped, a unique index over its columns added",
			fkChild(fkKey("fk_pid", "parent", "pid")), fkChild("  index \"ux_pid_id\" {\n    unique  = true\n    columns = [column.pid, column.id]\n  }\n")},
		{"key renamed",
			fkChild(fkKey("fk_a", "parent", "pid")), fkChild(fkKey("fk_b", "parent", "pid"))},
		{"key moves to other columns under a new name",
			fkChild(fkKey("fk_a", "parent", "pid")), fkChild(fkKey("fk_b", "parent", "rid"))},
		{"key moves to another table",
			fkChild(fkKey("fk_a", "parent", "pid")) + fkTable("other", fkID, fkCol("pid"), fkPK),
			fkChild() + fkTable("other", fkID, fkCol("pid"), fkPK, fkKey("fk_b", "parent", "pid"))},
		{"key moves to another table under its name",
			fkChild(fkKey("fk_a", "parent", "pid")) + fkTable("other", fkID, fkCol("pid"), fkPK),
			fkChild() + fkTable("other", fkID, fkCol("pid"), fkPK, fkKey("fk_a", "parent", "pid"))},
		{"column of a key dropped",
			fkChild(fkKey("fk_pid", "parent", "pid")),
			fkParent + fkTable("child", fkID, fkCol("q"), fkCol("rid"), fkPK)},
		{"table with a key created",
			fkChild(), fkChild() + fkTable("other", fkID, fkCol("pid"), fkPK, fkKey("fk_o", "parent", "pid"))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fkUpgrade(t, c.a, c.b, fkSeed)
		})
	}
}

// A database restored from a dump (or copied by pt-online-schema-change)
// holds a key's index as an index of its own, named after the key, which
// the server no longer drops by itself when another index comes to serve
// the key, or a new key takes it; init reads it as the key's, since
// nothing tells the two apart. Releases that rename a key, add an index
// over a key's columns and then drop that key, add a second key over a
// key's column, and drop a key whose index the server made, all end with
// the schema the release declares.
func TestForeignKeyIndexesOfAnAdoptedDatabase(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	execAll(t, db.DB, "tables", []string{
		"CREATE TABLE parent (id int NOT NULL PRIMARY KEY)",
		// As mysqldump writes them back.
		"CREATE TABLE a (id int NOT NULL PRIMARY KEY, pid int NULL, KEY fk_a (pid), CONSTRAINT fk_a FOREIGN KEY (pid) REFERENCES parent (id))",
		"CREATE TABLE b (id int NOT NULL PRIMARY KEY, pid int NULL, KEY fk_b (pid), CONSTRAINT fk_b FOREIGN KEY (pid) REFERENCES parent (id))",
		// The index the server makes.
		"CREATE TABLE c (id int NOT NULL PRIMARY KEY, pid int NULL, CONSTRAINT fk_c FOREIGN KEY (pid) REFERENCES parent (id))",
		"CREATE TABLE d (id int NOT NULL PRIMARY KEY, pid int NULL, KEY fk_d (pid), CONSTRAINT fk_d FOREIGN KEY (pid) REFERENCES parent (id))",
		"INSERT INTO parent VALUES (1), (2)",
		"INSERT INTO a VALUES (1, 1), (2, NULL)",
		"INSERT INTO b VALUES (1, 2)",
		"INSERT INTO c VALUES (1, 1)",
	})
	dir := t.TempDir()
	run := func(args ...string) opResult {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL="+db.URL)
		return opRunCmd(t, cmd)
	}
	must := func(args ...string) {
		t.Helper()
		if r := run(args...); r.Code != 0 {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
		if r := run("db", "diff", "--env", "live"); r.Code != 0 {
			t.Fatalf("after emcee %s, db diff: %s", strings.Join(args, " "), r)
		}
	}
	if r := run("init", "--from", db.URL, "--release", "r1"); r.Code != 0 {
		t.Fatalf("init: %s", r)
	}
	must("db", "baseline", "r1", "--env", "live")
	src, err := os.ReadFile(filepath.Join(dir, "schema", "r1.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	r1 := string(src)
	key := func(name string) string {
		return "  foreign_key \"" + name + "\" {\n    columns     = [column.pid]\n    ref_columns = [table.parent.column.id]\n  }\n"
	}
	r2 := replaceOnce(r1, key("fk_a"), key("fk_a2"))
	r2 = replaceOnce(r2, key("fk_b"), key("fk_b")+"  index \"ix_pid\" {\n    columns = [column.pid]\n  }\n")
	r2 = replaceOnce(r2, key("fk_c"), "")
	r2 = replaceOnce(r2, key("fk_d"), key("fk_d")+key("fk_d2"))
	r3 := replaceOnce(r2, key("fk_b"), "")
	for _, rel := range [][2]string{{"r2", r2}, {"r3", r3}} {
		opWrite(t, filepath.Join(dir, "schema", rel[0]+".hcl"), []byte(rel[1]))
		cfg, err := os.ReadFile(filepath.Join(dir, "atlas.hcl"))
		if err != nil {
			t.Fatal(err)
		}
		opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte(strings.Replace(string(cfg), `"]`, `", "`+rel[0]+`"]`, 1)))
		if r := run("plan"); r.Code != 0 {
			t.Fatalf("plan %s: %s", rel[0], r)
		}
		for _, phase := range []string{"expand", "migrate", "contract"} {
			must("db", phase, "--env", "live")
		}
	}
}

// pt-online-schema-change copies a table with a key whose index the
// server made: the copy holds the key under the tool's name (given back by
// emcee) and the index as one of its own, which the server no longer
// drops by itself. The releases after it (an index over the key's
// columns, then the key dropped) end with the schema they declare; and a
// key dropped, with its index, in the ALTER the tool runs, goes on the
// copy, whose key bears the tool's name.
func TestForeignKeyIndexesThroughPtOSC(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	widen := func(typ string, blocks ...string) string {
		col := "  column \"n\" {\n    type = " + typ + "\n  }\n"
		if typ == "bigint" {
			col = "  column \"n\" {\n    type       = bigint\n    allow_copy = true\n  }\n"
		}
		return fkParent + fkTable("child", append([]string{fkID, fkCol("pid"), col, fkPK}, blocks...)...)
	}
	osc := func(p *opProject) {
		cfg := strings.Replace(p.read("atlas.hcl"), "emcee {\n", "emcee {\n  osc = \"pt-osc\"\n", 1)
		opWrite(p.t, filepath.Join(p.Dir, "atlas.hcl"), []byte(cfg))
	}
	seed := func(p *opProject) {
		p.exec("INSERT INTO parent VALUES (1, 1), (2, 2)")
		p.exec("INSERT INTO child SELECT seq, 1 + seq % 2, seq FROM seq_1_to_500")
	}
	phases := func(p *opProject, handed bool) {
		p.t.Helper()
		for _, ph := range []string{"expand", "migrate", "contract"} {
			r := p.must("db", ph)
			if handed && ph == "expand" {
				opContains(p.t, r, "handed to pt-online-schema-change")
			}
			if d := p.run("db", "diff"); d.Code != 0 {
				p.t.Fatalf("after db %s: %s\n%s", ph, d, p.query("SHOW CREATE TABLE child"))
			}
		}
	}
	t.Run("index over the key's columns, then the key dropped", func(t *testing.T) {
		t.Parallel()
		v1 := widen("int", fkKey("fk_pid", "parent", "pid"))
		v2 := widen("bigint", fkKey("fk_pid", "parent", "pid"))
		v3 := widen("bigint", fkKey("fk_pid", "parent", "pid"), fkIndex("ix_pid", "pid"))
		v4 := widen("bigint", fkIndex("ix_pid", "pid"))
		p := plannedProject(t, "mariadb 10.11", [2]string{"v1", v1}, [2]string{"v2", v2}, [2]string{"v3", v3}, [2]string{"v4", v4})
		osc(p)
		p.must("db", "sync", "v1")
		seed(p)
		phases(p, true)
		phases(p, false)
		phases(p, false)
		if got := p.query("SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'child' AND INDEX_NAME <> 'PRIMARY'"); got != "ix_pid" {
			t.Fatalf("indexes of child: %q", got)
		}
	})
	t.Run("key dropped in the tool's ALTER", func(t *testing.T) {
		t.Parallel()
		v1 := widen("bigint", fkKey("fk_pid", "parent", "pid"))
		v2 := strings.Replace(widen("bigint"), "type       = bigint", "type       = int", 1)
		p := plannedProject(t, "mariadb 10.11", [2]string{"v1", v1}, [2]string{"v2", v2})
		if got := p.read("plans/v2/v2_contract01.sql"); !strings.Contains(got, "DROP FOREIGN KEY `fk_pid`, DROP INDEX `fk_pid`") || !strings.Contains(got, "ALGORITHM=COPY") {
			t.Fatalf("want the key and its index dropped in the ALTER that copies the table:\n%s", got)
		}
		osc(p)
		p.must("db", "sync", "v1")
		seed(p)
		p.must("db", "expand")
		p.must("db", "migrate")
		r := p.must("db", "contract")
		opContains(t, r, "handed to pt-online-schema-change")
		p.must("db", "diff")
	})
}
