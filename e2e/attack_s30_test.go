package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// Attacks on what session 29 landed (advice to paste, rollback copies,
// SQL releases), each through the emcee binary on MariaDB.

// A release widening a column: its rollback narrows it back by a table
// copy, which the applier runs only with --allow-copy or --osc pt-osc.
// simulate --rollback had neither flag: it could only report the
// refusal, whose way out named flags it did not take. It takes them now,
// with db rollback's meaning.
func TestAttackS30SimulateRollbackOfAWidening(t *testing.T) {
	t.Parallel()
	v1 := "schema \"app\" {}\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type           = int\n    auto_increment = true\n  }\n  column \"name\" {\n    type = varchar(20)\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	p := newSchemaProject(t, [2]string{"v1", v1}, [2]string{"v2", replaceOnce(v1, "varchar(20)", "varchar(40)")})
	p.must("plan")
	sim := func(url string, args ...string) opResult {
		return p.run(append([]string{"simulate", "--rollback", "--url", url, "--rows", "200", "--baseline", "200ms", "--settle", "200ms", "--quiet"}, args...)...)
	}
	r := sim(p.DB.URL)
	if r.Code != 1 {
		t.Fatalf("simulate --rollback of a widening without an opt-in: %s", r)
	}
	opContains(t, r, "the rollback copies these tables", "or with --allow-copy to accept the blocking copy")
	scratch := testdb.New(t)
	r = sim(scratch.URL, "--allow-copy")
	if r.Code != 0 {
		t.Fatalf("simulate --rollback --allow-copy: %s", r)
	}
	opContains(t, r, "rollback: 0 failed statements of the old release", "result: no failed statement, no lost or inconsistent row")
	var typ string
	if err := scratch.QueryRow("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'name'").Scan(&typ); err != nil || typ != "varchar(20)" {
		t.Fatalf("t.name after the rehearsed rollback: %s (%v)", typ, err)
	}
	for _, args := range [][]string{{"--allow-copy"}, {"--naive", "--osc", "none"}, {"--osc", "gh-ost"}} {
		r := p.run(append([]string{"simulate", "--url", p.DB.URL}, args...)...)
		if r.Code != 2 {
			t.Errorf("simulate %s: %s", strings.Join(args, " "), r)
		}
	}
}

// enumRelease is table t with an enum column kind of the given values.
func enumRelease(values, extra string) string {
	return "schema \"app\" {}\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"kind\" {\n    type    = enum(" + values + ")\n    default = \"a\"\n" + extra + "  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
}

// An enum column holds the empty string where a non-strict session wrote a value it
// does not list (index 0), and a narrowing copy keeps it as it is, strict
// or not. The gates counting values the narrowed enum does not list
// counted those rows: tighten-column's contract was blocked by data (exit
// 7) for good, and the rollback of an appended value refused, on rows
// neither release's type rejects.
func TestAttackS30EnumHoldingTheEmptyErrorValue(t *testing.T) {
	t.Parallel()
	const bad = "SET STATEMENT sql_mode = '' FOR INSERT INTO t VALUES (%d, 'nope')"
	t.Run("contract", func(t *testing.T) {
		t.Parallel()
		p := newSchemaProject(t, [2]string{"v1", enumRelease(`"a", "b", "c"`, "")}, [2]string{"v2", enumRelease(`"a", "b"`, "    allow_copy = true\n")})
		p.must("plan")
		p.must("db", "sync", "v1")
		p.exec("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
		p.exec(fmt.Sprintf(bad, 3))
		p.must("db", "expand")
		p.must("db", "migrate")
		p.must("db", "contract")
		p.must("db", "diff")
		if got := p.query("SELECT GROUP_CONCAT(id, ':', kind, ':', kind + 0 ORDER BY id) FROM t"); got != "1:a:1,2:b:2,3::0" {
			t.Fatalf("rows after contract: %s", got)
		}
	})
	t.Run("rollback", func(t *testing.T) {
		t.Parallel()
		p := newSchemaProject(t, [2]string{"v1", enumRelease(`"a", "b"`, "")}, [2]string{"v2", enumRelease(`"a", "b", "c"`, "")})
		p.must("plan")
		p.must("db", "sync", "v1")
		p.exec(fmt.Sprintf(bad, 1))
		p.must("db", "expand")
		p.exec(fmt.Sprintf(bad, 2))
		p.exec("INSERT INTO t VALUES (3, 'c')")
		r := p.run("db", "rollback", "--allow-copy")
		if r.Code != 7 {
			t.Fatalf("rollback with a row v1 cannot hold: %s", r)
		}
		opContains(t, r, "gate widen-column: 1 row")
		p.exec("UPDATE t SET kind = 'b' WHERE id = 3")
		p.must("db", "rollback", "--allow-copy")
		p.must("db", "diff")
		if got := p.query("SELECT GROUP_CONCAT(id, ':', kind, ':', kind + 0 ORDER BY id) FROM t"); got != "1::0,2::0,3:b:2" {
			t.Fatalf("rows after the rollback: %s", got)
		}
	})
}

// fkRelease is table p with a unique code, and c referencing it by code
// (fk_code, when fk is set), the codes of the given type.
func fkRelease(typ string, fk bool) string {
	key := ""
	if fk {
		key = "  foreign_key \"fk_code\" {\n    columns     = [column.pcode]\n    ref_columns = [table.p.column.code]\n  }\n"
	}
	return "schema \"app\" {}\ntable \"p\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"code\" {\n    type = " + typ + "\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index \"uk_code\" {\n    unique  = true\n    columns = [column.code]\n  }\n}\n" +
		"table \"c\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"pcode\" {\n    type = " + typ + "\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index \"ix_pcode\" {\n    columns = [column.pcode]\n  }\n" + key + "}\n"
}

// A column a foreign key uses, widened: MariaDB refuses to change its type
// on either side of the key, whatever the algorithm and with
// foreign_key_checks = 0 (1832, 1833). The plan was written, and expand
// failed at its first statement. plan refuses it now, saying how: the key
// removed in one release, the columns widened in the next, the key back
// in the one after, each of which applies.
func TestAttackS30WideningUnderAForeignKey(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v1", fkRelease("varchar(10)", true)}, [2]string{"v2", fkRelease("varchar(20)", true)})
	r := p.plan()
	if r.Code != 1 {
		t.Fatalf("a widening under a foreign key planned: %s", r)
	}
	opContains(t, r, "schema/v2.hcl:", "p.code changes type (varchar(10) -> varchar(20)), and it is a column of foreign key fk_code of c (referencing it) in the previous release",
		"c.pcode changes type (varchar(10) -> varchar(20)), and it is a column of foreign key fk_code of c in the previous release",
		"MariaDB refuses that for a column a foreign key uses", "Remove the foreign key in this release")
	// The way it says.
	p.editSchema("v2", func(string) string { return fkRelease("varchar(10)", false) })
	p.addRelease("v3", fkRelease("varchar(20)", false))
	p.addRelease("v4", fkRelease("varchar(20)", true))
	p.must("plan")
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO p VALUES (1, 'a')")
	p.exec("INSERT INTO c VALUES (1, 'a')")
	for range 3 {
		p.must("db", "expand")
		p.must("db", "migrate")
		p.must("db", "contract")
	}
	p.must("db", "diff")
	if got := p.query("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_code'"); got != "1" {
		t.Fatalf("fk_code after v4: %s", got)
	}
}

// A charset conversion of a key's columns (utf8mb3 -> utf8mb4, the usual
// one) failed at expand alike (1833): plan refuses it, and the way it says
// applies.
func TestAttackS30ConversionUnderAForeignKey(t *testing.T) {
	t.Parallel()
	charset := func(cs string, fk bool) string {
		return strings.ReplaceAll(fkRelease("varchar(10)", fk), "  schema = schema.app\n", "  schema  = schema.app\n  charset = \""+cs+"\"\n")
	}
	p := newSchemaProject(t, [2]string{"v1", charset("utf8mb3", true)}, [2]string{"v2", charset("utf8mb4", true)})
	r := p.plan()
	if r.Code != 1 {
		t.Fatalf("a conversion under a foreign key planned: %s", r)
	}
	opContains(t, r, "p.code: its collation changes utf8mb3_general_ci -> utf8mb4_general_ci, and it is a column of foreign key fk_code of c (referencing it) in the previous release",
		"c.pcode: its collation changes utf8mb3_general_ci -> utf8mb4_general_ci, and it is a column of foreign key fk_code of c in the previous release", "MariaDB refuses that for a column a foreign key uses")
	p.editSchema("v2", func(string) string { return charset("utf8mb3", false) })
	p.addRelease("v3", charset("utf8mb4", false))
	p.addRelease("v4", charset("utf8mb4", true))
	p.must("plan")
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO p VALUES (1, 'a')")
	p.exec("INSERT INTO c VALUES (1, 'a')")
	for range 3 {
		p.must("db", "expand")
		p.must("db", "migrate")
		p.must("db", "contract")
	}
	p.must("db", "diff")
}

// Two tables whose names differ only in letter case (Users, users):
// MariaDB's information_schema, asked for both by name as Atlas asks,
// gives the columns of one. Declared as SQL, plan said `table "users" has
// no columns` at no line; declared in HCL, it planned, synced, and db diff
// then reported the other table's columns as unexpected. Both are refused
// at the second table, naming the first.
func TestAttackS30TablesDifferingInCase(t *testing.T) {
	t.Parallel()
	const users = "CREATE TABLE Users (id int NOT NULL PRIMARY KEY);\nCREATE TABLE users (id int NOT NULL PRIMARY KEY, name varchar(10) NULL);\n"
	p := sqlReleasesProject(t, [2]string{"1", users})
	r := p.run("plan")
	if r.Code != 1 {
		t.Fatalf("plan: %s", r)
	}
	opContains(t, r, "schema/1.sql:2:1: CREATE TABLE users: the file creates table Users at schema/1.sql:1:1, a name differing from users only in letter case", "lower_case_table_names")

	twin := func(name string) string {
		return "table \"" + name + "\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	h := newSchemaProject(t, [2]string{"v1", "schema \"app\" {}\n" + twin("Users") + twin("users")})
	r = h.plan()
	if r.Code != 1 {
		t.Fatalf("plan: %s", r)
	}
	opContains(t, r, "schema/v1.hcl:11:7: table \"users\" differs from table \"Users\" (schema/v1.hcl:2:7) only in letter case", "lower_case_table_names")

	// A rename that changes only the letter case leaves a view under the
	// old name beside the table from expand to contract: it planned, and
	// after expand every drift check failed (`inspecting ...: table "t"
	// was not found in schema`): migrate, contract and rollback refused,
	// and the database was stuck. Refused; the two releases it says apply.
	renamed := func(name, from string) string {
		return "schema \"app\" {}\n" + strings.Replace(twin(name), "  schema = schema.app\n", "  schema = schema.app\n  renamed_from = \""+from+"\"\n", 1)
	}
	c := newSchemaProject(t, [2]string{"v1", "schema \"app\" {}\n" + twin("t")}, [2]string{"v2", renamed("T", "t")})
	r = c.plan()
	if r.Code != 1 {
		t.Fatalf("plan: %s", r)
	}
	opContains(t, r, "schema/v2.hcl:2:1: table T differs from table t of the previous release only in letter case", "Rename t to another name in this release, and to T in the next")
	c.editSchema("v2", func(string) string { return renamed("t_next", "t") })
	c.addRelease("v3", renamed("T", "t_next"))
	c.must("plan")
	c.must("db", "sync", "v1")
	c.exec("INSERT INTO t VALUES (1)")
	for range 2 {
		c.must("db", "expand")
		c.must("db", "migrate")
		c.must("db", "contract")
	}
	c.must("db", "diff")
	if got := c.query("SELECT COUNT(*) FROM `T`"); got != "1" {
		t.Fatalf("rows of T: %s", got)
	}
}

// A rollback's copy that pt-online-schema-change cannot apply (a table
// name outside printable ASCII) was refused saying to run without --osc
// pt-osc, which met the copies' refusal next: the server's copy needs
// --allow-copy in a rollback. The way out names it, and it runs.
func TestAttackS30RollbackCopyTheToolCannotApply(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	v1 := "schema \"app\" {}\ntable \"évents\" {\n  schema = schema.app\n  column \"id\" {\n    type           = int\n    auto_increment = true\n  }\n  column \"name\" {\n    type = varchar(20)\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	p := newSchemaProject(t, [2]string{"v1", v1}, [2]string{"v2", replaceOnce(v1, "varchar(20)", "varchar(40)")})
	p.must("plan")
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO `évents` (name) VALUES ('a'), ('b')")
	p.must("db", "expand")
	r := p.run("db", "rollback", "--osc", "pt-osc")
	if r.Code != 1 {
		t.Fatalf("rollback through the tool: %s", r)
	}
	// The rerun is this rollback (its --env too: `emcee db rollback
	// --allow-copy` alone went to $EMCEE_ENV's database), its --osc pt-osc
	// given as none, which the emcee block's osc does not override.
	rerun := "emcee db rollback --allow-copy --osc none --env test"
	opContains(t, r, "v2_rollback01 refused before it ran anything", "cannot find a table whose name holds",
		"next: rerun `"+rerun+"` to have the server copy the table")
	r = p.must(strings.Fields(rerun)[1:]...)
	opContains(t, r, "rollback of v2 complete")
	p.must("db", "diff")
}

// A primary key moved in contract, the run killed (kill -9, its statement
// killed on the server too) while the ALTER waits for its metadata lock:
// the record says the ALTER was in flight, and the next run checks the
// collision gate again, resends it and moves the key (a proof: nothing
// broke).
func TestAttackS30KeyMoveKilledResumesBehindItsGate(t *testing.T) {
	t.Parallel()
	const app = "schema \"app\" {\n}\n"
	p := newSchemaProject(t, [2]string{"v1", app + s29bParent(false)}, [2]string{"v2", app + s29bParent(true)})
	p.must("plan")
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO p VALUES (1, 10), (2, 20)")
	p.must("db", "expand")
	p.must("db", "migrate")
	release := p.holdMDL("p")
	p.killWhileWaiting("ALTER TABLE `p`", true, "db", "contract")
	release()
	if got := p.query("SELECT CONCAT(applied, ' ', in_flight) FROM emcee_revisions WHERE name = 'v2_contract01'"); !strings.HasSuffix(got, " 1") {
		t.Fatalf("record after the kill: %s", got)
	}
	r := p.run("db", "contract")
	opContains(t, r, "resuming v2_contract01", "gate open (rechecked before resuming)", "v2_contract01 applied")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(COLUMN_NAME) FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'p' AND CONSTRAINT_NAME = 'PRIMARY'"); got != "code" {
		t.Fatalf("primary key of p after the resumed contract: %s", got)
	}
}

// A rollback's copy that fails on the server (here its query killed while
// it waits for its metadata lock) said to rerun `emcee db rollback`,
// which the copies' refusal met: the rerun it names carries --allow-copy.
func TestAttackS30FailedRollbackCopyNamesTheOptIn(t *testing.T) {
	t.Parallel()
	p := newWidenProject(t)
	p.fixWidenRows()
	release := p.holdMDL("events")
	run := p.command("db", "rollback", "--allow-copy")
	var out, errb strings.Builder
	run.Stdout, run.Stderr = &out, &errb
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	var id string
	p.waitFor("the copy to wait for its metadata lock", func() bool {
		id = p.query("SELECT COALESCE(MAX(ID), 0) FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE = 'Waiting for table metadata lock' AND INFO LIKE 'ALTER TABLE `events` MODIFY%'", p.DB.Name)
		return id != "0"
	})
	p.exec("KILL QUERY " + id)
	r := opResult{Code: exitCode(t, run.Wait())}
	r.Stdout, r.Stderr = out.String(), errb.String()
	release()
	if r.Code != 1 {
		t.Fatalf("rollback whose copy was killed: %s", r)
	}
	opContains(t, r, "v2_rollback01 (v2/v2_rollback01.sql) statement 4 of 4", "fix the cause and rerun `emcee db rollback --allow-copy --env test`: it resumes at statement 4")
	r = p.must("db", "rollback", "--allow-copy")
	opContains(t, r, "rollback of v2 complete")
	p.must("db", "diff")
}

// A rollback run for a named release (as a fleet's is) is told to rerun
// that rollback, the release named, with its opt-ins: told `emcee db
// rollback`, a database whose release in progress is another would roll
// that one back.
func TestAttackS30RollbackOfANamedReleaseRerunsIt(t *testing.T) {
	t.Parallel()
	p := newWidenProject(t)
	r := p.run("db", "rollback", "v2", "--allow-copy", "--drop-new-data")
	if r.Code != 7 {
		t.Fatalf("rollback with rows v1 cannot hold: %s", r)
	}
	opContains(t, r, "then rerun `emcee db rollback v2 --drop-new-data --allow-copy --env test`")
}
