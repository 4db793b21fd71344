package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/schemadef"
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
			alter := fmt.Sprintf("ALTER TABLE %s DROP FOREIGN KEY %s", sqlsyntax.Ident(c.Table.Name), sqlsyntax.Ident(d.F.Symbol))
			if implicitIndexLeft(c.FromTable, c.Table, d.F) {
				why += "; the index the server made for it goes too, since the release declares none"
				alter += ", DROP INDEX " + sqlsyntax.Ident(d.F.Symbol)
			}
			return why, Inplace.With(alter), nil
		}))
}

// implicitIndexLeft reports a dropped foreign key whose index the server
// made by itself (the previous release declares none leading with its
// columns) and the release does not declare either (none leads with them,
// and no key the table keeps may be using it): left behind by the drop, it
// would be drift from the release's schema. A key the release adds over
// the same columns (the key renamed) is added later in contract, and the
// server makes its own index for it then; left in place, the old index
// would serve the new key under the old key's name wherever the server
// does not drop it by itself (fk_index.go).
func implicitIndexLeft(from, to *schema.Table, fk *schema.ForeignKey) bool {
	if from == nil || !schemadef.ImplicitIndex(from, fk) || !schemadef.ImplicitIndex(to, fk) {
		return false
	}
	index := &schema.Index{Parts: make([]*schema.IndexPart, len(fk.Columns))}
	for i, col := range fk.Columns {
		index.Parts[i] = &schema.IndexPart{C: col}
	}
	return !slices.ContainsFunc(to.ForeignKeys, func(o *schema.ForeignKey) bool {
		return strings.EqualFold(o.Symbol, fk.Symbol) || hasForeignKey(from, o.Symbol) && schemadef.Leads(index, o.Columns)
	})
}
