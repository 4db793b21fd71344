package e2e

import (
	"strings"
	"testing"
)

// More pending predicates for Matomo's token move (5 users, --batch-size
// 2) that emcee planned, measured on MariaDB 10.11 before they were
// refused: contract's gate opened over tokens never moved and dropped them
// (exit 0), or migrate moved every token but the gate could never open. plan
// now refuses each where it is declared, saying what to write; the forms
// that ask the same thing correctly plan, move every token and contract.
func TestAttackS37PendingShapes(t *testing.T) {
	t.Parallel()
	const sub = "SELECT 1 FROM user_token_auth AS t WHERE "
	for name, c := range map[string][2]string{
		// Compared, but not by equality: every other user's row answers
		// (2 of 5 moved, contract exit 0).
		"not equal": {"NOT EXISTS (" + sub + "t.login <> user.login)", "does not keep only its rows equal to the row of `user`"},
		"not =":     {"NOT EXISTS (" + sub + "NOT (t.login = user.login))", "by equality (=, <=> or IN; not <>, <, LIKE or a function's answer)"},
		"strcmp":    {"NOT EXISTS (" + sub + "STRCMP(t.login, user.login))", "by equality"},
		"= OR <>":   {"NOT EXISTS (" + sub + "t.login = user.login OR t.login <> user.login)", "by equality"},
		"less than": {"NOT EXISTS (" + sub + "t.login < user.login)", "by equality"}, // 2 moved, gate closed for good
		// Selecting a user only once its token moved (0 of 5 moved,
		// contract exit 0).
		"count > 0":  {"(SELECT COUNT(*) FROM user_token_auth AS t WHERE t.login = user.login) > 0", "it asks whether `user_token_auth` has the row's rows"},
		"not null":   {"(SELECT t.login FROM user_token_auth AS t WHERE t.login = user.login) IS NOT NULL", "it asks whether `user_token_auth` has the row's rows"},
		"exists = 1": {"EXISTS (" + sub + "t.login = user.login) = 1", "it asks whether `user_token_auth` has the row's rows"},
		// One group, true where the user has no row: 0 moved, exit 0.
		"having": {"NOT EXISTS (" + sub + "t.login = user.login HAVING COUNT(*) = 0)", "EXISTS of a SELECT that aggregates (COUNT, MAX ..., or HAVING) without GROUP BY"},
		// Always empty: 0 moved (a count NULL, = 0 never true), exit 0; as
		// EXISTS, all 5 moved and every rerun of migrate would move them
		// again, the gate never opening.
		"count limit 0": {"(SELECT COUNT(*) FROM user_token_auth AS t WHERE t.login = user.login LIMIT 0) = 0", "LIMIT 0, or an offset past the one row"},
		"limit 0":       {"NOT EXISTS (" + sub + "t.login = user.login LIMIT 0)", "LIMIT 0, or an offset past the one row"},
		// A second row asked for: all moved, the gate never opening.
		"offset": {"NOT EXISTS (" + sub + "t.login = user.login LIMIT 1, 1)", "EXISTS of a SELECT with an offset"},
		// The same question, asked right.
		"count = 0": {"(SELECT COUNT(*) FROM user_token_auth AS t WHERE t.login = user.login) = 0", ""},
		"group by":  {"NOT EXISTS (" + sub + "t.login = user.login GROUP BY t.login)", ""},
		"limit 1":   {"NOT EXISTS (" + sub + "t.login = user.login ORDER BY t.idusertokenauth LIMIT 1)", ""},
		"is null":   {"(SELECT t.login FROM user_token_auth AS t WHERE t.login = user.login) IS NULL", ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			move := strings.Replace(matomoMove, "NOT EXISTS (SELECT 1 FROM user_token_auth AS t WHERE t.login = user.login)", c[0], 1)
			p := newSchemaProject(t, [2]string{"m3", matomo3}, [2]string{"m4", matomo4Tables + move})
			r := p.plan()
			if c[1] != "" {
				if r.Code == 0 {
					p.must("db", "sync", "m3")
					p.exec("INSERT INTO user VALUES ('a', 'ta'), ('b', 'tb'), ('c', 'tc'), ('d', 'td'), ('e', 'te')")
					p.must("db", "expand")
					p.must("db", "migrate", "--batch-size", "2")
					moved := p.query("SELECT COUNT(*) FROM user_token_auth")
					c := p.run("db", "contract")
					t.Fatalf("planned; tokens moved: %s of 5, contract exit %d", moved, c.Code)
				}
				opContains(t, r, "schema/m4.hcl:", c[1])
				return
			}
			if r.Code != 0 {
				t.Fatalf("refused:\n%s", r)
			}
			p.must("db", "sync", "m3")
			p.exec("INSERT INTO user VALUES ('a', 'ta'), ('b', 'tb'), ('c', 'tc'), ('d', 'td'), ('e', 'te')")
			p.must("db", "expand")
			p.must("db", "migrate", "--batch-size", "2")
			p.must("db", "contract")
			if got := p.query("SELECT GROUP_CONCAT(login, '=', password ORDER BY login) FROM user_token_auth"); got != "a=ta,b=tb,c=tc,d=td,e=te" {
				t.Fatalf("tokens after contract: %s", got)
			}
		})
	}
}

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

// Deletes of MantisBT's duplicate categories before the unique key on
// (project_id, name), declared carelessly. Duplicates found by <> alone
// were planned, and contract deleted both rows of each pair ('General'
// of project 0 gone altogether, exit 0): refused now. A delete that is
// only a comment said the expression ended too early; a constant one is
// refused saying why emcee does not empty a table, and what to do.
func TestAttackS37DeleteShapes(t *testing.T) {
	t.Parallel()
	before := "schema \"app\" {}\n" + strings.Replace(seedCategory, "  index \"uq_category\" {\n    unique  = true\n    columns = [column.project_id, column.name]\n  }\n", "", 1)
	for name, c := range map[string][2]string{
		"<> alone":     {"EXISTS (SELECT 1 FROM category AS d WHERE d.project_id = category.project_id AND d.name = category.name AND d.id <> category.id)", "it selects a row of `category` when another row differs from it"},
		"comment":      {"/* the duplicates */", "delete is empty (nothing but blanks or comments)"},
		"line comment": {"-- the duplicates", "delete is empty (nothing but blanks or comments)"},
		"TRUE":         {"TRUE", "emcee does not empty a table"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dedupe := "data_migration \"dedupe\" {\n  table  = \"category\"\n  delete = \"" + c[0] + "\"\n}\n"
			p := newSchemaProject(t, [2]string{"v1", before}, [2]string{"v2", "schema \"app\" {}\n" + seedCategory + dedupe})
			r := p.plan()
			if r.Code == 0 {
				p.must("db", "sync", "v1")
				p.exec("INSERT INTO category (id, project_id, name) VALUES (1, 0, 'General'), (2, 0, 'General'), (3, 1, 'Ops')")
				p.must("db", "expand")
				p.must("db", "migrate")
				c := p.run("db", "contract")
				t.Fatalf("planned; contract exit %d, rows left: %s", c.Code, p.query("SELECT GROUP_CONCAT(id, ':', name ORDER BY id) FROM category"))
			}
			opContains(t, r, "schema/v2.hcl:", c[1])
		})
	}
}
