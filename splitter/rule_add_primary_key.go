package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
)

// A primary key on a table that had none (Roundcube 1.3's cache tables, the
// keys projects add for Galera and group replication). The previous release
// never had a key to address rows by, so what its UPDATEs and DELETEs reach
// does not change; but the key rejects a second row with the same values,
// which that release may still write. So, as a unique index, it waits for
// contract behind the duplicate gate. InnoDB then rebuilds the table around
// the new clustered index: in place, writes continue (both servers).
// Changing or dropping an existing primary key stays refused
// (refusal_kinds.go).
func init() {
	register(&Rule{
		Name:     "add-primary-key",
		Priority: 100,
		Doc: RuleDoc{
			Change:   "add a primary key to an existing table that has none, on columns it already has (NOT NULL)",
			Phases:   "contract (ALGORITHM=INPLACE, LOCK=NONE: the table is rebuilt in place, writes continue)",
			Rollback: "nothing to undo: contract only",
			Gate:     "no row whose key another row holds too",
			Example:  `primary_key { columns = [column.user_id, column.cache_key] }  # the table had none`,
		},
		Match: func(c *Change) bool {
			_, ok := c.Change.(*schema.AddPrimaryKey)
			return ok && c.FromTable != nil && c.FromTable.PrimaryKey == nil
		},
		Split: func(c *Change) ([]Step, error) {
			add := c.Change.(*schema.AddPrimaryKey)
			where := c.ctx.Transition.To.Where(c.Table.Name, "")
			for _, p := range add.P.Parts {
				if p.C == nil {
					return nil, fmt.Errorf("%s: primary key of %s: a part that is an expression cannot be a primary key; use columns", where, c.Table.Name)
				}
				old, ok := c.FromTable.Column(p.C.Name)
				switch {
				case !ok:
					return nil, fmt.Errorf("%s: primary key of %s: column %s is new in this release; emcee adds a primary key only on columns the table already has: add the column in one release and the key in the next (a new AUTO_INCREMENT key column is not planned: both servers block writes while they number the rows)", where, c.Table.Name, p.C.Name)
				case old.Type.Null:
					return nil, fmt.Errorf("%s: primary key of %s: column %s is NULL in the previous release; make it NOT NULL (contract, behind a gate) in one release and add the key in the next", where, c.Table.Name, p.C.Name)
				}
			}
			g, err := duplicateGate(c.Table.Name, add.P)
			if err != nil {
				return nil, fmt.Errorf("%s: primary key of %s: %w", where, c.Table.Name, err)
			}
			sql, err := c.Alter(add)
			if err != nil {
				return nil, err
			}
			return []Step{
				gate(fmt.Sprintf("primary key of %s: the previous release could write rows with the same key; contract waits until there are none", c.Table.Name), g),
				{Phase: revision.Contract, Stage: StageAddGatedConstraint, Statement: revision.Statement{
					Why: fmt.Sprintf("primary key of %s (the table had none) would reject rows with the same key that the previous release may still write, so it is added only after that release is gone; the table is rebuilt in place around it (every row rewritten) while writes continue", c.Table.Name),
					SQL: Inplace.With(sql),
				}},
			}, nil
		},
	})
}
