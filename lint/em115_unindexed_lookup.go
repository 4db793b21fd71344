package lint

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// A data_migration's pending or delete predicate is evaluated for every
// row of its table: by the backfill's batches and migrate's count, by
// contract's gate and delete. A subquery in it that compares another
// table (or the table itself, under an alias) with the row runs once per
// row, and finds its rows through an index whose first column it compares
// by equality; without one, each run reads the whole table, and the
// predicate costs the square of the rows (Gitea's user table, deduplicated
// by `NOT EXISTS (SELECT 1 FROM user other WHERE other.email = user.email
// AND other.id < user.id)` with email unindexed: the pending count ran over
// 144 s). The indexes counted are those the table has while the
// predicate runs: the previous release's (contract drops them later) and
// the ones expand adds; a unique index new on a table the previous
// release had is built in contract, after migrate and after the deletes.
var _ = register(&Analyzer{
	Code:  "EM115",
	Title: "note: a data_migration predicate's subquery looks up the row through a column no index starts with: the predicate costs the square of the table's rows",
	Run: func(p *Pass) {
		for _, rel := range p.loadReleases() {
			if rel.r == nil {
				continue
			}
			prev := p.before(rel.name)
			d := rel.r.Declarations
			for _, m := range d.DataMigrations {
				for _, pr := range []struct {
					what string
					expr *sqlsyntax.Expr
					row  string
					runs string
				}{{"pending", m.PendingExpr, m.Rows(), "migrate's batches and count, contract's gate"}, {"delete", m.DeleteExpr, m.Table, "contract's delete, and the duplicate gates of the table's new keys, which leave its rows out"}} {
					if pr.expr == nil {
						continue
					}
					for _, l := range pr.expr.Lookups(pr.row) {
						msg, fix := unindexedLookup(rel.r.Schema, prev, l)
						if msg == "" {
							continue
						}
						pos, inside, ok := d.At(pr.expr, l.At)
						if !ok {
							continue
						}
						p.atSchema("EM115", Note, pos,
							fmt.Sprintf("the %s predicate of data_migration %q runs its subquery on %s once for each row of %s (%s%s): %s, so each run reads the whole of %s and the predicate costs the square of the rows where it runs (%s)", pr.what, m.Name, l.Table, pr.row, l.At.Msg, inside, msg, l.Table, pr.runs),
							fix)
					}
				}
			}
		}
	},
})

// unindexedLookup says why lookup l finds no index to read its rows by
// ("" when one serves it): no index of its table, as the table is while
// migrate and contract's deletes run, starts with a column l compares by
// equality with the row. fix is the way out.
func unindexedLookup(now, prev *schema.Schema, l sqlsyntax.Lookup) (msg, fix string) {
	t, ok := now.Table(l.Table)
	if !ok {
		return "", ""
	}
	var was *schema.Table
	if prev != nil {
		was, _ = prev.Table(l.Table)
	}
	var inContract []string
	served := func(col string) bool {
		leads := func(idx *schema.Index) bool {
			return idx != nil && len(idx.Parts) > 0 && idx.Parts[0].C != nil && strings.EqualFold(idx.Parts[0].C.Name, col)
		}
		// The previous release's keys, or a new table's primary key.
		if was != nil && (leads(was.PrimaryKey) || slices.ContainsFunc(was.Indexes, leads)) || was == nil && leads(t.PrimaryKey) {
			return true
		}
		for _, idx := range t.Indexes {
			if !leads(idx) {
				continue
			}
			if was != nil && idx.Unique {
				if _, had := was.Index(idx.Name); !had {
					inContract = append(inContract, idx.Name)
					continue
				}
			}
			return true
		}
		return false
	}
	for _, c := range l.Equal {
		if served(c) {
			return "", ""
		}
	}
	cols := l.Equal
	if len(cols) == 0 {
		cols = l.Other
		msg = fmt.Sprintf("it compares no column of %s by equality with the row (only %s otherwise), so no index lookup can find its rows", l.Table, strings.Join(cols, ", "))
	} else {
		msg = fmt.Sprintf("no index of %s starts with %s, the %s it compares by equality with the row", l.Table, strings.Join(cols, " or "), sqlsyntax.OneOrMany(len(cols), "column", "columns"))
	}
	if len(inContract) > 0 {
		msg += fmt.Sprintf(" (unique index %s, new in this release, is built only in contract, after migrate and the deletes)", strings.Join(inContract, ", "))
	}
	key := "<key>"
	if t.PrimaryKey != nil && len(t.PrimaryKey.Parts) == 1 && t.PrimaryKey.Parts[0].C != nil {
		key = t.PrimaryKey.Parts[0].C.Name
	}
	fix = fmt.Sprintf("declare an index on %s(%s) (a plain one: expand builds it online before migrate runs), in this release or an earlier one; or write the predicate without a per-row lookup, in the MIN/GROUP BY form the server materialises once: %s IS NOT NULL AND %s NOT IN (SELECT MIN(%s) FROM %s GROUP BY %s) selects what EXISTS (a row of the same %s and a lower %s) does, its negation what NOT EXISTS does",
		l.Table, cols[0], cols[0], key, key, l.Table, cols[0], cols[0], key)
	return msg, fix
}
