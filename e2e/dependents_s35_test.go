package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fillTable is t of release a (no slug), of b adding slug filled from
// name (add-column-fill: expand's fill trigger reads name; b's contract
// drops the trigger and sets slug NOT NULL, dropping no column), and of
// c dropping name (slug without its fill, which only the release adding
// a column declares).
func fillTable(release string) string {
	cols := ""
	if release != "c" {
		cols += "  column \"name\" {\n    type = varchar(20)\n    null = true\n  }\n"
	}
	if release != "a" {
		cols += "  column \"slug\" {\n    type = varchar(20)\n    null = false\n"
		if release == "b" {
			cols += "    fill = \"COALESCE(LOWER(name), '')\"\n"
		}
		cols += "  }\n"
	}
	return "schema \"app\" {}\n\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n" + cols + "  primary_key {\n    columns = [column.id]\n  }\n}\n"
}

// A revision that drops emcee's triggers and no column (b's contract:
// the fill trigger goes, slug is set NOT NULL) leaves them gone for the
// revisions after it that sync checks before the first: c's contract
// dropping the column the trigger read was refused up front, as if the
// trigger stayed (the objects were read only for a revision that drops
// a column, and what the revisions before dropped was taken out of the
// none read yet). A dry run, which drops nothing, checks the same.
func TestDependentsS35SyncAfterAContractDroppingOnlyTriggers(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"a", fillTable("a")}, [2]string{"b", fillTable("b")}, [2]string{"c", fillTable("c")})
	p.must("plan")
	if b, c := p.read("plans/b/b_contract01.sql"), p.read("plans/c/c_contract01.sql"); !strings.Contains(b, "DROP TRIGGER") || strings.Contains(b, "DROP COLUMN") || !strings.Contains(c, "DROP COLUMN `name`") {
		t.Fatalf("the test needs b's contract dropping triggers and no column, c's dropping name:\n%s\n%s", b, c)
	}
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id, name) VALUES (1, 'Ab')")
	p.must("db", "expand")
	if p.triggers() == "" {
		t.Fatal("b's expand made no trigger: the test needs it")
	}
	// Migrated, or the dry run stopped at b's gate (its backfill is only
	// simulated).
	p.must("db", "migrate")
	for _, args := range [][]string{{"db", "sync", "--dry-run"}, {"db", "sync"}} {
		if r := p.run(args...); r.Code != 0 || strings.Contains(r.Stdout+r.Stderr, "refused") {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
	}
	if got := p.columns("t"); strings.Contains(got, "name") || !strings.Contains(got, "slug varchar(20) NO") {
		t.Fatalf("c's contract did not run: %s", got)
	}
	if got := p.query("SELECT slug FROM t WHERE id = 1"); got != "ab" {
		t.Fatalf("slug of the row written before b: %q", got)
	}
}

// The same in one phase: b's contract01 drops the trigger, and b's
// schema edited since (name dropped) gives contract02 dropping name.
// db check and contract --dry-run count the trigger contract01 drops
// against contract02 no more; contract runs both.
func TestDependentsS35ContractAfterARevisionDroppingOnlyTriggers(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"a", fillTable("a")}, [2]string{"b", fillTable("b")})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	if p.triggers() == "" {
		t.Fatal("b's expand made no trigger: the test needs it")
	}
	opWrite(t, filepath.Join(p.Dir, "schema", "b.hcl"), []byte(fillTable("c")))
	p.must("plan")
	if _, err := os.Stat(filepath.Join(p.Dir, "plans", "b", "b_contract02.sql")); err != nil || !strings.Contains(p.read("plans/b/b_contract02.sql"), "DROP COLUMN `name`") {
		t.Fatalf("the test needs b_contract02 dropping name: %v", err)
	}
	p.must("db", "expand")
	p.must("db", "migrate")
	if r := p.run("db", "check"); r.Code != 5 || strings.Contains(r.Stdout+r.Stderr, "refused") {
		t.Fatalf("emcee db check: want 5 (contract needed): %s", r)
	}
	for _, args := range [][]string{{"db", "contract", "--dry-run"}, {"db", "contract"}} {
		if r := p.run(args...); r.Code != 0 || strings.Contains(r.Stdout+r.Stderr, "refused") {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
	}
	if got := p.columns("t"); strings.Contains(got, "name") {
		t.Fatalf("b_contract02 did not run: %s", got)
	}
}

// The other way round: a revision of the run that creates a trigger (b's
// expand, its fill trigger reading name) which no revision drops before
// a later one drops the column it reads (b's contract edited by hand
// not to drop it: the planner always drops its triggers in their
// release's contract) is refused before the first revision changes
// anything, naming where the trigger is created, by the dry run as by
// the run. Unedited, the same sync is refused nothing: the trigger the
// run creates is gone before the drop. The trigger was unseen until it
// was live: c's contract was refused with b's release applied.
func TestDependentsS35SyncRefusesADropATriggerItCreatedReads(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"a", fillTable("a")}, [2]string{"b", fillTable("b")}, [2]string{"c", fillTable("c")})
	p.must("plan")
	p.must("db", "sync", "a")
	if r := p.run("db", "sync", "--dry-run"); r.Code != 0 || strings.Contains(r.Stdout+r.Stderr, "refused") {
		t.Fatalf("emcee db sync --dry-run of the plans as planned: %s", r)
	}
	path := filepath.Join(p.Dir, "plans", "b", "b_contract01.sql")
	edited := regexp.MustCompile("(?m)^-- rule [^\n]*\nDROP TRIGGER [^\n]*\n\n").ReplaceAllString(p.read("plans/b/b_contract01.sql"), "")
	if strings.Contains(edited, "DROP TRIGGER") || !strings.Contains(edited, "MODIFY COLUMN `slug`") {
		t.Fatalf("b_contract01 edited:\n%s", edited)
	}
	opWrite(t, path, []byte(edited))
	resum(t, p.Dir)
	before := p.version()
	for _, args := range [][]string{{"db", "sync", "--dry-run"}, {"db", "sync"}} {
		r := p.run(args...)
		if r.Code != 1 {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
		opContains(t, r, "c_contract01 refused, nothing was changed", "plans/c/c_contract01.sql:5  statement 1 (rule drop-column) drops t.name, which trigger emcee_t_b_",
			"(BEFORE INSERT on t, created by b_expand01 statement 2 at plans/b/b_expand01.sql:8) reads", "restore plans from version control")
	}
	if got := p.columns("t"); !strings.Contains(got, "name") || strings.Contains(got, "slug") || p.triggers() != "" {
		t.Fatalf("the refused sync changed the schema: t: %s; triggers: %s", got, p.triggers())
	}
	if got := p.version(); got != before {
		t.Fatalf("version after the refusal: %s, was %s", got, before)
	}
}
