package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"
)

func init() {
	register(dropRule("drop-table",
		RuleDoc{Change: "drop table", Phases: "contract", Example: "remove the table block"},
		StageDropTable,
		func(c *Change) bool { _, ok := c.Change.(*schema.DropTable); return ok },
		func(c *Change) (string, string, error) {
			sql, err := c.ctx.SQL(c.Change)
			why := fmt.Sprintf("the previous release still uses table %s; it goes after that release, and after foreign keys that point to it", c.Table.Name)
			return why, sql, err
		}))
}
