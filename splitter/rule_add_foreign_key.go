package splitter

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A foreign key on an existing table would reject writes the previous
// release may still make (a child row whose parent is gone), so it waits for
// contract, behind a gate counting orphans. With the gate passed, the key is
// added in place with foreign_key_checks off for that statement: with checks
// on, both servers can only add it by copying the table under a write lock.
// Rows keep changing between the gate, which runs before the revision's
// first statement, and the ALTER: earlier statements of the revision may
// wait long for their metadata locks while the new release deletes
// parents. So the applier runs the orphan gate again right before the
// ALTER and right after it, when the key stops new orphans, and drops the
// key again if one was written in between (apply/fkcheck.go).
func init() {
	register(&Rule{
		Name: "add-foreign-key",
		Doc: RuleDoc{
			Change:   "add foreign key on an existing table",
			Phases:   "contract (ALGORITHM=INPLACE, LOCK=NONE, foreign_key_checks off for that statement)",
			Rollback: "nothing to undo: contract only",
			Gate:     "no orphans: no child row whose non-NULL key has no parent",
			Example: `foreign_key "fk_owner" {
  columns     = [column.owner_id]
  ref_columns = [table.owners.column.id]
}`,
		},
		Match: func(c *Change) bool { return is[*schema.AddForeignKey](c) && c.FromTable != nil },
		Split: func(c *Change) ([]Step, error) {
			add := c.Change.(*schema.AddForeignKey)
			fk := add.F
			if len(fk.Columns) == 0 || len(fk.Columns) != len(fk.RefColumns) || fk.RefTable == nil {
				return nil, fmt.Errorf("%s: foreign key %s on %s: columns and ref_columns must pair up", c.ctx.Transition.To.Where(c.Table.Name, ""), fk.Symbol, c.Table.Name)
			}
			sql, err := c.Alter(add)
			if err != nil {
				return nil, err
			}
			why := fmt.Sprintf("foreign key %s on %s would reject writes of the previous release, so it comes after that release; the gate proved there are no orphans, so it is added in place without re-checking rows (a copy would block writes)", fk.Symbol, c.Table.Name)
			if drop, idx := supersededBy(c.FromTable, c.Table, fk); len(drop) > 0 {
				// fk_index.go: said, not left to the server.
				sql += dropKeyIndexes(drop) + addKeyIndexes([]*schema.Index{idx})
				why += fmt.Sprintf("; index %s, which the server made for other keys, gives way to the key's own, which serves them too", indexNames(drop))
			}
			st := stmt(revision.Contract, StageAddGatedConstraint, why, Inplace.With(sql))
			st.fkOff = true
			return []Step{gate(fmt.Sprintf("foreign key %s on %s: the previous release could leave rows without a parent in %s; contract waits until there are none", fk.Symbol, c.Table.Name, fk.RefTable.Name),
				orphanGate(c.Table.Name, fk)), st}, nil
		},
	})
}

// orphanGate counts child rows whose key is fully set (MATCH SIMPLE: a NULL
// in any key column exempts the row, as the server does) but matches no
// parent row. Aliases keep it right for a table referencing itself.
func orphanGate(table string, fk *schema.ForeignKey) string {
	var child, match []string
	for i, col := range fk.Columns {
		child = append(child, "child."+sqlsyntax.Ident(col.Name))
		match = append(match, fmt.Sprintf("parent.%s = child.%s", sqlsyntax.Ident(fk.RefColumns[i].Name), sqlsyntax.Ident(col.Name)))
	}
	return fmt.Sprintf("SELECT COUNT(*) FROM %s AS child WHERE %s AND NOT EXISTS (SELECT 1 FROM %s AS parent WHERE %s)",
		sqlsyntax.Ident(table), notNull(child), sqlsyntax.Ident(fk.RefTable.Name), strings.Join(match, " AND "))
}
