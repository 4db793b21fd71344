package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// dbCollationRelease is a release whose table t declares no charset (its
// text column takes the database's default) and whose table tagged
// declares its own, which no database default changes.
func dbCollationRelease(size string) string {
	return `schema "app" {}

table "t" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "name" {
    type = varchar(` + size + `)
  }
  primary_key {
    columns = [column.id]
  }
}

table "tagged" {
  schema  = schema.app
  charset = "utf8mb4"
  collate = "utf8mb4_general_ci"
  column "id" {
    type = int
  }
  column "label" {
    type = varchar(` + size + `)
  }
  primary_key {
    columns = [column.id]
  }
}
`
}

// latin1Schema declares, in a release of dbCollationRelease, a database
// default of latin1.
func latin1Schema(src string) string {
	return strings.Replace(src, `schema "app" {}`, "schema \"app\" {\n  charset = \"latin1\"\n  collate = \"latin1_swedish_ci\"\n}", 1)
}

// The offline planner computed the plans for a database whose default is
// utf8mb4_general_ci: widening t.name from varchar(200) to varchar(300)
// is INSTANT there (both over 255 bytes in 4-byte utf8mb4). In a database
// created CHARACTER SET latin1, t.name is latin1 (one byte a character):
// 200 bytes go to 300, past 255, so its length prefix grows and the
// server refused the INSTANT ALTER half-way through expand (error 1846),
// after a preflight that said the live schema matched (the dev database
// copies the live database's defaults). It must be refused before
// anything changes, saying what and where and the ways out.
func TestDatabaseDefaultCollationRefused(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"a", dbCollationRelease("200")}, [2]string{"b", dbCollationRelease("300")})
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET latin1")
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	// An existing latin1 install of release a, adopted as it is.
	p.exec("CREATE TABLE t (id int NOT NULL, name varchar(200) NOT NULL, PRIMARY KEY (id))")
	p.exec("CREATE TABLE tagged (id int NOT NULL, label varchar(200) NOT NULL, PRIMARY KEY (id)) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
	p.must("db", "baseline", "a")
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expand into a latin1 database of plans computed for utf8mb4: want the refusal: %s", r)
	}
	opContains(t, r, "latin1_swedish_ci", "utf8mb4_general_ci", "`t`", "ALTER DATABASE", "charset")
	if got := p.columns("t"); got != "id int(11) NO -\nname varchar(200) NO -" {
		t.Fatalf("a refused expand changed t: %s", got)
	}
	// Every command that applies revisions checks it, a dry run too.
	for _, args := range [][]string{{"db", "expand", "--dry-run"}, {"db", "migrate"}, {"db", "sync"}, {"db", "rollback"}} {
		if r := p.run(args...); r.Code != 1 || !strings.Contains(r.Stderr, "the default collation of database "+p.DB.Name+" is latin1_swedish_ci") {
			t.Errorf("%s: want the refusal: %s", strings.Join(args, " "), r)
		}
	}
	if got := p.version(); got != "a_expand01, a_contract01" {
		t.Fatalf("refused runs changed the version: %s", got)
	}

	// The way out for a database that has the tables: declare its default
	// in the schema blocks and plan b again (a is shipped: its revisions
	// stay, as computed for the other default).
	for _, rel := range []string{"a", "b"} {
		p.editSchema(rel, latin1Schema)
	}
	p.editSchema("b", func(s string) string {
		return strings.Replace(s, "    type = varchar(300)\n", "    type = varchar(300)\n    allow_copy = true\n", 1)
	})
	opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(strings.Replace(p.read("atlas.hcl"), "releases = [", "released = [\"a\"]\n  releases = [", 1)))
	r = p.plan()
	if r.Code == 0 {
		t.Fatalf("b's revisions, computed for utf8mb4, kept under a latin1 declaration: %s", r)
	}
	opContains(t, r, "schema/b.hcl: release b declares the database default latin1_swedish_ci, but its revisions were computed for utf8mb4_general_ci (plans/b/b.snapshot.hcl)", "emcee plan --rewrite b")
	p.must("plan", "--rewrite", "b")
	opContains(t, p.must("db", "expand"), "ALTER TABLE `t` MODIFY COLUMN `name` varchar(300) NOT NULL, ALGORITHM=COPY", "b_expand01 applied")
	if got := p.columns("t"); got != "id int(11) NO -\nname varchar(300) NO -" {
		t.Fatalf("t after expand: %s", got)
	}

	// A fresh latin1 database: sync is refused before it creates
	// anything, emcee's version table included.
	fresh := newSchemaProject(t, [2]string{"a", dbCollationRelease("200")})
	fresh.exec("ALTER DATABASE `" + fresh.DB.Name + "` CHARACTER SET latin1")
	fresh.must("plan")
	r = fresh.run("db", "sync")
	if r.Code != 1 {
		t.Fatalf("sync into a latin1 database: want the refusal: %s", r)
	}
	opContains(t, r, "the tables of a that declare no charset (`t`)")
	if got := fresh.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"); got != "0" {
		t.Fatalf("a refused sync created %s tables", got)
	}
	// --allow-drift goes on, saying so.
	opContains(t, fresh.must("db", "sync", "--allow-drift"), "preflight: WARNING (--allow-drift): the default collation of database "+fresh.DB.Name+" is latin1_swedish_ci")

	// Tables that declare their charset take nothing from the database's
	// default: nothing to refuse.
	own := newSchemaProject(t, [2]string{"a", dbCollationRelease("200")[:strings.Index(dbCollationRelease("200"), `table "t"`)] + dbCollationRelease("200")[strings.Index(dbCollationRelease("200"), `table "tagged"`):]})
	own.exec("ALTER DATABASE `" + own.DB.Name + "` CHARACTER SET latin1")
	own.must("plan")
	opContains(t, own.must("db", "sync"), "every table of a declares its charset or collation, so none takes it", "version: a_expand01, a_contract01")

	// Another collation of the plans' charset (what MySQL 8.0 gives a
	// database created with its defaults, utf8mb4_0900_ai_ci): the bytes
	// the plans counted hold, so the run goes on, saying so.
	same := newSchemaProject(t, [2]string{"a", dbCollationRelease("200")}, [2]string{"b", dbCollationRelease("300")})
	same.exec("ALTER DATABASE `" + same.DB.Name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	same.must("plan")
	opContains(t, same.must("db", "sync"), "preflight: the default collation of database "+same.DB.Name+" is utf8mb4_unicode_ci, not utf8mb4_general_ci as the plans assume", "the same charset, so the plans' byte counts hold", "version: b_expand01, b_contract01")
	if got := same.query("SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'name'"); got != "utf8mb4_unicode_ci" {
		t.Fatalf("t.name: %s", got)
	}
}

// The schema block's charset and collate declare the database's default:
// the plans are computed for it (the widening of a latin1 column past 255
// bytes copies the table, as the server needs) and record it in the
// snapshots, which the applier compares with the live database.
func TestDatabaseDefaultCollationDeclared(t *testing.T) {
	t.Parallel()
	b := strings.Replace(latin1Schema(dbCollationRelease("300")), "    type = varchar(300)\n", "    type = varchar(300)\n    allow_copy = true\n", 1)
	p := newSchemaProject(t, [2]string{"a", latin1Schema(dbCollationRelease("200"))}, [2]string{"b", b})
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET latin1")
	p.must("plan")
	if got := p.read("plans/b/b_expand01.sql"); !strings.Contains(got, "ALTER TABLE `t` MODIFY COLUMN `name` varchar(300) NOT NULL, ALGORITHM=COPY") || !strings.Contains(got, "ALTER TABLE `tagged` MODIFY COLUMN `label` varchar(300) NOT NULL, ALGORITHM=INSTANT") {
		t.Fatalf("b's expand, planned for latin1:\n%s", got)
	}
	if got := p.read("plans/b/b.snapshot.hcl"); !strings.Contains(got, "collate = \"latin1_swedish_ci\"") {
		t.Fatalf("the snapshot does not record the default:\n%s", got)
	}
	p.must("db", "sync", "a")
	p.must("db", "expand")
	if got := p.query("SELECT COLUMN_TYPE, COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'name'"); got != "varchar(300) latin1_swedish_ci" {
		t.Fatalf("t.name after expand: %s", got)
	}

	// The same plans on a database of the default they were not planned
	// for: refused.
	other := newSchemaProject(t, [2]string{"a", latin1Schema(dbCollationRelease("200"))}, [2]string{"b", b})
	other.must("plan")
	r := other.run("db", "sync")
	if r.Code != 1 {
		t.Fatalf("latin1 plans on a utf8mb4 database: want the refusal: %s", r)
	}
	opContains(t, r, "the default collation of database "+other.DB.Name+" is utf8mb4_general_ci, but the plans were computed for latin1_swedish_ci", "charset = \"utf8mb4\" and collate = \"utf8mb4_general_ci\"")
}

// db status and db check say what the applying commands refuse before
// anything changes: a database default of another charset than the
// pending releases were computed for (check exits 1, as for a gate that
// cannot run, and both give the way out: check gave only the reason), and note one of another
// collation of the same charset, which they run with. Both said nothing:
// check said "expand needed" (3), and the expand it sent the operator to
// was refused.
func TestDatabaseDefaultReportedByStatusAndCheck(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"a", dbCollationRelease("200")}, [2]string{"b", dbCollationRelease("300")})
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET latin1")
	p.must("plan")
	p.exec("CREATE TABLE t (id int NOT NULL, name varchar(200) NOT NULL, PRIMARY KEY (id))")
	p.exec("CREATE TABLE tagged (id int NOT NULL, label varchar(200) NOT NULL, PRIMARY KEY (id)) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
	p.must("db", "baseline", "a")
	refusal := "the default collation of database " + p.DB.Name + " is latin1_swedish_ci, but the plans were computed for utf8mb4_general_ci: the tables of b that declare no charset (`t`) take the database's default"
	r := p.run("db", "check")
	if r.Code != 1 {
		t.Fatalf("db check of a latin1 database under plans computed for utf8mb4: want 1, as the applying commands refuse: %s", r)
	}
	opContains(t, r, refusal, "next: declare the database's default in the schema block of every release file")
	r = p.must("db", "status")
	opContains(t, r, "b_expand01", "pending", refusal, "next: declare the database's default in the schema block of every release file (charset = \"latin1\" and collate = \"latin1_swedish_ci\")")
	opContains(t, p.must("db", "status", "--format", "json"), `"code": 1`, "latin1_swedish_ci")
	if r := p.run("db", "expand"); r.Code != 1 || !strings.Contains(r.Stderr, refusal) {
		t.Fatalf("expand: the refusal status and check report: %s", r)
	}

	// Another collation of the plans' charset: the applying commands run,
	// noting it; so do status and check, which say what is next.
	p.exec("ALTER DATABASE `" + p.DB.Name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	note := "note: the default collation of database " + p.DB.Name + " is utf8mb4_unicode_ci, not utf8mb4_general_ci as the plans assume"
	r = p.run("db", "check")
	if r.Code != 3 {
		t.Fatalf("db check: want 3 (expand needed): %s", r)
	}
	opContains(t, r, "expand needed: b_expand01", note)
	opContains(t, p.must("db", "status"), "expand needed: b_expand01", note, "next: `emcee db expand --env test`")
}
