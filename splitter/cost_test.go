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
	// u has no primary key: InnoDB clusters it by ux, its first unique
	// index on NOT NULL columns (Kanboard's user_has_notifications).
	a := &schema.Column{Name: "a", Type: &schema.ColumnType{}}
	b := &schema.Column{Name: "b", Type: &schema.ColumnType{}}
	u := &schema.Table{Name: "u", Columns: []*schema.Column{a, b}}
	u.Indexes = []*schema.Index{{Name: "ux", Unique: true, Table: u, Parts: []*schema.IndexPart{{C: a}, {C: b}}}, {Name: "ix", Table: u, Parts: []*schema.IndexPart{{C: b}}}, {Name: "ux3", Unique: true, Table: u, Parts: []*schema.IndexPart{{C: b}}}}
	next := &schema.Table{Name: "u", Columns: []*schema.Column{a, b}}
	next.Indexes = []*schema.Index{{Name: "ux2", Unique: true, Table: next, Parts: []*schema.IndexPart{{C: b}, {C: a}}}}
	// w has no unique key: a row id of InnoDB's clusters it.
	w := &schema.Table{Name: "w", Columns: []*schema.Column{a, b}}
	nextW := &schema.Table{Name: "w", Columns: []*schema.Column{a, b}}
	nextW.Indexes = []*schema.Index{{Name: "ux2", Unique: true, Table: nextW, Parts: []*schema.IndexPart{{C: b}, {C: a}}}}
	before := Releases{
		Prev: schema.New("app").AddTables(&schema.Table{Name: "t", Columns: []*schema.Column{nullable}}, u, w),
		Next: schema.New("app").AddTables(next, nextW),
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
		// The clustering key of u moves, or goes: a rebuild, whatever the
		// clauses alone would cost.
		{"ALTER TABLE `u` DROP INDEX `ux`, ADD UNIQUE INDEX `ux2` (`b`, `a`), ALGORITHM=INPLACE, LOCK=NONE", CostRebuild, CostRebuild},
		// ux stays the first: the server keeps clustering by it, and adds
		// or drops another unique key beside the rows (it said rebuild,
		// and the splitter named INPLACE where NOCOPY holds).
		{"ALTER TABLE `u` ADD UNIQUE INDEX `ux2` (`b`, `a`), ALGORITHM=INPLACE, LOCK=NONE", CostInPlace, CostInPlace},
		{"ALTER TABLE `u` DROP INDEX `ux3`, ALGORITHM=INPLACE, LOCK=NONE", CostInPlace, CostInPlace},
		{"ALTER TABLE `u` DROP INDEX `UX`, ALGORITHM=INPLACE, LOCK=NONE", CostRebuild, CostRebuild},
		{"ALTER TABLE `w` ADD UNIQUE INDEX `ux2` (`b`, `a`), ALGORITHM=INPLACE, LOCK=NONE", CostRebuild, CostRebuild},
		{"ALTER TABLE `u` DROP INDEX `ix`, ALGORITHM=INPLACE, LOCK=NONE", CostInPlace, CostInPlace},
	} {
		if got := AlterCost(mariadb1011, effect.Parse(tc.sql), before); got != tc.mariadb {
			t.Errorf("mariadb: %s: %q, want %q", tc.sql, got, tc.mariadb)
		}
		if got := AlterCost(mysql80, effect.Parse(tc.sql), before); got != tc.mysql {
			t.Errorf("mysql: %s: %q, want %q", tc.sql, got, tc.mysql)
		}
	}
}
