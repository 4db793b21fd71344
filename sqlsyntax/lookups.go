package sqlsyntax

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// Lookup is a subquery of an expression that compares a table with the
// row the expression is evaluated for (a correlated subquery): the server
// runs it once per row, and each run finds its rows of the table through
// an index of the columns it compares by equality, or reads the table.
type Lookup struct {
	// Table is the table the subquery reads, as named in its FROM.
	Table string
	// Equal are the table's columns the subquery compares with the row by
	// = or <=> (`other.email = user.email`), as spelled, each once.
	Equal []string
	// Other are its columns compared with the row otherwise (<, >, <>,
	// LIKE, BETWEEN ...), as spelled, each once.
	Other []string
	// At is where the subquery's first comparison with the row is (the
	// table's column in it), for messages; its Msg is the comparison.
	At *Error
}

// Lookups are the subqueries of the expression, at any depth, that
// compare a table of their FROM with the row of table row: a column
// qualified by row's name (`user.email`) that no table of the subquery
// takes for its own, beside a column of one of the subquery's tables
// (qualified by its alias or name, or bare in a subquery of one table),
// in a condition under the subquery's top-level AND (its WHERE, or a
// join's ON). IN (SELECT ...) subqueries, which the server turns into a
// join it can materialise once, are not lookups.
func (e *Expr) Lookups(row string) []Lookup {
	var out []Lookup
	e.walk(visit(func(n ast.Node) bool {
		q, ok := n.(*ast.SubqueryExpr)
		if !ok {
			return false
		}
		sel, ok := q.Query.(*ast.SelectStmt)
		if !ok || sel.From == nil || sel.From.TableRefs == nil {
			return false
		}
		tables := map[string]string{} // lowercased alias or name -> table
		var names []string
		for _, src := range sources(sel.From.TableRefs) {
			if t, ok := src.Source.(*ast.TableName); ok && t.Schema.O == "" {
				tables[strings.ToLower(t.Name.O)] = t.Name.O
				if src.AsName.O != "" {
					delete(tables, strings.ToLower(t.Name.O))
					tables[strings.ToLower(src.AsName.O)] = t.Name.O
				}
				names = append(names, t.Name.O)
			}
		}
		if len(names) == 0 {
			return false
		}
		if _, shadowed := tables[strings.ToLower(row)]; shadowed {
			return false
		}
		// inner is the subquery's table a column is of ("" when none).
		inner := func(x ast.ExprNode) (table, column string, at int) {
			c, ok := unparen(x).(*ast.ColumnNameExpr)
			if !ok || c.Name.Schema.O != "" {
				return "", "", 0
			}
			switch q := strings.ToLower(c.Name.Table.O); {
			case q == "" && len(names) == 1:
				return names[0], c.Name.Name.O, c.OriginTextPosition()
			case q != "":
				if t, ok := tables[q]; ok {
					return t, c.Name.Name.O, c.OriginTextPosition()
				}
			}
			return "", "", 0
		}
		// outer: x reads the row and nothing of the subquery's tables.
		outer := func(x ast.ExprNode) bool {
			reads, own := false, false
			x.Accept(visit(func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SubqueryExpr:
					own = true
					return true
				case *ast.ColumnNameExpr:
					q := strings.ToLower(n.Name.Table.O)
					if _, ok := tables[q]; ok || q == "" {
						own = true
					} else if strings.EqualFold(n.Name.Table.O, row) && n.Name.Schema.O == "" {
						reads = true
					}
				}
				return false
			}))
			return reads && !own
		}
		var l *Lookup
		// of starts the lookup on table, the first one the subquery
		// compares with the row; another table of a join is not it.
		of := func(table string) bool {
			if l == nil {
				l = &Lookup{Table: table}
			}
			return strings.EqualFold(l.Table, table)
		}
		add := func(list *[]string, column string, at int, cmp ast.ExprNode) {
			if l.At == nil {
				text, _ := Restore(cmp) // "" when it cannot be written back
				l.At = errorAt(e.src, at-e.base, "%s", text)
			}
			if _, ok := lookup(*list, column); !ok {
				*list = append(*list, column)
			}
		}
		var conds []ast.ExprNode
		for _, c := range conditions(sel) {
			if c != nil {
				conds = append(conds, conjuncts(c)...)
			}
		}
		for _, c := range conds {
			switch c := unparen(c).(type) {
			case *ast.BinaryOperationExpr:
				for _, side := range [][2]ast.ExprNode{{c.L, c.R}, {c.R, c.L}} {
					t, col, at := inner(side[0])
					if t == "" || !outer(side[1]) {
						continue
					}
					switch c.Op {
					case opcode.EQ, opcode.NullEQ:
						if of(t) {
							add(&l.Equal, col, at, c)
						}
					case opcode.LT, opcode.LE, opcode.GT, opcode.GE, opcode.NE:
						if of(t) {
							add(&l.Other, col, at, c)
						}
					}
				}
			case *ast.BetweenExpr:
				if t, col, at := inner(c.Expr); t != "" && (outer(c.Left) || outer(c.Right)) && of(t) {
					add(&l.Other, col, at, c)
				}
			case *ast.PatternLikeOrIlikeExpr:
				if t, col, at := inner(c.Expr); t != "" && outer(c.Pattern) && of(t) {
					add(&l.Other, col, at, c)
				}
			}
		}
		if l != nil && l.At != nil {
			out = append(out, *l)
		}
		return false
	}))
	return out
}
