package e2e

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// opSlowAlterInExpand makes pike_expand01's third statement, just before
// the triggers, a table copy (ALGORITHM=COPY) that takes the server a
// while on a big table.
func opSlowAlterInExpand(m map[revision.ID][]revision.Statement) {
	id := revision.ID{Release: "pike", Phase: revision.Expand, Seq: 1}
	s := append([]revision.Statement{}, m[id][:2]...)
	s = append(s, revision.Statement{Rule: "add-column", Why: "images.checksum is new; forced to copy the table so that it takes time",
		SQL: "ALTER TABLE `images` ADD COLUMN `checksum` char(32) NULL, ALGORITHM=COPY"})
	m[id] = append(s, m[id][2:]...)
}

// A run killed while the server copies a table for an ALTER: the server
// finishes (or abandons) the statement on its own. Either way the rerun
// must end with the column added exactly once and the revision applied,
// never with "duplicate column" as an error.
func TestOperatorKilledDuringServerSideDDL(t *testing.T) {
	t.Parallel()
	p := newOpProject(t, opSlowAlterInExpand)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(1000)
	for range 7 { // 128,000 rows: copying them takes the server a moment
		p.exec("INSERT INTO images (name, is_public) SELECT name, is_public FROM images")
	}
	run := p.command("db", "expand")
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	p.waitFor("expand to send the ALTER", func() bool {
		return p.query("SELECT CONCAT(applied, ' ', in_flight) FROM emcee_revisions WHERE name = 'pike_expand01'") == "2 1"
	})
	if err := run.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = run.Wait()
	r := p.must("db", "expand", "--lock-timeout", "120s")
	opContains(t, r, "resuming pike_expand01 at statement 3 of 5")
	finished := strings.Contains(r.Stdout, "had applied it") && strings.Contains(r.Stdout, "counted as applied")
	t.Logf("the server finished the killed run's ALTER by itself: %v", finished)
	if got := p.query("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND COLUMN_NAME = 'checksum'"); got != "1" {
		t.Fatalf("checksum column: %s", got)
	}
	if got := p.query("SELECT applied, total, finished_at IS NOT NULL FROM emcee_revisions WHERE name = 'pike_expand01'"); got != "5 5 1" {
		t.Fatalf("record: %s", got)
	}
	if got := p.query("SELECT COUNT(*), SUM(visibility IS NULL) FROM images"); got != "128000 128000" {
		t.Fatalf("rows after expand: %s", got)
	}
}
