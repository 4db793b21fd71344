package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// A run applies the release in progress, or sync the releases up to its
// target: a later release's tables, planned for a default the database
// does not have, are no reason to refuse it. Checking every pending
// release refused the install of a, whose tables all declare latin1, on
// its latin1 database, because b, adding a table that takes the
// database's default, was planned (as every release declaring none) for
// utf8mb4; and on a utf8mb4 database b's table would be right but a's
// check the same: no order of the operator's got a installed.
func TestAttackS26LaterReleaseOfAnotherDefault(t *testing.T) {
	t.Parallel()
	own := strings.Replace(dbCollationRelease("200"), "table \"t\" {\n  schema = schema.app\n", "table \"t\" {\n  schema = schema.app\n  charset = \"latin1\"\n", 1)
	u := "\ntable \"u\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"note\" {\n    type = varchar(20)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	p := newSchemaProject(t, [2]string{"a", own}, [2]string{"b", own + u})
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET latin1")
	p.must("plan")
	for _, args := range [][]string{{"db", "sync", "b", "--dry-run"}, {"db", "sync", "--dry-run"}} {
		r := p.run(args...)
		if r.Code != 1 {
			t.Fatalf("%s: b's u, planned for utf8mb4, created in a latin1 database: want the refusal: %s", strings.Join(args, " "), r)
		}
		opContains(t, r, "is latin1_swedish_ci, but the plans were computed for utf8mb4_general_ci: the tables of b that declare no charset (`u`)")
	}
	p.must("db", "sync", "a", "--dry-run")
	opContains(t, p.must("db", "sync", "a"), "every table of a declares its charset or collation, so none takes it")
	if got := p.version(); got != "a_expand01, a_contract01" {
		t.Fatalf("sync a: version %s", got)
	}
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expand of b, planned for utf8mb4, on a latin1 database: want the refusal: %s", r)
	}
	opContains(t, r, "the tables of b that declare no charset (`u`)")
}

// A release may not declare another database default than the release
// before it while that one has tables taking it: the declaration says
// what the databases' default is, and the release was planned as if the
// previous release's tables had the new one (diff.Between), which a
// database of that release, whose default is changed, does not give
// them: b's widening of t.name was planned INSTANT for utf8mb4, and
// refused by the applier on the latin1 database before the change, as
// drift after it.
func TestAttackS26DefaultChangedByALaterRelease(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"a", latin1Schema(dbCollationRelease("200"))}, [2]string{"b", dbCollationRelease("300")})
	r := p.plan()
	if r.Code == 0 {
		t.Fatalf("b declaring utf8mb4 after a declaring latin1: want the refusal: %s\n%s", r, p.read("plans/b/b_expand01.sql"))
	}
	opContains(t, r, "schema/b.hcl: release b declares the database default utf8mb4_general_ci, but a, the release before it, declares latin1_swedish_ci, and its tables t take it", "keep a's default in b and declare charset and collate on them there")
	// Kept, with t moved to utf8mb4 by its own declaration: a conversion.
	p.editSchema("b", func(s string) string {
		return strings.Replace(latin1Schema(s), "table \"t\" {\n  schema = schema.app\n", "table \"t\" {\n  schema = schema.app\n  charset = \"utf8mb4\"\n  collate = \"utf8mb4_general_ci\"\n", 1)
	})
	p.editSchema("b", func(s string) string {
		return strings.Replace(s, "    type = varchar(300)\n", "    type = varchar(300)\n    allow_copy = true\n", 1)
	})
	r = p.plan()
	if r.Code != 0 || !strings.Contains(p.read("plans/b/b_expand01.sql"), "convert-charset") {
		t.Fatalf("t moved to utf8mb4 under a's default: %s\n%s", r, p.read("plans/b/b_expand01.sql"))
	}
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET latin1")
	p.must("db", "sync")
	if got := p.query("SELECT CONCAT(COLUMN_TYPE, ' ', COLLATION_NAME) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'name'"); got != "varchar(300) utf8mb4_general_ci" {
		t.Fatalf("t.name: %s", got)
	}
	// Once no table of a takes the default, b may declare another.
	own := func(src string) string {
		return strings.Replace(src, "table \"t\" {\n  schema = schema.app\n", "table \"t\" {\n  schema = schema.app\n  charset = \"latin1\"\n", 1)
	}
	q := newSchemaProject(t, [2]string{"a", own(latin1Schema(dbCollationRelease("200")))}, [2]string{"b", own(dbCollationRelease("200"))})
	q.must("plan")
}

// Releases planned for different defaults, in one sync: one of the live
// database's charset in another collation (a note), then one of another
// charset (a refusal). Said in plan order, only the first default was
// looked at, and the run went on with a note, creating b's tables latin1
// for plans counting utf8mb4.
func TestAttackS26AnotherCharsetAfterAnotherCollation(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"a", latin1Schema(dbCollationRelease("200"))}, [2]string{"b", latin1Schema(dbCollationRelease("200"))})
	p.must("plan")
	// a is shipped, planned for latin1_swedish_ci; both files then
	// declare utf8mb4 and b is planned again for it.
	for _, rel := range []string{"a", "b"} {
		p.editSchema(rel, func(s string) string {
			return strings.Replace(s, "  charset = \"latin1\"\n  collate = \"latin1_swedish_ci\"\n", "  charset = \"utf8mb4\"\n", 1)
		})
	}
	p.editSchema("b", func(s string) string {
		return strings.Replace(s, `table "tagged"`, "table \"more\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"note\" {\n    type = varchar(10)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n\ntable \"tagged\"", 1)
	})
	opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(strings.Replace(p.read("atlas.hcl"), "releases = [", "released = [\"a\"]\n  releases = [", 1)))
	p.must("plan", "--rewrite", "b")
	if got := p.read("plans/b/b.snapshot.hcl"); !strings.Contains(got, `charset = "utf8mb4"`) {
		t.Fatalf("b's snapshot:\n%s", got)
	}
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET latin1 COLLATE latin1_bin")
	for _, args := range [][]string{{"db", "sync", "--dry-run"}, {"db", "sync"}} {
		r := p.run(args...)
		if r.Code != 1 {
			t.Fatalf("%s: b, planned for utf8mb4, applied to a latin1 database: want the refusal: %s", strings.Join(args, " "), r)
		}
		opContains(t, r, "is latin1_bin, but the plans were computed for utf8mb4_general_ci: the tables of b that declare no charset (`t`, `more`)", "nothing was changed")
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"); got != "0" {
		t.Fatalf("a refused sync created %s tables", got)
	}
	// Up to a alone, planned for latin1, the run goes on with a note.
	opContains(t, p.must("db", "sync", "a"), "preflight: the default collation of database "+p.DB.Name+" is latin1_bin, not latin1_swedish_ci as the plans assume")
}

// A generated text column declaring its charset: Atlas writes a
// column's COLLATE after its generated expression, where neither server
// takes it, and schemadef.WithCharsets spelled the charset of one whose
// charset Atlas would leave out as a COLLATE: `charset = "utf8mb4"` in a
// table declaring none made "AS (...) VIRTUAL COLLATE
// UTF8MB4_GENERAL_CI", and expand stopped at the CREATE TABLE (error
// 1064). A charset is written before the expression; a collation no
// charset names and the table does not declare cannot be written, and is
// refused where it is declared.
func TestAttackS26GeneratedColumnCharset(t *testing.T) {
	t.Parallel()
	table := func(extra string) string {
		return "schema \"app\" {}\n\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"name\" {\n    type = varchar(10)\n  }\n" +
			"  column \"g\" {\n    type = varchar(20)\n    as = \"concat(name, 'x')\"\n    charset = \"utf8mb4\"\n  }\n" +
			"  column \"s\" {\n    type = varchar(20)\n    as {\n      expr = \"concat(name, 'y')\"\n      type = STORED\n    }\n    charset = \"latin1\"\n    collate = \"latin1_swedish_ci\"\n  }\n" + extra +
			"  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	p := newSchemaProject(t, [2]string{"a", table("")}, [2]string{"b", table("  column \"h\" {\n    type = varchar(20)\n    as = \"concat(name, 'z')\"\n    collate = \"utf8mb4_general_ci\"\n  }\n")})
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
	p.must("plan")
	p.must("db", "sync")
	p.exec("INSERT INTO t (id, name) VALUES (1, 'a')")
	if got := p.query("SELECT GROUP_CONCAT(COLUMN_NAME, ' ', COLLATION_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME <> 'id'"); got != "name utf8mb4_general_ci,g utf8mb4_general_ci,s latin1_swedish_ci,h utf8mb4_general_ci" {
		t.Fatalf("collations: %s", got)
	}
	if got := p.query("SELECT CONCAT(g, s, h) FROM t"); got != "axayaz" {
		t.Fatalf("generated values: %s", got)
	}
	opContains(t, p.must("db", "diff"), "matches what its recorded revisions")

	bin := newSchemaProject(t, [2]string{"a", strings.Replace(table(""), "    charset = \"utf8mb4\"\n", "    collate = \"utf8mb4_bin\"\n", 1)})
	r := bin.plan()
	if r.Code == 0 {
		t.Fatalf("a generated column of a collation Atlas writes after its expression: want the refusal: %s\n%s", r, bin.read("plans/a/a_expand01.sql"))
	}
	opContains(t, r, "schema/a.hcl:14:15: generated column t.g has collation utf8mb4_bin", "declare it as table t's collate")
}

// The default check ran before the operator lock only, on the release
// in progress then (it now runs once the lock is held). A run waiting for the lock
// (--lock-timeout) while another finishes that release goes on with the
// next one once it has the lock: that one, planned for another default,
// must be checked too. Here expand waited while contract finished b, and
// then expanded c, planned for utf8mb4, into the latin1 database.
func TestAttackS26DefaultCheckedAfterWaitingForTheLock(t *testing.T) {
	t.Parallel()
	// a's and b's tables declare latin1: they take nothing from the
	// database's default; c adds one that does, planned for utf8mb4.
	table := func(legacy, extra string) string {
		return "schema \"app\" {}\n\ntable \"t\" {\n  schema = schema.app\n  charset = \"latin1\"\n  column \"id\" {\n    type = int\n  }\n  column \"name\" {\n    type = varchar(20)\n  }\n" + legacy + "  primary_key {\n    columns = [column.id]\n  }\n}\n" + extra
	}
	legacy := "  column \"legacy\" {\n    type = varchar(20)\n    null = true\n  }\n"
	u := "\ntable \"u\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"note\" {\n    type = varchar(20)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	p := newSchemaProject(t, [2]string{"a", table(legacy, "")}, [2]string{"b", table("", "")}, [2]string{"c", table("", u)})
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET latin1")
	p.must("plan")
	if got := p.read("plans/b/b_contract01.sql"); !strings.Contains(got, "DROP COLUMN `legacy`") {
		t.Fatalf("b's contract:\n%s", got)
	}
	p.must("db", "sync", "b_migrate01")
	release := p.holdMDL("t")
	contract := p.start("db", "contract")
	p.waitFor("contract to wait for t's metadata lock", func() bool {
		return p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE = 'Waiting for table metadata lock' AND INFO LIKE 'ALTER TABLE%'", p.DB.Name) != "0"
	})
	expand := p.start("db", "expand", "--lock-timeout", "10m")
	p.waitFor("expand to wait for the operator lock", func() bool {
		return p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'SELECT GET_LOCK(%' AND STATE = 'User lock'", p.DB.Name) != "0"
	})
	release()
	if r := contract.wait(t); r.Code != 0 {
		t.Fatalf("contract: %s", r)
	}
	r := expand.wait(t)
	if r.Code != 1 || !strings.Contains(r.Stdout, "is latin1_swedish_ci, but the plans were computed for utf8mb4_general_ci: the tables of c that declare no charset (`u`)") {
		t.Fatalf("expand of c, planned for utf8mb4, into a latin1 database once it had the lock: want the refusal: %s", r)
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'u'"); got != "0" {
		t.Fatalf("the refused expand created u")
	}
}

// A routine or event that copies every column of a table (SELECT *, t.*)
// into another table or into variables breaks when a column goes, as
// surely as one naming it: INSERT INTO t_archive SELECT * FROM t fails
// with error 1136 (column count) on every run of the nightly archiving
// event once contract dropped t.legacy, and the check, looking for the
// column's name, passed it.
func TestAttackS26ContractRefusesDropOfAColumnASelectStarReads(t *testing.T) {
	t.Parallel()
	p := sqlReleasesProject(t,
		[2]string{"a", "CREATE TABLE t (id int NOT NULL PRIMARY KEY, legacy int NULL);\nCREATE TABLE t_archive (id int NOT NULL PRIMARY KEY, legacy int NULL);\n"},
		[2]string{"b", "CREATE TABLE t (id int NOT NULL PRIMARY KEY);\nCREATE TABLE t_archive (id int NOT NULL PRIMARY KEY, legacy int NULL);\n"})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.exec("CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01' DISABLE DO INSERT INTO t_archive SELECT * FROM t")
	p.exec("CREATE PROCEDURE archive_one(IN k int) BEGIN INSERT INTO t_archive SELECT t.* FROM t WHERE t.id = k; END")
	// Every column of another table, and a product, read nothing of t.
	p.exec("CREATE PROCEDURE other() BEGIN SELECT * FROM t_archive; SELECT 2 * 3; END")
	r := p.run("db", "contract")
	if r.Code != 1 {
		t.Fatalf("contract dropping a column an event and a procedure copy with SELECT *: want the refusal: %s", r)
	}
	opContains(t, r, "drops t.legacy, which event nightly reads", "drops t.legacy, which procedure archive_one reads")
	if strings.Contains(r.Stderr, "procedure other") {
		t.Fatalf("a procedure that reads nothing of t: %s", r)
	}
	if got := p.columns("t"); !strings.Contains(got, "legacy") {
		t.Fatalf("the column was dropped: %s", got)
	}
}

// A schema block may spell its collation collation, as Atlas reads it
// (and the planner with it: the widening of t.name past 255 latin1
// bytes is a copy), but the database default the applier reads from the
// snapshot took only charset and collate: the plans, computed for
// latin1_bin, read as computed for utf8mb4_general_ci, so a latin1_bin
// database was refused and a utf8mb4 one was given plans counting one
// byte a character.
func TestAttackS26SchemaCollationSpelledCollation(t *testing.T) {
	t.Parallel()
	decl := func(src string) string {
		return strings.Replace(src, `schema "app" {}`, "schema \"app\" {\n  collation = \"latin1_bin\"\n}", 1)
	}
	b := strings.Replace(decl(dbCollationRelease("300")), "    type = varchar(300)\n", "    type = varchar(300)\n    allow_copy = true\n", 1)
	p := newSchemaProject(t, [2]string{"a", decl(dbCollationRelease("200"))}, [2]string{"b", b})
	p.must("plan")
	if got := p.read("plans/b/b_expand01.sql"); !strings.Contains(got, "ALTER TABLE `t` MODIFY COLUMN `name` varchar(300) NOT NULL, ALGORITHM=COPY") {
		t.Fatalf("b's expand, planned for latin1:\n%s", got)
	}
	r := p.run("db", "sync", "--dry-run")
	if r.Code != 1 {
		t.Fatalf("plans for latin1_bin on a utf8mb4 database: want the refusal: %s", r)
	}
	opContains(t, r, "is utf8mb4_general_ci, but the plans were computed for latin1_bin")
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET latin1 COLLATE latin1_bin")
	p.must("db", "sync")
	if got := p.query("SELECT CONCAT(COLUMN_TYPE, ' ', COLLATION_NAME) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'name'"); got != "varchar(300) latin1_bin" {
		t.Fatalf("t.name: %s", got)
	}
}

// A table moving to another charset restates each column taking its
// default (convert-charset: MODIFY COLUMN name varchar(200)), and a
// widening of that column in the same release is another MODIFY of it:
// the one-ALTER-per-table pass put both in one statement, which the
// server refuses (error 1054, Unknown column 'name'), and expand stopped
// at it. They stay two statements.
func TestAttackS26TableCharsetAndColumnWidenAtOnce(t *testing.T) {
	t.Parallel()
	table := func(attrs, size string) string {
		return "schema \"app\" {}\n\ntable \"t\" {\n  schema = schema.app\n" + attrs + "  column \"id\" {\n    type = int\n  }\n  column \"name\" {\n    type = varchar(" + size + ")\n    allow_copy = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	p := newSchemaProject(t, [2]string{"a", table("  charset = \"latin1\"\n", "200")}, [2]string{"b", table("  charset = \"utf8mb4\"\n  collate = \"utf8mb4_general_ci\"\n", "300")})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t VALUES (1, 'café')")
	p.must("db", "sync")
	if got := p.query("SELECT CONCAT(COLUMN_TYPE, ' ', COLLATION_NAME) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'name'"); got != "varchar(300) utf8mb4_general_ci" {
		t.Fatalf("t.name: %s", got)
	}
	if got := p.query("SELECT name FROM t"); got != "café" {
		t.Fatalf("t.name's value: %q", got)
	}
	opContains(t, p.must("db", "diff"), "matches what its recorded revisions")
}

// A charset or collation on a column whose type has none (int, blob,
// varbinary, json) stopped the plan with Atlas's words: no position, and
// a Go type name ("column "c" of type *schema.IntegerType does not
// support the CHARSET attribute"). It is refused where it is declared.
func TestAttackS26CharsetOnATypeWithout(t *testing.T) {
	t.Parallel()
	for _, c := range [][2]string{
		{"type = int\n    charset = \"latin1\"", "schema/a.hcl:10:15: column t.c is int, which has no charset or collation: remove its charset"},
		{"type = blob\n    collate = \"latin1_bin\"", "schema/a.hcl:10:15: column t.c is blob, which has no charset or collation: remove its collate"},
		{"type = varbinary(10)\n    collation = \"latin1_bin\"", "schema/a.hcl:10:17: column t.c is varbinary(10), which has no charset or collation: remove its collation"},
		{"type = json\n    charset = \"utf8mb4\"", "schema/a.hcl:10:15: column t.c is json, which has no charset or collation: remove its charset"},
	} {
		rel := "schema \"app\" {}\n\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"c\" {\n    " + c[0] + "\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
		p := &opProject{t: t, Dir: t.TempDir()}
		opWrite(t, filepath.Join(p.Dir, "schema", "a.hcl"), []byte(rel))
		opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"a\"]\n}\n"))
		r := p.plan()
		if r.Code == 0 {
			t.Fatalf("%s: want the refusal: %s", c[0], r)
		}
		opContains(t, r, c[1])
	}
}

// lint replays the plans in a dev database, which it created with the
// offline planner's utf8mb4 default whatever the releases declare: a
// latin1 project's widening of t.name from 50 to 100 characters (100
// bytes, INSTANT on its databases, as planned) failed there (200 -> 400
// utf8mb4 bytes, error 1846), and lint reported a correct plan broken.
// It replays under the default the plans were computed for.
func TestAttackS26LintReplaysInTheDeclaredDefault(t *testing.T) {
	t.Parallel()
	rel := func(n string) string {
		s := latin1Schema(dbCollationRelease(n))
		return s[:strings.Index(s, "table \"tagged\"")]
	}
	p := newSchemaProject(t, [2]string{"a", rel("50")}, [2]string{"b", rel("100")})
	p.must("plan")
	if got := p.read("plans/b/b_expand01.sql"); !strings.Contains(got, "MODIFY COLUMN `name` varchar(100) NOT NULL, ALGORITHM=INSTANT") {
		t.Fatalf("b's expand:\n%s", got)
	}
	opContains(t, p.must("lint"), "no errors")
	// As its databases take it.
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET latin1")
	p.must("db", "sync")
}

// A database of the plans' charset in another collation runs with a note:
// the bytes hold. But a table that stops declaring its collation goes
// back to the database's default, which the plans write as the one they
// assume (ALTER TABLE t COLLATE utf8mb4_general_ci): on a
// utf8mb4_unicode_ci database t was left general_ci, the drift check
// (building the snapshot, t declaring none, in a dev database of the live
// default) expected unicode_ci, and every later run was refused as drift
// of emcee's own making. It is refused before it runs.
func TestAttackS26TableBackToADefaultOfAnotherCollation(t *testing.T) {
	t.Parallel()
	rel := func(attr, extra string) string {
		return "schema \"app\" {}\n\ntable \"t\" {\n  schema = schema.app\n" + attr + "  column \"id\" {\n    type = int\n  }\n  column \"name\" {\n    type = varchar(20)\n  }\n" + extra + "  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	p := newSchemaProject(t, [2]string{"a", rel("  collate = \"utf8mb4_bin\"\n", "")}, [2]string{"b", rel("", "")}, [2]string{"c", rel("", "  column \"more\" {\n    type = varchar(10)\n    null = true\n  }\n")})
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	p.must("plan")
	p.must("db", "sync", "a")
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("b moving t back to a default it writes as utf8mb4_general_ci, on a utf8mb4_unicode_ci database: want the refusal: %s", r)
	}
	opContains(t, r, "the same charset, but b moves t back to the database's default, which its statements write as utf8mb4_general_ci", "collate = \"utf8mb4_unicode_ci\"")
	// Declared, the plans write the database's collation.
	for _, rel := range []string{"a", "b", "c"} {
		p.editSchema(rel, func(s string) string {
			return strings.Replace(s, `schema "app" {}`, "schema \"app\" {\n  charset = \"utf8mb4\"\n  collate = \"utf8mb4_unicode_ci\"\n}", 1)
		})
	}
	opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(strings.Replace(p.read("atlas.hcl"), "releases = [", "released = [\"a\"]\n  releases = [", 1)))
	p.must("plan", "--rewrite", "b", "--rewrite", "c")
	p.must("db", "sync")
	if got := p.query("SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'name'"); got != "utf8mb4_unicode_ci" {
		t.Fatalf("t.name: %s", got)
	}
	opContains(t, p.must("db", "diff"), "matches what its recorded revisions")
}

// A table with two foreign keys to itself: its rows reach a root through
// one (a manager), and reference each other in a ring through the other
// (mentors, 2 -> 3 -> 2). The copy-out puts a row after the rows any of its
// keys reaches it from, and only the rows no chain reaches at all with
// the checks off: rows 2 and 3 have a depth through their manager, one of
// them comes before the mentor it references, and the restore stopped
// there (error 1452) with nothing put back.
func TestAttackS26SelfReferencingRingThroughASecondKey(t *testing.T) {
	t.Parallel()
	const node = "CREATE TABLE node (id int NOT NULL PRIMARY KEY, manager int NULL, mentor int NULL, name varchar(20) NOT NULL, KEY ix_m (manager), KEY ix_t (mentor),\n" +
		"  CONSTRAINT fk_manager FOREIGN KEY (manager) REFERENCES node (id), CONSTRAINT fk_mentor FOREIGN KEY (mentor) REFERENCES node (id));\n"
	p := sqlReleasesProject(t, [2]string{"a", hostileKeep}, [2]string{"b", hostileKeep + node})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO node VALUES (1, NULL, NULL, 'boss'), (2, 1, NULL, 'two'), (3, 1, 2, 'three'), (4, 3, 3, 'four')")
	p.exec("UPDATE node SET mentor = 3 WHERE id = 2")
	before := p.query("SELECT * FROM node ORDER BY id")
	losses, dir := copyOutAndRollBack(t, p)
	if len(losses) != 1 {
		t.Fatalf("losses: %+v", losses)
	}
	p.must("db", "expand")
	shellIn(t, dir, losses[0].Restore)
	if after := p.query("SELECT * FROM node ORDER BY id"); after != before {
		t.Fatalf("restored:\n%s\nwant:\n%s", after, before)
	}
}
