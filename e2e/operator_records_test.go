package e2e

import (
	"strings"
	"testing"
)

// stopExpandOn runs `db expand` and kills its ALTER TABLE on table on the
// server while the statement waits for its metadata lock: the statement
// fails, the run stops, and the record says so.
func stopExpandOn(p *opProject, table string) {
	p.t.Helper()
	release := p.holdMDL(table)
	defer release()
	run := p.command("db", "expand")
	if err := run.Start(); err != nil {
		p.t.Fatal(err)
	}
	var id string
	p.waitFor("expand's ALTER of "+table+" to wait for its metadata lock", func() bool {
		id = p.query("SELECT COALESCE(MAX(ID), 0) FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE = 'Waiting for table metadata lock' AND INFO LIKE ?", p.DB.Name, "ALTER TABLE `"+table+"`%")
		return id != "0"
	})
	p.exec("KILL QUERY " + id)
	if code := exitCode(p.t, run.Wait()); code == 0 {
		p.t.Fatal("expand succeeded although its statement was killed")
	}
}

// twoTables is release a: t (from attackTable) and u (id, v).
func twoTables(extraT, extraU string) string {
	return attackTable(extraT) + `table "u" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "v" {
    type = int
    null = true
  }
` + extraU + `  primary_key {
    columns = [column.id]
  }
}
`
}

// A revision whose script changed after a run that did change the database
// (statement 1 of 2 applied) is refused with the way out, and db forget is
// that way: it refuses while the live schema holds what the run applied,
// and removes the record once that is undone by hand; the next expand then
// applies the new script.
func TestChangedScriptAfterPartialRunHasAWayOut(t *testing.T) {
	t.Parallel()
	a := twoTables("", "")
	b := twoTables("  index \"ix_o\" {\n    columns = [column.o]\n  }\n", "  index \"ix_v\" {\n    columns = [column.v]\n  }\n")
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	stopExpandOn(p, "u")
	if got := p.query("SELECT CONCAT(applied, ' ', in_flight) FROM emcee_revisions WHERE name = 'b_expand01'"); got != "1 0" {
		t.Fatalf("record after the second statement failed: %s", got)
	}
	p.editSchema("b", func(s string) string { return strings.Replace(s, `"ix_o"`, `"ix_o2"`, 1) })
	p.must("plan", "--rewrite", "b")

	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expand with a changed script after a partial run: %s", r)
	}
	opContains(t, r, "b_expand01 was started from a script with checksum", "1 of 2 statements applied", "emcee db forget b_expand01")
	opContains(t, p.run("db", "status"), "emcee db forget b_expand01")

	f := p.run("db", "forget", "b_expand01")
	if f.Code != 1 {
		t.Fatalf("forget while the live schema holds the applied index: %s", f)
	}
	opContains(t, f, "b_expand01 is not forgotten", "index ix_o is unexpected", "undo by hand")
	p.exec("ALTER TABLE t DROP INDEX ix_o")
	opContains(t, p.must("db", "forget", "b_expand01", "--dry-run"), "b_expand01 would be forgotten")
	opContains(t, p.must("db", "forget", "b_expand01"), "b_expand01 forgotten", "1 of 2 statements applied")
	if got := p.query("SELECT COUNT(*) FROM emcee_revisions WHERE name = 'b_expand01'"); got != "0" {
		t.Fatalf("record still there: %s", got)
	}
	p.must("db", "expand")
	if got := p.query("SELECT GROUP_CONCAT(DISTINCT INDEX_NAME ORDER BY INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME <> 'PRIMARY'"); got != "ix_o2,ix_v" {
		t.Fatalf("indexes after the new script: %s", got)
	}
	fin := p.run("db", "forget", "b_expand01")
	if fin.Code != 1 {
		t.Fatalf("forget of a finished revision: %s", fin)
	}
	opContains(t, fin, "a finished revision is never forgotten")
}

// A record edited by hand to applied > total made the applier finish the
// revision without running a statement. It is an error naming the row and
// the fix, in every command; db forget removes it when the revision never
// ran.
func TestHandEditedRecordIsRefused(t *testing.T) {
	t.Parallel()
	a := attackTable("")
	b := attackTable("  index \"ix_o\" {\n    columns = [column.o]\n  }\n")
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	stopExpandOn(p, "t")
	p.exec("UPDATE emcee_revisions SET applied = 5 WHERE name = 'b_expand01'")
	for _, args := range [][]string{{"db", "expand"}, {"db", "status"}, {"db", "check"}, {"db", "sync"}, {"db", "expand", "--dry-run"}} {
		r := p.run(args...)
		if r.Code != 1 {
			t.Fatalf("emcee %s with applied > total: %s", strings.Join(args, " "), r)
		}
		opContains(t, r, "emcee_revisions, row b_expand01: applied = 5 is more than total = 1", "edited by hand", "emcee db forget b_expand01")
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'ix_o'"); got != "0" {
		t.Fatalf("the index exists: %s", got)
	}
	if got := p.query("SELECT COUNT(*) FROM emcee_revisions WHERE finished_at IS NOT NULL AND name = 'b_expand01'"); got != "0" {
		t.Fatal("the hand-edited revision was marked finished")
	}
	p.must("db", "forget", "b_expand01")
	p.must("db", "expand")
	if got := p.query("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'ix_o'"); got != "1" {
		t.Fatalf("index after expand: %s", got)
	}
}

// db forget's refusals read as sentences: the recorded revisions of an
// unknown name were a Go slice ("[a_expand01 ...]"), and the way out of a
// revision whose record shows nothing applied said "applied ()".
func TestForgetRefusalsSayWhatTheRecordsHold(t *testing.T) {
	t.Parallel()
	a := attackTable("")
	b := attackTable("  index \"ix_o\" {\n    columns = [column.o]\n  }\n")
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	stopExpandOn(p, "t")
	unknown := p.run("db", "forget", "b_contract01")
	if unknown.Code != 1 {
		t.Fatalf("forget of a revision never recorded: %s", unknown)
	}
	opContains(t, unknown, "has no record of b_contract01 (recorded: a_expand01, a_migrate01, a_contract01, b_expand01)")
	p.exec("ALTER TABLE t ADD INDEX ix_o (o)")
	f := p.run("db", "forget", "b_expand01")
	if f.Code != 1 {
		t.Fatalf("forget while the live schema holds an index: %s", f)
	}
	opContains(t, f, "undo by hand what b_expand01 applied (its record shows no statement applied)")
	if strings.Contains(f.Stdout+f.Stderr, "()") {
		t.Fatalf("empty parentheses in the way out: %s", f)
	}
}

// A negative --lock-timeout became GET_LOCK(..., -1), which waits forever.
func TestNegativeLockTimeoutIsAUsageError(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"a", attackTable("")})
	p.must("plan")
	for _, cmd := range []string{"expand", "check", "status", "migrate"} {
		r := p.run("db", cmd, "--lock-timeout", "-1s")
		if r.Code != 2 {
			t.Fatalf("db %s --lock-timeout -1s: %s", cmd, r)
		}
		opContains(t, r, "--lock-timeout -1s is negative")
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"); got != "0" {
		t.Fatalf("a usage error changed the database: %s tables", got)
	}
}

// With nothing planned, expand said "up to date" while sync said to run
// emcee plan first; every db command now says what sync says.
func TestNoPlansSaysRunPlan(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"a", attackTable("")})
	for _, cmd := range []string{"expand", "migrate", "contract", "sync", "check", "status"} {
		r := p.run("db", cmd)
		if r.Code != 1 {
			t.Fatalf("db %s without plans: %s", cmd, r)
		}
		opContains(t, r, "plans holds no revisions: run `emcee plan` first")
	}
}
