package e2e

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// Issue 10, hole 1: names and enum values chosen so that Atlas's unescaped
// backticks and quotes end them early and the rest runs as SQL. Before the
// fix `emcee plan` and `plan --check` accepted each and `db expand` ran
// DROP TABLE image_tags; now planning refuses them at their line, and if
// one ever plans again, the test applies it and the rows must survive.
func TestInjectedNamesNeverRun(t *testing.T) {
	t.Parallel()
	table := func(name, body string) string {
		return "\ntable \"" + name + "\" {\n  schema = schema.glance\n  column \"id\" {\n    type = int\n  }\n" + body + "  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	for _, tc := range []struct{ name, add, want string }{
		{"table name", table("x` (id int primary key); DROP TABLE image_tags; CREATE TABLE `y", ""),
			"schema/ussuri.hcl:76:7: table name \"x` (id int primary key); DROP TABLE image_tags; CREATE TABLE `y\" contains a backtick"},
		{"enum value", table("t", "  column \"e\" {\n    type = enum(\"a') ); DROP TABLE image_tags; CREATE TABLE y (id int, z enum('b\")\n  }\n"),
			"schema/ussuri.hcl:82:12: enum value \"a') ); DROP TABLE image_tags; CREATE TABLE y (id int, z enum('b\" of t.e contains ' or \\"},
		{"index name", table("t", "  index \"ix` (id)); DROP TABLE image_tags; CREATE TABLE y (id int, KEY `z\" {\n    columns = [column.id]\n  }\n"),
			"schema/ussuri.hcl:81:9: index name \"ix` (id)); DROP TABLE image_tags; CREATE TABLE y (id int, KEY `z\" contains a backtick"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := exampleProject(t)
			p.editSchema("ussuri", func(s string) string { return s + tc.add })
			for _, args := range [][]string{{"--check"}, nil} {
				r := p.plan(args...)
				if r.Code != 1 || !strings.Contains(r.Stderr, tc.want) {
					t.Errorf("emcee plan %s must refuse it at its position:\n%s", strings.Join(args, " "), r)
				}
			}
			if r := p.plan(); r.Code != 0 {
				return
			}
			// The plan was written: show what it does to a database with tagged images.
			p.must("db", "sync", "train")
			p.exec("INSERT INTO images (id, name, status, slug) VALUES (1, 'a', 'active', 'a')")
			p.exec("INSERT INTO image_tags (image_id, tag) VALUES (1, 'x'), (1, 'y')")
			p.run("db", "expand")
			if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'image_tags'"); got != "1" {
				t.Fatalf("db expand dropped image_tags and its 2 rows")
			}
		})
	}
}

// Every name emcee writes itself (trigger names derived from the table,
// the backfill directive, gates, the comment lines) stays one name on a
// table whose name has spaces, quotes, comment markers and characters the
// server encodes in five bytes: a replacement and a fill run through the
// real applier, and no row is lost.
func TestHostileButValidNamesThroughAnUpgrade(t *testing.T) {
	t.Parallel()
	table := `img "tags" 'x' -- y /* z ` + strings.Repeat("中", 24)
	tq := `"` + strings.ReplaceAll(table, `"`, `\"`) + `"`
	before := "schema \"app\" {}\ntable " + tq + " {\n  schema = schema.app\n  column \"my id\" {\n    type = int\n  }\n  column \"is public\" {\n    type = bool\n    default = false\n  }\n  column \"name\" {\n    type = varchar(20)\n  }\n  primary_key {\n    columns = [column[\"my id\"]]\n  }\n}\n"
	after := "schema \"app\" {}\ntable " + tq + " {\n  schema = schema.app\n  column \"my id\" {\n    type = int\n  }\n" +
		"  column \"vis -- x\" {\n    type = enum(\"public\", \"private\")\n    default = \"private\"\n    replaces {\n      column = \"is public\"\n      forward = \"CASE WHEN `is public` THEN 'public' ELSE 'private' END\"\n      backward = \"`vis -- x` = 'public'\"\n    }\n  }\n" +
		"  column \"name\" {\n    type = varchar(20)\n  }\n  column \"slug 'x'\" {\n    type = varchar(20)\n    fill = \"LOWER(name)\"\n  }\n  primary_key {\n    columns = [column[\"my id\"]]\n  }\n}\n"
	p := newSchemaProject(t, [2]string{"a", before}, [2]string{"b", after})
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	p.must("db", "sync", "a")
	p.exec("INSERT INTO " + sqlsyntax.Ident(table) + " (`my id`, `is public`, name) VALUES (1, 1, 'One'), (2, 0, 'Two')")
	p.must("db", "expand")
	p.exec("INSERT INTO " + sqlsyntax.Ident(table) + " (`my id`, `is public`, name) VALUES (3, 1, 'Three')")                       // release a
	p.exec("INSERT INTO " + sqlsyntax.Ident(table) + " (`my id`, `vis -- x`, name, `slug 'x'`) VALUES (4, 'public', 'Four', 'f')") // release b
	if got := p.query("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"); got != "2" {
		t.Fatalf("sync triggers after expand: %s", got)
	}
	p.must("db", "migrate")
	p.must("db", "contract")
	if got := p.query("SELECT `my id`, `vis -- x`, `slug 'x'` FROM " + sqlsyntax.Ident(table) + " ORDER BY 1"); got != "1 public one\n2 private two\n3 public three\n4 public f" {
		t.Fatalf("rows after the upgrade:\n%s", got)
	}
	if got := p.triggers(); got != "" {
		t.Fatalf("triggers left: %s", got)
	}
}
