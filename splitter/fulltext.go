package splitter

import (
	"fmt"
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

// dropColumnAlgorithm is how contract drops a column: the instant drop,
// or, when the table keeps a FULLTEXT index after the release, a copy,
// opted in to by allow_copy on a column of that index: the dropped column
// has no block left to say it, and the index is what makes it a copy. (A
// FULLTEXT index the same contract drops is dropped with FORCE, and the
// table's ALTERs become that one rebuild in place, writes continuing.)
func (c *Change) dropColumnAlgorithm(col string) (Algorithm, string, error) {
	var cols []string
	for _, idx := range c.Table.Indexes {
		if !isFulltext(idx) {
			continue
		}
		for _, p := range idx.Parts {
			if p.C != nil {
				cols = append(cols, p.C.Name)
			}
		}
	}
	if cols == nil {
		return c.ctx.dropAlgorithm(), "", nil
	}
	note, err := c.requireOptIn(CostCopy, fmt.Sprintf("dropping column %s from a table that keeps a FULLTEXT index (neither server drops one instantly or online there; allow_copy goes on a column of the index)", col), cols...)
	if err != nil {
		return "", "", err
	}
	return Copy, note, nil
}

// fulltextDropNote is why a FULLTEXT index is dropped with FORCE: InnoDB
// keeps the hidden FTS_DOC_ID column the index added until the table is
// rebuilt, and while it is there no column is added or dropped instantly
// (MariaDB 10.11 refused the INSTANT DROP COLUMN after a plain DROP INDEX).
const fulltextDropNote = "FORCE rebuilds the table in place (writes continue) to remove the hidden FTS_DOC_ID column the FULLTEXT index added, which keeps columns from being added or dropped instantly later"

// withForce adds FORCE to an ALTER TABLE emcee wrote.
func withForce(alter string) string {
	return strings.TrimSuffix(alter, ";") + ", FORCE"
}
