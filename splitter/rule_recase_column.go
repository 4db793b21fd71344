package splitter

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
)

// A column whose name changes only in letter case (LimeSurvey 1.92's
// DBVersion 155: surveys.showXquestions -> showxquestions) is renamed in
// place: the server compares column names without regard to case, so a
// query of either release naming the column finds it under either name,
// and no second column can stand beside it (diff gives the rename as
// RenameColumn: recase_columns.go). RENAME COLUMN changes the data
// dictionary only.
//
// It waits for contract: what changes is the name the server reports,
// in a result's column names (SELECT *) and in information_schema, which
// code of the previous release may read back by its own spelling; the new
// release reads the previous spelling until contract, as it reads every
// column contract has yet to drop. No gate: every row keeps its value.
func init() {
	register(&Rule{
		Name: "recase-column",
		Doc: RuleDoc{
			Change:   "change only the letter case of a column's name (its definition unchanged)",
			Phases:   "contract (RENAME COLUMN, metadata only: ALGORITHM=INSTANT on MariaDB, ALGORITHM=INPLACE, LOCK=NONE on MySQL)",
			Rollback: "nothing to undo: contract only",
			Example: `# was showXquestions
column "showxquestions" {
  type = varchar(1)
}`,
		},
		Match: matches(func(c *Change, r *schema.RenameColumn) bool { return strings.EqualFold(r.From.Name, r.To.Name) }),
		Split: splits(func(c *Change, r *schema.RenameColumn) ([]Step, error) {
			sql, err := c.Alter(r)
			if err != nil {
				return nil, err
			}
			why := fmt.Sprintf("column %s.%s is spelt %s: queries of either release name it in either case, which the server does not tell apart; metadata only, after the previous release, which may read the name back (SELECT *, information_schema) as it spells it",
				c.Table.Name, r.From.Name, r.To.Name)
			return []Step{stmt(revision.Contract, StageDropColumn, why, c.ctx.metadataOnly().With(sql))}, nil
		}),
	})
}
