package lint

import (
	"fmt"
	"strings"
)

// Contract is where drops belong, so a drop there is expected; but the rows
// it destroys are gone for good. Atlas's destructive and condrop analyzers
// name them, and emcee passes that on as a note for the reviewer.
func init() {
	register(&Analyzer{
		Code:   "EM108",
		Title:  "note: a contract drop destroys data (Atlas's destructive and condrop analyzers); expected in contract, worth a reviewer's look",
		Replay: "all of it: Atlas's destructive and condrop analyzers read the replayed changes",
		Run: func(p *Pass) error {
			for _, rev := range p.Plans.Revisions {
				if beforeContract(rev) {
					continue
				}
				for i := range rev.Statements {
					for _, d := range p.replay.atlas(rev, i, atlasDestructive, atlasConDrop) {
						p.atStatement("EM108", Note, rev, i,
							fmt.Sprintf("data at risk: %s (Atlas %s)", strings.TrimSuffix(d.Text, "."), d.Code),
							"nothing to change if the data is no longer needed; otherwise keep a backup or move the data (a data_migration in this release) before contract runs")
					}
				}
			}
			return nil
		},
	})
}
