package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"
)

func init() {
	register(dropRule("drop-column",
		RuleDoc{Change: "drop column", Phases: "contract", Example: "remove the column block"},
		StageDropColumn,
		func(c *Change) bool { _, ok := c.Change.(*schema.DropColumn); return ok },
		func(c *Change) (string, string, error) {
			d := c.Change.(*schema.DropColumn)
			sql, err := c.Alter(d)
			why := fmt.Sprintf("the previous release still reads %s.%s, so it goes only after that release is gone", c.Table.Name, d.C.Name)
			return why, c.ctx.dropAlgorithm().With(sql), err
		}))
}
