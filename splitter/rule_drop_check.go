package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
)

func init() {
	register(&Rule{
		Name:  "drop-check",
		Doc:   RuleDoc{Change: "drop CHECK constraint", Phases: "contract", Rollback: "nothing to undo: contract only", Example: "# remove the check block"},
		Match: is[*schema.DropCheck],
		Split: splits(func(c *Change, d *schema.DropCheck) ([]Step, error) {
			why := fmt.Sprintf("check %s on %s may protect the previous release's assumptions, so it goes after that release", d.C.Name, c.Table.Name)
			return []Step{stmt(revision.Contract, StageDropCheck, why, c.ctx.dropCheck(c.Table.Name, d.C.Name))}, nil
		}),
	})
}
