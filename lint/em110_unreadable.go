package lint

import (
	"errors"
	"fmt"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// Every other finding about a statement, and the review, read the
// statement through emcee's one SQL reader; the applier refuses to run a
// revision with a statement it cannot read. A statement it cannot read
// (a hand edit in a form the parser does not have, or a mistake) would
// otherwise pass every check unseen.
var _ = register(&Analyzer{
	Code:  "EM110",
	Title: "statement emcee cannot read: every other check, the review and the applier's safety checks would not see what it does",
	Run: func(p *Pass) {
		for _, rev := range p.Plans.Revisions {
			for i, d := range rev.parsed {
				if d.Err == nil {
					continue
				}
				f := Finding{Code: "EM110", Severity: Error, File: rev.File, Line: rev.Line(i),
					Message: fmt.Sprintf("emcee cannot read this statement of %s: %v; the applier refuses to run the revision", rev.ID, d.Err),
					Fix:     "write it in a form emcee reads (docs/lint.md, EM110, lists what the parser does not have); " + replan(rev)}
				if e := (*sqlsyntax.Error)(nil); errors.As(d.Err, &e) {
					f.Line, f.Column = f.Line+e.Line-1, e.Col
				}
				p.report(f)
			}
		}
	},
})
