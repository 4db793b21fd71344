package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"
)

// A rename is a replacement whose conversions are the identity. RENAME
// COLUMN itself would break the previous release at once, so the new name
// is added beside the old one and triggers copy each write across until
// contract drops the old name.
func init() {
	register(&Rule{
		Name:     "rename-column",
		Priority: -50,
		Doc: RuleDoc{
			Change:   "rename a column (declared: renamed_from)",
			Phases:   "expand: add new column NULL, placeholder default on the old one if NOT NULL without default (instant), copy triggers; migrate: batched copy; contract: drop triggers, drop old column, tighten new",
			Gate:     "no row with the new column NULL (NOT NULL columns), or none the copy has not reached",
			Rollback: "drop the triggers, then the new column (INSTANT; the triggers kept the old one in step); the old column's placeholder default goes (INSTANT), or, made NULL instead, it is NOT NULL again in place behind a gate counting the rows left NULL",
			Example: `column "display_name" {
  type         = varchar(100)
  renamed_from = "name"
}`,
		},
		Match: func(c *Change) bool { d := syncDecl(c); return d != nil && d.RenamedFrom != "" },
		Split: func(c *Change) ([]Step, error) {
			add := c.Change.(*schema.AddColumn)
			d := c.ctx.Decl(c.Table.Name, add.C.Name)
			claimOldDrop(c, d.RenamedFrom)
			return syncSteps(c, fmt.Sprintf("%s.%s is %s renamed (declared at %s)", c.Table.Name, add.C.Name, d.RenamedFrom, d.Pos))
		},
	})
}
