package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/sqlsyntax"
)

func init() {
	register(dropRule("drop-foreign-key",
		RuleDoc{Change: "drop foreign key", Phases: "contract", Rollback: "nothing to undo: contract only", Example: "remove the foreign_key block"},
		StageDropForeignKey,
		func(c *Change) bool { _, ok := c.Change.(*schema.DropForeignKey); return ok },
		func(c *Change) (string, string, error) {
			d := c.Change.(*schema.DropForeignKey)
			why := fmt.Sprintf("the previous release may depend on %s (cascades, or rejecting orphans), so it goes after that release", d.F.Symbol)
			return why, Inplace.With(fmt.Sprintf("ALTER TABLE %s DROP FOREIGN KEY %s", sqlsyntax.Ident(c.Table.Name), sqlsyntax.Ident(d.F.Symbol))), nil
		}))
}
