package e2e

import (
	"fmt"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// BenchmarkCheckPoll measures what one `db check` poll costs while a
// contract is next and a data migration's gate is closed, on a table of
// EMCEE_BENCH_ROWS rows (default 1,000,000) of which 10% (rows the previous
// release wrote after migrate) are pending, spread over the table: "count"
// is the gate as written and the count of rows migrate can rewrite, what
// check ran on every poll; "exists" is what it runs now, each stopping at
// the first row it finds.
func BenchmarkCheckPoll(b *testing.B) {
	n := benchRows(b)
	db := testdb.New(b)
	for _, q := range []string{
		"CREATE TABLE `images` (`id` bigint NOT NULL AUTO_INCREMENT, `name` varchar(255) NOT NULL, `owner` varchar(64) NULL, PRIMARY KEY (`id`))",
		fmt.Sprintf("INSERT INTO `images` (`name`, `owner`) SELECT CONCAT('image ', seq), CASE WHEN seq %% 10 = 7 THEN NULL ELSE 'admin' END FROM seq_1_to_%d", n),
	} {
		if _, err := db.Exec(q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	gate, err := sqlsyntax.ReadGate("SELECT COUNT(*) FROM `images` WHERE (`owner` IS NULL)")
	if err != nil {
		b.Fatal(err)
	}
	rw, err := sqlsyntax.ReadRewrite("UPDATE `images` SET `owner` = 'admin' WHERE (`owner` IS NULL)")
	if err != nil {
		b.Fatal(err)
	}
	rewritable := "SELECT COUNT(*) FROM `images` WHERE " + rw.Rewritable()
	for _, c := range []struct{ name, gate, rewritable string }{
		{"count", "SELECT COUNT(*) FROM `images` WHERE (`owner` IS NULL)", rewritable},
		{"exists", gate.Exists(), "SELECT EXISTS (SELECT 1 FROM `images` WHERE " + rw.Rewritable() + ")"},
	} {
		b.Run(c.name, func(b *testing.B) {
			var found, rows int64
			for b.Loop() {
				if err := db.QueryRow(c.gate).Scan(&found); err != nil {
					b.Fatal(err)
				}
				if err := db.QueryRow(c.rewritable).Scan(&rows); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(found), "gate")
			b.ReportMetric(float64(rows), "rewritable")
		})
	}
}
