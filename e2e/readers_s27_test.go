package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/sqlsyntax"
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

// A sync over several releases checks what each revision it runs drops
// or adds against the live triggers, views, routines and events before
// the first changes anything: it applied b whole and c's expand, then
// stopped on c's contract dropping a column a routine reads (or applied
// b, then stopped on c's expand adding one a routine copies by
// position), the database left between releases.
func TestReadersS27SyncRefusesALaterReleaseBeforeTheFirst(t *testing.T) {
	t.Parallel()
	t1 := "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(20) NULL, legacy int NULL);\nCREATE TABLE t_archive (id int NOT NULL PRIMARY KEY, name varchar(20) NULL, legacy int NULL);\n"
	u := "CREATE TABLE u (id int NOT NULL PRIMARY KEY);\n"
	p := sqlReleasesProject(t,
		[2]string{"a", t1},
		[2]string{"b", t1 + u},
		[2]string{"c", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(20) NULL, legacy int NULL, extra int NULL);\nCREATE TABLE t_archive (id int NOT NULL PRIMARY KEY, name varchar(20) NULL);\n" + u})
	p.must("plan")
	p.must("db", "sync", "a")
	for _, c := range []struct{ proc, want string }{
		{"CREATE PROCEDURE reads_legacy() BEGIN SELECT legacy FROM t_archive; END", "c_contract01 refused, nothing was changed: it drops what triggers, views, stored routines or events it does not manage still read"},
		{"CREATE PROCEDURE archive() BEGIN INSERT INTO t_archive SELECT * FROM t; END", "c_expand01 refused, nothing was changed: it adds columns to tables"},
	} {
		p.exec(c.proc)
		r := p.run("db", "sync")
		if r.Code != 1 {
			t.Fatalf("sync through c, whose revisions break a routine: want the refusal: %s", r)
		}
		opContains(t, r, c.want)
		if strings.Contains(r.Stdout, "applying") {
			t.Fatalf("the sync applied revisions before it refused: %s", r)
		}
		if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'u'"); got != "0" {
			t.Fatalf("b was applied before the refusal of c: %s", r)
		}
		p.exec("DROP PROCEDURE " + strings.Fields(c.proc)[2][:strings.Index(strings.Fields(c.proc)[2], "(")])
	}
	p.must("db", "sync")
}

// What an earlier revision of the sync drops is gone for the later ones
// checked before the first: b's contract drops the triggers b's expand
// made to keep a and its new name b in step, so c's contract dropping b
// breaks nothing (checked before the first, the triggers still live read
// b, and the sync was refused).
func TestReadersS27SyncAheadCountsWhatEarlierRevisionsDrop(t *testing.T) {
	t.Parallel()
	table := func(col string) string {
		return "schema \"app\" {}\n\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n" + col + "  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	p := newSchemaProject(t,
		[2]string{"a", table("  column \"a\" {\n    type = int\n    null = true\n  }\n")},
		[2]string{"b", table("  column \"b\" {\n    type = int\n    null = true\n    renamed_from = \"a\"\n  }\n")},
		[2]string{"c", table("")})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"); got == "0" {
		t.Fatalf("b's expand made no triggers: the test needs them")
	}
	p.must("db", "sync")
	if got := p.columns("t"); strings.Contains(got, "b") {
		t.Fatalf("c's contract did not drop b: %s", got)
	}
}

// A deployer given SHOW VIEW, TRIGGER, EVENT and SELECT ON mysql.proc
// through a role (MariaDB's roles, a role granted to a role) sees every
// database once its session has the role: contract refuses the drop a
// view of another database reads, and says no more that the deployer
// lacks what the role gives it (USER_PRIVILEGES, which it was read from,
// lists a user's own privileges only); a view's definition it sees once
// the role gives SELECT on it too, as the note on hidden definitions now
// says (it said SHOW VIEW alone). While the role is granted but not
// enabled, the note says so and how to enable it.
func TestReadersS27PrivilegesThroughARole(t *testing.T) {
	t.Parallel()
	p := legacyDroppedNext(t)
	name := otherDatabase(t, p)
	other := sqlsyntax.Ident(name)
	p.exec("CREATE VIEW " + other + ".v AS SELECT legacy FROM " + sqlsyntax.Ident(p.DB.Name) + ".t")
	user := strings.Replace(p.DB.Name, "emcee_t_", "emcee_u_", 1)
	outer, inner := strings.Replace(p.DB.Name, "emcee_t_", "emcee_ro_", 1), strings.Replace(p.DB.Name, "emcee_t_", "emcee_ri_", 1)
	p.exec("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw-not-printed'")
	p.exec("CREATE ROLE " + outer)
	p.exec("CREATE ROLE " + inner)
	t.Cleanup(func() {
		_, _ = p.DB.Exec("DROP USER IF EXISTS '" + user + "'@'%'")
		_, _ = p.DB.Exec("DROP ROLE IF EXISTS " + outer)
		_, _ = p.DB.Exec("DROP ROLE IF EXISTS " + inner)
	})
	p.exec("GRANT ALL ON `" + p.DB.Name + "`.* TO '" + user + "'@'%'")
	p.exec("GRANT SHOW VIEW, TRIGGER, EVENT ON *.* TO " + inner)
	p.exec("GRANT SELECT ON mysql.proc TO " + inner)
	p.exec("GRANT " + inner + " TO " + outer)
	p.exec("GRANT " + outer + " TO '" + user + "'@'%'")
	u, err := url.Parse(p.DB.URL)
	if err != nil {
		t.Fatal(err)
	}
	as := "mysql://" + user + ":pw-not-printed@" + u.Host + "/" + p.DB.Name
	dev := testdb.New(t)
	r := p.run("db", "contract", "--dry-run", "--url", as, "--dev-url", dev.URL)
	opContains(t, r, user+" lacks the global SHOW VIEW (views), TRIGGER (triggers), EVENT (events) and SELECT (stored routines; SELECT ON mysql.proc is enough): GRANT them ON *.* to have every database checked (or to a role enabled on emcee's sessions: `"+outer+"`, granted to "+user+", is not enabled, so what it holds does not count; SET DEFAULT ROLE role FOR "+user+" enables one)")
	p.exec("SET DEFAULT ROLE " + outer + " FOR '" + user + "'@'%'")
	r = p.run("db", "contract", "--dry-run", "--url", as, "--dev-url", dev.URL)
	if strings.Contains(r.Stdout+r.Stderr, "note: the server lists") {
		t.Fatalf("contract --dry-run as a deployer whose default role sees every database: %s", r)
	}
	// Other tests' views may be listed beside it: the role shows every
	// database.
	v := strings.ReplaceAll(other, "\n", `\n`) + ".`v`"
	opContains(t, r, "note: the server does not show "+user+" the definitions of view ", v, "so whether they read what b_contract01 drops is not checked (GRANT SELECT and SHOW VIEW on a view")
	p.exec("GRANT SELECT ON " + other + ".* TO " + inner)
	r = p.run("db", "contract", "--dry-run", "--url", as, "--dev-url", dev.URL)
	if r.Code != 1 || strings.Contains(r.Stdout+r.Stderr, "note: the server lists") || strings.Contains(r.Stdout, v) {
		t.Fatalf("contract --dry-run as a deployer whose default role sees every database: want the refusal and no note: %s", r)
	}
	opContains(t, r, "`.`v` reads")
}

// A foreign key whose columns change under a name the server generated
// (modify-foreign-key plans a named one) is refused at the key's own line
// in the release declaring it, SQL or HCL: it pointed at its table's.
func TestReadersS27ChangedForeignKeyRefusedAtItsLine(t *testing.T) {
	t.Parallel()
	u := "CREATE TABLE u (id int NOT NULL PRIMARY KEY, code int NOT NULL, UNIQUE KEY (code));\n"
	table := func(ref string) string {
		return u + "CREATE TABLE t (\n  id int NOT NULL PRIMARY KEY,\n  p int NULL,\n  KEY (p),\n  CONSTRAINT t_ibfk_1 FOREIGN KEY (p) REFERENCES u (" + ref + ")\n);\n"
	}
	p := sqlReleasesProject(t, [2]string{"a", table("id")}, [2]string{"b", table("code")})
	r := p.run("plan")
	if r.Code == 0 {
		t.Fatalf("plan of a foreign key whose referenced column changes: want the refusal: %s", r)
	}
	opContains(t, r, "schema/b.sql:6:3: foreign key t_ibfk_1 on t changes")

	hcl := func(ref string) string {
		return "schema \"app\" {}\n\ntable \"u\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"code\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index \"code\" {\n    unique  = true\n    columns = [column.code]\n  }\n}\n\n" +
			"table \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"p\" {\n    type = int\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  foreign_key \"t_ibfk_1\" {\n    columns     = [column.p]\n    ref_columns = [table.u.column." + ref + "]\n  }\n}\n"
	}
	h := newSchemaProject(t, [2]string{"a", hcl("id")}, [2]string{"b", hcl("code")})
	r = h.run("plan")
	if r.Code == 0 {
		t.Fatalf("plan of a foreign key whose referenced column changes: want the refusal: %s", r)
	}
	opContains(t, r, "schema/b.hcl:32:3: foreign key t_ibfk_1 on t changes")
}
