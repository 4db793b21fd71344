package e2e

import (
	"strings"
	"testing"
)

// renameAfterPlanProject is release a's table pictures (id, name, c) and
// release b's, planned with b's edit of it (extra columns) before b is
// edited to rename the table to images.
func renameAfterPlanProject(t *testing.T, edit string) (p *opProject, renamed string) {
	t.Helper()
	c := "  column \"c\" {\n    type = int\n    null = true\n  }\n"
	table := func(name, cols string) string {
		return "schema \"app\" {}\n\ntable \"" + name + "\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"name\" {\n    type = varchar(20)\n    null = true\n  }\n" + cols +
			"  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	b := table("pictures", edit)
	p = newSchemaProject(t, [2]string{"a", table("pictures", c)}, [2]string{"b", b})
	p.must("plan")
	return p, strings.Replace(b, "table \"pictures\" {\n", "table \"images\" {\n  renamed_from = \"pictures\"\n", 1)
}

// Release b planned as "drop pictures.c" (b_contract01), then edited to
// rename pictures to images: the rename, appended as b_expand02, ran before
// b_contract01 (revisions run phase by phase) and left a view under the
// name pictures, so contract failed on the server with 1347 ("not of type
// BASE TABLE"), and the view left out c while release a still read it.
// plan refuses the edit, naming the rename's line and the statement;
// `plan --rewrite b` plans the drop and the rename together, and they apply.
func TestRenameTableAfterPlannedContract(t *testing.T) {
	t.Parallel()
	p, renamed := renameAfterPlanProject(t, "")
	if c1 := p.read("plans/b/b_contract01.sql"); !strings.Contains(c1, "ALTER TABLE `pictures` DROP COLUMN `c`") {
		t.Fatalf("the test needs b_contract01 dropping pictures.c:\n%s", c1)
	}
	p.editSchema("b", func(string) string { return renamed })
	r := p.run("plan")
	if r.Code == 0 {
		t.Fatalf("plan accepted a rename of a table b_contract01 alters: %s", r)
	}
	opContains(t, r, "schema/b.hcl:3:1: release b was planned before this edit", "table pictures renamed to images", "plans/b/b_contract01.sql:", "ALTER TABLE `pictures` DROP COLUMN `c`", "`emcee plan --rewrite b`", "next release")
	p.must("plan", "--rewrite", "b")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO pictures (id, name, c) VALUES (1, 'x', 7)")
	p.must("db", "expand")
	p.exec("INSERT INTO pictures (id, name, c) VALUES (2, 'y', 8)")
	p.must("db", "migrate")
	p.must("db", "contract")
	if v := p.version(); v != "b_expand01, b_contract01" {
		t.Fatalf("version after contract: %s", v)
	}
	p.exec("INSERT INTO images (id, name) VALUES (3, 'z')")
}

// A rename of a table b's planned revisions only expand (a column added)
// stays an appended revision: the view under the old name serves release a
// until b_contract02, and every phase applies.
func TestRenameTableAfterPlannedExpandApplies(t *testing.T) {
	t.Parallel()
	p, renamed := renameAfterPlanProject(t, "  column \"c\" {\n    type = int\n    null = true\n  }\n  column \"note\" {\n    type = varchar(20)\n    null = true\n  }\n")
	p.editSchema("b", func(string) string { return renamed })
	p.must("plan")
	if e2 := p.read("plans/b/b_expand02.sql"); !strings.Contains(e2, "RENAME TABLE `pictures` TO `images`") {
		t.Fatalf("b_expand02 should rename pictures:\n%s", e2)
	}
	p.must("db", "sync", "a")
	p.exec("INSERT INTO pictures (id, name, c) VALUES (1, 'x', 7)")
	p.must("db", "expand")
	p.exec("INSERT INTO pictures (id, name, c) VALUES (2, 'y', 8)")
	p.exec("INSERT INTO images (id, name, c, note) VALUES (3, 'z', 9, 'n')")
	p.must("db", "migrate")
	p.must("db", "contract")
	if v := p.version(); v != "b_expand02, b_contract02" {
		t.Fatalf("version after contract: %s", v)
	}
}

// Release b planned as "tags gets a foreign key to pictures" (b_contract01),
// then edited to rename pictures to images: the rename, appended as
// b_expand02, ran first, b_contract01 added the key to the view's name
// (foreign_key_checks=0 lets it), b_contract02 dropped the view, and every
// revision applied, leaving a key that references no table: each tag written
// with a picture failed with 1452. plan refuses the edit; `plan --rewrite b`
// plans the key to images, and release b's writes pass.
func TestRenameReferencedTableAfterPlannedContract(t *testing.T) {
	t.Parallel()
	pictures := "schema \"app\" {}\n\ntable \"pictures\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	tags := "\ntable \"tags\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"picture_id\" {\n    type = int\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n%s}\n"
	b := pictures + strings.Replace(tags, "%s", "  foreign_key \"tags_picture\" {\n    columns = [column.picture_id]\n    ref_columns = [table.pictures.column.id]\n  }\n", 1)
	p := newSchemaProject(t, [2]string{"a", pictures + strings.Replace(tags, "%s", "", 1)}, [2]string{"b", b})
	p.must("plan")
	if c1 := p.read("plans/b/b_contract01.sql"); !strings.Contains(c1, "REFERENCES `pictures`") {
		t.Fatalf("the test needs b_contract01 adding a key to pictures:\n%s", c1)
	}
	p.editSchema("b", func(string) string {
		return strings.ReplaceAll(strings.Replace(b, "table \"pictures\" {\n", "table \"images\" {\n  renamed_from = \"pictures\"\n", 1), "table.pictures", "table.images")
	})
	r := p.run("plan")
	if r.Code == 0 {
		t.Fatalf("plan accepted a rename of a table b_contract01's foreign key references: %s", r)
	}
	opContains(t, r, "schema/b.hcl:3:1: release b was planned before this edit", "plans/b/b_contract01.sql:", "still changes tags, adding a foreign key that references pictures", "table pictures renamed to images", "`emcee plan --rewrite b`")
	p.must("plan", "--rewrite", "b")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO pictures (id) VALUES (1)")
	p.exec("INSERT INTO tags (id, picture_id) VALUES (1, 1)")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	if ref := p.query("SELECT REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'tags_picture'"); ref != "images" {
		t.Fatalf("tags_picture references %q, want images", ref)
	}
	p.exec("INSERT INTO tags (id, picture_id) VALUES (2, 1)")
}
