package sqlsyntax

import (
	"slices"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// Lookup is a subquery of an expression that compares a table with the
// row the expression is evaluated for (a correlated subquery, or an IN's:
// Uncorrelated): the server runs it once per row, and each run finds its
// rows of the table through an index of the columns it compares by
// equality, or reads the table.
type Lookup struct {
	// Table is the table the subquery reads, as named in its FROM.
	Table string
	// Equal are the table's columns the subquery compares with the row by
	// = or <=> (`other.email = user.email`), or selects for an IN whose
	// value is the row's (`user.x IN (SELECT other.x ...)`, which the
	// server runs as other.x = user.x), as spelled, each once.
	Equal []string
	// Computed are the expressions of the table's columns it compares by
	// equality with the row (`LOWER(other.email) = LOWER(user.email)`),
	// written back with their columns unqualified (LOWER(`email`)), each
	// once: the server looks up no index by an expression, MariaDB 10.11
	// not even one of a generated column holding that expression
	// (measured: 15,212,581 rows read for 4,000 with both indexed, four
	// times those of 2,000).
	Computed []string
	// Either are its conditions that compare the row under OR
	// (`other.a = user.a OR other.b = user.b`, `other.a IN (user.a,
	// user.b)`), as written back, and
	// EitherEqual the columns their branches compare by equality with the
	// row, each once: MariaDB 10.11 merges no indexes for a subquery run
	// per row and reads its table whole, whether the branches are indexed
	// or not (measured: EXPLAIN's type ALL with an index on each).
	Either, EitherEqual []string
	// Other are its columns compared with the row otherwise (<, >, <>,
	// LIKE, BETWEEN ...), as spelled, each once.
	Other []string
	// Uncorrelated is an IN (SELECT <a column or expression> ...) whose
	// subquery reads nothing of the row: a SELECT (a count, a gate, an
	// INSERT ... SELECT) materialises it once, and so does an UPDATE of
	// the subquery's own table, which the server turns into a join; an
	// UPDATE of another table runs it for each row, as if correlated by
	// its Equal or Computed (measured on MariaDB 10.11: `c IN (SELECT c
	// FROM o)` with o.c unindexed read 2,002,804 rows in the UPDATE's
	// batches of 2,000 rows, 8,005,608 of 4,000; the SELECT 5,802 and
	// 11,602).
	Uncorrelated bool
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
// join's ON), or under an OR or IN (list) there; and the IN (SELECT ...) subqueries
// whose value is the row's, correlated or not.
func (e *Expr) Lookups(row string) []Lookup {
	w := &lookups{e: e, row: row, in: map[*ast.SubqueryExpr]*ast.PatternInExpr{}}
	e.walk(w)
	return w.out
}

// lookups walks an expression for Lookups: depth is the number of
// subqueries around the node, in the IN subqueries whose value is the
// row's.
type lookups struct {
	e     *Expr
	row   string
	depth int
	in    map[*ast.SubqueryExpr]*ast.PatternInExpr
	out   []Lookup
}

func (w *lookups) Enter(n ast.Node) (ast.Node, bool) {
	switch n := n.(type) {
	case *ast.PatternInExpr:
		if q, ok := n.Sel.(*ast.SubqueryExpr); ok && w.rowValue(n.Expr) {
			w.in[q] = n
		}
	case *ast.SubqueryExpr:
		w.subquery(n, w.in[n])
		w.depth++
	}
	return n, false
}

func (w *lookups) Leave(n ast.Node) (ast.Node, bool) {
	if _, ok := n.(*ast.SubqueryExpr); ok {
		w.depth--
	}
	return n, true
}

// rowValue: x reads the row and nothing else (a column of the row
// qualified by its name, or bare outside every subquery), no subquery.
func (w *lookups) rowValue(x ast.ExprNode) bool {
	return readsOnly(x, func(c *ast.ColumnName) bool {
		return c.Schema.O == "" && (strings.EqualFold(c.Table.O, w.row) || c.Table.O == "" && w.depth == 0)
	}, func(*ast.ColumnName) bool { return true })
}

// readsOnly: x holds no subquery, and reads a column that reads tells
// and none that other tells (of a column reads does not).
func readsOnly(x ast.ExprNode, reads, other func(*ast.ColumnName) bool) bool {
	read, others := false, false
	x.Accept(visit(func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SubqueryExpr:
			others = true
			return true
		case *ast.ColumnNameExpr:
			if reads(n.Name) {
				read = true
			} else if other(n.Name) {
				others = true
			}
		}
		return false
	}))
	return read && !others
}

// compares is what one condition of a subquery compares with the row.
type compares int

const (
	none     compares = iota
	equal             // a column of the subquery's table, by = or <=>
	computed          // an expression of its columns, by = or <=>
	other             // a column, by a range, <>, LIKE
	either            // a column, by IN (a list of values, the row's among them): an OR
)

// subquery adds the lookup of q, if it compares a table with the row; in
// is the IN whose subquery q is, when that IN's value is the row's.
func (w *lookups) subquery(q *ast.SubqueryExpr, in *ast.PatternInExpr) {
	e, row := w.e, w.row
	sel, ok := q.Query.(*ast.SelectStmt)
	if !ok || sel.From == nil || sel.From.TableRefs == nil {
		return
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
		return
	}
	if _, shadowed := tables[strings.ToLower(row)]; shadowed {
		return
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
	// expression: x is computed from columns of one of the subquery's
	// tables alone (no aggregate, no subquery), at its first column.
	expression := func(x ast.ExprNode) (table string, at int) {
		ok := true
		x.Accept(visit(func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SubqueryExpr, *ast.AggregateFuncExpr, *ast.WindowFuncExpr:
				ok = false
				return true
			case *ast.ColumnNameExpr:
				t, _, a := inner(n)
				if t == "" || table != "" && !strings.EqualFold(t, table) {
					ok = false
				} else if table == "" {
					table, at = t, a
				}
			}
			return false
		}))
		if !ok {
			return "", 0
		}
		return table, at
	}
	// outer: x reads the row and nothing of the subquery's tables (a
	// table of the subquery is not named as the row: shadowed).
	outer := func(x ast.ExprNode) bool {
		return readsOnly(x, func(c *ast.ColumnName) bool {
			return strings.EqualFold(c.Table.O, row) && c.Schema.O == ""
		}, func(c *ast.ColumnName) bool {
			_, ok := tables[strings.ToLower(c.Table.O)]
			return ok || c.Table.O == ""
		})
	}
	// compare reads one condition: what it compares with the row, of
	// which table, and the column (an expression's unqualified text).
	compare := func(c ast.ExprNode) (kind compares, table, column string, at int) {
		switch c := unparen(c).(type) {
		case *ast.BinaryOperationExpr:
			for _, side := range [][2]ast.ExprNode{{c.L, c.R}, {c.R, c.L}} {
				if !outer(side[1]) {
					continue
				}
				t, col, at := inner(side[0])
				switch c.Op {
				case opcode.EQ, opcode.NullEQ:
					if t != "" {
						return equal, t, col, at
					}
					if t, at := expression(side[0]); t != "" {
						return computed, t, unqualified(side[0]), at
					}
				case opcode.LT, opcode.LE, opcode.GT, opcode.GE, opcode.NE:
					if t != "" {
						return other, t, col, at
					}
				}
			}
		case *ast.BetweenExpr:
			if t, col, at := inner(c.Expr); t != "" && (outer(c.Left) || outer(c.Right)) {
				return other, t, col, at
			}
		case *ast.PatternLikeOrIlikeExpr:
			if t, col, at := inner(c.Expr); t != "" && outer(c.Pattern) {
				return other, t, col, at
			}
		case *ast.PatternInExpr:
			if t, col, at := inner(c.Expr); t != "" && c.Sel == nil && slices.ContainsFunc(c.List, outer) {
				switch {
				case c.Not:
					return other, t, col, at
				case len(c.List) == 1:
					// An IN of one value is its = (EXPLAIN: ref).
					return equal, t, col, at
				}
				return either, t, col, at
			}
		}
		return none, "", "", 0
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
	at := func(offset int, cmp ast.ExprNode) {
		if l.At == nil {
			text, _ := Restore(cmp) // "" when it cannot be written back
			l.At = errorAt(e.src, offset-e.base, "%s", text)
		}
	}
	add := func(list *[]string, column string) {
		if _, ok := lookup(*list, column); !ok {
			*list = append(*list, column)
		}
	}
	record := func(kind compares, column string) {
		switch kind {
		case equal:
			add(&l.Equal, column)
		case computed:
			add(&l.Computed, column)
		case other:
			add(&l.Other, column)
		}
	}
	// The IN's own comparison first: its value with what the subquery
	// selects, which the server adds to the subquery's WHERE.
	if in != nil && sel.Fields != nil && len(sel.Fields.Fields) == 1 && sel.Fields.Fields[0].Expr != nil {
		x := sel.Fields.Fields[0].Expr
		if t, col, offset := inner(x); t != "" && of(t) {
			at(offset, in)
			record(equal, col)
		} else if t, offset := expression(x); t != "" && of(t) {
			at(offset, in)
			record(computed, unqualified(x))
		}
	}
	var conds []ast.ExprNode
	for _, c := range conditions(sel, false) {
		if c != nil {
			for _, c := range conjuncts(c) {
				conds = append(conds, rowPairs(c)...)
			}
		}
	}
	for _, c := range conds {
		branches := []ast.ExprNode{c}
		if or, ok := c.(*ast.BinaryOperationExpr); ok && or.Op == opcode.LogicOr {
			branches = conjuncts(or, opcode.LogicOr) // the conditions under the OR, its branches' ANDs and ORs
			// col = <the row> OR col IS NULL is read by col's index
			// (EXPLAIN's ref_or_null), as the equality alone.
			for _, eq := range [][2]ast.ExprNode{{or.L, or.R}, {or.R, or.L}} {
				kind, t, col, _ := compare(eq[0])
				if null, ok := unparen(eq[1]).(*ast.IsNullExpr); ok && !null.Not && kind == equal {
					if nt, ncol, _ := inner(null.Expr); strings.EqualFold(nt, t) && strings.EqualFold(ncol, col) {
						branches = eq[:1]
					}
				}
			}
		}
		compared := false
		for _, b := range branches {
			kind, t, col, offset := compare(b)
			if kind == none || !of(t) {
				continue
			}
			at(offset, c)
			switch {
			case len(branches) == 1 && kind != either:
				record(kind, col)
				continue
			case kind == equal || kind == either:
				add(&l.EitherEqual, col)
			}
			compared = true
		}
		if text, _ := Restore(c); compared && !slices.Contains(l.Either, text) { // "" when it cannot be written back
			l.Either = append(l.Either, text)
		}
	}
	if l == nil || l.At == nil {
		return
	}
	if in != nil {
		l.Uncorrelated = !w.readsRow(sel)
	}
	w.out = append(w.out, *l)
}

// rowPairs is c, or for a comparison of two rows by =, the = of each
// pair of their values: MariaDB 10.11 looks `(o.a, o.b) = (user.a,
// user.b)` up by an index of (a, b) as it does `o.a = user.a AND o.b =
// user.b` (EXPLAIN: ref on both); not by <=>, which reads the table.
func rowPairs(c ast.ExprNode) []ast.ExprNode {
	eq, ok := unparen(c).(*ast.BinaryOperationExpr)
	if !ok || eq.Op != opcode.EQ {
		return []ast.ExprNode{c}
	}
	l, lok := unparen(eq.L).(*ast.RowExpr)
	r, rok := unparen(eq.R).(*ast.RowExpr)
	if !lok || !rok || len(l.Values) != len(r.Values) {
		return []ast.ExprNode{c}
	}
	var out []ast.ExprNode
	for i := range l.Values {
		out = append(out, rowPairs(&ast.BinaryOperationExpr{Op: opcode.EQ, L: l.Values[i], R: r.Values[i]})...)
	}
	return out
}

// readsRow: a column of the row, qualified by its name, is read somewhere
// in n (the subquery's bare names are its own tables').
func (w *lookups) readsRow(n ast.Node) bool {
	found := false
	n.Accept(visit(func(n ast.Node) bool {
		if c, ok := n.(*ast.ColumnNameExpr); ok && c.Name.Schema.O == "" && strings.EqualFold(c.Name.Table.O, w.row) {
			found = true
		}
		return found
	}))
	return found
}

// unqualified writes x back, outer parentheses aside, with its columns'
// tables left out: the expression as a generated column of the table
// would hold it.
func unqualified(x ast.ExprNode) string {
	text, _ := restore(unparen(x), format.RestoreWithoutSchemaName|format.RestoreWithoutTableName) // "" when it cannot be written back
	return text
}
