package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"
)

// A replacement changes a column's name and values at once (Glance's
// is_public boolean -> visibility enum). Neither release can be asked to
// write the other's column, so expand adds the new column and triggers that
// translate each write both ways (forward: new from old, backward: old from
// new); migrate backfills the rows written before; contract drops the
// triggers, then the old column, then tightens the new one.
func init() {
	register(&Rule{
		Name:     "replace-column",
		Priority: -50,
		Doc: RuleDoc{
			Change:   "replace a column (declared: replaces { column, forward, backward })",
			Phases:   "expand: add new column NULL, placeholder default on the old one if NOT NULL without default (instant), sync triggers; migrate: batched backfill; contract: drop triggers, drop old column, tighten new",
			Gate:     "no row with the new column NULL (NOT NULL columns), or none the backfill has not reached",
			Rollback: "drop the triggers, then the new column (INSTANT; the triggers kept the old one in step through backward); the old column's placeholder default goes (INSTANT), or, made NULL instead, it is NOT NULL again in place behind a gate counting the rows left NULL",
			Example: `column "visibility" {
  type    = enum("private", "public", "shared")
  default = "shared"
  replaces {
    column   = "is_public"
    forward  = "CASE WHEN is_public THEN 'public' ELSE 'shared' END"
    backward = "visibility = 'public'"
  }
}`,
		},
		Match: func(c *Change) bool { d := syncDecl(c); return d != nil && d.Replaces != nil },
		Split: splits(func(c *Change, add *schema.AddColumn) ([]Step, error) {
			rep := c.ctx.Decl(c.Table.Name, add.C.Name).Replaces
			claimOldDrop(c, rep.Column)
			return syncSteps(c, fmt.Sprintf("%s.%s replaces %s (declared at %s)", c.Table.Name, add.C.Name, rep.Column, rep.Pos))
		}),
	})
}

// claimOldDrop takes the DropColumn of the column being taken over: the
// taking-over rule drops it itself, after the triggers that read it.
func claimOldDrop(c *Change, old string) {
	c.ctx.Claim(matches(func(o *Change, d *schema.DropColumn) bool { return o.Table.Name == c.Table.Name && d.C.Name == old }))
}
