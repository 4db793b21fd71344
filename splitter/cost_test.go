package splitter

import (
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/effect"
)

// TestAlterCost pins which statements rebuild the table on each
// flavor. The MariaDB 10.11 rows were measured on the server by the
// table's InnoDB id (e2e TestOnlineDDLCosts); the MySQL 8.0 rows follow
// its online DDL tables (no MySQL server here).
func TestAlterCost(t *testing.T) {
	nullable := &schema.Column{Name: "name", Type: &schema.ColumnType{Null: true}}
	before := func(table, column string) *schema.Column {
		if table == "t" && column == "name" {
			return nullable
		}
		return nil
	}
	for _, tc := range []struct {
		sql            string
		mariadb, mysql string
	}{
		{"ALTER TABLE `t` ADD COLUMN `c` int NULL, ALGORITHM=INSTANT", CostInstant, CostInstant},
		{"ALTER TABLE `t` ALTER COLUMN `c` SET DEFAULT '', ALGORITHM=INSTANT", CostInstant, CostInstant},
		{"ALTER TABLE `t` ADD INDEX `ix` (`c`), ALGORITHM=INPLACE, LOCK=NONE", CostInPlace, CostInPlace},
		{"ALTER TABLE `t` DROP INDEX `ix`, DROP COLUMN `c`, ALGORITHM=NOCOPY, LOCK=NONE", CostInPlace, CostInPlace},
		{"ALTER TABLE `t` DROP COLUMN `c`, ALGORITHM=INPLACE, LOCK=NONE", CostInPlace, CostRebuild},
		{"ALTER TABLE `t` DROP COLUMN `c`, ADD UNIQUE INDEX `ux` (`d`), ALGORITHM=INPLACE, LOCK=NONE", CostRebuild, CostRebuild},
		{"ALTER TABLE `t` ADD COLUMN `c` int NULL, ADD INDEX `ix` (`c`), ALGORITHM=INPLACE, LOCK=NONE", CostRebuild, CostRebuild},
		{"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `t` ADD CONSTRAINT `fk` FOREIGN KEY (`a`) REFERENCES `p` (`id`), ALGORITHM=INPLACE, LOCK=NONE", CostInPlace, CostInPlace},
		{"ALTER TABLE `t` MODIFY COLUMN `c` int NOT NULL, ALGORITHM=INPLACE, LOCK=NONE", CostRebuild, CostRebuild},
		// The column was NULL and stays NULL: MySQL extends a VARCHAR in place.
		{"ALTER TABLE `t` MODIFY COLUMN `name` varchar(60) NULL, ALGORITHM=INPLACE, LOCK=NONE", CostInPlace, CostInPlace},
		{"ALTER TABLE `t` MODIFY COLUMN `name` varchar(60) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE", CostRebuild, CostRebuild},
		{"ALTER TABLE `t` FORCE, ALGORITHM=INPLACE, LOCK=NONE", CostRebuild, CostRebuild},
		{"ALTER TABLE `t` MODIFY COLUMN `c` bigint NULL, ALGORITHM=COPY, LOCK=SHARED", CostCopy, CostCopy},
		{"ALTER TABLE `t` ADD COLUMN `c` int NULL", "", ""},
		{"CREATE INDEX ix ON t (c) ALGORITHM=INPLACE LOCK=NONE", CostInPlace, CostInPlace},
		{"DROP TRIGGER IF EXISTS `x`", "", ""},
	} {
		if got := AlterCost(mariadb1011, effect.Parse(tc.sql), before); got != tc.mariadb {
			t.Errorf("mariadb: %s: %q, want %q", tc.sql, got, tc.mariadb)
		}
		if got := AlterCost(mysql80, effect.Parse(tc.sql), before); got != tc.mysql {
			t.Errorf("mysql: %s: %q, want %q", tc.sql, got, tc.mysql)
		}
	}
}
