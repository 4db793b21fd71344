package splitter

import (
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
)

// InnoDB adds or drops no column of a table with a FULLTEXT index instantly
// or online: MariaDB 10.11 refuses INSTANT and NOCOPY ("not supported for
// this operation") and LOCK=NONE ("Fulltext index creation requires a
// lock"), and so does MySQL 8.0; it rebuilds the table with writes
// blocked, and so it builds a FULLTEXT index. Friendica 2024.03 adds
// post-content.sensitive while the table still has its FULLTEXT index (it
// goes in contract), and the INSTANT add failed in the dev database.

// hasFulltext reports whether t has a FULLTEXT index.
func hasFulltext(t *schema.Table) bool {
	if t == nil {
		return false
	}
	for _, idx := range t.Indexes {
		if isFulltext(idx) {
			return true
		}
	}
	return false
}

func isFulltext(idx *schema.Index) bool {
	for _, a := range idx.Attrs {
		if it, ok := a.(*mysql.IndexType); ok && strings.EqualFold(it.T, mysql.IndexTypeFullText) {
			return true
		}
	}
	return false
}

// addColumnAlgorithm is how a column is added to the table in expand: the
// instant add, or, on a table with a FULLTEXT index, a copy the column
// opts in to (the note says so in the statement's why).
func (c *Change) addColumnAlgorithm(col string) (Algorithm, string, error) {
	if !hasFulltext(c.FromTable) {
		return Instant, "", nil
	}
	note, err := c.requireOptIn(CostCopy, "adding a column to a table with a FULLTEXT index (neither server adds one instantly or online there)", col)
	if err != nil {
		return "", "", err
	}
	return Copy, note, nil
}

// dropAddedColumn is the rollback's algorithm for a column expand added
// with alg: a column added by a copy is dropped by one.
func (c *Change) dropAddedColumn(alg Algorithm) Algorithm {
	if alg == Copy {
		return Copy
	}
	return c.ctx.dropAlgorithm()
}
