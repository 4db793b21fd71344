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
// that value for the rows the new release inserts; under a unique index,
// which would refuse the placeholder in a second row, it is made NULL
// instead (a rebuild: allow_copy).
func init() {
	register(&Rule{
		Name: "drop-column",
		Doc: RuleDoc{
			Change:   "drop column (in a release that also adds a column to the table, or gives another table a column of its name: declared, either the new column replaces it or discard)",
			Phases:   "expand: a placeholder default (metadata only) if it is NOT NULL without default (NULL instead, a rebuild that needs allow_copy, when a unique index holds it); contract: drop",
			Rollback: "the placeholder default goes (INSTANT); a column expand made NULL instead is NOT NULL again in place, behind a gate counting the rows left NULL",
			Example:  `remove the column block; with a column added to the table, also discard { table = "images", column = "is_public" }`,
		},
		Match: is[*schema.DropColumn],
		Split: func(c *Change) ([]Step, error) {
			d := c.Change.(*schema.DropColumn)
			var steps []Step
			if needsPlaceholder(d.C) {
				value, _ := c.ctx.placeholderValue(d.C)
				whyNull, instead := "", ""
				// A unique index on the column, kept until contract drops
				// the column, would take the placeholder once: the new
				// release's second INSERT was a duplicate key (Matomo
				// 4.0's user.token_auth under uniq_keytoken). NULL is
				// never a duplicate. The way around the rebuild is the
				// index gone first, not a column that replaces this one,
				// which is being dropped.
				if idx := uniqueOn(c.FromTable, d.C.Name); idx != nil && value != "" {
					value, whyNull = "", fmt.Sprintf("its unique index %s, kept until contract, would take a placeholder default once and refuse the new release's next INSERT as a duplicate, where NULL is never one", idx.Name)
					instead = fmt.Sprintf("or drop index %s in a release before this one (the column then gets a placeholder default, metadata only)", idx.Name)
				}
				kept, relaxed, err := c.keepOptional(d.C, value, fmt.Sprintf("%s.%s is dropped in contract, but until then the new release inserts rows without it", c.Table.Name, d.C.Name), whyNull, instead, diff.ColumnNames(c.Table)...)
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

// uniqueOn is a unique index or key of t (the primary key too) that holds
// column, nil when none does (or t is nil).
func uniqueOn(t *schema.Table, column string) *schema.Index {
	if t == nil {
		return nil
	}
	for _, idx := range indexesOn(t, column) {
		if idx.Unique || idx == t.PrimaryKey {
			return idx
		}
	}
	return nil
}
