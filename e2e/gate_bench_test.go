package e2e

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// benchRows is the table size of the gate benchmarks: EMCEE_BENCH_ROWS,
// default 1,000,000.
func benchRows(b *testing.B) int {
	n := 1_000_000
	if v := os.Getenv("EMCEE_BENCH_ROWS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("EMCEE_BENCH_ROWS: %v", err)
		}
	}
	return n
}

// BenchmarkUniqueGate measures the unique-index gate on a table of
// EMCEE_BENCH_ROWS rows (default 1,000,000) with no index on the key, as
// before contract builds it: 1% of the rows hold one of 100 duplicated
// slugs, 2% have a NULL slug. "rows" is the gate emcee writes, which counts the
// rows holding a duplicate key (the shape of every gate); "keys" is the gate
// it replaced, which counted the keys.
func BenchmarkUniqueGate(b *testing.B) {
	n := benchRows(b)
	db := testdb.New(b)
	for _, q := range []string{
		"CREATE TABLE `images` (`id` bigint NOT NULL AUTO_INCREMENT, `name` varchar(255) NOT NULL, `slug` varchar(255) NULL, PRIMARY KEY (`id`))",
		fmt.Sprintf("INSERT INTO `images` (`name`, `slug`) SELECT CONCAT('image ', seq), CASE WHEN seq %% 100 = 0 THEN CONCAT('dup-', seq %% 10000) WHEN seq %% 50 = 1 THEN NULL ELSE CONCAT('image-', seq) END FROM seq_1_to_%d", n),
		"ANALYZE TABLE `images`",
	} {
		if _, err := db.Exec(q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	for _, c := range []struct{ name, gate string }{
		{"rows", "SELECT COUNT(*) FROM `images` WHERE (`slug`) IN (SELECT `slug` FROM `images` WHERE `slug` IS NOT NULL GROUP BY `slug` HAVING COUNT(*) > 1)"},
		{"keys", "SELECT COUNT(*) FROM (SELECT `slug` FROM `images` WHERE `slug` IS NOT NULL GROUP BY `slug` HAVING COUNT(*) > 1) AS duplicate_keys"},
	} {
		b.Run(c.name, func(b *testing.B) {
			var count int64
			for b.Loop() {
				if err := db.QueryRow(c.gate).Scan(&count); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(count), "counted")
		})
	}
}
