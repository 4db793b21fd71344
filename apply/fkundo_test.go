package apply

import (
	"testing"

	"github.com/emcee-db/emcee/effect"
)

// A rerun runs the drop a failed recheck recorded in the version table
// (dropAgain) only if it undoes nothing but the statement: a record edited
// by hand runs nothing else. A clause that is no drop or add of an index
// or key (a table option, CONVERT, DISCARD TABLESPACE) has no effect to
// check, and ran along with one that has: dropping the key converted the
// table's text to latin1, or discarded its rows.
func TestFKGuardUndoes(t *testing.T) {
	g := &fkGuard{
		keys:  []effect.Effect{{Op: effect.AddForeignKey, Table: "child", Name: "fk_pid"}},
		drops: []effect.Effect{{Op: effect.DropIndex, Table: "child", Name: "fk_a"}},
	}
	for q, want := range map[string]bool{
		"ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`":                                                true,
		"ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`, DROP INDEX `fk_pid`, ADD INDEX `fk_a` (`pid`)": true,
		"":                   false,
		"DROP TABLE `child`": false,
		"ALTER TABLE `parent` DROP FOREIGN KEY `fk_pid`":                     false,
		"ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`, DROP COLUMN `pid`":   false,
		"ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`; DROP TABLE `parent`": false,
		"ALTER TABLE `child` ADD UNIQUE INDEX `fk_a` (`pid`)":                false,
		"ALTER TABLE `child` DROP INDEX `ix_pid`":                            false,
		"DELETE FROM `child`": false,
		// Clauses that change nothing emcee reads as an effect, which
		// it never writes into an undo: they rebuild the table, convert
		// or discard its rows, or rename an index.
		"ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`, CONVERT TO CHARACTER SET latin1":  false,
		"ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`, DISCARD TABLESPACE":               false,
		"ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`, ENGINE=MyISAM":                    false,
		"ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`, FORCE":                            false,
		"ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`, ALGORITHM=COPY":                   false,
		"ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`, AUTO_INCREMENT = 1000000":         false,
		"ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`, RENAME INDEX `ix_pid` TO `fk_a`":  false,
		"ALTER TABLE `child` DROP INDEX `fk_pid`, ORDER BY `pid`":                         false,
		"ALTER TABLE `child` ADD INDEX `fk_a` (`pid`), COMMENT = 'x', ROW_FORMAT=COMPACT": false,
		// Another database's table of the same name; the drop kept from
		// the replicas.
		"ALTER TABLE `other`.`child` DROP FOREIGN KEY `fk_pid`":                         false,
		"SET STATEMENT sql_log_bin=0 FOR ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`": false,
	} {
		if got := g.undoes(q); got != want {
			t.Errorf("undoes(%q) = %v, want %v", q, got, want)
		}
	}
}
