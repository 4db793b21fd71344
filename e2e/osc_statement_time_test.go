package e2e

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testserver"
)

// A server's statement time limit (max_statement_time, here 1 s for
// every session) applies to pt-online-schema-change's sessions too, which
// emcee's own lift and the tool's did not: the tool's plugin, waiting
// for the table's lock to create its triggers while the application
// held the table in a transaction, was killed after a second and the
// run failed (a chunk over the limit was killed and copied again,
// each time). The tool's --set-vars lifts it: the wait outlasts the
// limit, and the copy finishes once the transaction ends.
func TestOSCLiftsTheStatementTimeLimit(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{Args: []string{"--max-statement-time=1"}})
	db := srv.NewDB(t)
	v2 := strings.Replace(oscRelease("events", "hits", "bigint"), "    type = bigint\n", "    type       = bigint\n    allow_copy = true\n", 1)
	p := plannedProjectOn(t, db, "mariadb 10.11", [2]string{"v1", oscRelease("events", "hits", "int")}, [2]string{"v2", v2})
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO events (hits, label) SELECT seq, 'x' FROM seq_1_to_2000")

	release := p.holdMDL("events")
	run := p.start("db", "expand", "--osc", "pt-osc")
	// Past the limit, and still waiting: the server would have killed it
	// at 1 s.
	p.waitFor("the tool to wait for the lock of events longer than the server's max_statement_time", func() bool {
		return p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ? AND INFO LIKE 'LOCK TABLES%' AND STATE = 'Waiting for table metadata lock' AND TIME_MS > 1500", p.DB.Name) != "0"
	})
	release()
	r := run.wait(t)
	if r.Code != 0 || !strings.Contains(r.Stdout, "Successfully altered") {
		t.Fatalf("expand through the tool on a server with max_statement_time = 1: %s", r)
	}
	if got := p.query("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'events' AND COLUMN_NAME = 'hits'"); got != "bigint(20)" {
		t.Fatalf("hits after the copy: %s", got)
	}
	if got := p.query("SELECT COUNT(*) FROM events"); got != "2000" {
		t.Fatalf("rows after the copy: %s", got)
	}
}
