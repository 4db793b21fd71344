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
}

// Resolve checks every column reference against the scope (a name the
// table does not have is an *Error naming the ones it has) and returns the
// columns of the row the expression reads, in order, spelled as the scope
// spells them.
func (e *Expr) Resolve(s Scope) ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := &resolver{src: e.src, base: e.base, scope: s, stack: []frame{{tables: []scopeTable{{name: s.Table, columns: s.Columns}}}}}
	e.node.Accept(r)
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
}

// frame is one SELECT level: the row at the bottom, then each subquery's
// FROM tables. Select-list aliases are not names here: the server knows
// them only in some clauses, so a subquery writes the expression itself.
type frame struct {
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
	// compared are the subqueries whose answer is compared with a value
	// of the row (`id NOT IN (SELECT ...)`); inCompared counts those
	// entered: a read of watch in one depends on the row.
	compared   []*ast.SubqueryExpr
	inCompared int
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
	case *ast.PatternInExpr:
		r.compare(n.Expr, n.Sel)
	case *ast.CompareSubqueryExpr:
		r.compare(n.L, n.R)
	case *ast.BinaryOperationExpr:
		switch n.Op {
		case opcode.EQ, opcode.NE, opcode.LT, opcode.LE, opcode.GT, opcode.GE, opcode.NullEQ:
			r.compare(n.L, n.R)
			r.compare(n.R, n.L)
		}
	case *ast.SubqueryExpr:
		if slices.Contains(r.compared, n) {
			r.inCompared++
		}
	case *ast.SelectStmt:
		var f frame
		if n.From != nil && n.From.TableRefs != nil {
			r.tablesOf(n.From.TableRefs, &f)
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
	switch n := n.(type) {
	case *ast.SelectStmt:
		r.stack = r.stack[:len(r.stack)-1]
	case *ast.SubqueryExpr:
		if slices.Contains(r.compared, n) {
			r.inCompared--
		}
	}
	return n, true
}

// compare notes sub, when it is a subquery and value reads the row (the
// row's own columns, outside any subquery of value): the subquery's answer
// may be the same for every row, and the comparison still differs from
// row to row.
func (r *resolver) compare(value, sub ast.ExprNode) {
	for {
		p, ok := sub.(*ast.ParenthesesExpr)
		if !ok {
			break
		}
		sub = p.Expr
	}
	s, ok := sub.(*ast.SubqueryExpr)
	if !ok || r.watch == "" || value == nil {
		return
	}
	rows := &rowReads{r: r}
	value.Accept(rows)
	if rows.found {
		r.compared = append(r.compared, s)
	}
}

// rowReads finds, in a value outside its subqueries, a name the server
// takes from the row (frame 0) of the resolver's current scope.
type rowReads struct {
	r     *resolver
	depth int
	found bool
}

func (v *rowReads) Enter(n ast.Node) (ast.Node, bool) {
	switch x := n.(type) {
	case *ast.SubqueryExpr:
		return n, true
	case *ast.ColumnName:
		v.found = v.found || v.r.frameOf(x) == 0
	}
	return n, v.found
}

func (v *rowReads) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// frameOf is the frame whose tables give column c, as column resolves it
// (-1: none).
func (r *resolver) frameOf(c *ast.ColumnName) int {
	for i := len(r.stack) - 1; i >= 0; i-- {
		for _, t := range r.stack[i].tables {
			if c.Table.O != "" && strings.EqualFold(t.name, c.Table.O) {
				return i
			}
			if _, ok := lookup(t.columns, c.Name.O); c.Table.O == "" && ok {
				return i
			}
		}
	}
	return -1
}

func (r *resolver) tablesOf(n ast.ResultSetNode, f *frame) {
	switch n := n.(type) {
	case *ast.Join:
		if n.Left != nil {
			r.tablesOf(n.Left, f)
		}
		if n.Right != nil {
			r.tablesOf(n.Right, f)
		}
	case *ast.TableSource:
		t, ok := n.Source.(*ast.TableName)
		if !ok {
			return // refused by the policy
		}
		var cols []string
		if r.scope.Tables != nil {
			cols, ok = r.scope.Tables(t.Name.O)
		}
		if r.scope.Tables == nil || !ok {
			r.failAt(find(r.src, t.Name.O, r.at), "table %q: the release declares no such table", t.Name.O)
			return
		}
		f.tables = append(f.tables, scopeTable{name: cmp.Or(n.AsName.O, t.Name.O), columns: cols})
		if r.watch != "" && t.Schema.O == "" && strings.EqualFold(t.Name.O, r.watch) {
			f.reads, r.watched.Reads = true, true
			r.watched.Row = r.watched.Row || r.inCompared > 0
		}
	}
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
					r.found(i, c, name)
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
				r.found(i, c, name)
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

// found is column c found as name in the tables of frame i (0: the row).
func (r *resolver) found(i int, c *ast.ColumnName, name string) {
	if i == 0 {
		r.read(name)
	}
	if r.watch == "" || !slices.ContainsFunc(r.stack[1:], func(f frame) bool { return f.reads }) {
		return
	}
	if i == 0 {
		r.watched.Row = true
	} else if _, ok := lookup(r.scope.Columns, c.Name.O); ok && c.Table.O == "" && !slices.Contains(r.watched.Shadowed, c.Name.O) {
		r.watched.Shadowed = append(r.watched.Shadowed, c.Name.O)
	}
}

func (r *resolver) read(name string) {
	if !slices.Contains(r.row, name) {
		r.row = append(r.row, name)
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
	// Row: a subquery reading the table refers, at any depth below it, to
	// the row the expression is evaluated for, so its answer can differ
	// from row to row; or its answer is compared with a value of the row
	// (`id NOT IN (SELECT src_id FROM t)`, `id > (SELECT MAX(src_id) FROM
	// t)`), which differs from row to row too.
	Row bool
	// Shadowed are the bare names in such a subquery that the row has too,
	// but that the server finds in a table of the subquery first (the
	// innermost SELECT whose tables have the name), spelled as written.
	Shadowed []string
}

// ReadOf tells how the expression, which Resolve accepted in s, reads
// table: whether at all, and whether in a subquery that depends on the row
// (a data migration's pending predicate asks "has this row its row in the
// new table yet?", which a subquery that never looks at the row cannot
// answer).
func (e *Expr) ReadOf(s Scope, table string) TableRead {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := &resolver{src: e.src, base: e.base, scope: s, watch: table, stack: []frame{{tables: []scopeTable{{name: s.Table, columns: s.Columns}}}}}
	e.node.Accept(r)
	return r.watched
}

// ReadsColumn reports whether a value of the list reads a column of the
// row of table (names compared without letter case): by its bare name
// outside subqueries, or qualified by the table's name anywhere.
func (a *Assignments) ReadsColumn(table, column string) bool {
	for _, as := range a.list {
		if as.value.readsColumn(table, column) {
			return true
		}
	}
	return false
}

func (e *Expr) readsColumn(table, column string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := &columnReads{table: table, column: column}
	e.node.Accept(r)
	return r.found
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
