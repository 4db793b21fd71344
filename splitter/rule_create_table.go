package splitter

import (
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
)

// A new table is invisible to the previous release's code, so creating it
// (with its indexes and foreign keys) is additive.
func init() {
	register(&Rule{
		Name:     "create-table",
		Priority: 100,
		Doc: RuleDoc{
			Change:  "create table, with its indexes and foreign keys",
			Phases:  "expand",
			Example: `table "image_tags" { ... }`,
		},
		Match: func(c *Change) bool { _, ok := c.Change.(*schema.AddTable); return ok },
		Split: func(c *Change) ([]Step, error) {
			sql, err := c.ctx.SQL(c.Change)
			if err != nil {
				return nil, err
			}
			return []Step{{Phase: revision.Expand, Stage: StageCreateTable, Statement: revision.Statement{
				Why: "table " + c.Table.Name + " is new: no code of the previous release reads or writes it",
				SQL: sql,
			}}}, nil
		},
	})
}
