package review

import (
	"bytes"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"
	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

var update = flag.Bool("update", false, "rewrite the golden files from the bundled example")

// The review of the bundled example, in every format, is what a release
// manager reads; the golden files pin it. After a deliberate change, run
// `go test ./review -update` and read the diff.
func TestGoldenExample(t *testing.T) {
	rep := goldenReport(t)
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		t.Fatal(err)
	}
	var text, md bytes.Buffer
	WriteText(&text, rep)
	WriteMarkdown(&md, rep)
	for name, got := range map[string][]byte{"example.txt": text.Bytes(), "example.md": md.Bytes(), "example.json": js.Bytes()} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run `go test ./review -update` to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("review in %s differs from %s; if the change is intended, run `go test ./review -update` and review the diff\n%s", name, path, firstDiff(string(want), string(got)))
		}
	}
}

// goldenReport reviews every release of the bundled example.
func goldenReport(t *testing.T) *Report {
	t.Helper()
	p, err := project.Load("../atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	if err := plans.Verify(); err != nil {
		t.Fatal(err)
	}
	rep, err := Build(p, plans, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("first difference, line %d:\n- %s\n+ %s", i+1, a, b)
		}
	}
	return ""
}

// A hand-edited release shows a reviewer what emcee's own plans never do:
// a tightening no gate guards, a trigger left behind, an ALTER with no
// ALGORITHM clause, a whole table's data dropped.
// snapshotHeader is the head of a snapshot `emcee plan` writes, before the
// release's source: review reads a snapshot as the planner does.
const snapshotHeader = "# emcee snapshot of release (written by a test)\n# Do not edit.\n# base: empty\n"

func TestReviewWarnsAboutWhatPlansShouldNotDo(t *testing.T) {
	dir := t.TempDir()
	write := func(path, data string) {
		t.Helper()
		full := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("plans/a/a.snapshot.hcl", snapshotHeader+`schema "app" {}
table "t" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "note" {
    type = varchar(20)
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
table "old" {
  schema = schema.app
  column "id" {
    type = int
  }
}
`)
	write("plans/b/b.snapshot.hcl", snapshotHeader+`schema "app" {}
table "t" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "note" {
    type = varchar(10)
  }
  primary_key {
    columns = [column.id]
  }
}
`)
	target, _ := project.ParseTarget("mariadb 10.11")
	p := &project.Project{Dir: dir, PlansDir: filepath.Join(dir, "plans"), Target: target, Releases: []string{"a", "b"}}
	plans := &revision.Plans{Dir: p.PlansDir}
	add := func(id string, stmts ...revision.Statement) {
		rid, err := revision.ParseID(id)
		if err != nil {
			t.Fatal(err)
		}
		for i := range stmts {
			stmts[i].Line = 3 * (i + 1)
		}
		plans.Revisions = append(plans.Revisions, &revision.Revision{ID: rid, Path: rid.File(), Statements: stmts})
	}
	add("b_expand01", revision.Statement{Rule: "hand", SQL: "CREATE TRIGGER `tr` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.note = 'x'"})
	add("b_migrate01")
	add("b_contract01",
		revision.Statement{Rule: "hand", SQL: "ALTER TABLE `t` MODIFY COLUMN `note` varchar(10) NOT NULL"},
		revision.Statement{Rule: "hand", SQL: "DROP TABLE `old`"},
		revision.Statement{Rule: "hand", SQL: "ALTER TABLE `t` ADD COLUMN `x` int NULL INVISIBLE, ALGORITHM=INSTANT"},
	)
	rep, err := Build(p, plans, []string{"b"})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	WriteText(&text, rep)
	for _, want := range []string{
		"trigger tr BEFORE INSERT ON t\n      created at plans/b/b_expand01.sql:3; NOT dropped by this release",
		"table old: id int NOT NULL\n      dropped at plans/b/b_contract01.sql:6",
		"column t.note: varchar(20) NULL -> varchar(10) NOT NULL\n      at plans/b/b_contract01.sql:3, NOT GUARDED",
		"1. line 3  rule hand  [unspecified]",
		"lock:    no ALGORITHM clause: the server chooses, possibly a table copy",
		"b_migrate01  plans/b/b_migrate01.sql\n  no statements",
		"Gates contract runs first (each must return 0)\n  none",
		// A statement emcee cannot read is said to be one, not shown as
		// changing nothing.
		`emcee cannot read this statement (emcee cannot read the statement from "INVISIBLE, ALGORITHM=INSTANT" on`,
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("review lacks %q:\n%s", want, text.String())
		}
	}
	var md bytes.Buffer
	WriteMarkdown(&md, rep)
	for _, want := range []string{"| trigger | `tr` | BEFORE INSERT ON t | `plans/b/b_expand01.sql:3` | **not dropped** |", "| column | `t.note` | `varchar(20) NULL` | varchar(10) NOT NULL | `plans/b/b_contract01.sql:3` | **no gate** |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown review lacks %q:\n%s", want, md.String())
		}
	}
}

func TestLockOf(t *testing.T) {
	for _, tc := range []struct {
		st    revision.Statement
		class string
	}{
		{revision.Statement{Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM t"}, "read"},
		{revision.Statement{Kind: revision.Backfill, SQL: "UPDATE t SET a = 1 WHERE a IS NULL"}, "rows"},
		{revision.Statement{SQL: "ALTER TABLE `t` ADD COLUMN `a` int NULL, ALGORITHM=INSTANT"}, "instant"},
		{revision.Statement{SQL: "ALTER TABLE `t` ADD INDEX `i` (`a`), ALGORITHM=INPLACE, LOCK=NONE"}, "in-place"},
		{revision.Statement{SQL: "ALTER TABLE `t` MODIFY COLUMN `a` int NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"}, "rebuild"},
		{revision.Statement{SQL: "ALTER TABLE `t` DROP COLUMN `a`, ADD UNIQUE INDEX `u` (`b`), ALGORITHM=INPLACE, LOCK=NONE"}, "rebuild"},
		{revision.Statement{SQL: "ALTER TABLE `t` DROP INDEX `i`, DROP COLUMN `a`, ALGORITHM=NOCOPY, LOCK=NONE"}, "in-place"},
		{revision.Statement{SQL: "ALTER TABLE `t` MODIFY COLUMN `a` bigint, ALGORITHM=COPY, LOCK=SHARED"}, "copy"},
		{revision.Statement{SQL: "ALTER TABLE `t` DROP FOREIGN KEY `f`"}, "unspecified"},
		{revision.Statement{SQL: "CREATE TABLE `t` (`id` int)"}, "none"},
		{revision.Statement{SQL: "CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN END"}, "metadata"},
		{revision.Statement{SQL: "CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `v` AS SELECT 1"}, "metadata"},
		{revision.Statement{SQL: "RENAME TABLE `a` TO `b`"}, "metadata"},
		{revision.Statement{SQL: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `t` ADD CONSTRAINT `f` FOREIGN KEY (`a`) REFERENCES `p` (`id`), ALGORITHM = INPLACE, LOCK = NONE"}, "in-place"},
		{revision.Statement{SQL: "CREATE INDEX ix ON t (a)"}, "unspecified"},
		{revision.Statement{SQL: "INSERT INTO `t` (`id`) SELECT 1 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM `t` WHERE `id` <=> 1)"}, "rows"},
		// A data_migration's delete (Redmine 5.0's orphaned settings): it
		// was "unspecified", "not a schema change emcee classifies".
		{revision.Statement{SQL: "DELETE FROM `settings` WHERE (`name` = 'openid')"}, "rows"},
	} {
		got := LockOf(project.Target{Flavor: "mariadb", Major: 10, Minor: 11}, tc.st, nil)
		if got.Class != tc.class || got.Detail == "" || (got.Rebuilds != "") != (tc.class == "rebuild" || tc.class == "copy") {
			t.Errorf("%s: %+v, want class %q with a detail", tc.st.SQL, got, tc.class)
		}
	}
}

// A data_migration's delete runs in primary-key batches where its table
// keeps a primary key of one column (the applier's asBatched): review said
// "in one statement, NOT BATCHED" of every one.
func TestLockOfDelete(t *testing.T) {
	target := project.Target{Flavor: "mariadb", Major: 10, Minor: 11}
	l := LockOf(target, revision.Statement{SQL: "DELETE `category` FROM `category` JOIN (SELECT `id` FROM `category` WHERE (`status` = 0)) AS `emcee_rows` USING (`id`)"}, nil)
	if l.Unbatched || !strings.Contains(l.Detail, "in batches of its primary key id") {
		t.Errorf("a delete joined by its key: %+v", l)
	}
	// With the table's size (review --url), the size line says the
	// statement deletes from the table, and the json names no backfill:
	// it said "backfills category", and json "backfills": "category".
	l.Size = &dbconn.TableSize{Table: "category", Rows: 2_000_000, Bytes: 1 << 30}
	if got, want := sizeText(l), "deletes from category (2.0M rows, 1.0 GB)"; got != want {
		t.Errorf("the size of a batched delete's table: %q, want %q", got, want)
	}
	if js, err := json.Marshal(l); err != nil || strings.Contains(string(js), `"backfills"`) {
		t.Errorf("a batched delete in json: %s (%v), want no backfills", js, err)
	}
	for _, one := range []string{
		"DELETE `t` FROM `t` JOIN (SELECT `a`, `b` FROM `t` WHERE (`x` = 1)) AS `emcee_rows` USING (`a`, `b`)",
		"DELETE FROM `settings` WHERE (`name` = 'openid')",
	} {
		if l := LockOf(target, revision.Statement{SQL: one}, nil); !l.Unbatched || !strings.Contains(l.Detail, "NOT BATCHED") {
			t.Errorf("%s: %+v, want one statement", one, l)
		}
	}
}

// With table sizes (review --url or --env), every format says how big the
// table a statement rebuilds is, the way a release manager reads it.
func TestRebuildSizes(t *testing.T) {
	rep := goldenReport(t)
	size := &dbconn.TableSize{Table: "images", Rows: 1_000_000, Bytes: 509 << 20}
	rep.SizesFrom = "mysql://deploy:****@db:3306/glance"
	n := 0
	for _, r := range rep.Releases {
		for i := range r.Rebuilds {
			r.Rebuilds[i].Size = size
			n++
		}
		for _, rev := range r.Revisions {
			for _, st := range rev.Statements {
				if st.Lock.Rebuilds == "images" {
					st.Lock.Size = size
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("the example rebuilds no table: nothing to show a size for")
	}
	var text, md bytes.Buffer
	WriteText(&text, rep)
	WriteMarkdown(&md, rep)
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
		if !strings.Contains(out, "rebuilds images (1.0M rows, 509 MB)") || !strings.Contains(out, "mysql://deploy:****@db:3306/glance") {
			t.Errorf("%s review lacks the size of images or where it was read", name)
		}
	}
	if !strings.Contains(string(js), `"size":{"table":"images","rows":1000000,"bytes":533725184}`) {
		t.Errorf("json review lacks the size: %s", js)
	}
	for _, tc := range []struct {
		n    int64
		want string
	}{{12, "12"}, {12_345, "12k"}, {999_999, "999k"}, {1_000_000, "1.0M"}, {2_500_000_000, "2.5G"}} {
		if got := dbconn.FormatCount(tc.n); got != tc.want {
			t.Errorf("FormatCount(%d) = %s, want %s", tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		n    int64
		want string
	}{{100, "1 kB"}, {16 << 10, "16 kB"}, {509 << 20, "509 MB"}, {3 << 30, "3.0 GB"}, {12 << 30, "12 GB"}} {
		if got := dbconn.FormatBytes(tc.n); got != tc.want {
			t.Errorf("FormatBytes(%d) = %s, want %s", tc.n, got, tc.want)
		}
	}
}

// With an online schema change tool selected, a table copy says what the
// tool gets instead of the server; every other statement is unchanged.
// The statements the review hands over are exactly those of cost class
// "copy", the ones the applier hands over.
func TestHandToOSC(t *testing.T) {
	mariadb := project.Target{Flavor: "mariadb", Major: 10, Minor: 11}
	code := schema.NewStringColumn("code", "varchar")
	amount := schema.NewDecimalColumn("amount", "decimal", schema.DecimalPrecision(10), schema.DecimalScale(3))
	n := schema.NewIntColumn("n", "int")
	sku := schema.NewStringColumn("sku", "varchar").AddAttrs(&schema.Collation{V: "utf8mb4_nopad_bin"})
	// MySQL 8.0's default collation is NO PAD too.
	ref := schema.NewStringColumn("ref", "varchar").AddAttrs(&schema.Collation{V: "utf8mb4_0900_ai_ci"})
	rate := schema.NewDecimalColumn("rate", "decimal", schema.DecimalPrecision(10), schema.DecimalScale(4))
	bp := schema.NewIntColumn("bp", "int").AddAttrs(&schema.GeneratedExpr{Expr: "`rate` * 10000", Type: "PERSISTENT"})
	prices := schema.New("app").AddTables(schema.NewTable("prices").
		AddColumns(code, amount, schema.NewStringColumn("note", "varchar"), n, sku, rate, bp, ref).
		SetPrimaryKey(schema.NewPrimaryKey(code)).
		AddIndexes(schema.NewUniqueIndex("u_amount").AddColumns(amount), schema.NewUniqueIndex("u_n").AddColumns(n), schema.NewUniqueIndex("u_sku").AddColumns(sku), schema.NewUniqueIndex("u_bp").AddColumns(bp), schema.NewUniqueIndex("u_ref").AddColumns(ref)))
	gate := revision.Statement{Kind: revision.Gate, Rule: "convert-charset", SQL: "SELECT COUNT(*) FROM `images` WHERE (CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_unicode_ci) IN (SELECT CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_unicode_ci FROM `images` WHERE `note` IS NOT NULL GROUP BY CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_unicode_ci HAVING COUNT(*) > 1)"}
	convert := "ALTER TABLE `images` CHARSET utf8mb4, COLLATE utf8mb4_unicode_ci, MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"
	for _, tc := range []struct {
		sql, alter, refused, rule string
		rev                       revision.Revision
		target                    project.Target // mariadb 10.11 unless set
	}{
		{sql: "ALTER TABLE `my t` MODIFY COLUMN `a'b` bigint NOT NULL, ALGORITHM=COPY, LOCK=SHARED", alter: "MODIFY COLUMN `a'b` BIGINT NOT NULL"},
		// A conversion whose keys the revision's gate counts for collisions
		// (the applier refuses it under pt-osc, oscCollidingKeys); without
		// the gate, the tool takes it.
		{sql: convert, refused: "converts a unique key of `images` to a collation under which keys may collide", rev: revision.Revision{Statements: []revision.Statement{gate}}},
		{sql: convert, alter: "DEFAULT CHARACTER SET = UTF8MB4, DEFAULT COLLATE = UTF8MB4_UNICODE_CI, MODIFY COLUMN `note` VARCHAR(60) NOT NULL"},
		// A tightening of a DECIMAL column, or of a text column under a
		// NO PAD collation, of a unique key rounds values the tool's
		// REPLACE trigger writes into another row's key (the applier
		// refuses it, oscRoundedKeys); of a text column under a PAD SPACE
		// collation (the key cut of its trailing spaces equals itself), of
		// a column in no unique key, or of an int, the tool takes it.
		{sql: "ALTER TABLE `prices` MODIFY COLUMN `amount` decimal(10,2) NOT NULL, ALGORITHM=COPY, LOCK=SHARED", rule: "tighten-column", refused: "it tightens `prices`.`amount`, a column of unique key `u_amount`"},
		// Keeping its decimals, a DECIMAL rounds nothing: fewer digits
		// before the point are an error.
		{sql: "ALTER TABLE `prices` MODIFY COLUMN `amount` decimal(8,3) NOT NULL, ALGORITHM=COPY, LOCK=SHARED", rule: "tighten-column", alter: "MODIFY COLUMN `amount` DECIMAL(8,3) NOT NULL"},
		{sql: "ALTER TABLE `prices` MODIFY COLUMN `sku` varchar(5) NOT NULL, ALGORITHM=COPY, LOCK=SHARED", rule: "tighten-column", refused: "a column of unique key `u_sku`"},
		{sql: "ALTER TABLE `prices` MODIFY COLUMN `ref` varchar(5) NOT NULL, ALGORITHM=COPY, LOCK=SHARED", rule: "tighten-column", refused: "a column of unique key `u_ref`"},
		// A unique key over a generated column computed from it changes
		// with it.
		{sql: "ALTER TABLE `prices` MODIFY COLUMN `rate` decimal(10,2) NOT NULL, ALGORITHM=COPY, LOCK=SHARED", rule: "tighten-column", refused: "a column of unique key `u_bp`"},
		{sql: "ALTER TABLE `prices` MODIFY COLUMN `code` varchar(5) NOT NULL, ALGORITHM=COPY, LOCK=SHARED", rule: "tighten-column", alter: "MODIFY COLUMN `code` VARCHAR(5) NOT NULL"},
		// On MySQL 8.0 a column declaring no charset, in a database of the
		// server's defaults, is utf8mb4_0900_ai_ci: NO PAD.
		{sql: "ALTER TABLE `prices` MODIFY COLUMN `code` varchar(5) NOT NULL, ALGORITHM=COPY, LOCK=SHARED", rule: "tighten-column", refused: "a column of unique key `PRIMARY`", target: project.Target{Flavor: "mysql", Major: 8, Minor: 0}},
		{sql: "ALTER TABLE `prices` MODIFY COLUMN `note` varchar(5) NOT NULL, ALGORITHM=COPY, LOCK=SHARED", rule: "tighten-column", alter: "MODIFY COLUMN `note` VARCHAR(5) NOT NULL"},
		{sql: "ALTER TABLE `prices` MODIFY COLUMN `n` smallint NOT NULL, ALGORITHM=COPY, LOCK=SHARED", rule: "tighten-column", alter: "MODIFY COLUMN `n` SMALLINT NOT NULL"},
		{sql: "ALTER TABLE `t` ADD CONSTRAINT `c` CHECK (`a` > 0), ALGORITHM=COPY", alter: "ADD CONSTRAINT `c` CHECK(`a` > 0)"},
		{sql: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `t` MODIFY `a` bigint, ALGORITHM=COPY", refused: "SET STATEMENT"},
		// What the applier refuses before a revision runs, review says too.
		{sql: "ALTER TABLE `t` ADD UNIQUE INDEX `u` (`a`), ALGORITHM=COPY", refused: "adds a unique index `u`"},
		// The tool's copy holds the foreign key under the tool's name.
		{sql: "ALTER TABLE `t` DROP FOREIGN KEY `fk_p`, MODIFY COLUMN `a` bigint NOT NULL, ALGORITHM=COPY", alter: "DROP FOREIGN KEY `_fk_p`, MODIFY COLUMN `a` BIGINT NOT NULL"},
		{sql: "ALTER TABLE `t` MODIFY COLUMN `a` int NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
		{sql: "ALTER TABLE `t` ADD COLUMN `a` int NULL, ALGORITHM=INSTANT"},
		{sql: "ALTER TABLE `t` DROP INDEX `i`, ALGORITHM=NOCOPY, LOCK=NONE"},
		{sql: "CREATE INDEX ix ON t (a)"},
	} {
		target := cmp.Or(tc.target, mariadb)
		l := LockOf(target, revision.Statement{SQL: tc.sql}, nil)
		l.handToOSC(target, revision.Statement{SQL: tc.sql, Rule: tc.rule}, &tc.rev, prices)
		switch {
		case tc.alter == "" && tc.refused == "":
			if l.OSC != nil {
				t.Errorf("%s: not a copy, yet handed over: %+v", tc.sql, l.OSC)
			}
		case l.OSC == nil || l.OSC.Alter != tc.alter || !strings.Contains(l.OSC.Refused, tc.refused) || (tc.refused == "") != (l.OSC.Refused == ""):
			t.Errorf("%s: %+v, want alter %q refused %q", tc.sql, l.OSC, tc.alter, tc.refused)
		case tc.alter != "" && !strings.Contains(l.Detail, "handed to pt-online-schema-change"):
			t.Errorf("%s: detail %q", tc.sql, l.Detail)
		}
	}
}

// Moodle 3.6 drops the DEFAULT 0 of message_contacts.userid and
// contactid: contract's MODIFY keeps the type and NOT NULL, so no stored
// row can fail it. The review listed both as tightenings "NOT GUARDED:
// ... rows that do not fit make contract fail midway".
func TestReviewDefaultDroppedIsNoTightening(t *testing.T) {
	dir := t.TempDir()
	release := func(name, dflt string) {
		t.Helper()
		path := filepath.Join(dir, "plans", name, name+".snapshot.hcl")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		src := "schema \"app\" {}\ntable \"mdl_message_contacts\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  column \"userid\" {\n    type = bigint\n" + dflt + "  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
		if err := os.WriteFile(path, []byte(snapshotHeader+src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	release("a", "    default = 0\n")
	release("b", "")
	target, _ := project.ParseTarget("mariadb 10.11")
	p := &project.Project{Dir: dir, PlansDir: filepath.Join(dir, "plans"), Target: target, Releases: []string{"a", "b"}}
	plans := &revision.Plans{Dir: p.PlansDir}
	for _, r := range []struct {
		id    string
		stmts []revision.Statement
	}{
		{"b_expand01", nil},
		{"b_migrate01", nil},
		{"b_contract01", []revision.Statement{{Rule: "tighten-column", SQL: "ALTER TABLE `mdl_message_contacts` MODIFY COLUMN `userid` bigint NOT NULL, ALGORITHM=INSTANT", Line: 3}}},
	} {
		rid, err := revision.ParseID(r.id)
		if err != nil {
			t.Fatal(err)
		}
		plans.Revisions = append(plans.Revisions, &revision.Revision{ID: rid, Path: rid.File(), Statements: r.stmts})
	}
	rep, err := Build(p, plans, []string{"b"})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Releases[0].Tightened; len(got) != 0 {
		t.Fatalf("the dropped default is listed as a tightening: %+v", got)
	}
}

// PrestaShop 8.0 puts '410' among product.redirect_type's values: contract
// sets the declared order, which keeps every stored value, so no gate
// guards it. The review listed it as a tightening "NOT GUARDED: ... rows
// that do not fit make contract fail midway", which no row can do.
func TestReviewEnumReorderIsNoTightening(t *testing.T) {
	dir := t.TempDir()
	release := func(name, values string) {
		t.Helper()
		path := filepath.Join(dir, "plans", name, name+".snapshot.hcl")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		src := "schema \"app\" {}\ntable \"ps_product\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"redirect_type\" {\n    type    = enum(" + values + ")\n    default = \"404\"\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
		if err := os.WriteFile(path, []byte(snapshotHeader+src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	release("a", `"404", "301"`)
	release("b", `"404", "410", "301"`)
	target, _ := project.ParseTarget("mariadb 10.11")
	p := &project.Project{Dir: dir, PlansDir: filepath.Join(dir, "plans"), Target: target, Releases: []string{"a", "b"}}
	plans := &revision.Plans{Dir: p.PlansDir}
	for _, r := range []struct {
		id    string
		stmts []revision.Statement
	}{
		{"b_expand01", []revision.Statement{{Rule: "tighten-column", SQL: "ALTER TABLE `ps_product` MODIFY COLUMN `redirect_type` enum('404','301','410') NOT NULL DEFAULT '404', ALGORITHM=INSTANT"}}},
		{"b_migrate01", nil},
		{"b_contract01", []revision.Statement{{Rule: "tighten-column", SQL: "ALTER TABLE `ps_product` MODIFY COLUMN `redirect_type` enum('404','410','301') NOT NULL DEFAULT '404', ALGORITHM=COPY, LOCK=SHARED", Line: 3}}},
	} {
		rid, err := revision.ParseID(r.id)
		if err != nil {
			t.Fatal(err)
		}
		plans.Revisions = append(plans.Revisions, &revision.Revision{ID: rid, Path: rid.File(), Statements: r.stmts})
	}
	rep, err := Build(p, plans, []string{"b"})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Releases[0].Tightened; len(got) != 0 {
		t.Fatalf("the reorder is listed as a tightening: %+v", got)
	}
}

// A data_migration's delete goes on through the foreign keys that cascade
// from its table: review says which child rows go (or lose their key) with
// the rows it deletes, which the statement alone does not show.
func TestReviewDeleteNamesCascades(t *testing.T) {
	dir := t.TempDir()
	const src = "schema \"app\" {}\ntable \"category\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n" +
		"table \"bug\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"category_id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  foreign_key \"fk_bug_category\" {\n    columns     = [column.category_id]\n    ref_columns = [table.category.column.id]\n    on_delete   = CASCADE\n  }\n}\n"
	for _, name := range []string{"a", "b"} {
		path := filepath.Join(dir, "plans", name, name+".snapshot.hcl")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(snapshotHeader+src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	target, _ := project.ParseTarget("mariadb 10.11")
	p := &project.Project{Dir: dir, PlansDir: filepath.Join(dir, "plans"), Target: target, Releases: []string{"a", "b"}}
	plans := &revision.Plans{Dir: p.PlansDir}
	for _, r := range []struct {
		id    string
		stmts []revision.Statement
	}{
		{"b_expand01", nil},
		{"b_migrate01", nil},
		{"b_contract01", []revision.Statement{{Rule: "data-migration", SQL: "DELETE FROM `category` WHERE (`id` > 5)", Line: 3}}},
	} {
		rid, err := revision.ParseID(r.id)
		if err != nil {
			t.Fatal(err)
		}
		plans.Revisions = append(plans.Revisions, &revision.Revision{ID: rid, Path: rid.File(), Statements: r.stmts})
	}
	rep, err := Build(p, plans, []string{"b"})
	if err != nil {
		t.Fatal(err)
	}
	risk := rep.Releases[0].DataAtRisk
	if len(risk) != 1 || risk[0].What != "rows" || !strings.Contains(risk[0].Definition, "data destroyed, which no rollback brings back; ON DELETE CASCADE of bug.fk_bug_category deletes their child rows in bug too") {
		t.Fatalf("data at risk: %+v", risk)
	}
}

// A new table's foreign key to a table of the previous release waits for
// contract (splitter/rule_create_table.go): the review shows it there, as
// a tightening of the new table guarded by its orphan gate, and expand's
// CREATE TABLE without it.
func TestReviewNewTableKeyInContractWithItsGate(t *testing.T) {
	dir := t.TempDir()
	const images = "schema \"app\" {}\ntable \"images\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	const tags = "table \"image_tags\" {\n  schema = schema.app\n  column \"image_id\" {\n    type = bigint\n  }\n  column \"tag\" {\n    type = varchar(40)\n  }\n  primary_key {\n    columns = [column.image_id, column.tag]\n  }\n  foreign_key \"fk_image_tags_image\" {\n    columns     = [column.image_id]\n    ref_columns = [table.images.column.id]\n  }\n}\n"
	for name, src := range map[string]string{"atlas.hcl": "emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"a\", \"b\"]\n}\n", "schema/a.hcl": images, "schema/b.hcl": images + tags} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := planner.Plan(p, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Write(); err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Build(p, plans, []string{"b"})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Releases[0]
	var key *Tightening
	for i, tg := range r.Tightened {
		if tg.What == "foreign key" && tg.Name == "image_tags.fk_image_tags_image" {
			key = &r.Tightened[i]
		}
	}
	if key == nil || !strings.Contains(key.At, "b_contract01.sql") || len(key.Gates) != 1 || !strings.Contains(key.Gates[0], "b_contract01.sql") {
		t.Fatalf("the key is not a tightening of contract guarded by its gate: %+v", r.Tightened)
	}
	var text bytes.Buffer
	WriteText(&text, rep)
	for _, want := range []string{"rule add-foreign-key", "CREATE TABLE `image_tags` (`image_id` bigint NOT NULL, `tag` varchar(40) NOT NULL, PRIMARY KEY (`image_id`, `tag`))", "its foreign key fk_image_tags_image waits for contract"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("review lacks %q:\n%s", want, text.String())
		}
	}
}
