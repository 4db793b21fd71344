package e2e

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// newS37Project plans a -> b in two steps: b_expand01 adds t.note and
// widens t.name (b_rollback01: a gate, then a copy that narrows the name
// back and drops the note), b_expand02 adds t.extra (b_rollback02 drops
// it). It syncs a, expands b, and b writes what only b holds: a long
// name, a note and an extra.
func newS37Project(t *testing.T) *opProject {
	t.Helper()
	a := "schema \"app\" {}\n\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"name\" {\n    type = varchar(10)\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	b := strings.Replace(strings.Replace(a, "varchar(10)", "varchar(50)", 1), "  primary_key", "  column \"note\" {\n    type = int\n    null = true\n  }\n  primary_key", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	opWrite(t, filepath.Join(p.Dir, "schema", "b.hcl"), []byte(strings.Replace(b, "  primary_key", "  column \"extra\" {\n    type = int\n    null = true\n  }\n  primary_key", 1)))
	p.must("plan")
	if rb := p.read("plans/b/b_rollback01.sql"); !strings.Contains(rb, "-- emcee:gate") || !strings.Contains(rb, "DROP COLUMN `note`, ALGORITHM=COPY") {
		t.Fatalf("the test needs b_rollback01 gated, copying and dropping note:\n%s", rb)
	}
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO t (id, name, note, extra) VALUES (1, 'a-longer-name', 5, 6), (2, 'short', NULL, NULL)")
	return p
}

// advised is the emcee command a next: line gives first, as the words
// to run it with (the e2e harness adds --env test itself).
func advised(t *testing.T, r opResult) []string {
	t.Helper()
	m := regexp.MustCompile("next: (?:run )?`emcee ([^`]*)`").FindStringSubmatch(r.Stdout + r.Stderr)
	if m == nil {
		t.Fatalf("no command on a next: line: %s", r)
	}
	words, ok := strings.CutSuffix(m[1], " --env test")
	if !ok {
		t.Fatalf("the advised command does not end with --env test: %s", m[1])
	}
	return strings.Fields(words)
}

// A rollback refused for its copy (t.name narrowed back) said so alone,
// before the gates counted and the losses were counted: the operator
// learned of the long name and the note only after rerunning with
// --allow-copy. The refusal now says all three at once, and its rerun
// carries both flags.
func TestRollbackS37CopyRefusalSaysTheGatesAndLosses(t *testing.T) {
	t.Parallel()
	p := newS37Project(t)
	r := p.run("db", "rollback")
	if r.Code != 1 {
		t.Fatalf("rollback copying t, over a long name and a note: %s", r)
	}
	opContains(t, r, "column t.note: 1 row(s) hold a value only the new release wrote", "column t.extra: 1 row(s)",
		"whichever way, the rollback's gates count rows the previous release's schema cannot hold", "plans/b/b_rollback01.sql:6  gate widen-column: 1 row",
		"whichever way, the rollback copies these tables", "plans/b/b_rollback01.sql:9  table t (2 rows, ", "rerun with --osc pt-osc to copy them while writes continue",
		"next: `emcee db rollback --drop-new-data --allow-copy --env test`, once b's writes are stopped")

	// The losses accepted, the copy is refused still, with the gates:
	// the note says what the rollback would drop, not that it drops it.
	r = p.run("db", "rollback", "--drop-new-data")
	if r.Code != 1 {
		t.Fatalf("rollback copying t, its losses accepted: %s", r)
	}
	opContains(t, r, "preflight: --drop-new-data: the rollback would drop data only b wrote", "the rollback copies these tables", "gate widen-column: 1 row")

	// Without losses, the copy's refusal counts the gates.
	p.exec("UPDATE t SET note = NULL, extra = NULL")
	r = p.run("db", "rollback")
	if r.Code != 1 {
		t.Fatalf("rollback copying t, over a long name: %s", r)
	}
	opContains(t, r, "the rollback copies these tables (ALGORITHM=COPY", "Nothing was changed:\n  plans/b/b_rollback01.sql:9  table t (2 rows, ",
		"whichever way, the rollback's gates count rows", "gate widen-column: 1 row", "list them: SELECT * FROM `t` WHERE CHAR_LENGTH(`name`) > 10",
		"next: rerun with --osc pt-osc to copy them while writes continue (pt-online-schema-change), or with --allow-copy to accept the blocking copy")
	if v := p.version(); v != "b_expand02, a_contract01" {
		t.Fatalf("the refused rollback changed the version: %s", v)
	}
}

// A rollback its gate stops after an earlier revision of the same run
// ran: the refusal said "nothing of b_rollback01 was changed", not that
// b_rollback02 had dropped t.extra. Then the next: lines of db version -v
// and db status named `emcee db rollback --allow-copy` (status: without
// even that), which the rerun refuses: what is left drops t.note, which
// holds b's data (--drop-new-data), and the run that stopped had passed
// the drift check with --allow-drift (a table made by hand). They name
// the command that works, which runs.
func TestRollbackS37PartWayUndoSaysWhatRanAndWhatFinishesIt(t *testing.T) {
	t.Parallel()
	p := newS37Project(t)
	p.exec("CREATE TABLE hand (id int PRIMARY KEY)")
	r := p.run("db", "rollback", "--allow-drift", "--allow-copy", "--drop-new-data")
	if r.Code != 7 {
		t.Fatalf("rollback stopped by b_rollback01's gate: %s", r)
	}
	opContains(t, r, "rollback refused at b_rollback01: 1 of 1 gate closed, nothing of b_rollback01 was changed (this run applied b_rollback02 before it, which stays applied)")
	if v := p.version(); v != "b_expand01, a_contract01" {
		t.Fatalf("version after the part-way rollback: %s", v)
	}
	p.exec("UPDATE t SET name = 'fixed' WHERE id = 1")

	const finish = "run `emcee db rollback --allow-copy --drop-new-data --allow-drift --env test` to finish it (the server copies t, which blocks writes while it runs), or `emcee db rollback --osc pt-osc --drop-new-data --allow-drift --env test` to copy while writes continue; " +
		"what is left drops data only b wrote (column t.note: 1 row(s) hold a value only the new release wrote): copy it out first with the commands `emcee db rollback --dry-run --allow-drift --env test` lists; " +
		"the live schema differs from what a_expand01 ... b_rollback02 produce (1 difference in 1 table), which the rollback's drift check refuses without --allow-drift: `emcee db diff --env test` lists the differences"
	v := p.must("db", "version", "-v")
	opContains(t, v, "next: "+finish)
	st := p.run("db", "status")
	opContains(t, st, "next: "+finish)
	ex := p.run("db", "expand")
	if ex.Code != 1 {
		t.Fatalf("expand during the rollback: %s", ex)
	}
	opContains(t, ex, "next: "+finish)

	r = p.must(advised(t, v)...)
	opContains(t, r, "applying b_rollback01", "rollback of b complete: the database is at release a again")
	if got := p.columns("t"); got != "id int(11) NO -\nname varchar(10) YES NULL" {
		t.Fatalf("columns after the rollback:\n%s", got)
	}
}

// A column two data migrations fill, each for its own rows, in passes of
// their own (b_migrate01, b_migrate02): the rollback counted every row
// of it as data only b wrote (4 rows), though a later migrate computes
// each again from a's columns; it counts the one row b's code rewrote.
func TestRollbackS37ColumnTwoBackfillsFillCountsWhatTheyDoNotWrite(t *testing.T) {
	t.Parallel()
	a := "schema \"app\" {}\n\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"price\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	b := strings.Replace(a, "  primary_key", "  column \"total\" {\n    type = int\n    null = true\n  }\n  primary_key", 1) +
		"\ndata_migration \"small\" {\n  table   = \"t\"\n  set     = \"total = price * 2\"\n  pending = \"total IS NULL AND price < 100\"\n}\n"
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	opWrite(t, filepath.Join(p.Dir, "schema", "b.hcl"), []byte(b+"\ndata_migration \"big\" {\n  table   = \"t\"\n  set     = \"total = price * 3\"\n  pending = \"total IS NULL AND price >= 100\"\n}\n"))
	p.must("plan")
	if !strings.Contains(p.read("plans/b/b_migrate01.sql"), "price` * 2") || !strings.Contains(p.read("plans/b/b_migrate02.sql"), "price` * 3") {
		t.Fatalf("the test needs each data migration in a pass of its own:\n%s\n%s", p.read("plans/b/b_migrate01.sql"), p.read("plans/b/b_migrate02.sql"))
	}
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id, price) VALUES (1, 10), (2, 20), (3, 200), (4, 300)")
	p.must("db", "expand")
	p.must("db", "migrate")
	if got := p.query("SELECT GROUP_CONCAT(total ORDER BY id) FROM t"); got != "20,40,600,900" {
		t.Fatalf("totals after migrate: %s", got)
	}
	// What a later migrate computes again is not lost.
	p.must("db", "rollback", "--dry-run")
	p.exec("UPDATE t SET total = 7 WHERE id = 3")
	r := p.run("db", "rollback", "--dry-run")
	if r.Code != 1 {
		t.Fatalf("rollback over a total b's code wrote: %s", r)
	}
	opContains(t, r, "column t.total: 1 row(s) hold a value only the new release wrote", "WHERE NOT (`total` <=> DEFAULT(`total`)) AND NOT (")
}
