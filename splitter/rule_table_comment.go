package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

// A table comment is metadata no query reads, so changing it is safe while
// both releases run. MariaDB 10.11 changes it with ALGORITHM=INSTANT
// (measured); MySQL 8 treats table options in place without a rebuild.
func init() {
	register(&Rule{
		Name: "table-comment",
		Doc: RuleDoc{
			Change:   "add, change or remove a table comment",
			Phases:   "expand (INSTANT on MariaDB, INPLACE on MySQL)",
			Rollback: "set the previous comment back (INSTANT on MariaDB, INPLACE on MySQL)",
			Example:  `comment = "uploaded images"`,
		},
		Match: func(c *Change) bool { return tableComment(c.Change) != nil },
		Split: func(c *Change) ([]Step, error) {
			sql, err := c.Alter(c.Change)
			if err != nil {
				return nil, err
			}
			alg := c.ctx.metadataOnly()
			was := &schema.Comment{}
			if c.FromTable != nil {
				if cm, ok := schemadef.Attr[*schema.Comment](c.FromTable.Attrs); ok {
					was = cm
				}
			}
			back, err := c.Alter(&schema.ModifyAttr{From: tableComment(c.Change), To: was})
			if err != nil {
				return nil, err
			}
			return []Step{
				stmt(revision.Expand, StageModifyColumn, fmt.Sprintf("the comment of table %s is metadata no query reads; no rebuild", c.Table.Name), alg.With(sql)),
				undo(StageRollbackRestoreColumn, fmt.Sprintf("table %s gets back the comment of the previous release; metadata only", c.Table.Name), alg.With(back)),
			}, nil
		},
	})
}

// tableComment returns the comment a table-attribute change sets, or nil
// when the change is not about the comment.
func tableComment(ch schema.Change) *schema.Comment {
	c, _ := diff.ChangedAttr(ch).(*schema.Comment)
	return c
}
