package lint

import (
	"fmt"

	"github.com/emcee-db/emcee/diff"
)

// The previous release's INSERTs do not name a column it does not know; a
// new NOT NULL column without a default makes every one of them fail,
// unless a fill expression computes it for them.
var _ = register(&Analyzer{
	Code:  "EM105",
	Title: "new NOT NULL column with neither a default nor a fill: the previous release's INSERTs would fail",
	Run: func(p *Pass) {
		reportProblems(p, "EM105", diff.NotNullWithoutDefault, func(r *diff.Release) string {
			if r != nil && r.DeclFile() != "" {
				// Declared as SQL: the default is the SQL's, fill the
				// declarations file's.
				return fmt.Sprintf("give the column a `DEFAULT ...` in %s, or let it be NULL there, or give it a `fill` expression in %s (rule add-column-fill)", r.File, r.DeclFile())
			}
			return "give the column a `default`, a `fill` expression (rule add-column-fill), or `null = true`"
		})
	},
})
