package splitter

import (
	"fmt"
	"slices"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
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
			// The triggers copy each write across while both releases run:
			// the previous release's into the new column, the new release's
			// back into the old one, which the previous release reads. A
			// type or charset not holding every value of the other fails
			// that write (error 1406 or 1264 under the strict mode the
			// trigger was created in, 1366 for a character): osTicket
			// 1.10's ticket_event.staff, varchar(255), renamed username,
			// varchar(128); varchar(10) renamed into varchar(50), the new
			// release's write of 26 characters.
			if old, ok := c.FromTable.Column(d.RenamedFrom); ok {
				if err := renameHolds(c, d.Pos, d.RenamedFrom, old, add.C); err != nil {
					return nil, err
				}
			}
			return syncSteps(c, fmt.Sprintf("%s.%s is %s renamed (declared at %s)", c.Table.Name, add.C.Name, d.RenamedFrom, d.Pos))
		}),
	})
}

// renameHolds refuses a rename of old into col whose type or charset does
// not hold every value of the other's.
func renameHolds(c *Change, pos diff.Pos, from string, old, col *schema.Column) error {
	// lacking: which of the two lacks a value the other may be written,
	// with the writes the trigger copies into it.
	lacking := func(fwd, back bool, a, b string) (string, string, string, bool) {
		if !fwd {
			return b, a, fmt.Sprintf("the previous release's writes into %s", col.Name), true
		}
		return a, b, fmt.Sprintf("the new release's writes back into %s, which the previous release reads,", from), !back
	}
	a, b := schemadef.TypeName(old.Type), schemadef.TypeName(col.Type)
	if narrow, wide, copies, bad := lacking(Widens(c.ctx.Target, old, col, schema.ChangeType), Widens(c.ctx.Target, col, old, schema.ChangeType), a, b); bad && !sameType(old.Type.Type, col.Type.Type) {
		return fmt.Errorf("%s: %s.%s is %s renamed, and its type changes from %s to %s, and %s does not hold every value of %s: from expand on, the trigger copying %s would refuse such a value, failing that release's insert or update. Rename it in this release keeping type = %s, and change the type in the next release (rule widen-column, or tighten-column: contract checks the rows first, behind a gate)",
			pos, c.Table.Name, col.Name, from, a, b, narrow, wide, copies, a)
	}
	if !schemadef.Textual(old.Type.Type) || !schemadef.Textual(col.Type.Type) {
		return nil
	}
	a, _ = schemadef.Effective(c.ctx.Target, c.FromTable, old)
	b, _ = schemadef.Effective(c.ctx.Target, c.Table, col)
	if narrow, wide, copies, bad := lacking(a == b || slices.Contains(lossless[a], b), a == b || slices.Contains(lossless[b], a), a, b); bad {
		return fmt.Errorf("%s: %s.%s is %s renamed, and its charset changes from %s to %s, and %s lacks characters of %s: from expand on, the trigger copying %s would refuse a value holding one (error 1366), failing that release's insert or update. Rename it keeping its charset (charset = %q on it), or declare %s with a replaces block (column = %q) whose forward and backward convert the values as you choose",
			pos, c.Table.Name, col.Name, from, a, b, narrow, wide, copies, a, col.Name, from)
	}
	return nil
}
