package e2e

import (
	"fmt"
	"testing"

	"github.com/emcee-db/emcee/internal/testserver"
)

// review with a database flags a backfill of a table larger than the redo
// log's limit: while it runs, every commit waits for page flushing, the
// application's too. A server with a 4 MiB redo log stands for a large
// table on a default one.
func TestReviewFlagsABackfillLargerThanTheRedoLog(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{Args: []string{"--innodb-log-file-size=4M"}})
	db := srv.NewDB(t)
	p := plannedProjectOn(t, db, "mariadb 10.11", [2]string{"a", throttleA}, [2]string{"b", throttleB})
	if r := p.run("db", "sync", "a"); r.Code != 0 {
		t.Fatalf("sync a: %s", r)
	}
	// MariaDB's Sequence engine: seq_1_to_N holds 1 to N.
	if _, err := db.Exec(fmt.Sprintf("INSERT INTO items (name) SELECT CONCAT('Item ', seq) FROM seq_1_to_%d", 200000)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("ANALYZE TABLE items"); err != nil {
		t.Fatal(err)
	}
	r := p.run("review", "b", "--url", db.URL)
	if r.Code != 0 {
		t.Fatalf("review: %s", r)
	}
	opContains(t, r, "Redo log: commits wait for page flushing at a checkpoint age of 2 MB (innodb_log_file_size 4 MB)",
		"     size:    backfills items (", "     redo:    items (", "is larger than the redo log's limit (2 MB, innodb_log_file_size 4 MB)", "SET GLOBAL innodb_log_file_size")
	r = p.run("review", "b", "--url", db.URL, "--format", "markdown")
	opContains(t, r, "rows: backfills items (", "is larger than the redo log's limit")
	r = p.run("review", "b", "--url", db.URL, "--format", "json")
	opContains(t, r, `"redo": "items (`, `"innodb_log_file_size": 4194304`)
}
