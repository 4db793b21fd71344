package e2e

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// The UPDATEs a rollback's copy-out writes to put lost values back named
// only the lost column: the server stamped every row put back with the
// time of the restore in its ON UPDATE CURRENT_TIMESTAMP column, the time
// the application last changed it lost. In a table without a primary key,
// whose rows are found by their other columns (the timestamp among them),
// the first column put back changed the timestamp the second column's
// UPDATEs look for: they matched nothing and the second column's values
// stayed lost, with the restore exiting 0.
func TestAttackCopyOutRestoreKeepsOnUpdateTimestamps(t *testing.T) {
	t.Parallel()
	a := `schema "app" {}

table "tags" {
  schema = schema.app
  column "tag" {
    type = varchar(64)
  }
  column "changed" {
    type      = timestamp
    default   = sql("CURRENT_TIMESTAMP")
    on_update = sql("CURRENT_TIMESTAMP")
  }
}
`
	b := strings.Replace(a, "  column \"changed\" {", "  column \"colour\" {\n    type = varchar(16)\n    null = true\n  }\n  column \"size\" {\n    type = int\n    null = true\n  }\n  column \"changed\" {", 1)
	db := testdb.New(t)
	p := plannedProjectOn(t, db, "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO tags (tag, colour, size, changed) VALUES ('one', 'red', 1, '2001-02-03 04:05:06'), ('two', 'blue', 2, '2002-03-04 05:06:07')")
	const state = "SELECT tag, colour, size, changed FROM tags ORDER BY tag"
	before := p.query(state)

	losses := refusedLosses(t, p)
	if len(losses) != 2 {
		t.Fatalf("losses: %+v", losses)
	}
	dir := t.TempDir()
	for _, l := range losses {
		shellIn(t, dir, l.Save)
	}
	p.must("db", "rollback", "--drop-new-data")
	p.must("db", "expand")
	for _, l := range losses {
		shellIn(t, dir, l.Restore)
	}
	if after := p.query(state); after != before {
		t.Fatalf("put back:\n%s\nwant\n%s", after, before)
	}
}
