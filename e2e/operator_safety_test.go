package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// Two operators run `db expand` at once: the second fails at once, naming
// the connection that holds the lock, and the schema is changed once.
func TestOperatorConcurrentExpand(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	// The first run's ALTER TABLE images waits for the test's lock while
	// the second runs.
	release := p.holdImages()
	first := p.command("db", "expand", "--url", p.heldURL())
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	lock := "emcee:" + p.DB.Name
	var holder string
	p.waitFor("the first run to take the lock and wait in its ALTER", func() bool {
		holder = p.query("SELECT IS_USED_LOCK(?)", lock)
		return holder != "NULL" && p.waitingAlter() != ""
	})
	second := p.run("db", "expand")
	if second.Code != 1 {
		t.Fatalf("second expand while the first holds the lock: %s", second)
	}
	opContains(t, second, "another emcee run holds the lock \""+lock+"\"", "connection "+holder+" (", "only one operator may change the schema at a time")
	if strings.Contains(second.Stdout, "applying") {
		t.Fatalf("the second run applied something: %s", second)
	}
	if lines := strings.Count(strings.TrimSpace(second.Stderr), "\n"); lines != 0 {
		t.Errorf("the refusal should be one line, got:\n%s", second.Stderr)
	}
	release()
	if err := first.Wait(); err != nil {
		t.Fatalf("first expand: %v", err)
	}
	if got := p.query("SELECT applied, total, in_flight, finished_at IS NOT NULL FROM emcee_revisions WHERE name = 'pike_expand01'"); got != "4 4 0 1" {
		t.Fatalf("pike_expand01 record after the race: %s", got)
	}
	if got := p.triggers(); got != opTriggers {
		t.Fatalf("triggers: %q", got)
	}
	if v := p.version(); v != "pike_expand01, ocata_contract01" {
		t.Fatalf("version %q", v)
	}
}

// A run killed in the middle of expand (while the server executes a
// statement) is rerun to completion: it resumes at the statement that was in
// flight, and the upgrade then finishes with every row intact.
func TestOperatorKilledDuringExpand(t *testing.T) {
	t.Parallel()
	p := expandKilledHalfWay(t, 120)
	if got := p.query("SELECT applied, total, in_flight, finished_at IS NULL FROM emcee_revisions WHERE name = 'pike_expand01'"); got != "1 4 1 1" {
		t.Fatalf("record after the kill: %s", got)
	}
	if p.triggers() != "" || strings.Contains(p.columns("images"), "visibility") || p.columns("image_members") == "" {
		t.Fatalf("schema after the kill should have statement 1 only")
	}
	if v := p.version(); v != "ocata_expand01, ocata_contract01" {
		t.Fatalf("a half-applied expand must not count: version %q", v)
	}
	r := p.must("db", "expand")
	opContains(t, r, "resuming pike_expand01 at statement 2 of 4 (an earlier run applied 1)", "live schema matches what ocata_expand01 ... pike_expand01 (1 of 4 statements) produce")
	if strings.Contains(r.Stdout, "create-table: CREATE TABLE `image_members`") {
		t.Fatalf("the rerun repeated an applied statement:\n%s", r)
	}
	if got := p.triggers(); got != opTriggers {
		t.Fatalf("triggers after the rerun: %q", got)
	}
	p.must("db", "migrate")
	p.must("db", "contract")
	if got := p.columns("images"); got != opPikeImages {
		t.Errorf("final images:\n%s", got)
	}
	if got := p.query("SELECT COUNT(*), SUM(visibility = 'public'), SUM(visibility = 'shared') FROM images"); got != "120 40 80" {
		t.Errorf("rows after the upgrade: %s", got)
	}
}

// expandKilledHalfWay is the fixture at ocata with rows rows, its pike
// expand killed (kill -9) while the server executes its second statement
// (ALTER TABLE images, waiting for the test's lock: holdImages): one
// statement applied, the second in flight. The killed run's session,
// still waiting on the server, is ended before the lock is let go, so
// that the statement it sent never runs.
func expandKilledHalfWay(t *testing.T, rows int) *opProject {
	t.Helper()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(rows)
	release := p.holdImages()
	run := p.command("db", "expand", "--url", p.heldURL())
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	var session string
	p.waitFor("expand to send its ALTER of images, which waits", func() bool {
		session = p.waitingAlter()
		return session != "" && p.query("SELECT CONCAT(applied, ' ', in_flight) FROM emcee_revisions WHERE name = 'pike_expand01'") == "1 1"
	})
	if err := run.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = run.Wait()
	p.exec("KILL CONNECTION " + session)
	p.waitFor("the killed run's session to end", func() bool {
		return p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", session) == "0"
	})
	release()
	return p
}

// A run killed in the middle of a backfill loses nothing and counts
// nothing twice: each batch commits with its progress record, and the rerun
// continues after the last committed key with the bound fixed at start.
func TestOperatorKilledDuringMigrate(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(3000)
	p.must("db", "expand")
	run := p.command("db", "migrate", "--batch-size", "50", "--pause", "20ms")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the backfill to commit a few batches", func() bool {
		return p.query("SELECT rows_done >= 300 FROM emcee_revisions WHERE name = 'pike_migrate01'") == "1"
	})
	// Rows written by ocata code meanwhile are above the bound and handled
	// by the triggers.
	p.exec("INSERT INTO images (name, is_public) VALUES ('late', 1)")
	if err := run.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = run.Wait()
	done := p.query("SELECT rows_done FROM emcee_revisions WHERE name = 'pike_migrate01'")
	if got := p.query("SELECT resume_key IS NOT NULL, resume_bound, finished_at IS NULL FROM emcee_revisions WHERE name = 'pike_migrate01'"); got != "1 3000 1" {
		t.Fatalf("record after the kill: %s", got)
	}
	if got := p.query("SELECT 3000 - COUNT(*) FROM images WHERE visibility IS NULL"); got != done {
		t.Fatalf("rows backfilled = %s, but the version table records %s: a batch was lost or counted without being committed", got, done)
	}
	r := p.must("db", "migrate", "--batch-size", "500", "--lock-timeout", "60s")
	opContains(t, r, "resuming after id = ", "(bound id = 3000 fixed when the backfill started")
	if got := p.query("SELECT rows_done, resume_key IS NULL, finished_at IS NOT NULL FROM emcee_revisions WHERE name = 'pike_migrate01'"); got != "3000 1 1" {
		t.Fatalf("record after the rerun (rows_done must be exactly 3000): %s", got)
	}
	p.must("db", "contract")
	if got := p.query("SELECT COUNT(*), SUM(visibility = 'public'), SUM(visibility = 'shared') FROM images"); got != "3001 1001 2000" {
		t.Errorf("rows after the upgrade: %s", got)
	}
	if got := p.query("SELECT COUNT(*) FROM images WHERE name <> 'late' AND visibility <> IF(CAST(SUBSTRING(name, 5) AS UNSIGNED) % 3 = 0, 'public', 'shared')"); got != "0" {
		t.Errorf("%s rows have the wrong visibility", got)
	}
}

// A statement the server applied but the run never confirmed (the process
// died between the two) is not applied again: resent, the server's
// "already exists" proves it took effect. Without the in-flight mark the
// schema is ahead of the record: the resumed run's drift check refuses it
// before anything runs.
func TestOperatorUnconfirmedStatement(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "pike_expand01")
	p.exec("DROP TRIGGER " + opTriggerBU)
	p.exec("UPDATE emcee_revisions SET applied = 2, in_flight = 0, finished_at = NULL WHERE name = 'pike_expand01'")
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("statement 3 exists but was not in flight: the run must stop: %s", r)
	}
	opContains(t, r, "the live schema differs from what ocata_expand01 ... pike_expand01 (2 of 4 statements) produce", "trigger "+opTriggerBI+" is unexpected", "nothing was changed")
	if got := p.query("SELECT applied, in_flight, error IS NULL FROM emcee_revisions WHERE name = 'pike_expand01'"); got != "2 0 1" {
		t.Fatalf("the refused run changed the record: %s", got)
	}

	p.exec("UPDATE emcee_revisions SET in_flight = 1 WHERE name = 'pike_expand01'")
	r = p.must("db", "expand")
	opContains(t, r, "live schema matches what ocata_expand01 ... pike_expand01 (2 of 4 statements) produce", "had applied it", "counted as applied", "[4/4] replace-column: CREATE TRIGGER `"+opTriggerBU+"`")
	if got := p.triggers(); got != opTriggers {
		t.Fatalf("triggers: %q", got)
	}
	if got := p.query("SELECT applied, total, error IS NULL, failed_statement IS NULL FROM emcee_revisions WHERE name = 'pike_expand01'"); got != "4 4 1 1" {
		t.Fatalf("record: %s", got)
	}
}

// An edited plan is refused before anything runs, naming the file: first
// against the sum file, then (sum regenerated to match) against the
// checksum recorded when the revision was applied.
func TestOperatorEditedPlan(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "pike_expand01")
	path := filepath.Join(p.Dir, "plans", "pike", "pike_expand01.sql")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := append(append([]byte{}, orig...), "\n-- rule hotfix: added by hand\nALTER TABLE `images` ADD COLUMN `hack` int NULL;\n"...)
	opWrite(t, path, edited)
	r := p.run("db", "migrate")
	if r.Code != 1 {
		t.Fatalf("edited plan must be refused: %s", r)
	}
	opContains(t, r, "plans/pike/pike_expand01.sql: checksum mismatch", "restore it from version control")
	if r.Stdout != "" {
		t.Errorf("nothing may run before the checksum check: %s", r.Stdout)
	}

	// Someone also regenerates the sum file by hand.
	plans, err := revision.ReadPlans(filepath.Join(p.Dir, "plans"), []string{"ocata", "pike"})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := revision.Sum(plans.Order, plans.Files)
	if err != nil {
		t.Fatal(err)
	}
	opWrite(t, filepath.Join(p.Dir, "plans", revision.SumFile), sum)
	r = p.run("db", "migrate")
	if r.Code != 1 {
		t.Fatalf("a revision applied from another script must be refused: %s", r)
	}
	opContains(t, r, "pike_expand01.sql: checksum h1:", "but pike_expand01 was applied from a script with checksum h1:", "an applied revision must never change")
	if strings.Contains(p.columns("images"), "hack") || strings.Contains(p.query("SELECT finished_at IS NULL FROM emcee_revisions WHERE name = 'pike_migrate01'"), "0") {
		t.Fatal("the edited plan changed the database")
	}
}

// A revision added to a release the database has already finished would
// run after later releases it was never planned before: refused.
func TestOperatorRevisionAddedToFinishedRelease(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "pike_expand01")
	extra := revision.Script{ID: revision.ID{Release: "ocata", Phase: revision.Expand, Seq: 2}, From: "ocata", To: "ocata",
		Statements: []revision.Statement{{Rule: "add-column", Why: "late change", SQL: "ALTER TABLE `images` ADD COLUMN `late` int NULL"}}}
	opWrite(t, filepath.Join(p.Dir, "plans", extra.ID.File()), extra.Render())
	plans, err := revision.ReadPlans(filepath.Join(p.Dir, "plans"), []string{"ocata", "pike"})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := revision.Sum(plans.Order, plans.Files)
	if err != nil {
		t.Fatal(err)
	}
	opWrite(t, filepath.Join(p.Dir, "plans", revision.SumFile), sum)
	for _, cmd := range []string{"check", "migrate", "expand"} {
		r := p.run("db", cmd)
		if r.Code != 1 {
			t.Fatalf("db %s: %s", cmd, r)
		}
		opContains(t, r, "plans/ocata/ocata_expand02.sql is new in release ocata, but the database has already moved on to release pike")
	}
	if strings.Contains(p.columns("images"), "late") {
		t.Fatal("the late revision ran")
	}
}
