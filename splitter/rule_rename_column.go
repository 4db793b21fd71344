package splitter

import (
	"fmt"
	"slices"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/schemadef"
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
		Split: splits(func(c *Change, add *schema.AddColumn) ([]Step, error) {
			d := c.ctx.Decl(c.Table.Name, add.C.Name)
			claimOldDrop(c, d.RenamedFrom)
			// The copy trigger stores what the previous release writes in
			// the new column from expand on: a type that does not hold each
			// such value fails that release's insert (error 1406 under the
			// strict mode the trigger was created in), and migrate's copy
			// of the rows holding one (osTicket 1.10's ticket_event.staff,
			// varchar(255), renamed username, varchar(128)).
			if old, ok := c.FromTable.Column(d.RenamedFrom); ok && !sameType(old.Type.Type, add.C.Type.Type) && !Widens(c.ctx.Target, old, add.C, schema.ChangeType) {
				from, to := schemadef.TypeName(old.Type), schemadef.TypeName(add.C.Type)
				return nil, fmt.Errorf("%s: %s.%s is %s renamed, and its type changes from %s to %s, which does not hold every value of %s: from expand on, the trigger copying the previous release's writes into %s would refuse such a value, failing that release's insert or update, and migrate's copy would stop at the rows holding one. Rename it in this release keeping type = %s, and change the type in the next release (rule tighten-column: contract checks the rows first, behind a gate)",
					d.Pos, c.Table.Name, add.C.Name, d.RenamedFrom, from, to, from, add.C.Name, from)
			}
			// So does a charset that lacks a character of the old one's
			// (error 1366): utf8mb4 renamed into latin1 fails the previous
			// release's insert of a CJK name or an emoji.
			if old, ok := c.FromTable.Column(d.RenamedFrom); ok && schemadef.Textual(old.Type.Type) && schemadef.Textual(add.C.Type.Type) {
				from, _ := schemadef.Effective(c.ctx.Target, c.FromTable, old)
				to, _ := schemadef.Effective(c.ctx.Target, c.Table, add.C)
				if from != to && !slices.Contains(lossless[from], to) {
					return nil, fmt.Errorf("%s: %s.%s is %s renamed, and its charset changes from %s to %s, which lacks characters of %s: from expand on, the trigger copying the previous release's writes into %s would refuse a value holding one (error 1366), failing that release's insert or update, and migrate's copy would stop at the rows holding one. Rename it keeping its charset (charset = %q on it), or declare %s with a replaces block (column = %q) whose forward converts the values as you choose",
						d.Pos, c.Table.Name, add.C.Name, d.RenamedFrom, from, to, from, add.C.Name, from, add.C.Name, d.RenamedFrom)
				}
			}
			return syncSteps(c, fmt.Sprintf("%s.%s is %s renamed (declared at %s)", c.Table.Name, add.C.Name, d.RenamedFrom, d.Pos))
		}),
	})
}
