package e2e

import (
	"strings"
	"testing"
)

// A column renamed to a wider type (renamed_from, varchar(30) -> varchar(40),
// int -> bigint): expand added the new column beside the old one, and the
// trigger copying the new release's writes back into the old column refused
// what only the new type holds (error 1406, data too long; 1264, out of
// range), failing the new release's INSERT and UPDATE between expand and
// contract. Expand widens the old column to the new type first, so the new
// release's writes fit and the previous release reads them; the rollback
// narrows it back behind a gate counting the rows that would not fit.
func TestRenameWideningWidensTheOldColumn(t *testing.T) {
	t.Parallel()
	table := func(v string) string {
		if v == "a" {
			return htable("people", hcol("id", "int", "auto_increment = true"), hcol("name", "varchar(30)"), hcol("hits", "int", "default = 0"), hpk("id"))
		}
		return htable("people", hcol("id", "int", "auto_increment = true"), hcol("title", "varchar(40)", `renamed_from = "name"`),
			hcol("views", "bigint", "default = 0", `renamed_from = "hits"`, "allow_copy = true"), hpk("id"))
	}
	p := newSchemaProject(t, [2]string{"a", "schema \"app\" {}\n" + table("a")}, [2]string{"b", "schema \"app\" {}\n" + table("b")})
	p.must("plan")
	p.must("lint")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO people (name, hits) VALUES ('ann', 1)")
	wantPhases(t, p, []phaseCase{
		{"b", "expand", "MODIFY COLUMN `name` varchar(40) NOT NULL DEFAULT '', MODIFY COLUMN `hits` bigint NOT NULL DEFAULT 0, ALGORITHM=COPY"},
		{"b", "contract", "DROP COLUMN `name`"},
	})
	p.must("db", "expand")
	long := strings.Repeat("w", 40)
	// The new release writes what only its types hold; the previous
	// release writes as it always did.
	p.exec("INSERT INTO people (title, views) VALUES (?, 5000000000)", long)
	p.exec("UPDATE people SET title = ?, views = 6000000000 WHERE id = 1", long[:35])
	p.exec("INSERT INTO people (name, hits) VALUES ('bob', 2)")
	const oldView, newView = "SELECT id, name, hits FROM people ORDER BY id", "SELECT id, title, views FROM people ORDER BY id"
	wantAnswers(t, p, map[string]string{
		oldView: "1 " + long[:35] + " 6000000000\n2 " + long + " 5000000000\n3 bob 2",
		newView: "1 " + long[:35] + " 6000000000\n2 " + long + " 5000000000\n3 bob 2",
	})
	p.must("db", "migrate")

	// Rolled back, the previous release's types come back only once no row
	// holds what they cannot.
	r := p.run("db", "rollback", "--allow-copy")
	opContains(t, r, "people.name is varchar(30) again in the previous release", "people.hits is int again in the previous release")
	if r.Code == 0 {
		t.Fatalf("rollback ran with rows too wide for the previous release's types: %s", r)
	}
	p.exec("UPDATE people SET title = 'ann', views = 1 WHERE id = 1")
	p.exec("UPDATE people SET title = 'wide', views = 7 WHERE id = 2")
	p.must("db", "rollback", "--allow-copy")
	if got := p.columns("people"); got != "id int(11) NO -\nname varchar(30) NO -\nhits int(11) NO 0" {
		t.Errorf("columns after the rollback:\n%s", got)
	}
	wantAnswers(t, p, map[string]string{oldView: "1 ann 1\n2 wide 7\n3 bob 2", "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()": "0"})

	// Expanded again, the release runs to its end.
	p.must("db", "expand")
	p.exec("INSERT INTO people (title, views) VALUES (?, 5000000000)", long)
	p.must("db", "migrate")
	p.must("db", "contract")
	if r := p.run("db", "diff"); r.Code != 0 {
		t.Errorf("the database differs from release b after contract: %s", r)
	}
	wantAnswers(t, p, map[string]string{newView: "1 ann 1\n2 wide 7\n3 bob 2\n4 " + long + " 5000000000"})
}

// The same for a rename into a wider charset (latin1 -> utf8mb4): the
// trigger refused the new release's '東京' in the latin1 column (error
// 1366). The old column is converted in expand; converting it back would
// reject those characters, so the rollback is refused at plan time.
func TestRenameWideningConvertsTheOldColumn(t *testing.T) {
	t.Parallel()
	v1 := htable("people", hcol("id", "int", "auto_increment = true"), hcol("city", "varchar(20)", `charset = "latin1"`, "null = true"), hpk("id"))
	v2 := htable("people", hcol("id", "int", "auto_increment = true"), hcol("town", "varchar(20)", `charset = "utf8mb4"`, "null = true", `renamed_from = "city"`, "allow_copy = true"), hpk("id"))
	p := newSchemaProject(t, [2]string{"a", "schema \"app\" {}\n" + v1}, [2]string{"b", "schema \"app\" {}\n" + v2})
	p.must("plan")
	p.must("lint")
	wantPhases(t, p, []phaseCase{{"b", "expand", "MODIFY COLUMN `city` varchar(20) NULL COLLATE UTF8MB4_GENERAL_CI"}})
	opContains(t, opResult{Stdout: p.read("plans/b/b_rollback01.sql")}, "rollback refused at plan time: ", "moved people.city to another charset")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO people (city) VALUES ('Zürich')")
	p.must("db", "expand")
	p.exec("INSERT INTO people (town) VALUES ('東京')")
	p.exec("UPDATE people SET town = 'Zürich 😀' WHERE id = 1")
	p.exec("INSERT INTO people (city) VALUES ('Genève')")
	wantAnswers(t, p, map[string]string{"SELECT id, city FROM people ORDER BY id": "1 Zürich 😀\n2 東京\n3 Genève"})
	if r := p.run("db", "rollback", "--allow-copy"); r.Code == 0 {
		t.Fatalf("the rollback of a charset conversion ran: %s", r)
	}
	p.must("db", "migrate")
	p.must("db", "contract")
	if r := p.run("db", "diff"); r.Code != 0 {
		t.Errorf("the database differs from release b after contract: %s", r)
	}
	wantAnswers(t, p, map[string]string{"SELECT id, town FROM people ORDER BY id": "1 Zürich 😀\n2 東京\n3 Genève"})
}
