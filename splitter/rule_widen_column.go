package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/schemadef"
)

// Widening keeps every stored value and every write of the previous
// release valid, so it belongs in expand. Widenings the server can only do
// by copying the table need `allow_copy = true` on the column: a copy
// blocks writes for as long as it runs.
func init() {
	register(&Rule{
		Name: "widen-column",
		Doc: RuleDoc{
			Change:   "widen a column: longer varchar, CHAR -> VARCHAR as long, CHAR/VARCHAR -> a TEXT that holds it, bigger int or TEXT/BLOB, BOOL <-> TINYINT, more fractional digits of DATETIME/TIMESTAMP/TIME, FLOAT -> DOUBLE, enum values appended, NOT NULL -> NULL, default or comment change (not removing a NOT NULL column's default)",
			Phases:   "expand (INSTANT or in place; a change that rebuilds or copies the table, such as NOT NULL -> NULL, requires allow_copy = true; a rebuild of a table with a FULLTEXT index is ALGORITHM=COPY)",
			Rollback: "default and comment, and BOOL <-> TINYINT (the display width alone): set back (INSTANT); NULL: NOT NULL again in place, behind a gate counting the rows left NULL; a type widening is narrowed back by a table copy (ALGORITHM=COPY on both servers) behind a gate counting the rows the old type cannot hold (too long: characters, bytes for a TEXT; out of range, an appended enum value), run only with --osc pt-osc or --allow-copy; a widening those gates cannot check (fractional seconds, FLOAT -> DOUBLE, a BLOB) refuses the rollback",
			Example: `# was varchar(100)
column "name" {
  type = varchar(255)
}`,
		},
		Match: matches(func(c *Change, m *schema.ModifyColumn) bool {
			_, ok := widening(m.From, m.To, m.Change)
			return ok
		}),
		Split: splits(func(c *Change, m *schema.ModifyColumn) ([]Step, error) {
			if err := c.typeUnderForeignKey(m.From, m.To, false); err != nil {
				return nil, err
			}
			why := fmt.Sprintf("%s.%s widens (%s): every value and write of the previous release stays valid", c.Table.Name, m.To.Name, describeColumnChange(m.Change))
			return c.widenSteps(m, why, "the widening", func(cost string) (string, error) {
				if d := c.ctx.Decl(c.Table.Name, m.To.Name); cost == CostCopy && (d == nil || !d.AllowCopy) {
					to := c.ctx.Transition.To
					return "", fmt.Errorf("%s: %s.%s: this change (%s) makes the server copy the whole table, blocking writes while it runs. Add `allow_copy = true` to the column to accept that, or add a new column that `replaces` it to change it online%s", to.Where(c.Table.Name, m.To.Name), c.Table.Name, m.To.Name, describeColumnChange(m.Change)+typeChange(m), to.InDeclFile(c.Table.Name, m.To.Name, hclquote.Attr{Name: "allow_copy", Value: true}))
				}
				return c.requireOptIn(cost, fmt.Sprintf("this change (%s)", describeColumnChange(m.Change)), "", m.To.Name)
			})
		}),
	})
}

// typeChange words a type change as the user wrote it, for the refusals that
// name one column among many (": smallint unsigned -> mediumint unsigned").
func typeChange(m *schema.ModifyColumn) string {
	switch {
	case m.Change.Is(schema.ChangeType) && m.Change.Is(schema.ChangeNull):
		return ": " + schemadef.TypeName(m.From.Type) + " " + schemadef.Nullability(m.From) + " -> " + schemadef.TypeName(m.To.Type) + " " + schemadef.Nullability(m.To)
	case m.Change.Is(schema.ChangeType):
		return ": " + schemadef.TypeName(m.From.Type) + " -> " + schemadef.TypeName(m.To.Type)
	case m.Change.Is(schema.ChangeNull):
		return ": " + schemadef.Nullability(m.From) + " -> " + schemadef.Nullability(m.To)
	}
	return ""
}
