package e2e

import (
	"strings"
	"testing"
)

// A data migration that inserts rows runs as INSERT ... SELECT, and the
// applier says so: it said "one UPDATE" for such a backfill of a table
// without a single-column primary key (in the run, under --max-rows and in
// a dry run), and named the UPDATE triggers of the table it reads, which
// it never fires, instead of the INSERT triggers of the table it writes,
// which fire for every row.
func TestInsertBackfillIsWordedAsAnInsert(t *testing.T) {
	t.Parallel()
	const src = `schema "app" {}
table "src" {
  schema = schema.app
  column "a" {
    type = int
  }
  column "b" {
    type = int
  }
  column "v" {
    type = varchar(20)
  }
  primary_key {
    columns = [column.a, column.b]
  }
}
`
	const dst = src + `table "dst" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "a" {
    type = int
  }
  column "v" {
    type = varchar(20)
  }
  primary_key {
    columns = [column.id]
  }
}
data_migration "move_v" {
  table   = "dst"
  from    = "src"
  insert  = "a = a, v = v"
  pending = "NOT EXISTS (SELECT 1 FROM dst WHERE dst.a = src.a)"
}
`
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", src}, [2]string{"two", dst})
	p.must("db", "sync", "one")
	p.exec("INSERT INTO src VALUES (1, 1, 'x'), (2, 1, 'y')")
	p.must("db", "expand")
	p.exec("CREATE TABLE dst_audit (a int)")
	p.exec("CREATE TRIGGER dst_audit_ins AFTER INSERT ON dst FOR EACH ROW INSERT INTO dst_audit VALUES (NEW.a)")
	p.exec("CREATE TRIGGER src_touch BEFORE UPDATE ON src FOR EACH ROW SET NEW.v = NEW.v")

	dry := p.must("db", "migrate", "--dry-run", "--allow-drift")
	opContains(t, dry, "runs as one INSERT ... SELECT (src has no single-column primary key to batch on)")
	r := p.run("db", "migrate", "--max-rows", "1", "--allow-drift")
	opContains(t, r, "backfill src in one INSERT ... SELECT (no single-column primary key to batch on)",
		"the backfill of src runs as one INSERT ... SELECT (src has no single-column primary key to batch on) over its 2 pending rows")
	r = p.must("db", "migrate", "--allow-drift")
	opContains(t, r, "backfill src in one INSERT ... SELECT",
		"note: the backfill inserts a row into `dst` for each pending row of `src`, and so fires for each the INSERT triggers of `dst` that emcee did not create: `dst_audit_ins`")
	if all := r.Stdout + r.Stderr + dry.Stdout; strings.Contains(all, "one UPDATE") || strings.Contains(all, "UPDATE triggers") || strings.Contains(all, "create: `src_touch`") {
		t.Errorf("an insert backfill worded as an UPDATE, or naming the UPDATE trigger of the table it reads:\n%s", all)
	}
	if got := p.query("SELECT COUNT(*) FROM dst_audit"); got != "2" {
		t.Errorf("the INSERT trigger of dst fired %s times, want 2", got)
	}
}
