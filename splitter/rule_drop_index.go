package splitter

import (
	"fmt"
	"slices"

	"ariga.io/atlas/sql/schema"
)

func init() {
	register(dropRule("drop-index",
		RuleDoc{Change: "drop index", Phases: "contract (a FULLTEXT index: with FORCE, a rebuild in place, unless the table keeps another FULLTEXT index)", Rollback: "nothing to undo: contract only", Example: "remove the index block"},
		StageDropIndex,
		is[*schema.DropIndex],
		func(c *Change) (string, string, error) {
			d := c.Change.(*schema.DropIndex)
			if err := droppedClusterKey(c, d.I); err != nil {
				return "", "", err
			}
			sql, err := c.Alter(d)
			why := fmt.Sprintf("queries of the previous release may rely on index %s of %s for speed (or uniqueness), so it goes after that release", d.I.Name, c.Table.Name)
			sql, why = dropFulltext(d.I, c.Table, sql, why)
			if fks := givenBack(c, d.I); len(fks) > 0 {
				// fk_index.go: the server refuses to leave a key without
				// an index (error 1553).
				sql += addKeyIndexes(fks)
				why += fmt.Sprintf("; index %s, which the server gives the foreign keys the index served and the release keeps, is added in the same statement", indexNames(fks))
			}
			return why, Inplace.With(sql), err
		}))
}

// droppedClusterKey refuses to drop idx when it is the key InnoDB
// clusters its table by (clusters) and the release gives the table no
// other: a unique index on NOT NULL columns new in the release, or idx
// itself re-added as one, lands in the same contract ALTER (readdIndex,
// combine.go) and moves the key in place.
func droppedClusterKey(c *Change, idx *schema.Index) error {
	if !clusters(c.FromTable, idx) || slices.ContainsFunc(c.Table.Indexes, func(i *schema.Index) bool {
		_, had := c.FromTable.Index(i.Name)
		return uniqueNotNull(i) && (!had || i.Name == idx.Name)
	}) {
		return nil
	}
	return fmt.Errorf("%s: index %s of %s is the key InnoDB clusters the table by (the table has no primary key, and this is its first unique index on NOT NULL columns): dropping it drops that key, which the server does only by copying the table, blocking writes, so contract would fail. Keep the index, or give %s a primary key in an earlier release (rule add-primary-key) and change the index after that",
		c.ctx.Transition.To.WherePart(c.Table.Name, idx.Name), idx.Name, c.Table.Name, c.Table.Name)
}
