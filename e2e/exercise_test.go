package e2e

import (
	"strings"
	"testing"
)

// Before expand changes anything, the release's triggers are fired in the
// dev database on the real server. A plan written for another server
// (here mysql 8.0's REGEXP_LIKE, which the planner accepts for that target)
// applied to MariaDB is refused there: expand would have created a trigger
// that fails every INSERT of the running release with 1305.
func TestExpandFiresTriggersInTheDevDatabaseFirst(t *testing.T) {
	t.Parallel()
	a := attackTable("")
	b := attackTable("  column \"flag\" {\n    type = bool\n    fill = \"REGEXP_LIKE(Name, '^x')\"\n  }\n")
	p := plannedProject(t, "mysql 8.0", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	for _, args := range [][]string{{"db", "expand"}, {"db", "expand", "--dry-run"}} {
		r := p.run(args...)
		if r.Code != 1 {
			t.Fatalf("emcee %s of a trigger the server cannot run: %s", strings.Join(args, " "), r)
		}
		opContains(t, r, "preflight: the triggers, backfills and gates of b were run first in dev database",
			"plans/b/b_expand01.sql:", "(BEFORE INSERT on t): Error 1305", "REGEXP_LIKE does not exist",
			"every write of the running release that fires it would fail")
	}
	if got := p.triggers(); got != "" {
		t.Fatalf("expand created triggers: %s", got)
	}
	if got := p.columns("t"); strings.Contains(got, "flag") {
		t.Fatalf("expand changed the table: %s", got)
	}
	if _, err := p.DB.Exec("INSERT INTO t (id, Name) VALUES (1, 'written by release a')"); err != nil {
		t.Fatalf("the previous release cannot insert: %v", err)
	}
}

// A stored function of the database is declared in the release and called
// by name. The preflight copies it from the target into the dev database to
// fire the triggers that call it; a target without it is refused before
// anything changes.
func TestExpandChecksDeclaredStoredFunctions(t *testing.T) {
	t.Parallel()
	a := attackTable("")
	b := attackTable("  column \"slug\" {\n    type = varchar(30)\n    fill = \"slugify(Name)\"\n  }\n") + "stored_function \"slugify\" {}\n"
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expand calling a stored function the database lacks: %s", r)
	}
	opContains(t, r, "(BEFORE INSERT on t): Error 1305", "SLUGIFY does not exist", "for a stored function of the database, create it in the database first")
	if got := p.triggers(); got != "" {
		t.Fatalf("expand created triggers: %s", got)
	}
	p.exec("CREATE FUNCTION slugify(s varchar(20)) RETURNS varchar(30) DETERMINISTIC RETURN LOWER(REPLACE(COALESCE(s, 'none'), ' ', '-'))")
	p.exec("INSERT INTO t (id, Name) VALUES (1, 'Old Row')")
	opContains(t, p.must("db", "expand"), "ran first in the dev database", "each can run on this server")
	p.exec("INSERT INTO t (id, Name) VALUES (2, 'Written By A')") // release a, through the trigger
	p.must("db", "migrate")
	if got := p.query("SELECT GROUP_CONCAT(slug ORDER BY id) FROM t"); got != "old-row,written-by-a" {
		t.Fatalf("slugs: %s", got)
	}
}
