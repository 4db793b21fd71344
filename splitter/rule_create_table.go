package splitter

import (
	"fmt"
	"slices"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A new table is invisible to the previous release's code, so creating it
// (with its indexes and foreign keys) is additive. New tables whose foreign
// keys form a cycle cannot each be created with its keys (the server
// refuses a key to a table that does not exist yet, errno 150): they are
// created without the keys inside the cycle, which are added afterwards in
// expand. Both tables are new and empty and no code writes them before
// expand ends, so the keys are added in place with foreign_key_checks off.
func init() {
	register(&Rule{
		Name: "create-table",
		Doc: RuleDoc{
			Change:   "create table, with its indexes and foreign keys",
			Phases:   "expand (foreign keys between new tables that reference each other in a cycle: added after the tables, ALGORITHM=INPLACE, LOCK=NONE)",
			Rollback: "drop the table (foreign keys added after the tables of a cycle: dropped first, ALGORITHM=INPLACE, LOCK=NONE); the rows the new release wrote in it are lost. The first release's tables: refused (no previous release to return to; it would drop every table with its rows)",
			Example: `table "image_tags" {
  schema = schema.glance
  column "image_id" {
    type = bigint
  }
  column "tag" {
    type = varchar(255)
  }
  primary_key {
    columns = [column.image_id, column.tag]
  }
}`,
		},
		Match: is[*schema.AddTable],
		Split: func(c *Change) ([]Step, error) {
			t := c.Table
			created := *t
			created.ForeignKeys = nil
			var later []*schema.ForeignKey
			for _, fk := range t.ForeignKeys {
				switch {
				case fk.RefTable != nil && fk.RefTable.Name == t.Name:
					// A key to the table itself (Friendica's
					// user.parent-uid) points at the copy: Atlas tells a
					// self-reference by identity, and took one to the
					// original for a cycle, writing it as a second
					// statement.
					self := *fk
					self.Table, self.RefTable = &created, &created
					created.ForeignKeys = append(created.ForeignKeys, &self)
				case fk.RefTable != nil && c.ctx.fks.cyclic(t.Name, fk.RefTable.Name) && c.ctx.isNewTable(fk.RefTable.Name):
					later = append(later, fk)
				default:
					created.ForeignKeys = append(created.ForeignKeys, fk)
				}
			}
			sql, err := c.ctx.SQL(&schema.AddTable{T: &created})
			if err != nil {
				return nil, err
			}
			steps := []Step{stmt(revision.Expand, StageCreateTable, "table "+t.Name+" is new: no code of the previous release reads or writes it", sql),
				undo(StageRollbackDropTable, fmt.Sprintf("table %s is new in this release and the previous release never reads it; the rows the new release wrote in it are lost", t.Name), dropTable(t.Name))}
			if c.ctx.Transition.From == nil {
				// The first release has no previous one to return to:
				// undoing its expand would leave no release serving and
				// drop every table with its rows (all of a database
				// adopted with db baseline). The refusal stands for the
				// whole rollback (onlyRefusals).
				steps = append(steps, refuseRollback(fmt.Sprintf("release %s is the first release: there is no previous release to return to, and undoing its expand would drop every table it created with all their rows (to start over, drop the database)", c.ctx.Transition.To.Name)))
			}
			for _, fk := range later {
				sql, err := c.Alter(&schema.AddForeignKey{F: fk})
				if err != nil {
					return nil, err
				}
				steps = append(steps, undo(StageRollbackDropConstraint,
					fmt.Sprintf("foreign key %s of new table %s references new table %s, which references %s back: it goes first so that either table can be dropped", fk.Symbol, t.Name, fk.RefTable.Name, t.Name),
					Inplace.With(fmt.Sprintf("ALTER TABLE %s DROP FOREIGN KEY %s", sqlsyntax.Ident(t.Name), sqlsyntax.Ident(fk.Symbol)))))
				for _, s := range c.ctx.withoutFKChecks(Inplace.With(sql)) {
					steps = append(steps, stmt(revision.Expand, StageAddConstraint, fmt.Sprintf("foreign key %s of new table %s references new table %s, which references %s back: both tables are created first, then their keys; the tables are empty and no code writes them yet, so no row is checked", fk.Symbol, t.Name, fk.RefTable.Name, t.Name),
						s))
				}
			}
			return steps, nil
		},
	})
}

func (c *Context) isNewTable(name string) bool {
	return slices.ContainsFunc(c.changes, func(ch *Change) bool { a, ok := ch.Change.(*schema.AddTable); return ok && a.T.Name == name })
}
