package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
)

// The previous release still reads the column, so it goes in contract. If
// it is NOT NULL without a default, the new release's INSERTs (which omit
// it) would fail between expand and contract, so expand gives it a
// placeholder default first (placeholder.go): the previous release reads
// that value for the rows the new release inserts.
func init() {
	register(&Rule{
		Name: "drop-column",
		Doc: RuleDoc{
			Change:   "drop column (in a release that also adds a column to the table, or gives another table a column of its name: declared, either the new column replaces it or discard)",
			Phases:   "expand: a placeholder default (metadata only) if it is NOT NULL without default; contract: drop",
			Rollback: "the placeholder default goes (INSTANT); a column expand made NULL instead is NOT NULL again in place, behind a gate counting the rows left NULL",
			Example:  `remove the column block; with a column added to the table, also discard { table = "images", column = "is_public" }`,
		},
		Match: is[*schema.DropColumn],
		Split: func(c *Change) ([]Step, error) {
			d := c.Change.(*schema.DropColumn)
			var steps []Step
			if needsPlaceholder(d.C) {
				value, _ := c.ctx.placeholderValue(d.C)
				kept, relaxed, err := c.keepOptional(d.C, value, fmt.Sprintf("%s.%s is dropped in contract, but until then the new release inserts rows without it", c.Table.Name, d.C.Name), diff.ColumnNames(c.Table)...)
				if err != nil {
					return nil, err
				}
				if !relaxed {
					kept[0].Why += fmt.Sprintf("; the previous release reads that placeholder in %s for the rows the new release inserts", d.C.Name)
				}
				steps = kept
			}
			drop, err := c.dropColumn(d, fmt.Sprintf("the previous release still reads %s.%s, so it goes only after that release is gone", c.Table.Name, d.C.Name))
			if err != nil {
				return nil, err
			}
			return append(steps, drop), nil
		},
	})
}
