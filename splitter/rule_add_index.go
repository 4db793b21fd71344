package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A non-unique index changes no query result, so both releases keep
// working; it is built online while writes continue.
func init() {
	register(&Rule{
		Name: "add-index",
		Doc: RuleDoc{
			Change:   "add non-unique index",
			Phases:   "expand (ALGORITHM=INPLACE, LOCK=NONE; a FULLTEXT index ALGORITHM=COPY, which needs allow_copy = true on one of its columns)",
			Rollback: "drop the index (ALGORITHM=INPLACE, LOCK=NONE)",
			Example: `index "ix_owner" {
  columns = [column.owner]
}`,
		},
		Match: matches(func(c *Change, add *schema.AddIndex) bool { return !add.I.Unique }),
		Split: splits(func(c *Change, add *schema.AddIndex) ([]Step, error) {
			alg, how := Inplace, "built online, writes continue"
			if isFulltext(add.I) {
				// fulltext.go: neither server builds one with LOCK=NONE.
				note, err := c.requireOptIn(CostCopy, fmt.Sprintf("building FULLTEXT index %s (neither server builds one while writes continue)", add.I.Name), "", diff.PartColumns(add.I)...)
				if err != nil {
					return nil, err
				}
				alg, how = Copy, note
			}
			why := fmt.Sprintf("index %s on %s is not unique, so it rejects no write of either release; %s", add.I.Name, c.Table.Name, how)
			return c.addedIndex(add, "index", alg, why)
		}),
	})
}

// addedIndex is the expand statement adding an index (add, and why) and
// the rollback's dropping it again; what the server does to the foreign
// keys' indexes (fk_index.go) and to a FULLTEXT index's table is said in
// both, not left to the server.
func (c *Change) addedIndex(add *schema.AddIndex, what string, alg Algorithm, why string) ([]Step, error) {
	idx := add.I
	sql, err := c.Alter(add)
	if err != nil {
		return nil, err
	}
	rollbackWhy := fmt.Sprintf("%s %s on %s is new in this release; dropping it loses no data, writes continue", what, idx.Name, c.Table.Name)
	drop := fmt.Sprintf("ALTER TABLE %s DROP INDEX %s", sqlsyntax.Ident(c.Table.Name), sqlsyntax.Ident(idx.Name))
	drop, rollbackWhy = dropFulltext(idx, c.FromTable, drop, rollbackWhy)
	fks := takenOver(c, idx)
	sql, why = tookOver(fks, sql, why)
	drop, rollbackWhy = withKeyIndexes(fks, drop, rollbackWhy, "; index %s, which the server made for foreign keys, comes back, in the same statement (the server refuses to leave a key without one)")
	return []Step{
		stmt(revision.Expand, StageAddIndex, why, alg.With(sql)),
		undo(StageRollbackDropIndex, rollbackWhy, Inplace.With(drop)),
	}, nil
}
