package splitter

import (
	"fmt"
	"slices"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A dropped table goes in contract, after the tables referencing it. Tables
// dropped together whose foreign keys form a cycle cannot be dropped in any
// order (1451 "Cannot delete or update a parent row", even in one DROP
// TABLE statement on MariaDB): the keys inside the cycle are dropped first.
func init() {
	register(&Rule{
		Name: "drop-table",
		Doc: RuleDoc{
			Change:   "drop table (in a release that also creates a table: declared, either renamed_from on the new table, discard, or a data_migration moving its rows (from))",
			Phases:   "contract (foreign keys between dropped tables that reference each other in a cycle: dropped first)",
			Rollback: "nothing to undo: contract only",
			Example: `# remove the table block; in a release that creates a table, also:
discard {
  table = "image_properties"
}`,
		},
		Match: is[*schema.DropTable],
		Split: func(c *Change) ([]Step, error) {
			t := c.Table
			var steps []Step
			for _, fk := range t.ForeignKeys {
				if fk.RefTable != nil && c.ctx.fks.cyclic(t.Name, fk.RefTable.Name) && c.ctx.isDroppedTable(fk.RefTable.Name) {
					steps = append(steps, stmt(revision.Contract, StageDropForeignKey, fmt.Sprintf("tables %s and %s are dropped and reference each other: the key %s goes first so that either can be dropped", t.Name, fk.RefTable.Name, fk.Symbol),
						Inplace.With(fmt.Sprintf("ALTER TABLE %s DROP FOREIGN KEY %s", sqlsyntax.Ident(t.Name), sqlsyntax.Ident(fk.Symbol)))))
				}
			}
			// DROP TABLE names no key, and the order around the keys is
			// decided above and by the stages; given the keys, Atlas took a
			// key to the table itself for a cycle and dropped every other
			// key first, in a second statement (Zabbix 5.4's
			// application_prototype, whose templateid references it and
			// itemid items).
			bare := *t
			bare.ForeignKeys = nil
			sql, err := c.ctx.SQL(&schema.DropTable{T: &bare, Extra: c.Change.(*schema.DropTable).Extra})
			if err != nil {
				return nil, err
			}
			return append(steps, stmt(revision.Contract, StageDropTable, fmt.Sprintf("the previous release still uses table %s; it goes after that release, and after foreign keys that point to it", t.Name),
				sql)), nil
		},
	})
}

func (c *Context) isDroppedTable(name string) bool {
	return slices.ContainsFunc(c.changes, func(ch *Change) bool { d, ok := ch.Change.(*schema.DropTable); return ok && d.T.Name == name })
}
