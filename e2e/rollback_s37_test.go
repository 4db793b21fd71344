package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

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
