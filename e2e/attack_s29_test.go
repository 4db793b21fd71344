package e2e

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/revision"
)

// Attacks on what session 28 landed, each through the emcee binary on
// MariaDB.

// s29NoPK is a release of one table t without a primary key, whose
// columns are a, b (NOT NULL int) and name (NOT NULL varchar), with the
// given index blocks.
func s29NoPK(extra, indexes string) string {
	return "schema \"app\" {\n}\n\ntable \"t\" {\n  schema = schema.app\n" +
		"  column \"a\" {\n    null = false\n    type = int\n  }\n" +
		"  column \"b\" {\n    null = false\n    type = int\n  }\n" +
		"  column \"name\" {\n    null = false\n    type = varchar(100)\n  }\n" + extra + indexes + "}\n"
}

const (
	s29UniqueA     = "  index \"uk\" {\n    unique  = true\n    columns = [column.a]\n  }\n"
	s29UniqueB     = "  index \"uk2\" {\n    unique  = true\n    columns = [column.b]\n  }\n"
	s29UniquePrefx = "  index \"up\" {\n    unique = true\n    on {\n      column = column.name\n      prefix = 10\n    }\n  }\n"
)

// A unique key with a prefix part is never the key InnoDB clusters a table
// without a primary key by (the server sorts such keys after the others):
// declared first, it hid the real one, uk, whose drop alone plan, lint and
// review passed and contract failed on (error 1846, "Dropping a primary
// key is not allowed without also adding a new primary key").
func TestAttackS29ClusteringKeyBehindAPrefixKey(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v1", s29NoPK("", s29UniquePrefx+s29UniqueA)}, [2]string{"v2", s29NoPK("", s29UniquePrefx)})
	r := p.plan()
	if r.Code != 1 {
		t.Fatalf("dropping the clustering key planned: %s\n%s", r, p.read("plans/v2/v2_contract01.sql"))
	}
	opContains(t, r, "index uk of t is the key InnoDB clusters the table by")

	// The prefix key is not it: dropping it alone runs online.
	p.editSchema("v2", func(string) string { return s29NoPK("", s29UniqueA) })
	p.must("plan")
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO t VALUES (1, 1, 'x'), (2, 2, 'y')")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
}

// Dropping the clustering key of a table that keeps another unique key on
// NOT NULL columns: the server clusters the table by that one, in place
// (ALGORITHM=INPLACE, LOCK=NONE), but emcee refused the release, saying
// that contract would fail.
func TestAttackS29ClusteringKeyDroppedBesideAnother(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v1", s29NoPK("", s29UniqueA+s29UniqueB)}, [2]string{"v2", s29NoPK("", s29UniqueB)})
	p.must("plan")
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO t VALUES (1, 1, 'x'), (2, 2, 'y')")
	p.must("db", "expand")
	p.exec("INSERT INTO t VALUES (3, 3, 'z')") // v1's code
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if _, err := p.DB.Exec("INSERT INTO t VALUES (4, 3, 'w')"); err == nil || !strings.Contains(err.Error(), "1062") {
		t.Fatalf("a duplicate of uk2 after contract: %v", err)
	}
}

// A unique key renamed only in letter case whose columns gain a new
// nullable one: Atlas sees a drop (contract) and an add, which the
// splitter placed in expand, where the server, comparing index names
// without regard to case, refused it (1061 Duplicate key name) half-way
// through expand. It waits for contract, after the drop.
func TestAttackS29UniqueKeyRecasedOntoNewColumn(t *testing.T) {
	t.Parallel()
	v2 := "  index \"UK\" {\n    unique  = true\n    columns = [column.a, column.c]\n  }\n"
	p := newSchemaProject(t, [2]string{"v1", s29NoPK("", s29UniqueB+s29UniqueA)},
		[2]string{"v2", s29NoPK("  column \"c\" {\n    null = true\n    type = int\n  }\n", s29UniqueB+v2)})
	p.must("plan")
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO t VALUES (1, 1, 'x'), (2, 2, 'y')")
	p.must("db", "expand")
	p.exec("INSERT INTO t (a, b, name) VALUES (3, 3, 'z')") // v1's code
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT GROUP_CONCAT(DISTINCT INDEX_NAME ORDER BY INDEX_NAME SEPARATOR ',') FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't'"); got != "UK,uk2" {
		t.Fatalf("indexes after contract: %s", got)
	}
}

// A table whose name holds `${` (declared "old$${x}" in HCL) dropped while
// another is created: the refusal says which declaration to add, and the
// user pastes it. It was Go-quoted, renamed_from = "old${x}", which HCL
// reads as a template ("renamed_from must be a quoted string"); pasted as
// the refusal writes it now, the rename plans and runs.
func TestAttackS29PastedAdviceIsTheName(t *testing.T) {
	t.Parallel()
	v1 := "schema \"app\" {\n}\n\ntable \"old$${x}\" {\n  schema = schema.app\n  column \"id\" {\n    null = false\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	v2 := strings.Replace(v1, "old$$", "new$$", 1)
	p := newSchemaProject(t, [2]string{"v1", v1}, [2]string{"v2", v2})
	r := p.plan()
	if r.Code != 1 {
		t.Fatalf("a dropped table planned: %s", r)
	}
	_, advice, ok := strings.Cut(r.Stderr, "declare `renamed_from = ")
	if !ok {
		t.Fatalf("no renamed_from advice: %s", r)
	}
	advice = "renamed_from = " + advice[:strings.Index(advice, "`")]
	p.editSchema("v2", func(s string) string {
		return strings.Replace(s, "  schema = schema.app\n", "  schema = schema.app\n  "+advice+"\n", 1)
	})
	p.must("plan")
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO `old${x}` VALUES (1)")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT COUNT(*) FROM `new${x}`"); got != "1" {
		t.Fatalf("rows of the renamed table: %s", got)
	}
}

// s29AsAnOlderEmceeWrote rewrites a revision of v110 as the emcee before
// session 28 wrote it (the clustering key's move with NOCOPY), and its
// snapshot as that emcee wrote it, without a plan format, the sum file
// written over them as that emcee's plan wrote it.
func s29AsAnOlderEmceeWrote(t *testing.T, p *opProject) {
	t.Helper()
	const snap = "plans/v110/v110.snapshot.hcl"
	line := fmt.Sprintf("# plan format: %d\n", planner.Format)
	if src := p.read(snap); !strings.Contains(src, line) {
		t.Fatalf("%s records no plan format %d:\n%s", snap, planner.Format, src)
	} else {
		opWrite(t, filepath.Join(p.Dir, snap), []byte(strings.Replace(src, line, "", 1)))
	}
	const path = "plans/v110/v110_contract01.sql"
	if src := p.read(path); strings.Count(src, "ALGORITHM=INPLACE, LOCK=NONE;") != 1 {
		t.Fatalf("%s: not the one ALTER expected:\n%s", path, src)
	} else {
		opWrite(t, filepath.Join(p.Dir, path), []byte(strings.Replace(src, "ALGORITHM=INPLACE, LOCK=NONE;", "ALGORITHM=NOCOPY, LOCK=NONE;", 1)))
	}
	plans, err := revision.ReadPlans(filepath.Join(p.Dir, "plans"), []string{"v109", "v110"})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := revision.Sum(plans.Order, plans.Files)
	if err != nil {
		t.Fatal(err)
	}
	opWrite(t, filepath.Join(p.Dir, "plans", revision.SumFile), sum)
}

// A release planned by an older emcee that this one writes otherwise (the
// unique key move of Kanboard 110, NOCOPY before session 28): plan --check
// said "edited by hand ... restore them from version control", which
// restores the same file, and did not say the way out, `emcee plan
// --rewrite`, for a release no database has applied; for a released
// release there was no way out at all. That emcee recorded no plan format
// in its snapshots: plan --check says it cannot tell its output from an
// edit, refuses an open release with --rewrite as the way out, and passes
// a released one, whose revisions stay, with a note.
func TestAttackS29PlanCheckAfterAnUpgrade(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v109", outside2S28Fixture(t, "notifications_109.hcl")}, [2]string{"v110", outside2S28Fixture(t, "notifications_110.hcl")})
	p.must("plan")
	s29AsAnOlderEmceeWrote(t, p)
	r := p.plan("--check")
	if r.Code != 6 {
		t.Fatalf("plan --check: %s", r)
	}
	opContains(t, r, "Release v110: 1 revision differs from what this emcee (plan format ", "plans/v110/v110.snapshot.hcl records no plan format (planned by an emcee from before plan formats were recorded), so emcee cannot tell an older emcee's output from a hand edit",
		"if it was edited, restore it from version control; otherwise, while no database has applied it, `emcee plan --rewrite v110` plans v110 again as this emcee writes it")
	p.must("plan", "--rewrite", "v110")
	if r := p.plan("--check"); r.Code != 0 {
		t.Fatalf("plan --check after the rewrite: %s", r)
	}

	// Released: its revisions stay, and the check passes, verified by the
	// sum, saying so.
	opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(strings.Replace(p.read("atlas.hcl"), "releases = [", "released = [\"v109\", \"v110\"]\n  releases = [", 1)))
	s29AsAnOlderEmceeWrote(t, p)
	r = p.plan("--check")
	if r.Code != 0 || strings.Contains(r.Stderr, "--rewrite v110") {
		t.Fatalf("plan --check of a released release: %s", r)
	}
	opContains(t, r, "plans/ is up to date", "release v110: 1 revision differs from what this emcee", "v110 is released, so it stays as the databases ran it, verified by plans/emcee.sum")
}

// Table a, whose foreign key is a_ibfk_1, renamed to b while table c holds
// a key named b_ibfk_1: RENAME TABLE would rename a's key to b_ibfk_1, and
// foreign key names are unique in a database, so the server refuses the
// rename with "Table 'b' already exists" (1050). The plan passed and expand
// stopped in its dev-database rehearsal on that message alone; plan
// refuses it, naming both keys.
func TestAttackS29RenamedKeyTakesAnotherKeysName(t *testing.T) {
	t.Parallel()
	par := "table \"par\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	child := func(name, key string) string {
		return "table \"" + name + "\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"p\" {\n    type = int\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n" +
			"  foreign_key \"" + key + "\" {\n    columns     = [column.p]\n    ref_columns = [table.par.column.id]\n  }\n  index \"p\" {\n    columns = [column.p]\n  }\n}\n"
	}
	v1 := "schema \"app\" {\n}\n" + par + child("a", "a_ibfk_1") + child("c", "b_ibfk_1")
	v2 := strings.Replace(v1, "table \"a\" {\n", "table \"b\" {\n  renamed_from = \"a\"\n", 1)
	p := newSchemaProject(t, [2]string{"v1", v1}, [2]string{"v2", v2})
	r := p.plan()
	if r.Code != 1 {
		t.Fatalf("the rename planned: %s\n%s", r, p.read("plans/v2/v2_expand01.sql"))
	}
	opContains(t, r, "schema/v2.hcl:12:1: table a is renamed to b, and RENAME TABLE renames its foreign key a_ibfk_1 to b_ibfk_1", "the name of foreign key b_ibfk_1 of table c")
}

// A SQL release saved with Windows line ends whose statements end at a
// custom delimiter (session 28 read a last one as the mysql client does):
// the client reads `DELIMITER //\r\n`, and emcee read the command as SQL
// ("cannot read the statement from \"DELIMITER // CREATE ...\"").
func TestAttackS29SQLReleaseDelimiterWithCRLF(t *testing.T) {
	t.Parallel()
	v1 := "DELIMITER //\r\nCREATE TABLE t (id int NOT NULL PRIMARY KEY)//\r\nDELIMITER ;\r\n"
	v2 := v1 + "DELIMITER //\r\nCREATE TABLE u (id int NOT NULL PRIMARY KEY, t_id int NULL)//\r\nDELIMITER ;\r\n"
	p := sqlReleasesProject(t, [2]string{"v1", v1}, [2]string{"v2", v2})
	p.must("plan")
	p.must("db", "sync", "v1")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.columns("u"); !strings.Contains(got, "t_id") {
		t.Fatalf("columns of u: %s", got)
	}
}

// Kanboard 110's unique key move on a table without a primary key: the
// plan's contract ALTER says the table is rebuilt (and the server rebuilds
// it), but review, which classes statements with splitter.AlterCost, not
// the planner's own cost, said "Table rebuilds: none" and "in place, no
// table rebuild".
func TestAttackS29ReviewSaysTheKeyMoveRebuilds(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v109", outside2S28Fixture(t, "notifications_109.hcl")}, [2]string{"v110", outside2S28Fixture(t, "notifications_110.hcl")})
	p.must("plan")
	r := p.must("review", "v110")
	opContains(t, r, "contract rebuilds user_has_notifications at plans/v110/v110_contract01.sql:9 (rebuild)", "lock:    in place, but REBUILDS user_has_notifications")
}

// A unique key on a generated column declared first, without `null`
// (Atlas reads it as NOT NULL; MariaDB makes every generated column
// NULL-able): emcee took it for the key InnoDB clusters the table by, so
// dropping ua, the real one, planned, and contract failed (1846).
func TestAttackS29ClusteringKeyBehindAGeneratedKey(t *testing.T) {
	t.Parallel()
	gen := "  column \"v\" {\n    type = int\n    as {\n      expr = \"a + 1\"\n      type = STORED\n    }\n  }\n"
	uv := "  index \"uv\" {\n    unique  = true\n    columns = [column.v]\n  }\n"
	p := newSchemaProject(t, [2]string{"v1", s29NoPK(gen, uv+s29UniqueA)}, [2]string{"v2", s29NoPK(gen, uv)})
	r := p.plan()
	if r.Code != 1 {
		t.Fatalf("dropping the clustering key planned: %s\n%s", r, p.read("plans/v2/v2_contract01.sql"))
	}
	opContains(t, r, "index uk of t is the key InnoDB clusters the table by")
}

// db forget of a name no record has said only which names are recorded:
// for one in another letter case (V1_EXPAND01), not which it meant, and
// for an empty one, "no record of  (recorded: ...)".
func TestAttackS29ForgetOfAnUnknownName(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v1", s29NoPK("", s29UniqueA)})
	p.must("plan")
	p.must("db", "sync")
	r := p.run("db", "forget", "V1_EXPAND01")
	if r.Code != 1 {
		t.Fatalf("forget of an unknown name: %s", r)
	}
	opContains(t, r, "has no record of V1_EXPAND01 (recorded: v1_expand01, v1_migrate01, v1_contract01): revision names are compared exactly: did you mean `emcee db forget v1_expand01 --env test`?")
	r = p.run("db", "forget", "")
	if r.Code != 1 {
		t.Fatalf("forget of an empty name: %s", r)
	}
	opContains(t, r, `has no record of "" (recorded: v1_expand01, v1_migrate01, v1_contract01): name a recorded revision`)
}
