package sqlsyntax

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Use is where an expression is evaluated; it decides what it may read.
type Use int

const (
	// PerRow expressions are computed for one row at a time by code that
	// sees only that row: replaces.forward/backward and fill run inside
	// triggers; a default, generated column, CHECK, functional index part
	// and on_update are evaluated by the server per row.
	PerRow Use = iota
	// Statement expressions are part of a statement emcee runs itself over
	// a table (data_migration set and pending, and the gates built from
	// them): they may read other tables through subqueries, because the
	// statement runs again until no row is pending.
	Statement
)

// Expr is one declared SQL expression, checked for its use, kept as its
// syntax tree and written back from it.
type Expr struct {
	src  string
	sql  string     // written from the tree, every name quoted
	mu   sync.Mutex // walks of node: the parser's visitor writes children back
	node ast.ExprNode
	base int // offset of src inside the text node was parsed from
}

const selectPrefix = "SELECT "

// ParseExpr reads src as exactly one expression (no `;`, nothing after it,
// no alias, no `:=`) and checks that it uses only what its use allows.
// Errors are *Error, positioned inside src.
func ParseExpr(src string, use Use) (*Expr, error) {
	st, err := parseAfter(selectPrefix, src)
	if err != nil {
		return nil, err
	}
	sel, ok := st.(*ast.SelectStmt)
	if !ok || sel.Kind != ast.SelectStmtKindSelect || sel.Fields == nil || len(sel.Fields.Fields) != 1 || sel.Fields.Fields[0].Expr == nil {
		return nil, errorAt(src, 0, "not one SQL expression")
	}
	field := sel.Fields.Fields[0]
	if field.AsName.O != "" {
		at := strings.LastIndex(strings.ToLower(src), strings.ToLower(field.AsName.O))
		return nil, errorAt(src, at, "%q after the expression would be read as a name for it (an alias): the expression must end before it (an operator missing?)", field.AsName.O)
	}
	e, err := newExpr(src, field.Expr, len(selectPrefix), use)
	if err != nil {
		return nil, err
	}
	// Anything the SELECT holds besides the expression (FROM, WHERE,
	// LIMIT, INTO, a locking clause...) shows in its text.
	whole, err := Restore(sel)
	if err != nil || whole != selectPrefix+e.sql {
		return nil, errorAt(src, 0, "not exactly one SQL expression: it continues after the expression (a clause such as FROM, WHERE or LIMIT?); to read another table, use a subquery: (SELECT ...)")
	}
	return e, nil
}

// parseAfter reads prefix+src as one statement, src being a declared
// expression or list; errors are positioned inside src.
func parseAfter(prefix, src string) (ast.StmtNode, error) {
	if e := checkSource(src); e != nil {
		return nil, e
	}
	if Blank(src) {
		// Read after the prefix, a comment alone said "ends too early".
		return nil, errorAt(src, 0, "it is empty: it holds nothing but blanks or comments")
	}
	stmts, err := parse(prefix + src)
	if err != nil {
		return nil, syntaxError(src, len(prefix), err, "expression")
	}
	if e := statementEnd(src, len(prefix), stmts[0]); len(stmts) != 1 || e != nil {
		return nil, e
	}
	return stmts[0], nil
}

// Blank tells a declared text holding no SQL, only blanks or comments:
// the parser reads no statement in it.
func Blank(src string) bool {
	stmts, err := parse(src)
	return err == nil && len(stmts) == 0
}

func newExpr(src string, node ast.ExprNode, base int, use Use) (*Expr, error) {
	if e := checkUse(src, node, base, use); e != nil {
		return nil, e
	}
	sql, err := Restore(node)
	if err != nil {
		return nil, errorAt(src, 0, "emcee cannot write this expression back: %v", err)
	}
	if i := strings.IndexFunc(sql, isControl); i >= 0 {
		return nil, errorAt(src, 0, "a string holds a control character: write it as CHAR(n), so that plan files stay plain text")
	}
	// What emcee writes must read back as the same expression: a
	// construct the parser accepts but cannot write faithfully is refused
	// here, not found on the server.
	again, err := parse(selectPrefix + sql)
	back, ok := "", false
	if sel, one := only[*ast.SelectStmt](again); err == nil && one && len(sel.Fields.Fields) == 1 {
		back, err = Restore(sel.Fields.Fields[0].Expr)
		ok = err == nil && back == sql
	}
	if !ok {
		return nil, errorAt(src, 0, "emcee cannot write this expression back faithfully (it writes %s); rewrite it", sql)
	}
	return &Expr{src: src, sql: sql, node: node, base: base}, nil
}

// walk runs a visitor over the expression's tree, one walk at a time (mu).
func (e *Expr) walk(v ast.Visitor) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.node.Accept(v)
}

func isControl(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f }

// SQL is the expression written from its syntax tree: every name in
// backticks, every string single-quoted, comments dropped.
func (e *Expr) SQL() string { return e.sql }

// Source is the expression as declared, for messages.
func (e *Expr) Source() string { return e.src }

// FallsBackTo reports whether the expression gives v where it would be
// NULL already: COALESCE(..., v) or IFNULL(x, v), outer parentheses
// aside, v compared as SameExpr compares. COALESCE(e, v) is e then.
func (e *Expr) FallsBackTo(v string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	call, ok := unparen(e.node).(*ast.FuncCallExpr)
	if !ok || call.FnName.L != ast.Coalesce && call.FnName.L != ast.Ifnull || len(call.Args) < 2 {
		return false
	}
	last, err := Restore(call.Args[len(call.Args)-1])
	return err == nil && SameExpr(last, v)
}

// RowSQL writes a per-row expression for a trigger body: each column as
// row.`column` (NEW.`visibility`).
func (e *Expr) RowSQL(row string) string {
	// Per-row expressions have no subqueries: every name is a column of
	// the row.
	node := reread(e.sql, func(c *ast.ColumnName) { c.Table = ast.NewCIStr(row) })
	if node == nil {
		panic("sqlsyntax: a written expression does not parse: " + e.sql) // newExpr checked it does
	}
	return mustRestore(node)
}

// Assignments is a declared SET list (data_migration set): `col = expr, ...`.
type Assignments struct {
	src  string
	list []assignment
}

type assignment struct {
	column string
	at     int // offset of the column in src
	value  *Expr
}

const updatePrefix = "UPDATE `t` SET "

// ParseAssignments reads src as exactly one assignment list, as after
// UPDATE t SET, each value an expression of the Statement use.
func ParseAssignments(src string) (*Assignments, error) {
	st, err := parseAfter(updatePrefix, src)
	if err != nil {
		return nil, err
	}
	upd, ok := st.(*ast.UpdateStmt)
	if !ok || len(upd.List) == 0 {
		return nil, errorAt(src, 0, "not an assignment list (want column = expression, ...)")
	}
	a := &Assignments{src: src}
	from := 0
	for _, as := range upd.List {
		col := as.Column
		if col.Schema.O != "" || col.Table.O != "" {
			return nil, errorAt(src, find(src, col.Name.O, from), "%s: write the bare column name; the list sets columns of the data migration's table", qualified(col))
		}
		v, err := newExpr(src, as.Expr, len(updatePrefix), Statement)
		if err != nil {
			return nil, err
		}
		at := find(src, col.Name.O, from)
		from = max(from, as.Expr.OriginTextPosition()-len(updatePrefix))
		a.list = append(a.list, assignment{column: col.Name.O, at: at, value: v})
	}
	whole, err := Restore(upd)
	if err != nil || strings.ReplaceAll(whole, "`=", "` = ") != updatePrefix+a.SQL() {
		return nil, errorAt(src, 0, "not exactly one assignment list: it continues after the last assignment (a WHERE, ORDER BY or LIMIT clause?); the pending predicate selects the rows")
	}
	return a, nil
}

// SQL is the list written from its syntax tree: `col` = expr, ...
func (a *Assignments) SQL() string {
	parts := make([]string, len(a.list))
	for i, as := range a.list {
		parts[i] = Ident(as.column) + " = " + as.value.sql
	}
	return strings.Join(parts, ", ")
}

// Source is the list as declared, for messages.
func (a *Assignments) Source() string { return a.src }

// Assigns reports whether the list sets a column (names compared as the
// server does, without letter case), as an *Error at the assignment.
func (a *Assignments) Assigns(column string) *Error {
	for _, as := range a.list {
		if strings.EqualFold(as.column, column) {
			return errorAt(a.src, as.at, "sets %s", as.column)
		}
	}
	return nil
}

// find is where a name appears in src at or after from (bare or in
// backticks), for positioning an error about a node the parser keeps no
// offset for; 0 when it cannot tell.
func find(src, name string, from int) int {
	lower, n := lowerInPlace(src), lowerInPlace(name)
	for i := max(0, min(from, len(src))); i < len(src); {
		j := strings.Index(lower[i:], n)
		if j < 0 {
			break
		}
		j += i
		end := j + len(n)
		before := j == 0 || !isWordByte(lower[j-1])
		after := end == len(lower) || !isWordByte(lower[end])
		if before && after {
			if j > 0 && lower[j-1] == '`' {
				return j - 1
			}
			return j
		}
		i = j + 1
	}
	if from > 0 {
		return find(src, name, 0)
	}
	return 0
}

// lowerInPlace is s in lower case where that takes the bytes it took
// (strings.ToLower writes İ's lower case in a byte more, K's, the Kelvin
// sign, in two less): an offset in it is one in s. A name found after an
// İ of a comment or a string was placed a byte on per İ.
func lowerInPlace(s string) string {
	b := []byte(s)
	for i, r := range s {
		if l := unicode.ToLower(r); l != r && utf8.RuneLen(l) == utf8.RuneLen(r) {
			utf8.EncodeRune(b[i:], l)
		}
	}
	return string(b)
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 0x80
}

func qualified(c *ast.ColumnName) string {
	return strings.Join(slices.DeleteFunc([]string{c.Schema.O, c.Table.O, c.Name.O}, func(p string) bool { return p == "" }), ".")
}

// SameExpr reports whether two spellings are the same expression: the
// same when written from their trees (quotes, spacing and keyword case
// aside, and the letter case of a column's name, which the server never
// tells apart: a CHECK reading showXquestions is the one the server
// respells showxquestions when the column is renamed in letter case),
// outer parentheses aside. A spelling that does not parse is compared as
// written.
func SameExpr(a, b string) bool { return canonical(a) == canonical(b) }

// canonical is s with each column's name in lower case; its table's,
// which the server may tell apart by case, as written; outer parentheses
// aside. s as written when it does not parse.
func canonical(s string) string {
	if node := reread(s, func(c *ast.ColumnName) { c.Name = ast.NewCIStr(c.Name.L) }); node != nil {
		if out, err := Restore(unparen(node)); err == nil {
			return out
		}
	}
	return s
}

// reread reads expression s again, a tree of its own, with each of its
// column names changed by f; nil when it does not parse.
func reread(s string, f func(*ast.ColumnName)) ast.ExprNode {
	stmts, err := parse(selectPrefix + s)
	sel, ok := only[*ast.SelectStmt](stmts)
	if err != nil || !ok || sel.Fields == nil || len(sel.Fields.Fields) != 1 || sel.Fields.Fields[0].Expr == nil {
		return nil
	}
	node := sel.Fields.Fields[0].Expr
	node.Accept(visit(func(n ast.Node) bool {
		if c, ok := n.(*ast.ColumnName); ok {
			f(c)
		}
		return false
	}))
	return node
}
