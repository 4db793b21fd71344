package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/revision"
)

// A contract tightening (NOT NULL, a narrower type, a unique index, a
// foreign key, a check) fails, or with foreign_key_checks off silently
// keeps bad rows, when rows written while both releases ran break it. emcee
// puts a gate before each, a SELECT COUNT(*) of those rows that must return
// 0 before the revision runs. A data-dependent change without one is
// refused.
var _ = register(&Analyzer{
	Code:   "EM109",
	Title:  "data-dependent change in contract (Atlas's data_depend analyzer, plus foreign keys, checks and narrower types) without a gate counting the rows it would reject",
	Replay: "all of it: the tightenings are read from the replayed changes, with Atlas's data_depend analyzer",
	Run: func(p *Pass) {
		p.statements(true, func(rev *Revision, i int, d *effect.DDL) {
			var ungated []string
			for _, t := range tightenings(p.Project.Target, p.replay.file(rev), i) {
				if t.dataDependent && !gated(rev, i, t) {
					ungated = append(ungated, t.what)
				}
			}
			// Where Atlas sees a risk emcee has no words for, any gate
			// on the table will do.
			if atlas := p.replay.atlas(rev, i, atlasDataDependent); len(ungated) > 0 || len(atlas) > 0 && !gated(rev, i, tightening{table: d.Name}) {
				ungated = withAtlas(ungated, atlas)
			}
			if len(ungated) > 0 {
				p.atStatement("EM109", Error, rev, i,
					fmt.Sprintf("%s in %s has no gate: rows the previous release wrote can make it fail, or stay behind unchecked", strings.Join(ungated, ", "), rev.ID),
					"put the gate `emcee plan` writes before it (-- emcee:gate, then a SELECT COUNT(*) of the rows it would reject, at the top of the revision); "+replan(rev))
			}
		})
	},
})

// gated reports whether a gate of the revision guards what statement i
// tightens (revision.Guards, which review asks too): the applier runs it
// before anything in the revision.
func gated(rev *Revision, i int, t tightening) bool {
	return slices.ContainsFunc(rev.Statements, func(g revision.Statement) bool {
		return revision.Guards(g, rev.Statements[i], t.key, t.table, t.columns)
	})
}
