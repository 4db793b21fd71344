package splitter

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// gate is a contract statement the applier runs before anything else in
// the revision: a SELECT COUNT(*) of the rows that would make the next
// statement fail or lose data. 0 opens the gate. It is written out in full
// so the reviewer reads exactly what will be checked.
func gate(why, sql string) Step {
	return gateStmt(revision.Contract, StageGate, why, sql)
}

// countWhere is the shape of every gate: how many rows break a predicate.
func countWhere(table, pred string) string {
	return fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE %s", sqlsyntax.Ident(table), pred)
}

// countKept is countWhere of the rows meeting every predicate given that
// no data_migration of the release deletes first (keptRows).
func (c *Context) countKept(table string, preds ...string) string {
	return countWhere(table, strings.Join(append(slices.Clip(preds), c.keptRows(table)...), " AND "))
}

// partExprs renders each part of an index as the value the index stores
// for it: the column, its prefix, or the expression of a functional part.
func partExprs(idx *schema.Index) ([]string, error) {
	exprs := make([]string, len(idx.Parts))
	for i, p := range idx.Parts {
		switch x, _ := p.X.(*schema.RawExpr); {
		case p.C != nil && diff.Prefix(p) > 0:
			exprs[i] = fmt.Sprintf("LEFT(%s, %d)", sqlsyntax.Ident(p.C.Name), diff.Prefix(p))
		case p.C != nil:
			exprs[i] = sqlsyntax.Ident(p.C.Name)
		case x != nil:
			e, err := sqlsyntax.ParseExpr(x.X, sqlsyntax.PerRow)
			if err != nil {
				return nil, fmt.Errorf("expression of index part %d: %v", p.SeqNo, err)
			}
			exprs[i] = "(" + e.SQL() + ")"
		default:
			return nil, fmt.Errorf("index part %d has neither a column nor an expression emcee can read", p.SeqNo)
		}
	}
	return exprs, nil
}

// notNull joins "x IS NOT NULL" for each expression: rows with a NULL in a
// key are never duplicates (unique index) nor orphans (foreign key, MATCH
// SIMPLE), so the gates skip them exactly as the server does.
func notNull(exprs []string) string {
	return joinEach(exprs, " AND ", func(e string) string { return e + " IS NOT NULL" })
}

// requireOptIn refuses a statement that rewrites every row of the table
// (cost: CostCopy, or CostRebuild in place) unless one of the named
// columns says `allow_copy = true`, the one opt-in to a rebuild; it
// returns the note the statement's reason carries. The refusal names
// instead as the way around the copy ("": a new column that replaces the
// column).
func (c *Change) requireOptIn(cost, what, instead string, columns ...string) (string, error) {
	instead = cmp.Or(instead, "or add a new column that `replaces` it to change it online")
	how, effect := "TABLE COPY, writes block while it runs", "makes the server copy the whole table, blocking writes while it runs"
	if cost == CostRebuild {
		how, effect = "TABLE REBUILD in place, every row rewritten while writes continue", "makes the server rebuild the whole table (in place: writes continue, but it rewrites every row, as long as a copy)"
	}
	for _, col := range columns {
		if d := c.ctx.Decl(c.Table.Name, col); d != nil && d.AllowCopy {
			return fmt.Sprintf("%s (allow_copy = true at %s)", how, d.Pos), nil
		}
	}
	col := ""
	if len(columns) > 0 {
		col = columns[0]
	}
	to := c.ctx.Transition.To
	return "", fmt.Errorf("%s: %s.%s: %s %s. Add `allow_copy = true` to column %s to accept that, %s%s",
		to.Where(c.Table.Name, col), c.Table.Name, col, what, effect, hclquote.Quote(col), instead, to.InDeclFile(c.Table.Name, col, hclquote.Attr{Name: "allow_copy", Value: true}))
}

// columnsIn lists the table's columns an expression reads, for telling
// which column declaration may opt in to a table copy.
func columnsIn(t *schema.Table, e *sqlsyntax.Expr) []string {
	cols, _ := e.Resolve(sqlsyntax.Scope{Table: t.Name, Columns: diff.ColumnNames(t)})
	return cols
}
