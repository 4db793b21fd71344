package splitter

import (
	"cmp"
	"fmt"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

// A nullable or defaulted column can be added while the previous release
// runs: its INSERTs omit the column and get NULL or the default.
func init() {
	register(&Rule{
		Name: "add-column",
		Doc: RuleDoc{
			Change:   "add column, nullable or with a default",
			Phases:   "expand (ALGORITHM=INSTANT; on a table with a FULLTEXT index, a STORED generated column, or on MariaDB a table with an index on a virtual column, ALGORITHM=COPY, which needs allow_copy = true on the column)",
			Rollback: "drop the column (INSTANT on MariaDB and MySQL 8.0.29+, else in place); the values the new release wrote in it are lost",
			Example: `column "owner" {
  type = varchar(255)
  null = true
}`,
		},
		Match: matches(func(c *Change, add *schema.AddColumn) bool {
			if c.ctx.Decl(c.Table.Name, add.C.Name).Source() != "" {
				return false
			}
			// A generated column the server fills itself.
			_, generated := schemadef.Attr[*schema.GeneratedExpr](add.C.Attrs)
			return add.C.Type.Null || add.C.Default != nil || generated
		}),
		Split: splits(func(c *Change, add *schema.AddColumn) ([]Step, error) {
			sql, err := c.Alter(add)
			if err != nil {
				return nil, err
			}
			why := fmt.Sprintf("%s.%s is new and nullable, so INSERTs of the previous release that omit it still work", c.Table.Name, add.C.Name)
			if !add.C.Type.Null {
				why = fmt.Sprintf("%s.%s is new and has a default, so INSERTs of the previous release that omit it still work", c.Table.Name, add.C.Name)
			}
			alg, note, err := c.addColumnAlgorithm(add.C.Name)
			if err != nil {
				return nil, err
			}
			return []Step{stmt(revision.Expand, StageAddColumn, why+"; "+cmp.Or(note, "instant, no table rebuild"), alg.With(sql)),
				c.dropAdded(add.C.Name, alg, "the values the new release wrote in it are lost")}, nil
		}),
	})
}
