package sqlsyntax

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// MergeBackfills writes the backfills of one table (ReadBackfill) as the
// one UPDATE that does what running them one after another does, in one
// pass over the table (issue 13: a pass per backfill read and locked every
// row once per backfill):
//
//	UPDATE t SET a = CASE WHEN (<a pending>) THEN <a value> ELSE a END,
//	             b = CASE WHEN (<b pending>) THEN <b value> ELSE b END
//	WHERE (<a pending>) OR (<b pending>)
//
// The server assigns a single-table UPDATE left to right, each assignment
// reading the values the earlier ones wrote, so a later backfill's pending
// predicate and value read the row as the earlier backfills left it, as
// they do when it runs after them. Not when the UPDATE reads its own table
// in a subquery: MariaDB then assigns as a multi-table UPDATE does, each
// assignment reading the row as it was, so such a backfill is refused. A
// row none of them selects is not touched; a row only some select keeps
// the other columns as they are, so the triggers see what they see when a
// backfill that does not set a column runs. A backfill that sets several
// columns and whose pending predicate reads one of them cannot be written
// so (its own later assignments would read its predicate after its earlier
// ones); it is refused, and the caller keeps it a pass of its own.
func MergeBackfills(sqls ...string) (string, error) {
	if len(sqls) == 0 {
		return "", fmt.Errorf("sqlsyntax: no backfill to merge")
	}
	var out *ast.UpdateStmt
	var where ast.ExprNode
	for i, s := range sqls {
		b, err := ReadBackfill(s)
		if err != nil {
			return "", err
		}
		if b.ins != nil {
			return "", fmt.Errorf("backfill %d inserts rows into %s: it stays a pass of its own", i+1, Ident(b.Into))
		}
		upd := b.upd
		if src, ok := upd.TableRefs.TableRefs.Left.(*ast.TableSource); ok && src.AsName.L != "" {
			return "", fmt.Errorf("backfill %d names its table %s as %s: only backfills without an alias are merged", i+1, b.Table, src.AsName.O)
		}
		if out == nil {
			u := *upd
			u.List = nil
			out = &u
		} else if b.Table != out.TableRefs.TableRefs.Left.(*ast.TableSource).Source.(*ast.TableName).Name.O {
			return "", fmt.Errorf("backfills of %s and %s: only one table's backfills are merged", Ident(b.Table), Ident(singleTable(out.TableRefs)))
		}
		if upd.Priority != out.Priority || upd.IgnoreErr != out.IgnoreErr || len(upd.TableHints) > 0 {
			return "", fmt.Errorf("backfill %d has its own priority, IGNORE or hints: it stays a pass of its own", i+1)
		}
		if readsOwnTable(upd, b.Table) {
			return "", fmt.Errorf("backfill %d reads %s in a subquery: MariaDB then assigns from the row as it was before the statement, not left to right; it stays a pass of its own", i+1, Ident(b.Table))
		}
		pending := upd.Where
		if len(upd.List) > 1 {
			reads := readColumns(pending)
			for _, a := range upd.List[:len(upd.List)-1] {
				if reads[a.Column.Name.L] {
					return "", fmt.Errorf("backfill %d sets %s and its pending predicate reads it: its later assignments would read the predicate after that one", i+1, Ident(a.Column.Name.O))
				}
			}
		}
		for _, a := range upd.List {
			if a.Column.Table.L != "" || a.Column.Schema.L != "" {
				return "", fmt.Errorf("backfill %d sets a qualified column (%s): only backfills setting their table's columns by name are merged", i+1, a.Column.Name.O)
			}
			out.List = append(out.List, &ast.Assignment{
				Column: &ast.ColumnName{Name: a.Column.Name},
				Expr: &ast.CaseExpr{
					WhenClauses: []*ast.WhenClause{{Expr: paren(pending), Result: value(a)}},
					ElseClause:  &ast.ColumnNameExpr{Name: &ast.ColumnName{Name: a.Column.Name}},
				},
			})
		}
		if where == nil {
			where = paren(pending)
		} else {
			where = &ast.BinaryOperationExpr{Op: opcode.LogicOr, L: where, R: paren(pending)}
		}
	}
	out.Where = where
	return Restore(out)
}

// value is what an assignment writes, a bare DEFAULT named after its
// column: moved into another expression, DEFAULT alone means nothing.
func value(a *ast.Assignment) ast.ExprNode {
	if d, ok := a.Expr.(*ast.DefaultExpr); ok && d.Name == nil {
		return &ast.DefaultExpr{Name: &ast.ColumnName{Name: a.Column.Name}}
	}
	return a.Expr
}

func unparen(e ast.ExprNode) ast.ExprNode {
	for p, ok := e.(*ast.ParenthesesExpr); ok; p, ok = e.(*ast.ParenthesesExpr) {
		e = p.Expr
	}
	return e
}

func paren(e ast.ExprNode) ast.ExprNode {
	if _, ok := e.(*ast.ParenthesesExpr); ok {
		return e
	}
	return &ast.ParenthesesExpr{Expr: e}
}

// readsOwnTable says whether an UPDATE of table reads it again, in a
// subquery of its values or its predicate.
func readsOwnTable(upd *ast.UpdateStmt, table string) bool {
	n := 0
	upd.Accept(visit(func(x ast.Node) bool {
		if t, ok := x.(*ast.TableName); ok && t.Name.L == strings.ToLower(table) {
			n++
		}
		return false
	}))
	return n > 1
}

// readColumns is the columns an expression names outside subqueries, and
// inside them (where a name may be the subquery's own): read generously,
// as a merge it blocks is only a pass more.
func readColumns(e ast.ExprNode) map[string]bool {
	read := map[string]bool{}
	e.Accept(visit(func(n ast.Node) bool {
		if x, ok := n.(*ast.ColumnNameExpr); ok {
			read[x.Name.Name.L] = true
		}
		return false
	}))
	return read
}
