package splitter

import (
	"slices"
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/project"
)

// TestFlavorSQL pins the statements whose spelling depends on the target
// flavor, and the Atlas rendering emcee relies on or avoids.
func TestFlavorSQL(t *testing.T) {
	for _, c := range []struct {
		target                       project.Target
		renameColumn, atlasDropCheck string
		dropCheck                    string
		fk                           []string
	}{
		{
			target:         mariadb1011,
			renameColumn:   "ALTER TABLE `images` RENAME COLUMN `note` TO `memo`",
			atlasDropCheck: "ALTER TABLE `images` DROP CHECK `ck_size`, ADD CONSTRAINT `ck_size` CHECK (size > 0)",
			dropCheck:      "ALTER TABLE `images` DROP CONSTRAINT `ck_size`, ALGORITHM=INSTANT",
			fk:             []string{"SET STATEMENT foreign_key_checks=0 FOR ALTER x"},
		},
		{
			target:         mysql84,
			renameColumn:   "ALTER TABLE `images` RENAME COLUMN `note` TO `memo`",
			atlasDropCheck: "ALTER TABLE `images` DROP CHECK `ck_size`, ADD CONSTRAINT `ck_size` CHECK (size > 0)",
			dropCheck:      "ALTER TABLE `images` DROP CHECK `ck_size`, ALGORITHM=INPLACE, LOCK=NONE",
			fk:             []string{"SET SESSION foreign_key_checks = 0", "ALTER x", "SET SESSION foreign_key_checks = 1"},
		},
	} {
		t.Run(c.target.String(), func(t *testing.T) {
			tr, ctx := tcTransition(t, c.target, tcImages, tcImages)
			images, _ := tr.To.Schema.Table("images")
			note, _ := images.Column("note")
			memo := *note
			memo.Name = "memo"
			ch := &Change{Table: images, ctx: ctx}
			// Both servers emcee supports (MySQL 8.0+, MariaDB 10.5+) have
			// RENAME COLUMN; Atlas uses it for both, never CHANGE COLUMN with
			// a restated definition.
			if got, err := ch.Alter(&schema.RenameColumn{From: note, To: &memo}); err != nil || got != c.renameColumn {
				t.Errorf("rename column: %q, %v; want %q", got, err, c.renameColumn)
			}
			// Atlas writes ModifyCheck with DROP CHECK even for MariaDB,
			// which has no such clause: emcee never uses that rendering.
			mod := &schema.ModifyCheck{From: &schema.Check{Name: "ck_size", Expr: "size >= 0"}, To: &schema.Check{Name: "ck_size", Expr: "size > 0"}}
			if got, err := ch.Alter(mod); err != nil || got != c.atlasDropCheck {
				t.Errorf("atlas ModifyCheck: %q, %v; want %q", got, err, c.atlasDropCheck)
			}
			if got := ctx.dropCheck("images", "ck_size"); got != c.dropCheck {
				t.Errorf("dropCheck = %q, want %q", got, c.dropCheck)
			}
			if got := ctx.withoutFKChecks("ALTER x"); !slices.Equal(got, c.fk) {
				t.Errorf("withoutFKChecks = %q, want %q", got, c.fk)
			}
		})
	}
}
