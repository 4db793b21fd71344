package e2e

import (
	"testing"
)

// A widening rename (name varchar(30) into title varchar(40)) of a column
// a stored generated column of the previous release reads: expand widened
// name, and the server computed upper(name) into varchar(30) from each
// value the triggers copied there, refusing the new release's insert of 35
// characters (error 1406) from expand until contract. plan refuses it.
func TestAttackS37WideningRenameReadByAGeneratedColumn(t *testing.T) {
	t.Parallel()
	shout := hcol("shout", "varchar(30)", "null = true", "as {\n      expr = \"upper(name)\"\n      type = STORED\n    }")
	a := htable("people", hcol("id", "int", "auto_increment = true"), hcol("name", "varchar(30)"), shout, hpk("id"))
	b := htable("people", hcol("id", "int", "auto_increment = true"), hcol("title", "varchar(40)", `renamed_from = "name"`), hpk("id"))
	p := newSchemaProject(t, [2]string{"a", "schema \"app\" {}\n" + a}, [2]string{"b", "schema \"app\" {}\n" + b})
	r := p.plan()
	if r.Code == 0 {
		p.must("db", "sync", "a")
		p.must("db", "expand")
		p.exec("INSERT INTO people (title) VALUES (REPEAT('w', 35))")
		t.Fatal("planned, and the new release's insert of 35 characters ran")
	}
	opContains(t, r, "schema/b.hcl:", "generated column shout of the previous release, of type varchar(30), reads it", "error 1406")
}

// An edit of a planned release renaming the table a foreign key of its
// planned contract references: the edit's expand ran first, contract01
// added the key to the view left under the old name (the server takes it
// under foreign_key_checks=0), contract02 dropped the view, exit 0, and
// every insert of a post naming a tag failed the key (error 1452). plan
// refuses the edit.
func TestAttackS37EditRenamesTheTableAPlannedKeyReferences(t *testing.T) {
	t.Parallel()
	tags := htable("tags", hcol("id", "int"), hpk("id"))
	posts := func(key string) string {
		return htable("posts", hcol("id", "int"), hcol("tag_id", "int", "null = true"), hpk("id"), "  index \"by_tag\" {\n    columns = [column.tag_id]\n  }\n"+key)
	}
	fk := func(parent string) string {
		return "  foreign_key \"fk_tag\" {\n    columns = [column.tag_id]\n    ref_columns = [table." + parent + ".column.id]\n  }\n"
	}
	p := newSchemaProject(t, [2]string{"a", "schema \"app\" {}\n" + tags + posts("")}, [2]string{"b", "schema \"app\" {}\n" + tags + posts(fk("tags"))})
	p.must("plan")
	p.editSchema("b", func(string) string {
		return "schema \"app\" {}\n" + replaceOnce(tags, "table \"tags\" {\n", "table \"labels\" {\n  renamed_from = \"tags\"\n") + posts(fk("labels"))
	})
	r := p.plan()
	if r.Code == 0 {
		p.must("db", "sync", "a")
		p.exec("INSERT INTO tags VALUES (1)")
		p.must("db", "expand")
		p.must("db", "migrate")
		p.must("db", "contract")
		p.exec("INSERT INTO posts VALUES (1, 1)")
		t.Fatal("planned, and the post naming tag 1 was inserted")
	}
	opContains(t, r, "schema/b.hcl:", "b_contract01.sql:", "REFERENCES `tags`", "table tags renamed to labels", "emcee plan --rewrite b")
}

// A view of the user's own reading a renamed table by its old name, made
// while the release rolls out (the old name is then rename-table's view):
// contract dropped that view, exit 0, and the user's view failed every
// read from then on (error 1356). The dependents check counts a dropped
// view as it counts a dropped table.
func TestAttackS37ContractDropsTheViewAUserViewReads(t *testing.T) {
	t.Parallel()
	tags := func(name, from string) string {
		return htable(name, from, hcol("id", "int"), hcol("label", "varchar(30)", "null = true"), hpk("id"))
	}
	p := newSchemaProject(t, [2]string{"a", "schema \"app\" {}\n" + tags("tags", "")}, [2]string{"b", "schema \"app\" {}\n" + tags("labels", "  renamed_from = \"tags\"\n")})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO tags VALUES (1, 'a')")
	p.must("db", "expand")
	p.exec("CREATE VIEW v_tags AS SELECT id, label FROM tags")
	p.must("db", "migrate", "--allow-drift")
	r := p.run("db", "contract", "--allow-drift")
	if r.Code == 0 {
		t.Fatalf("contract dropped the view v_tags reads: %s\nv_tags: %s", r, p.query("SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'v_tags' AND VIEW_DEFINITION <> ''"))
	}
	opContains(t, r, "b_contract01.sql:", "drops view tags, which view v_tags reads")
	wantAnswers(t, p, map[string]string{"SELECT id, label FROM v_tags": "1 a"})
}

// A widening rename of a column under a key of the previous release that
// the new type makes too long (name varchar(768) utf8mb4, 3072 bytes, into
// varchar(1000)): expand keeps the key on a prefix of 768 characters, in
// the same in-place ALTER as the widening. MariaDB 10.11 kept the index's
// entries as they were, and from then on the previous release's lookup
// WHERE name = 'bob' found no row ("Impossible WHERE noticed after reading
// const tables"), nor did the new release's rows. FORCE rebuilds the table
// with the prefixed key.
func TestAttackS37PrefixedKeyFindsItsRows(t *testing.T) {
	t.Parallel()
	for name, key := range map[string]string{"unique": "    unique = true\n", "not unique": ""} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := htable("people", hcol("id", "int", "auto_increment = true"), hcol("name", "varchar(768)"), hpk("id"), "  index \"by_name\" {\n"+key+"    columns = [column.name]\n  }\n")
			b := htable("people", hcol("id", "int", "auto_increment = true"), hcol("title", "varchar(1000)", `renamed_from = "name"`, "allow_copy = true"), hpk("id"))
			p := newSchemaProject(t, [2]string{"a", "schema \"app\" {}\n" + a}, [2]string{"b", "schema \"app\" {}\n" + b})
			p.must("plan")
			p.must("db", "sync", "a")
			p.exec("INSERT INTO people (name) VALUES ('ann'), ('bob')")
			p.must("db", "expand")
			p.exec("INSERT INTO people (title) VALUES ('carl')")
			p.exec("INSERT INTO people (name) VALUES ('dora')")
			wantAnswers(t, p, map[string]string{
				"SELECT id FROM people WHERE name = 'bob'":  "2",
				"SELECT id FROM people WHERE name = 'carl'": "3",
				"SELECT id FROM people WHERE name = 'dora'": "4",
			})
			p.must("db", "migrate")
			p.must("db", "contract")
			wantAnswers(t, p, map[string]string{"SELECT id FROM people WHERE title = 'bob'": "2"})
		})
	}
}
