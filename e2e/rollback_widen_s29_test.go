package e2e

import (
	"strings"
	"testing"
)

// widenRelease is a table whose v2 widens three columns the way real
// releases do (PrestaShop, GLPI): a bigger integer, a longer VARCHAR and
// an enum value appended.
func widenRelease(hits, label, kind string) string {
	return `schema "app" {}
table "events" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "hits" {
    type = ` + hits + `
  }
  column "label" {
    type = ` + label + `
    null = true
  }
  column "kind" {
    type    = ` + kind + `
    default = "a"
  }
  primary_key {
    columns = [column.id]
  }
}
`
}

const (
	widenV1Columns = "id bigint(20) NO -\nhits int(11) NO -\nlabel varchar(40) YES NULL\nkind enum('a','b') NO 'a'"
	widenV2Columns = "id bigint(20) NO -\nhits bigint(20) NO -\nlabel varchar(80) YES NULL\nkind enum('a','b','c') NO 'a'"
)

// newWidenProject plans v1 -> v2, syncs v1, writes rows and expands.
func newWidenProject(t *testing.T) *opProject {
	t.Helper()
	v1 := widenRelease("int", "varchar(40)", `enum("a", "b")`)
	v2 := widenRelease("bigint\n    allow_copy = true", "varchar(80)\n    allow_copy = true", `enum("a", "b", "c")`)
	p := newSchemaProject(t, [2]string{"v1", v1}, [2]string{"v2", v2})
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	rb := p.read("plans/v2/v2_rollback01.sql")
	if !strings.Contains(rb, "ALGORITHM=COPY") || strings.Contains(rb, "SELECT 1;") {
		t.Fatalf("v2_rollback01 does not narrow the columns back by a copy:\n%s", rb)
	}
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO events (hits, label, kind) SELECT seq, CONCAT('l', seq), IF(seq % 2, 'a', 'b') FROM seq_1_to_50")
	p.must("db", "expand")
	if got := p.columns("events"); got != widenV2Columns {
		t.Fatalf("columns after expand:\n%s", got)
	}
	// v2's code writes what only the wide types hold.
	p.exec("INSERT INTO events (hits, label, kind) VALUES (5000000000, 'x', 'a'), (1, REPEAT('é', 60), 'b'), (2, 'y', 'c')")
	return p
}

// fixWidenRows makes v2's rows fit v1's types again.
func (p *opProject) fixWidenRows() {
	p.t.Helper()
	p.exec("UPDATE events SET hits = 3 WHERE hits > 2147483647")
	p.exec("UPDATE events SET label = LEFT(label, 40) WHERE CHAR_LENGTH(label) > 40")
	p.exec("UPDATE events SET kind = 'b' WHERE kind = 'c'")
}

// After the expand of a widening, v2 writes values only the wide types
// hold: the rollback, which narrows the columns back by copying the
// table, is refused until the operator accepts the blocking copy, then by
// its gate naming the rows; once they are fixed it runs, v1's schema is
// back without drift, and v2 expands again.
func TestRollbackS29WideningNarrowedBackByTheServersCopy(t *testing.T) {
	t.Parallel()
	p := newWidenProject(t)
	r := p.run("db", "rollback")
	if r.Code != 1 {
		t.Fatalf("rollback copying a table without an opt-in: %s", r)
	}
	opContains(t, r, "the rollback copies these tables", "plans/v2/v2_rollback01.sql:", "table events (", " rows, ",
		"rerun with --osc pt-osc to copy them while writes continue", "or with --allow-copy to accept the blocking copy", "Nothing was changed")
	if got := p.columns("events"); got != widenV2Columns {
		t.Fatalf("the refused rollback changed the table:\n%s", got)
	}

	r = p.run("db", "rollback", "--allow-copy")
	if r.Code != 7 {
		t.Fatalf("rollback with rows v1 cannot hold: %s", r)
	}
	opContains(t, r, "rollback refused at v2_rollback01: 3 of 3 gates closed", "gate widen-column: 1 row\n    events.kind is enum('a','b') again in the previous release",
		"events.label is varchar(40) again", "events.hits is int again", "cannot hold exactly", "list them: SELECT * FROM `events` WHERE CHAR_LENGTH(`label`) > 40",
		// The rerun it names carries the opt-in: `emcee db rollback` alone
		// met the copies' refusal again.
		"next: fix or remove the rows each gate lists (its reason says what the previous release needs), then rerun `emcee db rollback --allow-copy --env test`")
	if got := p.columns("events"); got != widenV2Columns {
		t.Fatalf("the gated rollback changed the table:\n%s", got)
	}

	p.fixWidenRows()
	r = p.must("db", "rollback", "--allow-copy")
	opContains(t, r, "applying v2_rollback01", "rollback of v2 complete: the database is at release v1 again")
	if got := p.columns("events"); got != widenV1Columns {
		t.Fatalf("columns after the rollback:\n%s", got)
	}
	p.must("db", "diff")
	if got := p.query("SELECT COUNT(*), SUM(hits), MAX(CHAR_LENGTH(label)) FROM events"); got != "53 1281 40" {
		t.Fatalf("rows after the rollback: %s", got)
	}
	p.must("db", "expand")
	if got := p.columns("events"); got != widenV2Columns {
		t.Fatalf("columns after expanding again:\n%s", got)
	}
}

// The same rollback through pt-online-schema-change: --osc pt-osc is the
// other way to accept the copy, which then runs while writes continue.
func TestRollbackS29WideningNarrowedBackThroughPtOSC(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newWidenProject(t)
	r := p.run("db", "rollback", "--osc", "pt-osc")
	if r.Code != 7 {
		t.Fatalf("rollback with rows v1 cannot hold: %s", r)
	}
	opContains(t, r, "rollback refused at v2_rollback01: 3 of 3 gates closed", "then rerun `emcee db rollback --env test --osc pt-osc`")
	p.fixWidenRows()
	r = p.must("db", "rollback", "--osc", "pt-osc")
	opContains(t, r, "handed to pt-online-schema-change", "Successfully altered", "rollback of v2 complete")
	if got := p.columns("events"); got != widenV1Columns {
		t.Fatalf("columns after the rollback:\n%s", got)
	}
	p.must("db", "diff")
	if got := p.query("SELECT JSON_UNQUOTE(JSON_EXTRACT(osc, '$.applied[0].tool')) FROM emcee_revisions WHERE name = 'v2_rollback01'"); got != "pt-online-schema-change 3.2.1" {
		t.Fatalf("record of the rollback: %s", got)
	}
	p.must("db", "expand")
}

// A rollback killed (kill -9) while its copy waits for its metadata lock
// resumes only with the opt-in again, and its gate runs again first: a
// row v2 wrote meanwhile that v1 cannot hold refuses the resumed run.
func TestRollbackS29KilledCopyResumesBehindItsGate(t *testing.T) {
	t.Parallel()
	p := newWidenProject(t)
	p.fixWidenRows()
	release := p.holdMDL("events")
	p.killWhileWaiting("ALTER TABLE `events` MODIFY", true, "db", "rollback", "--allow-copy")
	release()
	if got := p.query("SELECT applied, in_flight FROM emcee_revisions WHERE name = 'v2_rollback01'"); got != "3 1" {
		t.Fatalf("record after the kill: %s", got)
	}
	if got := p.columns("events"); got != widenV2Columns {
		t.Fatalf("columns after the kill:\n%s", got)
	}
	r := p.run("db", "rollback")
	if r.Code != 1 {
		t.Fatalf("resumed rollback without an opt-in: %s", r)
	}
	opContains(t, r, "the rollback copies these tables", "or with --allow-copy")
	p.exec("INSERT INTO events (hits, label, kind) VALUES (1, 'z', 'c')")
	r = p.run("db", "rollback", "--allow-copy")
	if r.Code != 7 {
		t.Fatalf("resumed rollback with a row v1 cannot hold: %s", r)
	}
	opContains(t, r, "rollback refused at v2_rollback01: 1 of 3 gates closed", "events.kind is enum('a','b') again")
	p.exec("DELETE FROM events WHERE kind = 'c'")
	r = p.must("db", "rollback", "--allow-copy")
	opContains(t, r, "resuming v2_rollback01", "gate open (rechecked before resuming)", "rollback of v2 complete")
	if got := p.columns("events"); got != widenV1Columns {
		t.Fatalf("columns after the resumed rollback:\n%s", got)
	}
	p.must("db", "diff")
}
