package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"
)

// A NOT NULL column without a default cannot simply be added: the previous
// release's INSERTs omit it and would fail. With a declared fill
// expression, expand adds it NULL and a trigger fills it for the previous
// release's writes; migrate fills the existing rows; contract makes it NOT
// NULL once the gate finds no NULL left.
func init() {
	register(&Rule{
		Name:     "add-column-fill",
		Priority: -50,
		Doc: RuleDoc{
			Change:   "add column NOT NULL without default (declared: fill)",
			Phases:   "expand: add NULL + fill trigger; migrate: batched backfill; contract: drop trigger, set NOT NULL",
			Gate:     "no row with the column NULL, but for those a data_migration's delete removes first",
			Rollback: "drop the triggers, then the column (INSTANT); the values the new release wrote in it are lost",
			Example: `column "slug" {
  type = varchar(64)
  fill = "LOWER(REPLACE(name, ' ', '-'))"
}`,
		},
		Match: func(c *Change) bool { d := syncDecl(c); return d != nil && d.Source() == "" && d.Fill != "" },
		Split: splits(func(c *Change, add *schema.AddColumn) ([]Step, error) {
			// A fill on a nullable column or one with a default is refused
			// when the release is validated (diff's checkFill).
			d := c.ctx.Decl(c.Table.Name, add.C.Name)
			return syncSteps(c, fmt.Sprintf("%s.%s is NOT NULL without default, filled by %s (declared at %s)", c.Table.Name, add.C.Name, d.Fill, d.FillPos))
		}),
	})
}
