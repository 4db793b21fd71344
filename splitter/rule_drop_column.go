package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/revision"
)

// The previous release still reads the column, so it goes in contract. If
// it is NOT NULL without a default, the new release's INSERTs (which omit
// it) would fail between expand and contract, so expand gives it a
// placeholder default first (placeholder.go): the previous release reads
// that value for the rows the new release inserts; under a unique index,
// which would refuse the placeholder in a second row, or a foreign key,
// which would refuse it in every row, it is made NULL
// instead (a rebuild: allow_copy), and a default of its own, which the
// index would refuse alike, goes.
func init() {
	register(&Rule{
		Name: "drop-column",
		Doc: RuleDoc{
			Change:   "drop column (in a release that also adds a column to the table, or gives another table a column of its name: declared, either the new column replaces it or discard)",
			Phases:   "expand: a placeholder default (metadata only) if it is NOT NULL without default (NULL instead, a rebuild that needs allow_copy, when a unique index or a foreign key holds it); a constant default of its own under a unique index goes, the column NULL (a rebuild that needs allow_copy if it was NOT NULL); contract: drop",
			Rollback: "the placeholder default goes (INSTANT); a column expand made NULL instead is NOT NULL again in place, behind a gate counting the rows left NULL; a default expand dropped comes back",
			Example: `# remove the column block; in a release that adds a column to the table, also:
discard {
  table  = "images"
  column = "is_public"
}`,
		},
		Match: is[*schema.DropColumn],
		Split: splits(func(c *Change, d *schema.DropColumn) ([]Step, error) {
			var steps []Step
			switch idx := uniqueOn(c.FromTable, d.C.Name); {
			case idx != nil && constantDefault(d.C):
				// The column's own default, under a unique index kept
				// until contract, is what the placeholder was: the new
				// release's second INSERT, which omits the column, is a
				// duplicate of its first. It goes, and the column takes
				// NULL, never a duplicate.
				why := fmt.Sprintf("%s.%s is dropped in contract, but until then the new release inserts rows without it, which its default fills alike: its unique index %s, kept until contract, refuses the second such row as a duplicate, where NULL is never one", c.Table.Name, d.C.Name, idx.Name)
				if d.C.Type.Null {
					sql, err := c.Alter(&schema.ModifyColumn{From: d.C, To: withoutDefault(d.C), Change: schema.ChangeDefault})
					if err != nil {
						return nil, err
					}
					back, err := c.restoreColumn(d.C, withoutDefault(d.C), schema.ChangeDefault, "dropping its default while the new release omits it")
					if err != nil {
						return nil, err
					}
					steps = append([]Step{stmt(revision.Expand, StageModifyColumn, why+"; its default goes (metadata only)", Instant.With(sql))}, back...)
					break
				}
				kept, err := c.keepOptional(d.C, "", why, fmt.Sprintf("its unique index %s, kept until contract, would take its default once and refuse the new release's next INSERT as a duplicate, where NULL is never one", idx.Name), fmt.Sprintf("or drop index %s in a release before this one", idx.Name), diff.ColumnNames(c.Table)...)
				if err != nil {
					return nil, err
				}
				steps = kept
			case needsPlaceholder(d.C):
				value := c.ctx.placeholderValue(d.C)
				whyNull, instead := "", ""
				// A unique index on the column, kept until contract drops
				// the column, would take the placeholder once: the new
				// release's second INSERT was a duplicate key (Matomo
				// 4.0's user.token_auth under uniq_keytoken). NULL is
				// never a duplicate. The way around the rebuild is the
				// index gone first, not a column that replaces this one,
				// which is being dropped.
				// A foreign key on it, kept until contract, refuses the
				// placeholder, which no parent row holds (Sylius beta.2's
				// channel_pricing.channel_id): NULL it never checks.
				fk := foreignKeyOn(c.FromTable, d.C.Name)
				switch {
				case idx != nil && value != "":
					value, whyNull = "", fmt.Sprintf("its unique index %s, kept until contract, would take a placeholder default once and refuse the new release's next INSERT as a duplicate, where NULL is never one", idx.Name)
					instead = fmt.Sprintf("or drop index %s in a release before this one (the column then gets a placeholder default, metadata only)", idx.Name)
				case fk != nil && value != "":
					value, whyNull = "", fmt.Sprintf("its foreign key %s, kept until contract, would refuse a placeholder default, which no row of %s holds, and with it every INSERT of the new release, where NULL is never checked", fk.Symbol, fk.RefTable.Name)
					instead = fmt.Sprintf("or drop foreign key %s in a release before this one (the column then gets a placeholder default, metadata only)", fk.Symbol)
				}
				kept, err := c.keepOptional(d.C, value, fmt.Sprintf("%s.%s is dropped in contract, but until then the new release inserts rows without it", c.Table.Name, d.C.Name), whyNull, instead, diff.ColumnNames(c.Table)...)
				if err != nil {
					return nil, err
				}
				if value != "" {
					kept[0].Why += fmt.Sprintf("; the previous release reads that placeholder in %s for the rows the new release inserts", d.C.Name)
				}
				steps = kept
			}
			drop, err := c.dropColumn(d, fmt.Sprintf("the previous release still reads %s.%s, so it goes only after that release is gone", c.Table.Name, d.C.Name))
			if err != nil {
				return nil, err
			}
			return append(steps, drop), nil
		}),
	})
}

// constantDefault reports a column whose default is a constant (not NULL,
// not an expression such as CURRENT_TIMESTAMP): every row inserted without
// the column gets the same value.
func constantDefault(c *schema.Column) bool {
	lit, ok := c.Default.(*schema.Literal)
	return ok && !strings.EqualFold(lit.V, "NULL")
}

// withoutDefault is c without its default (NULL, for a nullable column).
func withoutDefault(c *schema.Column) *schema.Column {
	n := *c
	n.Default = nil
	return &n
}

// foreignKeyOn is a foreign key of t whose columns hold column, nil when
// none does (or t is nil).
func foreignKeyOn(t *schema.Table, column string) *schema.ForeignKey {
	if t == nil {
		return nil
	}
	for _, fk := range t.ForeignKeys {
		if slices.ContainsFunc(fk.Columns, func(c *schema.Column) bool { return strings.EqualFold(c.Name, column) }) {
			return fk
		}
	}
	return nil
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
