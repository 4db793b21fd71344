package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"
)

func init() {
	register(dropRule("drop-check",
		RuleDoc{Change: "drop CHECK constraint", Phases: "contract", Rollback: "nothing to undo: contract only", Example: "# remove the check block"},
		StageDropCheck,
		is[*schema.DropCheck],
		func(c *Change) (string, string, error) {
			d := c.Change.(*schema.DropCheck)
			why := fmt.Sprintf("check %s on %s may protect the previous release's assumptions, so it goes after that release", d.C.Name, c.Table.Name)
			return why, c.ctx.dropCheck(c.Table.Name, d.C.Name), nil
		}))
}
