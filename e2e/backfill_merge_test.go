package e2e

import (
	"fmt"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// One pass for a table's backfills (issue 13 item 4) must leave every row
// as the passes one after another leave it, on the server: the second
// backfill's predicate and value read the column the first one sets, one
// sets DEFAULT, one is a data migration rewriting values that are not
// NULL, and rows are pending for none, some or all of them.
func TestMergedBackfillMatchesPassesOnServer(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	passes := []string{
		"UPDATE `%s` SET `a` = `k` * 2 WHERE (`a` IS NULL)",
		"UPDATE `%s` SET `b` = CONCAT('b', `a`) WHERE (`b` IS NULL AND `a` > 10)",
		"UPDATE `%s` SET `c` = DEFAULT WHERE (`c` = 'old' OR `c` IS NULL)",
		"UPDATE `%s` SET `d` = `d` + 1, `e` = 'done' WHERE (`e` IS NULL)",
	}
	for _, tb := range []string{"seq", "one"} {
		mustExec(t, db, fmt.Sprintf("CREATE TABLE `%s` (`k` int PRIMARY KEY, `a` int NULL, `b` varchar(20) NULL, `c` varchar(10) NULL DEFAULT 'new', `d` int NOT NULL DEFAULT 0, `e` varchar(10) NULL)", tb))
		for k := 1; k <= 64; k++ {
			// Bits of k choose which columns start pending.
			a := any(nil)
			if k&1 == 0 {
				a = k
			}
			b := any(nil)
			if k&2 == 0 {
				b = "set"
			}
			c := []any{nil, "old", "keep", "new"}[(k>>2)&3]
			e := any(nil)
			if k&16 == 0 {
				e = "was"
			}
			if _, err := db.Exec(fmt.Sprintf("INSERT INTO `%s` VALUES (?, ?, ?, ?, ?, ?)", tb), k, a, b, c, k%5, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	var sqls []string
	for _, p := range passes {
		mustExec(t, db, fmt.Sprintf(p, "seq"))
		sqls = append(sqls, fmt.Sprintf(p, "one"))
	}
	merged, err := sqlsyntax.MergeBackfills(sqls...)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, merged)
	var diff int
	if err := db.QueryRow("SELECT COUNT(*) FROM `seq` s JOIN `one` o USING (`k`) WHERE NOT (s.a <=> o.a AND s.b <=> o.b AND s.c <=> o.c AND s.d <=> o.d AND s.e <=> o.e)").Scan(&diff); err != nil {
		t.Fatal(err)
	}
	if diff != 0 {
		t.Fatalf("%d of 64 rows differ between the passes one after another and the merged pass:\n%s", diff, merged)
	}
	// The merged pass touches no row that none of them selects, and a
	// rerun finds none.
	var pending int
	b, _ := sqlsyntax.ReadBackfill(merged)
	if err := db.QueryRow(b.Count("k", false, false, false)).Scan(&pending); err != nil || pending != 0 {
		t.Fatalf("after the merged pass %d rows pending (%v)", pending, err)
	}
}

func mustExec(t *testing.T, db *testdb.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
