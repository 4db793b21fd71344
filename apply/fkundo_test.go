package apply

import (
	"testing"

	"github.com/emcee-db/emcee/effect"
)

// A rerun runs the drop a failed recheck recorded in the version table
// (dropAgain) only if it undoes nothing but the statement: a record edited
// by hand runs nothing else.
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
	} {
		if got := g.undoes(q); got != want {
			t.Errorf("undoes(%q) = %v, want %v", q, got, want)
		}
	}
}
