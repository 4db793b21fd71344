package lint

import "github.com/emcee-db/emcee/diff"

// While both releases run, each writes only its own column: the previous
// release the old one, the new release the new one. A replacement keeps
// them in sync only if it says how to compute each from the other.
var _ = register(&Analyzer{
	Code:  "EM104",
	Title: "replaces block without column, forward or backward: a replacement needs both directions while the releases overlap",
	Run: func(p *Pass) {
		reportProblems(p, "EM104", diff.IncompleteReplacement, func(*diff.Release) string {
			return "declare both directions in the replaces block: `forward = \"<new value from the old columns>\"` and `backward = \"<old value from the new columns>\"`, and the column it replaces (`column = \"<old column>\"`)"
		})
	},
})

// reportProblems reports the typed planning problems of one kind, at the
// position in the schema file they are about, with the fix for their
// release (nil when its file does not load).
func reportProblems(p *Pass, code string, kind diff.ProblemKind, fix func(*diff.Release) string) {
	for _, rel := range p.loadReleases() {
		for _, prob := range rel.problems {
			if prob.Kind == kind {
				p.atSchema(code, Error, prob.Pos, prob.Msg, fix(rel.r))
			}
		}
	}
}
