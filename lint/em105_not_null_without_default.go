package lint

import "github.com/emcee-db/emcee/diff"

// The previous release's INSERTs do not name a column it does not know; a
// new NOT NULL column without a default makes every one of them fail,
// unless a fill expression computes it for them.
var _ = register(&Analyzer{
	Code:  "EM105",
	Title: "new NOT NULL column with neither a default nor a fill: the previous release's INSERTs would fail",
	Run: func(p *Pass) {
		reportProblems(p, "EM105", diff.NotNullWithoutDefault,
			"give the column a `default`, a `fill` expression (rule add-column-fill), or `null = true`")
	},
})
