package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

// A primary key on a table that had none (Roundcube 1.3's cache tables, the
// keys projects add for Galera and group replication). The previous release
// never had a key to address rows by, so what its UPDATEs and DELETEs reach
// does not change; but the key rejects a second row with the same values,
// which that release may still write. So, as a unique index, it waits for
// contract behind the duplicate gate. InnoDB then rebuilds the table around
// the new clustered index: in place, writes continue (both servers).
// Moving an existing primary key is rule replace-primary-key.
func init() {
	register(&Rule{
		Name: "add-primary-key",
		// Before add-column, which would refuse a new AUTO_INCREMENT key
		// column as NOT NULL without a default.
		Priority: -50,
		Doc: RuleDoc{
			Change:   "add a primary key to an existing table that has none: on columns it already has (NOT NULL), or on one new AUTO_INCREMENT column",
			Phases:   "existing columns: contract (ALGORITHM=INPLACE, LOCK=NONE: the table is rebuilt in place, writes continue; on a table with a FULLTEXT index ALGORITHM=COPY, with allow_copy = true); a new AUTO_INCREMENT column: expand, with the key, in one ALTER (ALGORITHM=COPY: needs allow_copy = true on the column)",
			Rollback: "existing columns: nothing to undo (contract only); a new AUTO_INCREMENT column: refused (dropping a primary key copies the table on both servers)",
			Gate:     "existing columns: no row whose key another row holds too",
			Example: `# the table had none
primary_key {
  columns = [column.user_id, column.cache_key]
}`,
		},
		Match: func(c *Change) bool {
			return is[*schema.AddPrimaryKey](c) && c.FromTable != nil && c.FromTable.PrimaryKey == nil
		},
		Split: splits(func(c *Change, add *schema.AddPrimaryKey) ([]Step, error) {
			where := c.ctx.Transition.To.Where(c.Table.Name, "")
			if col := newAutoKey(c, add); col != nil {
				return addAutoKey(c, add, col)
			}
			for _, p := range add.P.Parts {
				if p.C == nil {
					return nil, fmt.Errorf("%s: primary key of %s: a part that is an expression cannot be a primary key; use columns", where, c.Table.Name)
				}
				old, ok := c.FromTable.Column(p.C.Name)
				switch {
				case !ok:
					return nil, fmt.Errorf("%s: primary key of %s: column %s is new in this release; emcee adds a primary key on columns the table already has, or on one new AUTO_INCREMENT column: add the column in one release and the key in the next", where, c.Table.Name, p.C.Name)
				case old.Type.Null:
					return nil, fmt.Errorf("%s: primary key of %s: column %s is NULL in the previous release; make it NOT NULL (contract, behind a gate) in one release and add the key in the next", where, c.Table.Name, p.C.Name)
				}
			}
			g, err := c.duplicateGate(add.P)
			if err != nil {
				return nil, fmt.Errorf("%s: primary key of %s: %w", where, c.Table.Name, err)
			}
			sql, err := c.Alter(add)
			if err != nil {
				return nil, err
			}
			return []Step{
				gate(fmt.Sprintf("primary key of %s: the previous release could write rows with the same key; contract waits until there are none", c.Table.Name), g),
				stmt(revision.Contract, StageAddGatedConstraint, fmt.Sprintf("primary key of %s (the table had none) would reject rows with the same key that the previous release may still write, so it is added only after that release is gone; the table is rebuilt in place around it (every row rewritten) while writes continue", c.Table.Name),
					Inplace.With(sql)),
			}, nil
		}),
	})
}

// newAutoKey is the column of a primary key that is one new AUTO_INCREMENT
// column (Roundcube 1.3's dictionary.id, "for compat. with Galera
// Cluster"), nil otherwise.
func newAutoKey(c *Change, add *schema.AddPrimaryKey) *schema.Column {
	if len(add.P.Parts) != 1 || add.P.Parts[0].C == nil {
		return nil
	}
	col := add.P.Parts[0].C
	if _, existed := c.FromTable.Column(col.Name); existed || !diff.AutoIncrement(col) {
		return nil
	}
	return col
}

// ServerFills reports a column whose value the server gives every row,
// existing and inserted: a generated or an AUTO_INCREMENT column. Added NOT
// NULL without a default, it rejects no write of the previous release.
func ServerFills(c *schema.Column) bool {
	_, generated := schemadef.Attr[*schema.GeneratedExpr](c.Attrs)
	return generated || diff.AutoIncrement(c)
}

// addAutoKey adds the new AUTO_INCREMENT column and the key on it in one
// ALTER, in expand: the server numbers the existing rows, and the previous
// release's inserts, which never name the column, get the next number, so
// that release keeps working. Numbering the rows blocks writes on both
// servers (MariaDB refuses LOCK=NONE: "Adding an auto-increment column
// requires a lock"), hence the opt-in. Dropping the key again copies the
// table, so the rollback is refused.
func addAutoKey(c *Change, add *schema.AddPrimaryKey, col *schema.Column) ([]Step, error) {
	addCol := c.ctx.Claim(matches(func(o *Change, a *schema.AddColumn) bool { return o.Table.Name == c.Table.Name && a.C.Name == col.Name }))
	if addCol == nil {
		return nil, fmt.Errorf("%s: primary key of %s: column %s is not added by this release", c.ctx.Transition.To.Where(c.Table.Name, ""), c.Table.Name, col.Name)
	}
	// The column is new: no column can replace it, and one numbered
	// otherwise would be numbered by the same copy (MediaWiki 1.28's
	// change_tag.ct_id was told to add a column that replaces it), and
	// pt-online-schema-change is refused a primary key added (its INSERT
	// IGNORE copy could lose a row).
	note, err := c.requireOptIn(CostCopy, fmt.Sprintf("adding the AUTO_INCREMENT primary key column %s", col.Name), "or keep the table without it: the server numbers the rows only by copying the table, and emcee hands no statement adding a primary key to pt-online-schema-change (docs/operators.md)", col.Name)
	if err != nil {
		return nil, err
	}
	sql, err := c.Alter(addCol.Change, add)
	if err != nil {
		return nil, err
	}
	return []Step{
		stmt(revision.Expand, StageAddColumn, fmt.Sprintf("%s.%s is a new AUTO_INCREMENT primary key (the table had none): the server numbers the existing rows and the inserts of the previous release, which never name it; %s", c.Table.Name, col.Name, note),
			Copy.With(sql)),
		refuseRollback(fmt.Sprintf("%s.%s is the new primary key of %s, and dropping a primary key copies the table on both servers", c.Table.Name, col.Name, c.Table.Name)),
	}, nil
}
