package sqlsyntax

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// checkUse refuses what an expression may not do where it is used, each
// with the reason it cannot work there.
func checkUse(src string, node ast.ExprNode, base int, use Use) *Error {
	w := &policy{src: src, base: base, use: use}
	node.Accept(w)
	return w.err
}

type policy struct {
	src   string
	base  int
	use   Use
	depth int // subqueries entered
	at    int // offset of the innermost expression entered, for nodes without one
	err   *Error
	stack []ast.Node // the nodes entered, innermost last
}

func (p *policy) fail(n ast.Node, format string, args ...any) {
	if p.err != nil {
		return
	}
	at := p.at
	if e, ok := n.(ast.ExprNode); ok {
		at = e.OriginTextPosition() - p.base
	}
	p.err = errorAt(p.src, at, format, args...)
}

const perRowWhy = "a trigger sees only the row being written"

func (p *policy) Enter(n ast.Node) (ast.Node, bool) {
	p.stack = append(p.stack, n)
	if p.err != nil {
		return n, true
	}
	if e, ok := n.(ast.ExprNode); ok {
		p.at = e.OriginTextPosition() - p.base
	}
	switch n := n.(type) {
	case ast.ParamMarkerExpr:
		p.fail(n, "a ? placeholder: emcee passes its own arguments to the statements it runs; write the value")
	case ast.ValueExpr:
		if off := n.OriginTextPosition() - p.base; off >= 0 && off < len(p.src) && (strings.HasPrefix(p.src[off:], "0x") || strings.HasPrefix(p.src[off:], "0X")) {
			p.fail(n, "a 0x... number: the parser writes it back as x'...', which MariaDB reads as a string (x'01' + 0 is 0, 0x01 + 0 is 1); write the number in decimal, or X'...' for bytes")
		}
	case *ast.VariableExpr:
		p.fail(n, "variable @%s: the expression runs in sessions that do not set it (a trigger runs in the session of whoever writes the row), so its value is anyone's; write the value", n.Name)
	case *ast.SubqueryExpr:
		if p.use == PerRow {
			p.fail(n, "a subquery: a value read from other rows or tables is not recomputed when they change (%s, and runs only when that row is written). Compute it from the row's own columns; to rewrite rows once from other tables, declare a data_migration (its set and pending may use subqueries)", perRowWhy)
			return n, true
		}
		p.depth++
	case *ast.AggregateFuncExpr:
		if p.depth == 0 {
			p.fail(n, "aggregate function %s: the expression computes one row's value; aggregate inside a subquery", strings.ToUpper(n.F))
		} else if where := p.clause(); where != "" {
			p.fail(n, "aggregate function %s in the %s of a subquery: aggregates belong in its select list or HAVING", strings.ToUpper(n.F), where)
		}
	case *ast.WindowFuncExpr:
		if p.depth == 0 {
			p.fail(n, "window function %s: the expression computes one row's value on its own", strings.ToUpper(n.Name))
		}
	case *ast.ColumnName:
		switch {
		case n.Schema.O != "":
			p.fail(n, "%s: a name qualified by a database: plans apply to whichever database the operator names, so write names without one", qualified(n))
		case n.Table.O != "" && p.use == PerRow:
			p.fail(n, "%s: write the bare column name; %s", qualified(n), perRowWhy)
		}
	case *ast.BinaryOperationExpr:
		if comparison[n.Op] && shape(n.L) != shape(n.R) && shape(n.L) != "?" && shape(n.R) != "?" {
			p.fail(n, "compares %s with %s: a row compares only with a row of as many values", values(n.L), values(n.R))
		}
	case *ast.PatternInExpr:
		for _, item := range n.List {
			if shape(item) != shape(n.Expr) && shape(item) != "?" && shape(n.Expr) != "?" {
				p.fail(n, "IN compares %s with %s: a row compares only with a row of as many values", values(n.Expr), values(item))
			}
		}
	case *ast.RowExpr:
		if !rowOperand(p.stack[:len(p.stack)-1]) {
			p.fail(n, "a row (a, b, ...) is several values; it may only be compared (=, <, IN) with another row")
		}
	case *ast.ValuesExpr:
		p.fail(n, "VALUES(column) only means something in INSERT ... ON DUPLICATE KEY UPDATE")
	case *ast.DefaultExpr:
		if p.use == PerRow {
			p.fail(n, "DEFAULT(...): write the default value itself")
		} else if n.Name != nil && (n.Name.Schema.O != "" || n.Name.Table.O != "") {
			p.fail(n, "DEFAULT(%s): write the bare column name", qualified(n.Name))
		}
	case *ast.ExistsSubqueryExpr:
		// EXISTS asks whether the SELECT has a row. Aggregated without
		// GROUP BY, it is one group whatever the table holds: NOT EXISTS
		// (SELECT COUNT(*) ... WHERE t.k = row.k) as a pending selected no
		// row, and ... HAVING COUNT(*) = 0 every row already moved but
		// none left to move, and contract dropped what was never moved.
		// Past an OFFSET, it asks whether more rows than that are there.
		if sub, ok := n.Sel.(*ast.SubqueryExpr); ok {
			if sel, ok := sub.Query.(*ast.SelectStmt); ok && sel.GroupBy == nil && (sel.Having != nil || sel.Fields != nil && slices.ContainsFunc(sel.Fields.Fields, func(f *ast.SelectField) bool { return f.Expr != nil && aggregates(f.Expr) })) {
				p.fail(n, "EXISTS of a SELECT that aggregates (COUNT, MAX ..., or HAVING) without GROUP BY: its rows are one group whatever the table holds, so EXISTS does not ask whether rows are there (without HAVING it is always true, with HAVING COUNT(*) = 0 true where none are); compare the aggregate itself, e.g. (SELECT COUNT(*) FROM ...) = 0, or select 1 without aggregating")
			} else if ok && sel.Limit != nil && sel.Limit.Offset != nil && !isZero(sel.Limit.Offset) {
				p.fail(n, "EXISTS of a SELECT with an offset (LIMIT m, n or OFFSET): it asks whether more rows than the offset are there, not whether one is; compare the count itself, e.g. (SELECT COUNT(*) FROM ...) > m")
			}
		}
	case *ast.Join:
		if n.NaturalJoin || len(n.Using) > 0 {
			p.fail(nil, "NATURAL JOIN and JOIN ... USING: write the join condition with ON, so emcee can check the columns it names")
		}
	case *ast.TableNameExpr:
		p.fail(n, "a sequence (NEXTVAL, LASTVAL): its value changes with every call, so a replayed or retried statement gives another")
	case *ast.FuncCastExpr:
		switch {
		case n.Tp.IsArray():
			p.fail(n, "CAST(... ARRAY): only MySQL's multi-valued indexes take it; MariaDB has no such type")
		case n.Tp.GetType() == mysql.TypeJSON:
			p.fail(n, "CAST or CONVERT to JSON: MariaDB has no such target type (it refuses the statement); MariaDB's JSON is text: write the value, or JSON_COMPACT(...)")
		case n.Tp.GetType() == mysql.TypeYear:
			p.fail(n, "CAST or CONVERT to YEAR: MariaDB has no such target type (it refuses the statement); write YEAR(...)")
		case n.Tp.GetType() == mysql.TypeTiDBVectorFloat32:
			p.fail(n, "CAST or CONVERT to VECTOR: TiDB's type; MariaDB has no such target type")
		}
	case *ast.FuncCallExpr:
		if why, ok := sessionLocks[n.FnName.L]; ok {
			p.fail(n, "%s(...): %s", strings.ToUpper(n.FnName.O), why)
		} else if why, ok := unsupported[n.FnName.L]; ok {
			p.fail(n, "%s", why)
		} else if want, ok := arityOf(n); ok && want == "" {
			p.fail(n, "%s(...): the server has no such function (%s is one of its keywords)", strings.ToUpper(n.FnName.O), strings.ToUpper(n.FnName.O))
		} else if ok {
			p.fail(n, "%s takes %s argument(s), not %d: the server refuses the call", strings.ToUpper(n.FnName.O), want, len(n.Args))
		}
	case *ast.SelectStmt:
		switch {
		case n.With != nil:
			p.fail(nil, "WITH in a subquery: read tables by name")
		case n.Kind != ast.SelectStmtKindSelect:
			p.fail(nil, "TABLE and VALUES statements are not supported in a subquery; write SELECT ... FROM")
		case n.SelectIntoOpt != nil:
			p.fail(nil, "SELECT ... INTO in a subquery")
		case n.LockInfo != nil && n.LockInfo.LockType != ast.SelectLockNone:
			p.fail(nil, "a locking clause (FOR UPDATE, LOCK IN SHARE MODE) in a subquery: emcee's statements take the locks they need")
		case n.Limit != nil && (isZero(n.Limit.Count) || n.Limit.Offset != nil && !isZero(n.Limit.Offset) && n.GroupBy == nil && n.Fields != nil && slices.ContainsFunc(n.Fields.Fields, func(f *ast.SelectField) bool { return f.Expr != nil && aggregates(f.Expr) })):
			// NOT EXISTS (... LIMIT 0) as a pending selected every row
			// again after migrate had moved it: contract's gate never
			// opened; (SELECT COUNT(*) ... LIMIT 0) = 0 selected none, and
			// contract dropped every value.
			p.at = find(p.src, "LIMIT", p.at)
			p.fail(nil, "LIMIT 0, or an offset past the one row of a SELECT that aggregates without GROUP BY: the subquery has no row, whatever the tables hold (EXISTS is always false, a value always NULL: (SELECT COUNT(*) ... LIMIT 1, 1) = 0 never holds); remove the LIMIT")
		}
	case *ast.SetOprStmt:
		if n.With != nil {
			p.fail(nil, "WITH in a subquery: read tables by name")
		}
	case *ast.TableSource:
		switch src := n.Source.(type) {
		case *ast.TableName:
			if src.Schema.O != "" {
				p.fail(nil, "table %s.%s: a name qualified by a database: plans apply to whichever database the operator names", src.Schema.O, src.Name.O)
			}
		default:
			p.fail(nil, "a subquery in FROM (a derived table): read tables by name, emcee checks their columns against the release")
		}
		if n.Lateral {
			p.fail(nil, "LATERAL: read tables by name")
		}
	}
	return n, p.err != nil
}

// isZero tells the literal 0.
func isZero(e ast.ExprNode) bool {
	v, ok := e.(ast.ValueExpr)
	return ok && (v.GetValue() == int64(0) || v.GetValue() == uint64(0))
}

// clause names the clause of the innermost SELECT the walk is in, when it
// is one that is evaluated row by row before grouping.
func (p *policy) clause() string {
	for i := len(p.stack) - 2; i >= 0; i-- {
		sel, ok := p.stack[i].(*ast.SelectStmt)
		if !ok {
			continue
		}
		switch child := p.stack[i+1]; {
		case sel.Where != nil && child == ast.Node(sel.Where):
			return "WHERE"
		case sel.GroupBy != nil && child == ast.Node(sel.GroupBy):
			return "GROUP BY"
		case sel.From != nil && child == ast.Node(sel.From):
			return "FROM"
		}
		return ""
	}
	return ""
}

var comparison = map[opcode.Op]bool{opcode.EQ: true, opcode.NE: true, opcode.LT: true, opcode.LE: true, opcode.GT: true, opcode.GE: true, opcode.NullEQ: true}

// shape is "1" for a value, "(1,1)" for a row of two, and "?" for a
// subquery (the server checks its width).
func shape(e ast.ExprNode) string {
	switch x := e.(type) {
	case *ast.ParenthesesExpr:
		return shape(x.Expr)
	case *ast.SubqueryExpr:
		return "?"
	case *ast.RowExpr:
		parts := make([]string, len(x.Values))
		for i, v := range x.Values {
			parts[i] = shape(v)
		}
		return "(" + strings.Join(parts, ",") + ")"
	}
	return "1"
}

func values(e ast.ExprNode) string {
	if s := shape(e); s != "1" {
		return "a row " + s
	}
	return "a value"
}

// rowOperand tells whether a row stands where the server takes one: an
// operand of a comparison, of IN, or inside another such row.
func rowOperand(parents []ast.Node) bool {
	if len(parents) == 0 {
		return false
	}
	switch p := parents[len(parents)-1].(type) {
	case *ast.BinaryOperationExpr:
		return comparison[p.Op]
	case *ast.PatternInExpr, *ast.CompareSubqueryExpr:
		return true
	case *ast.RowExpr:
		return rowOperand(parents[:len(parents)-1])
	}
	return false
}

func (p *policy) Leave(n ast.Node) (ast.Node, bool) {
	p.stack = p.stack[:len(p.stack)-1]
	if _, ok := n.(*ast.SubqueryExpr); ok && p.use != PerRow {
		p.depth--
	}
	return n, true
}

// unsupported are constructs the parser reads but a server emcee targets
// does not (MySQL 8 or TiDB syntax), or that it cannot write back.
var unsupported = map[string]string{
	ast.CharFunc:     "CHAR(...): emcee cannot write it back (its parser names it CHAR_FUNC, which the server has not); write CONVERT(CHAR(...) USING charset)",
	ast.InsertFunc:   "INSERT(str, pos, len, newstr): emcee cannot write it back (its parser names it INSERT_FUNC, which the server has not); write it with CONCAT, LEFT and SUBSTRING",
	ast.JSONMemberOf: "MEMBER OF: MariaDB has no such operator; write JSON_CONTAINS(array, JSON_QUOTE(value))",
}

// sessionLocks act on the named locks of the session that evaluates them:
// emcee's own backfills and gates run on the connection that holds the
// operator lock (a named lock), and a trigger runs in the session of the
// application that writes the row.
var sessionLocks = map[string]string{
	"get_lock":          "takes a named lock in whichever session evaluates the expression, and keeps it after the statement",
	"release_lock":      "releases a named lock of whichever session evaluates the expression; on emcee's connection, that can be the operator lock that keeps a second emcee run out",
	"release_all_locks": "releases every named lock of whichever session evaluates the expression; on emcee's connection, that includes the operator lock that keeps a second emcee run out",
}

// arityOf checks a plain call (NAME(a, b, ...), as the server's grammar
// reads it) against the argument counts the server accepts (functions.go);
// it says what is accepted when the count is not ("" when no plain call
// is: a keyword, not a function).
func arityOf(n *ast.FuncCallExpr) (string, bool) {
	mask, known := arity[n.FnName.L]
	if !known {
		return "", false
	}
	if !plainCall(n) {
		return "", false // special syntax (TRIM(x FROM y), ...), or a sequence: checked elsewhere
	}
	if mask&(1<<min(len(n.Args), 6)) != 0 {
		return "", false
	}
	if mask == 0 {
		return "", true
	}
	var counts []string
	for c := 0; c <= 6; c++ {
		if mask&(1<<c) != 0 {
			counts = append(counts, fmt.Sprint(c))
		}
	}
	if mask&(1<<6) != 0 {
		counts[len(counts)-1] += " or more"
	}
	return strings.Join(counts, ", "), true
}
