package e2e

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// A table whose key holds few numbers (a TINYINT: 127) with more seeded
// rows than leave the workers a few: every insert past the 127th failed
// with the server's 1264, counted as failed statements of both releases in
// every phase (the baseline too, where no DDL runs), and simulate blamed
// the upgrade (exit 6, "the upgrade broke the invariant"); the deletes
// then emptied the table, and the verifier checked no row of it. Past the
// numbers it holds, an insert takes a deleted row's number: no failed
// statement, and the table's rows are checked.
func TestAttackS32SimulateKeyOfFewNumbers(t *testing.T) {
	t.Parallel()
	m1 := "schema \"app\" {}\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = tinyint\n  }\n  column \"v\" {\n    type = varchar(10)\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	m2 := replaceOnce(m1, "    type = varchar(10)\n", "    type = varchar(20)\n")
	p := newSchemaProject(t, [2]string{"m1", m1}, [2]string{"m2", m2})
	p.must("plan")
	scratch := testdb.New(t)
	r := p.run("simulate", "--url", scratch.URL, "--rows", "120", "--baseline", "300ms", "--settle", "300ms", "--quiet")
	if r.Code != 0 {
		t.Fatalf("simulate of a table whose key holds 127 numbers, 120 seeded: %s", r)
	}
	opContains(t, r, "result: no failed statement, no lost or inconsistent row")
	m := regexp.MustCompile(`rows: (\d+) checked \(t (\d+)\)`).FindStringSubmatch(r.Stdout)
	if m == nil {
		t.Fatalf("no rows line:\n%s", r)
	}
	if n, _ := strconv.Atoi(m[2]); n < 100 {
		t.Fatalf("the verifier checked %d rows of t, the workers' deletes emptying it:\n%s", n, r)
	}
}
