package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

func init() {
	register(&Rule{
		Name:  "drop-foreign-key",
		Doc:   RuleDoc{Change: "drop foreign key", Phases: "contract", Rollback: "nothing to undo: contract only", Example: "# remove the foreign_key block"},
		Match: is[*schema.DropForeignKey],
		Split: splits(func(c *Change, d *schema.DropForeignKey) ([]Step, error) {
			why := fmt.Sprintf("the previous release may depend on %s (cascades, or rejecting orphans), so it goes after that release", d.F.Symbol)
			return []Step{c.keyDrop(d.F, c.Table, why)}, nil
		}),
	})
}

// keyDrop is the contract ALTER dropping key fk of the table as it was,
// to leave the table to: with the index the server made for the key where
// to has no key of its name (fk_index.go: left behind by the drop, the
// index would be drift from the release's schema), the keys it served
// given theirs.
func (c *Change) keyDrop(fk *schema.ForeignKey, to *schema.Table, why string) Step {
	alter := fmt.Sprintf("ALTER TABLE %s DROP FOREIGN KEY %s", sqlsyntax.Ident(c.Table.Name), sqlsyntax.Ident(fk.Symbol))
	if drop, add := droppedKeyIndex(c.FromTable, to, fk); drop {
		why += "; the index the server made for it goes too, since the release declares none"
		alter, why = withKeyIndexes(add, alter+", DROP INDEX "+sqlsyntax.Ident(fk.Symbol), why, ", and index %s, which the server gives the keys it served, comes in its place")
	}
	stage := StageDropForeignKey
	if c.ctx.refersRenamed(fk) {
		stage = StageDropKeyOnRenamedColumn
	}
	return stmt(revision.Contract, stage, why, Inplace.With(alter))
}

// refersRenamed tells a key referencing a column the release renames
// (renamed_from): the unique index the key needs moves to the new name at
// StageTakeOverRenamedKey, which the server refuses while the key is
// there (error 1553, "needed in a foreign key constraint"), so the key
// is dropped first.
func (c *Context) refersRenamed(fk *schema.ForeignKey) bool {
	for ref, d := range c.Transition.To.Declarations.Columns {
		if d == nil || d.RenamedFrom == "" || !strings.EqualFold(ref.Table, fk.RefTable.Name) {
			continue
		}
		if slices.ContainsFunc(fk.RefColumns, func(col *schema.Column) bool { return strings.EqualFold(col.Name, d.RenamedFrom) }) {
			return true
		}
	}
	return false
}
