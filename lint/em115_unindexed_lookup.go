package lint

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
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
// No index serves a comparison of an expression (LOWER(other.email)) or
// one under OR (sqlsyntax.Lookup says what MariaDB 10.11 does). An IN
// (SELECT ...) of another table that reads nothing of the row is run for
// each row only by an UPDATE of the row's table, migrate's batches of a
// data_migration's set; every SELECT materialises it once.
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
						runs := pr.runs
						if l.Uncorrelated {
							if pr.what != "pending" || m.Set == "" || strings.EqualFold(l.Table, m.Table) {
								continue
							}
							runs = "migrate's batches: an UPDATE of " + m.Table + " runs an IN (SELECT ...) of another table once for each row, where a SELECT (the count, the gate) reads it once"
						}
						msg, fix := unindexedLookup(p.Project.Target, rel.r.Schema, prev, l, pr.row)
						if msg == "" {
							continue
						}
						pos, inside, ok := d.At(pr.expr, l.At)
						if !ok {
							continue
						}
						p.atSchema("EM115", Note, pos,
							fmt.Sprintf("the %s predicate of data_migration %q runs its subquery on %s once for each row of %s (%s%s): %s, so each run reads the whole of %s and the predicate costs the square of the rows where it runs (%s)", pr.what, m.Name, l.Table, pr.row, l.At.Msg, inside, msg, l.Table, runs),
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
// equality with the row, outside an OR and unwrapped by a function. fix is
// each way out, the index to declare first.
func unindexedLookup(target project.Target, now, prev *schema.Schema, l sqlsyntax.Lookup, row string) (msg, fix string) {
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
					if !slices.Contains(inContract, idx.Name) {
						inContract = append(inContract, idx.Name)
					}
					continue
				}
			}
			return true
		}
		return false
	}
	// holding is t's generated column whose expression is x ("" if none).
	holding := func(x string) string {
		for _, c := range t.Columns {
			if g, ok := schemadef.Attr[*schema.GeneratedExpr](c.Attrs); ok && sqlsyntax.SameExpr(g.Expr, x) {
				return c.Name
			}
		}
		return ""
	}
	// MySQL looks an expression up by the index of a generated column
	// holding it, or a functional index of it (a hidden generated column):
	// "Optimizer Use of Generated Column Indexes" in its manual. MariaDB
	// does not (10.11 measured; from 11.8 only for constants).
	byExpression := func(x string) bool {
		if target.MariaDB() {
			return false
		}
		if g := holding(x); g != "" && served(g) {
			return true
		}
		return slices.ContainsFunc(t.Indexes, func(idx *schema.Index) bool {
			if len(idx.Parts) == 0 || idx.Parts[0].X == nil {
				return false
			}
			raw, ok := idx.Parts[0].X.(*schema.RawExpr)
			return ok && sqlsyntax.SameExpr(raw.X, x)
		})
	}
	if slices.ContainsFunc(l.Equal, served) || slices.ContainsFunc(l.Computed, byExpression) {
		return "", ""
	}
	const plain = " (a plain one: expand builds it online before migrate runs), in this release or an earlier one"
	var why, ways []string
	if len(l.Equal) > 0 {
		why = append(why, fmt.Sprintf("no index of %s starts with %s, the %s it compares by equality with the row", l.Table, strings.Join(l.Equal, " or "), sqlsyntax.OneOrMany(len(l.Equal), "column", "columns")))
		ways = append(ways, fmt.Sprintf("declare an index on %s(%s)%s", l.Table, l.Equal[0], plain))
	}
	for _, x := range l.Computed {
		server := "MySQL looks up no index by an expression but that of a generated column holding it, or a functional index"
		if target.MariaDB() {
			server = "the server looks up no index by an expression (MariaDB 10.11 not even the index of a generated column holding it)"
		}
		why = append(why, fmt.Sprintf("it compares %s, an expression of columns of %s, with the row, and %s", x, l.Table, server))
		gen := holding(x)
		switch {
		case gen != "" && served(gen):
			ways = append(ways, fmt.Sprintf("compare the generated column %s of %s, which holds %s and an index starts with, by name in its place", gen, l.Table, x))
		case gen != "":
			ways = append(ways, fmt.Sprintf("declare an index on %s(%s)%s, and compare that generated column, which holds %s, by name in its place", l.Table, gen, plain, x))
		default:
			ways = append(ways, fmt.Sprintf("declare a generated column of %s holding %s (as { expr = %s }) and an index on it%s, and compare that column by name in its place", l.Table, x, hclquote.Quote(x), plain))
		}
	}
	if len(l.Either) > 0 {
		// The OR, unless the comparison the message shows already is it.
		or := ""
		if ors := slices.DeleteFunc(slices.Clone(l.Either), func(x string) bool { return x == l.At.Msg || x == "" }); len(ors) > 0 {
			or = " (" + strings.Join(ors, "; ") + ")"
		}
		why = append(why, fmt.Sprintf("it compares the row under OR or IN (a list of values)%s, and a subquery run once per row merges no indexes: MariaDB 10.11 reads its table whole, each branch indexed or not", or))
		way := "write each branch of the OR (each value of the IN) as an EXISTS of its own (with the subquery's other conditions), the EXISTS joined by OR, each looked up by an index of the column it compares by equality"
		if missing := slices.DeleteFunc(slices.Clone(l.EitherEqual), served); len(missing) > 0 {
			way += fmt.Sprintf(" (declare an index on %s(%s)%s)", l.Table, strings.Join(missing, fmt.Sprintf("), on %s(", l.Table)), plain)
		}
		ways = append(ways, way)
	}
	cols := l.Equal
	if len(why) == 0 {
		if cols = l.Other; len(cols) == 0 {
			return "", "" // sqlsyntax found no comparison it could write back
		}
		why = append(why, fmt.Sprintf("it compares no column of %s by equality with the row (only %s otherwise), so no index lookup can find its rows", l.Table, strings.Join(cols, ", ")))
		ways = append(ways, fmt.Sprintf("declare an index on %s(%s)%s", l.Table, cols[0], plain))
	}
	msg = strings.Join(why, "; ")
	if len(inContract) > 0 {
		msg += fmt.Sprintf(" (unique index %s, new in this release, is built only in contract, after migrate and the deletes)", strings.Join(inContract, ", "))
	}
	// The MIN/GROUP BY form selects the duplicates of the row's own table
	// by one column.
	if len(cols) > 0 && strings.EqualFold(l.Table, row) {
		key := "<key>"
		if t.PrimaryKey != nil && len(t.PrimaryKey.Parts) == 1 && t.PrimaryKey.Parts[0].C != nil {
			key = t.PrimaryKey.Parts[0].C.Name
		}
		ways = append(ways, fmt.Sprintf("write the predicate without a per-row lookup, in the MIN/GROUP BY form the server materialises once: %s IS NOT NULL AND %s NOT IN (SELECT MIN(%s) FROM %s GROUP BY %s) selects what EXISTS (a row of the same %s and a lower %s) does, its negation what NOT EXISTS does",
			cols[0], key, key, l.Table, cols[0], cols[0], key))
	}
	return msg, strings.Join(ways, "; or ")
}
