package e2e

import (
	"strings"
	"testing"
)

// A column the new release adds with DEFAULT CURRENT_TIMESTAMP holds, in
// every row nobody wrote it in, the moment the server filled it: the
// ALTER's for the rows already there, the insert's for a row the previous
// release writes after expand. The rollback compared each with the
// column's default evaluated as it counted, another moment, and refused
// for "rows hold a value only the new release wrote" that no release
// wrote, more of them the longer after expand it ran. The previous
// release's row is inserted at a fixed moment (SET STATEMENT timestamp),
// so the count and the fill differ without a clock.
func TestRollbackOfColumnDefaultingToNowLosesNothing(t *testing.T) {
	t.Parallel()
	before := "table \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"name\" {\n    type = varchar(20)\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	after := strings.Replace(before, "  primary_key {", "  column \"seen\" {\n    type    = datetime\n    null    = true\n    default = sql(\"CURRENT_TIMESTAMP\")\n  }\n  primary_key {", 1)
	r := newRuleProject(t, before, after)
	r.must("before")
	execAll(t, r.db.DB, "seed", []string{"INSERT INTO t (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')"})
	r.must("expand")
	execAll(t, r.db.DB, "previous release after expand", []string{"SET STATEMENT timestamp = 1000000000 FOR INSERT INTO t (id, name) VALUES (4, 'd')"})
	if got := rows(t, r.db.DB, "SELECT seen FROM t WHERE id = 4"); !strings.HasPrefix(got, "2001-09-09") {
		t.Fatalf("the server filled seen with %s, not the insert's moment", got)
	}
	res, err := r.apply("rollback")
	if err != nil {
		t.Fatalf("a rollback dropping only what the server filled: %v", err)
	}
	if len(res.Losses) > 0 {
		t.Fatalf("counted as lost: %+v", res.Losses)
	}
	if got := rows(t, r.db.DB, "SELECT id, name FROM t ORDER BY id"); got != "1|a;2|b;3|c;4|d" {
		t.Fatalf("rows after the rollback: %s", got)
	}
}
