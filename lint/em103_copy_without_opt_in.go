package lint

import (
	"cmp"
	"fmt"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/splitter"
)

// While the previous release runs, an ALTER that copies the table blocks
// its writes for as long as the copy takes, and one that rebuilds it in
// place rewrites every row under the application's load. emcee names the
// algorithm of every ALTER it writes before contract, so that a server that
// cannot do the change online refuses instead of silently copying; a copy
// or a rebuild (splitter.AlterCost, the classes `emcee review` shows) is
// written only where the schema opts in with `allow_copy = true`.
var _ = register(&Analyzer{
	Code:  "EM103",
	Title: "ALTER TABLE in expand or migrate without an ALGORITHM clause, or one that rebuilds or copies the table (as `emcee review` classes it) where the schema did not opt in with allow_copy = true",
	Run: func(p *Pass) {
		p.statements(false, func(rev *Revision, i int, d *effect.DDL) {
			if d.Kind != effect.KindAlterTable && d.Kind != effect.KindCreateIndex && d.Kind != effect.KindDropIndex {
				return
			}
			if d.Algorithm == "" || d.Algorithm == "DEFAULT" {
				p.atStatement("EM103", Error, rev, i,
					fmt.Sprintf("%s on %s in %s names no algorithm: the server picks one, and may copy the table, blocking the previous release's writes", d.Kind, d.Name, rev.ID),
					"name the algorithm (ALGORITHM=INSTANT, or ALGORITHM=INPLACE, LOCK=NONE) so the server refuses what it cannot do online; "+replan(rev))
				return
			}
			cost := splitter.AlterCost(p.Project.Target, d, p.before(rev.ID.Release))
			if !splitter.Rebuilds(cost) {
				return
			}
			col, rel, ok := copyOptIn(p, rev.ID.Release, d)
			if ok {
				return
			}
			what := "copies the table (ALGORITHM=COPY), blocking writes while it runs"
			if cost == splitter.CostRebuild {
				what = "rebuilds the table in place (every row rewritten, as long as a copy)"
			}
			fix := "emcee rebuilds or copies a table before contract only for a column change whose column says `allow_copy = true`; " + replan(rev)
			if col != "" {
				fix = fmt.Sprintf("add `allow_copy = true` to column %s of table %s if rebuilding the table while the previous release runs is acceptable, or declare a new column that `replaces` it to change it online; then %s", hclquote.Quote(col), hclquote.Quote(d.Name), replan(rev))
				// A release declared as SQL takes allow_copy in its
				// declarations file, not in the CREATE TABLE the finding
				// may point into: the blocks to paste there, or where
				// in its block of the column.
				if in := rel.InDeclFile(d.Name, col, hclquote.Attr{Name: "allow_copy", Value: true}); in != "" {
					fix += ". `allow_copy = true`" + in
				}
			}
			p.atStatement("EM103", Error, rev, i,
				fmt.Sprintf("%s on %s in %s %s, and the schema of release %s does not opt in", d.Kind, d.Name, rev.ID, what, rev.ID.Release),
				fix)
		})
	},
})

// copyOptIn reports whether a column the statement changes, or one a key
// it adds is built on (a FULLTEXT index, built by a copy), says
// `allow_copy = true` in the release's schema, and otherwise names the
// column that should. A release whose schema does not load cannot tell; its
// own error is reported. It returns the release too, for the fix's words.
func copyOptIn(p *Pass, release string, d *effect.DDL) (string, *diff.Release, bool) {
	rel := p.release(release)
	if rel == nil {
		return "", nil, true
	}
	first := ""
	for _, c := range d.Clauses {
		var names []string
		switch {
		case c.Object == "COLUMN" && c.To != "":
			names = []string{c.To}
		case c.Object == "COLUMN" && c.Name != "":
			names = []string{c.Name}
		case c.Op == "ADD":
			names = c.Columns
		}
		for _, name := range names {
			first = cmp.Or(first, name)
			if decl := rel.Declarations.Columns[diff.ColumnRef{Table: d.Name, Column: name}]; decl != nil && decl.AllowCopy {
				return "", nil, true
			}
		}
	}
	return first, rel, false
}
