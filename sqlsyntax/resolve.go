package sqlsyntax

import (
	"cmp"
	"slices"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// Scope is what an expression may read: the row of one table, and, for the
// Statement use, the tables of the release a subquery may read.
type Scope struct {
	Table   string   // the table whose row the expression reads
	Columns []string // the columns it may use there
	// Tables gives the columns of a table of the release, false when the
	// release has no such table; nil where subqueries are not allowed.
	Tables func(name string) ([]string, bool)
	// Absent says why the release has no table of that name and what to
	// do (it drops it; it renames it; the name is misspelt), added to the
	// refusal; nil says only that it has none.
	Absent func(name string) string
}

// Resolve checks every column reference against the scope (a name the
// table does not have is an *Error naming the ones it has) and returns the
// columns of the row the expression reads, in order, spelled as the scope
// spells them.
func (e *Expr) Resolve(s Scope) ([]string, error) {
	r := &resolver{src: e.src, base: e.base, scope: s, stack: []frame{{tables: []scopeTable{{name: s.Table, columns: s.Columns}}}}}
	e.walk(r)
	if r.err != nil {
		return nil, r.err
	}
	return r.row, nil
}

// Resolve checks the columns the list sets and the columns its values
// read against the scope.
func (a *Assignments) Resolve(s Scope) error {
	for _, as := range a.list {
		if _, ok := lookup(s.Columns, as.column); !ok {
			return errorAt(a.src, as.at, "unknown column %q (it can use: %s)", as.column, known(s.Columns))
		}
		if _, err := as.value.Resolve(s); err != nil {
			return err
		}
	}
	return nil
}

type scopeTable struct {
	name    string // table name or alias
	columns []string
	watched bool // the resolver's watch, read by a subquery
}

// frame is one SELECT level: the row at the bottom, then each subquery's
// FROM tables. Select-list aliases are not names here: the server knows
// them only in some clauses, so a subquery writes the expression itself.
type frame struct {
	sel    *ast.SelectStmt // nil for the row
	tables []scopeTable
	reads  bool // its FROM names the resolver's watch
}

type resolver struct {
	src   string
	base  int
	scope Scope
	stack []frame
	at    int
	row   []string
	err   *Error
	// watch is a table whose reads ReadOf tells (watched), "" for none.
	watch   string
	watched TableRead
	// setOps counts the UNION, EXCEPT and INTERSECT being visited.
	setOps int
	// origins tell, of each column name resolved, whether it is the row's
	// or the watched table's; readers are the SELECTs whose FROM names the
	// watched table (ReadOf's reading of them follows the walk).
	origins map[*ast.ColumnName]origin
	readers []*ast.SelectStmt
	// homes tell, of each other column name resolved, the table of a
	// subquery it is a column of (joined follows a join through them).
	homes map[*ast.ColumnName]home
}

// home is a table (or alias) of one SELECT.
type home struct {
	sel   *ast.SelectStmt
	table string
}

// origin is where a column name resolved: the row, or the watched table.
type origin int

const (
	elsewhere origin = iota
	ofRow
	ofWatched
)

// mentions tells whether a name of origin o is in the tree under n.
func (r *resolver) mentions(n ast.Node, o origin) bool {
	found := false
	if n != nil {
		n.Accept(visit(func(n ast.Node) bool {
			if c, ok := n.(*ast.ColumnName); ok && r.origins[c] == o {
				found = true
			}
			return found
		}))
	}
	return found
}

// correlates tells a condition that holds only for rows of the watched
// table equal to the row in what it compares: an equality (=, <=>, IN)
// reading both; AND when one side does, OR and XOR when every side does
// (t.k = row.k OR t.id > 0 holds for any t with an id, whatever the row),
// NOT turning the one into the other, parentheses as their operand.
// <>, <, LIKE or a function's answer hold for other rows than the row's
// own: NOT EXISTS (... WHERE t.k <> row.k) selected no row once migrate's
// first batch had inserted two, and contract dropped the rest.
func (r *resolver) correlates(n ast.ExprNode, not bool) bool {
	switch n := n.(type) {
	case nil:
		return false
	case *ast.ParenthesesExpr:
		return r.correlates(n.Expr, not)
	case *ast.UnaryOperationExpr:
		return n.Op == opcode.Not && r.correlates(n.V, !not)
	case *ast.BinaryOperationExpr:
		switch {
		case n.Op == opcode.LogicAnd && !not, n.Op == opcode.LogicOr && not:
			return r.correlates(n.L, not) || r.correlates(n.R, not)
		case n.Op == opcode.LogicOr, n.Op == opcode.LogicAnd, n.Op == opcode.LogicXor && !not:
			return r.correlates(n.L, not) && r.correlates(n.R, not)
		}
	}
	return equality(n, not) && r.mentions(n, ofRow) && r.mentions(n, ofWatched)
}

// mirrors tells a comparison of a column of the row with the same column
// of the watched table by =, <=> or <> (NOT ... = ...): it holds for two
// rows whichever of them is the row.
func (r *resolver) mirrors(n ast.ExprNode) bool {
	n = unparen(n)
	if not, ok := n.(*ast.UnaryOperationExpr); ok && not.Op == opcode.Not {
		n = unparen(not.V)
	}
	op, ok := n.(*ast.BinaryOperationExpr)
	if !ok || op.Op != opcode.EQ && op.Op != opcode.NullEQ && op.Op != opcode.NE {
		return false
	}
	l, lok := unparen(op.L).(*ast.ColumnNameExpr)
	rr, rok := unparen(op.R).(*ast.ColumnNameExpr)
	return lok && rok && strings.EqualFold(l.Name.Name.O, rr.Name.Name.O) && r.origins[l.Name]+r.origins[rr.Name] == ofRow+ofWatched // one of each
}

// differs tells a comparison that holds only where what it compares
// differs: <>, NOT IN, NOT (... = ...).
func differs(n ast.ExprNode) bool {
	if not, ok := unparen(n).(*ast.UnaryOperationExpr); ok && not.Op == opcode.Not {
		return equality(unparen(not.V), false)
	}
	return equality(unparen(n), true)
}

// equality tells a comparison that holds only where what it compares is
// equal (negated: where it differs): =, <=>, IN (NOT: <>, NOT IN).
func equality(n ast.ExprNode, not bool) bool {
	switch n := n.(type) {
	case *ast.BinaryOperationExpr:
		return n.Op == opcode.NE && not || (n.Op == opcode.EQ || n.Op == opcode.NullEQ) && !not
	case *ast.PatternInExpr:
		return n.Not == not
	}
	return false
}

// joined tells a SELECT reading the watched table whose conditions equal
// its rows to the row through the SELECT's other tables, each equality
// a term of a top-level AND: `JOIN customer c ON c.id = t.customer_id
// WHERE c.email = row.email` keeps the rows of t of the row's customer.
func (r *resolver) joined(sel *ast.SelectStmt) bool {
	linked := map[any]any{} // each name's group: a union-find over origins and homes
	group := func(k any) any {
		for linked[k] != nil && linked[k] != k {
			k = linked[k]
		}
		return k
	}
	for _, cond := range conditions(sel, true) {
		if cond == nil {
			continue
		}
		for _, term := range conjuncts(cond) {
			if !equality(term, false) {
				continue
			}
			var first any
			term.Accept(visit(func(n ast.Node) bool {
				c, ok := n.(*ast.ColumnName)
				if !ok {
					return false
				}
				var k any = r.origins[c]
				if k == elsewhere {
					if k, ok = r.homes[c]; !ok {
						return false
					}
				}
				if first == nil {
					first = group(k)
				} else {
					linked[group(k)] = first
				}
				return false
			}))
		}
	}
	return group(ofRow) == group(ofWatched)
}

// conditions are the WHERE, HAVING and join conditions of a SELECT; with
// filtering, only those that keep some of its rows out: an outer join's
// ON keeps every row of its other side (t LEFT JOIN o ON t.k = row.k
// has each row of t, whatever the row).
func conditions(s *ast.SelectStmt, filtering bool) []ast.ExprNode {
	out := []ast.ExprNode{s.Where}
	if s.Having != nil {
		out = append(out, s.Having.Expr)
	}
	var on func(n ast.ResultSetNode)
	on = func(n ast.ResultSetNode) {
		if j, ok := n.(*ast.Join); ok {
			if j.On != nil && (!filtering || j.Tp == ast.CrossJoin) {
				out = append(out, j.On.Expr)
			}
			on(j.Left)
			on(j.Right)
		}
	}
	if s.From != nil && s.From.TableRefs != nil {
		on(s.From.TableRefs)
	}
	return out
}

func (r *resolver) failAt(at int, format string, args ...any) {
	if r.err == nil {
		r.err = errorAt(r.src, at, format, args...)
	}
}

func (r *resolver) Enter(n ast.Node) (ast.Node, bool) {
	if r.err != nil {
		return n, true
	}
	if e, ok := n.(ast.ExprNode); ok {
		r.at = e.OriginTextPosition() - r.base
	}
	switch n := n.(type) {
	case *ast.SetOprStmt:
		r.setOps++
	case *ast.SelectStmt:
		f := frame{sel: n}
		if n.From != nil && n.From.TableRefs != nil {
			r.tablesOf(n.From.TableRefs, &f)
		}
		if f.reads {
			r.readers = append(r.readers, n)
		}
		r.stack = append(r.stack, f)
	case *ast.ColumnName:
		r.column(n)
	case *ast.DefaultExpr:
		if n.Name != nil { // its Accept does not visit the name
			r.column(n.Name)
		}
	}
	return n, r.err != nil
}

func (r *resolver) Leave(n ast.Node) (ast.Node, bool) {
	switch n.(type) {
	case *ast.SelectStmt:
		r.stack = r.stack[:len(r.stack)-1]
	case *ast.SetOprStmt:
		r.setOps--
	}
	return n, true
}

func (r *resolver) tablesOf(n ast.ResultSetNode, f *frame) {
	for _, src := range sources(n) {
		t, ok := src.Source.(*ast.TableName)
		if !ok {
			continue // refused by the policy
		}
		var cols []string
		if r.scope.Tables != nil {
			cols, ok = r.scope.Tables(t.Name.O)
		}
		if r.scope.Tables == nil || !ok {
			why := ""
			if r.scope.Tables != nil && r.scope.Absent != nil {
				why = r.scope.Absent(t.Name.O)
			}
			r.failAt(find(r.src, t.Name.O, r.at), "table %q: the release declares no such table%s", t.Name.O, why)
			continue
		}
		st := scopeTable{name: cmp.Or(src.AsName.O, t.Name.O), columns: cols}
		if r.watch != "" && t.Schema.O == "" && strings.EqualFold(t.Name.O, r.watch) {
			f.reads, r.watched.Reads, st.watched = true, true, true
			r.watched.SetOp = r.watched.SetOp || r.setOps > 0
		}
		f.tables = append(f.tables, st)
	}
}

// sources are the tables (and derived tables) a FROM clause joins, left
// to right.
func sources(n ast.ResultSetNode) []*ast.TableSource {
	switch n := n.(type) {
	case *ast.Join:
		return append(sources(n.Left), sources(n.Right)...)
	case *ast.TableSource:
		return []*ast.TableSource{n}
	}
	return nil
}

// column resolves a name the way the server does: the innermost SELECT
// whose tables have it, outwards to the row.
func (r *resolver) column(c *ast.ColumnName) {
	at := r.at
	if c.Table.O != "" {
		for i := len(r.stack) - 1; i >= 0; i-- {
			for _, t := range r.stack[i].tables {
				if !strings.EqualFold(t.name, c.Table.O) {
					continue
				}
				name, ok := lookup(t.columns, c.Name.O)
				if !ok {
					r.failAt(at, "unknown column %s (%s has: %s)", qualified(c), t.name, known(t.columns))
				} else {
					r.found(i, t, c, name)
				}
				return
			}
		}
		r.failAt(at, "%s: no table or alias %q is in scope here", qualified(c), c.Table.O)
		return
	}
	for i := len(r.stack) - 1; i >= 0; i-- {
		for _, t := range r.stack[i].tables {
			if name, ok := lookup(t.columns, c.Name.O); ok {
				r.found(i, t, c, name)
				return
			}
		}
	}
	if len(r.stack) == 1 {
		r.failAt(at, "unknown column %q (it can use: %s)", c.Name.O, known(r.scope.Columns))
		return
	}
	var names []string
	for _, f := range r.stack {
		for _, t := range f.tables {
			names = append(names, t.name)
		}
	}
	r.failAt(at, "unknown column %q: none of %s has it", c.Name.O, strings.Join(names, ", "))
}

// found is column c found as name in table t of frame i (0: the row).
func (r *resolver) found(i int, t scopeTable, c *ast.ColumnName, name string) {
	if i == 0 && !slices.Contains(r.row, name) {
		r.row = append(r.row, name)
	}
	if r.watch == "" {
		return
	}
	switch {
	case i == 0:
		r.origins[c] = ofRow
	case t.watched:
		r.origins[c] = ofWatched
	default:
		r.homes[c] = home{r.stack[i].sel, t.name}
	}
	if !slices.ContainsFunc(r.stack[1:], func(f frame) bool { return f.reads }) {
		return
	}
	if _, ok := lookup(r.scope.Columns, c.Name.O); i > 0 && ok && c.Table.O == "" && !slices.Contains(r.watched.Shadowed, c.Name.O) {
		r.watched.Shadowed = append(r.watched.Shadowed, c.Name.O)
	}
}

// lookup finds a column without regard to case, as the server does.
func lookup(cols []string, name string) (string, bool) {
	if i := slices.IndexFunc(cols, func(c string) bool { return strings.EqualFold(c, name) }); i >= 0 {
		return cols[i], true
	}
	return "", false
}

func known(cols []string) string {
	return cmp.Or(strings.Join(slices.Sorted(slices.Values(cols)), ", "), "no columns")
}

// ResolveInsert checks a list that sets the columns of a new row of one
// table (into) from the row of another (from): the columns it sets
// against into's, the values against from's scope.
func (a *Assignments) ResolveInsert(into, from Scope) error {
	for _, as := range a.list {
		if _, ok := lookup(into.Columns, as.column); !ok {
			return errorAt(a.src, as.at, "unknown column %q of %s, the table the rows go into (it has: %s)", as.column, Ident(into.Table), known(into.Columns))
		}
		if _, err := as.value.Resolve(from); err != nil {
			return err
		}
	}
	return nil
}

// TableRead is how an expression reads a table in its subqueries.
type TableRead struct {
	// Reads: a subquery's FROM names the table (a table of the current
	// database, names compared without letter case).
	Reads bool
	// Row: a SELECT reading the table keeps only its rows equal to the row
	// the expression is evaluated for in what it compares: its WHERE,
	// HAVING or an inner join's ON holds an equality (=, <=>, IN) reading a
	// column of both, under AND, or under OR only where every side is one;
	// or such equalities, terms of a top-level AND, chain the table to the
	// row through the SELECT's other tables (t.k = c.k AND c.e = row.e).
	// So the subquery's answer can differ from row to row, and other rows'
	// rows do not answer it. The row named in the subquery but compared
	// with nothing of the table (in its select list, its ORDER BY, `row.k =
	// row.k`), beside `OR t.id > 0`, or compared by <>, <, LIKE or a
	// function, is not.
	Row bool
	// In: an IN compares the row with a subquery reading the table
	// (`row.k NOT IN (SELECT t.k FROM table)`). One NULL in the
	// subquery's column makes NOT IN NULL for every row.
	In bool
	// SetOp: a SELECT reading the table is one of a UNION, EXCEPT or
	// INTERSECT: once another of them has a row, EXISTS over it is true
	// for every row, whatever the one reading the table compares.
	SetOp bool
	// Shadowed are the bare names in such a subquery that the row has too,
	// but that the server finds in a table of the subquery first (the
	// innermost SELECT whose tables have the name), spelled as written.
	Shadowed []string
	// Guarded: such a read (Row) is in a term of the expression's
	// top-level AND that is no OR or XOR, so every row the expression
	// selects passes it; under an OR, a row the other side selects is
	// selected whatever the table holds.
	Guarded bool
	// Apart: a SELECT reading the table compares nothing but its columns
	// with the row's same ones, one at least by <> (d.k = row.k AND d.id
	// <> row.id): of two rows alike, each finds the other, so a delete of
	// the duplicates selects both.
	Apart bool
	// Present: the only such terms select no row while the table lacks
	// the row's rows (EXISTS (...), (SELECT COUNT(*) ...) > 0: missing).
	Present bool
}

// ReadOf tells how the expression, which Resolve accepted in s, reads
// table: whether at all, and whether in a subquery that depends on the row
// (a data migration's pending predicate asks "has this row its row in the
// new table yet?", which a subquery that never looks at the row cannot
// answer).
func (e *Expr) ReadOf(s Scope, table string) TableRead {
	e.mu.Lock()
	defer e.mu.Unlock()
	read := func(n ast.Node) *resolver {
		r := &resolver{src: e.src, base: e.base, scope: s, watch: table, stack: []frame{{tables: []scopeTable{{name: s.Table, columns: s.Columns}}}}, origins: map[*ast.ColumnName]origin{}, homes: map[*ast.ColumnName]home{}}
		n.Accept(r)
		for _, sel := range r.readers {
			r.watched.Row = r.watched.Row || slices.ContainsFunc(conditions(sel, true), func(c ast.ExprNode) bool { return r.correlates(c, false) }) || r.joined(sel)
			var terms []ast.ExprNode
			for _, c := range conditions(sel, false) {
				if c != nil {
					terms = append(terms, conjuncts(c)...)
				}
			}
			r.watched.Apart = r.watched.Apart || slices.ContainsFunc(terms, differs) && !slices.ContainsFunc(terms, func(t ast.ExprNode) bool { return !r.mirrors(t) })
		}
		n.Accept(visit(func(n ast.Node) bool {
			if in, ok := n.(*ast.PatternInExpr); ok && in.Sel != nil && r.mentions(in.Expr, ofRow) && r.mentions(in.Sel, ofWatched) {
				r.watched.In = true
			}
			return r.watched.In
		}))
		return r
	}
	all := read(e.node).watched
	for _, term := range conjuncts(e.node) {
		if op, ok := term.(*ast.BinaryOperationExpr); ok && (op.Op == opcode.LogicOr || op.Op == opcode.LogicXor) {
			continue
		}
		r := read(term)
		if !r.watched.Row {
			continue
		}
		if v := r.missing(term); v.known && (v.null || v.n == 0) {
			all.Present = true
			continue
		}
		all.Guarded, all.Present = true, false
		break
	}
	return all
}

// folded is what missing computes: unknown, NULL, or a number (a truth
// value being 1 or 0).
type folded struct {
	known, null bool
	n           float64
}

func number(n float64) folded { return folded{known: true, n: n} }

func truth(b bool) folded {
	if b {
		return number(1)
	}
	return number(0)
}

// missing is what an expression is for a row whose rows the watched
// table lacks yet: each SELECT reading it has none (EXISTS false, COUNT
// 0, any other value NULL), and constants are computed; anything else is
// unknown. A pending term false or NULL there selects a row only once its
// row is there: EXISTS (...), (SELECT COUNT(*) ...) > 0, (SELECT t.k
// ...) IS NOT NULL each let migrate insert nothing, and contract dropped
// every value never moved.
func (r *resolver) missing(n ast.ExprNode) folded {
	empty := func(q ast.ResultSetNode) (*ast.SelectStmt, bool) {
		sel, ok := q.(*ast.SelectStmt)
		return sel, ok && slices.Contains(r.readers, sel)
	}
	switch n := n.(type) {
	case *ast.ParenthesesExpr:
		return r.missing(n.Expr)
	case *ast.ExistsSubqueryExpr:
		if sub, ok := n.Sel.(*ast.SubqueryExpr); ok {
			if _, ok := empty(sub.Query); ok {
				return truth(n.Not)
			}
		}
	case *ast.SubqueryExpr:
		if sel, ok := empty(n.Query); ok && sel.Fields != nil && len(sel.Fields.Fields) == 1 {
			agg, ok := sel.Fields.Fields[0].Expr.(*ast.AggregateFuncExpr)
			switch {
			case sel.GroupBy == nil && ok && strings.EqualFold(agg.F, ast.AggFuncCount):
				return number(0)
			case sel.GroupBy != nil || ok || !aggregates(sel.Fields.Fields[0].Expr):
				return folded{known: true, null: true}
			}
		}
	case ast.ValueExpr:
		switch v := n.GetValue().(type) {
		case nil:
			return folded{known: true, null: true}
		case int64:
			return number(float64(v))
		case uint64:
			return number(float64(v))
		}
	case *ast.IsNullExpr:
		if v := r.missing(n.Expr); v.known {
			return truth(v.null != n.Not)
		}
	case *ast.UnaryOperationExpr:
		if v := r.missing(n.V); n.Op == opcode.Not && v.known {
			if v.null {
				return v
			}
			return truth(v.n == 0)
		}
	case *ast.BinaryOperationExpr:
		return compute(n.Op, r.missing(n.L), r.missing(n.R))
	}
	return folded{}
}

// compute is a logical operator or comparison of two values as the
// server computes it (NULL where an operand is NULL, but FALSE AND NULL
// is FALSE, TRUE OR NULL is TRUE, and <=> compares NULLs too).
func compute(op opcode.Op, l, r folded) folded {
	switch op {
	case opcode.LogicAnd:
		if l.known && !l.null && l.n == 0 || r.known && !r.null && r.n == 0 {
			return number(0)
		}
	case opcode.LogicOr:
		if l.known && !l.null && l.n != 0 || r.known && !r.null && r.n != 0 {
			return number(1)
		}
	case opcode.NullEQ:
		if l.known && r.known {
			return truth(l.null == r.null && l.n == r.n)
		}
		return folded{}
	}
	switch {
	case l.known && l.null || r.known && r.null:
		if op == opcode.LogicAnd || op == opcode.LogicOr {
			if !l.known || !r.known {
				return folded{} // NULL AND x is FALSE where x is FALSE, NULL OR x TRUE where x is TRUE
			}
		}
		return folded{known: true, null: true}
	case !l.known || !r.known:
		return folded{}
	}
	switch op {
	case opcode.LogicAnd:
		return number(1) // neither is 0 (above)
	case opcode.LogicOr:
		return number(0)
	case opcode.LogicXor:
		return truth((l.n != 0) != (r.n != 0))
	case opcode.EQ:
		return truth(l.n == r.n)
	case opcode.NE:
		return truth(l.n != r.n)
	case opcode.LT:
		return truth(l.n < r.n)
	case opcode.LE:
		return truth(l.n <= r.n)
	case opcode.GT:
		return truth(l.n > r.n)
	case opcode.GE:
		return truth(l.n >= r.n)
	}
	return folded{}
}

// aggregates tells an expression holding an aggregate outside subqueries.
func aggregates(n ast.ExprNode) bool {
	found := false
	n.Accept(visit(func(n ast.Node) bool {
		switch n.(type) {
		case *ast.AggregateFuncExpr:
			found = true
		case *ast.SubqueryExpr:
			return true
		}
		return found
	}))
	return found
}

// conjuncts are the terms of an expression's top-level AND (itself when it
// is none), parentheses looked through, and the operators of through too
// (opcode.LogicOr: every condition under ANDs and ORs).
func conjuncts(n ast.ExprNode, through ...opcode.Op) []ast.ExprNode {
	n = unparen(n)
	if op, ok := n.(*ast.BinaryOperationExpr); ok && (op.Op == opcode.LogicAnd || slices.Contains(through, op.Op)) {
		return append(conjuncts(op.L, through...), conjuncts(op.R, through...)...)
	}
	return []ast.ExprNode{n}
}

// ReadsColumn reports whether a value of the list reads a column of the
// row of table (names compared without letter case): by its bare name
// outside subqueries, or qualified by the table's name anywhere.
func (a *Assignments) ReadsColumn(table, column string) bool {
	return slices.ContainsFunc(a.list, func(as assignment) bool {
		r := &columnReads{table: table, column: column}
		as.value.walk(r)
		return r.found
	})
}

// columnReads finds a column of one table's row in an expression.
type columnReads struct {
	table, column string
	depth         int // subqueries entered
	found         bool
}

func (r *columnReads) Enter(n ast.Node) (ast.Node, bool) {
	switch x := n.(type) {
	case *ast.SubqueryExpr:
		r.depth++
	case *ast.ColumnNameExpr:
		c := x.Name
		if c.Schema.O == "" && strings.EqualFold(c.Name.O, r.column) &&
			(strings.EqualFold(c.Table.O, r.table) || c.Table.O == "" && r.depth == 0) {
			r.found = true
		}
	}
	return n, r.found
}

func (r *columnReads) Leave(n ast.Node) (ast.Node, bool) {
	if _, ok := n.(*ast.SubqueryExpr); ok {
		r.depth--
	}
	return n, true
}
