package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
)

// An index declared renamed_from one of the previous release (the same
// parts and uniqueness: diff checks) is renamed in place: RENAME INDEX
// changes the data dictionary only. Without the declaration Atlas sees
// one index dropped and another added, a full index build and, for a
// unique one, a duplicate scan gating contract (Keycloak 4.0.0's
// UK_CLI_TEMPLATE, UK_CLI_SCOPE on the same columns).
//
// It waits for contract: the previous release may name the index in its
// queries (an index hint, FORCE INDEX (old)), which the server refuses
// once the name is gone (error 1176). No gate: the index holds the same
// keys under either name.
func init() {
	register(&Rule{
		Name: "rename-index",
		Doc: RuleDoc{
			Change:   "rename an index (declared: renamed_from; same parts and uniqueness)",
			Phases:   "contract (metadata only: ALGORITHM=INSTANT on MariaDB, ALGORITHM=INPLACE, LOCK=NONE on MySQL)",
			Rollback: "nothing to undo: contract only",
			Example: `index "ix_images_owner" {
  columns      = [column.owner_id]
  renamed_from = "ix_owner"
}`,
		},
		Match: is[*schema.RenameIndex],
		Split: splits(func(c *Change, r *schema.RenameIndex) ([]Step, error) {
			sql, err := c.Alter(r)
			if err != nil {
				return nil, err
			}
			where := c.ctx.Transition.To.WherePart(c.Table.Name, r.To.Name)
			if d := c.ctx.Transition.To.Declarations.IndexRenamed(c.Table.Name, r.To.Name); d != nil {
				where = d.Pos.String()
			}
			why := fmt.Sprintf("index %s of %s is renamed to %s (declared at %s): metadata only, the index is not rebuilt; after the previous release, whose queries may name %s (an index hint), which the server refuses once the name is gone",
				r.From.Name, c.Table.Name, r.To.Name, where, r.From.Name)
			// StageDropIndex: the old name goes where contract drops
			// indexes.
			return []Step{stmt(revision.Contract, StageDropIndex, why, c.ctx.metadataOnly().With(sql))}, nil
		}),
	})
}
