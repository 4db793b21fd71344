package sqlsyntax

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// The two statement kinds the applier does more with than send them:
// gates, whose rows it lists when they are closed, and backfills, which it
// runs in primary-key ranges. Both are read here and what the applier runs
// is written from their trees.

// Gate is a gate statement (-- emcee:gate).
type Gate struct {
	// Table is the table the gate counts rows of: the one table of its
	// FROM; "" when it reads several (a join).
	Table string
	src   string // as read: read again for a tree of its own (tree)
	sel   *ast.SelectStmt
	// counted are the predicates of the deletes whose rows the gate
	// counts too (Counting), as written back.
	counted []string
	count   bool // SELECT COUNT(*) FROM <table> WHERE <predicate>
}

// ReadGate reads a gate: a SELECT returning one number.
func ReadGate(sql string) (*Gate, error) {
	st, err := readAs(sql, "a gate statement starts with SELECT")
	if err != nil {
		return nil, err
	}
	sel, ok := st.Node.(*ast.SelectStmt)
	if !ok || st.Trigger != nil || len(st.Settings) > 0 || sel.Kind != ast.SelectStmtKindSelect {
		return nil, errorAt(sql, 0, "a gate statement starts with SELECT, but this one is %q: the directive was put before another statement", snippet(sql))
	}
	g := &Gate{src: sql, sel: sel, Table: singleTable(sel.From)}
	g.count = g.Table != "" && sel.Where != nil && sel.Fields != nil && len(sel.Fields.Fields) == 1 &&
		sel.GroupBy == nil && sel.Having == nil && sel.OrderBy == nil && sel.Limit == nil && sel.With == nil && !sel.Distinct && sel.LockInfo == nil && sel.SelectIntoOpt == nil
	if g.count {
		f, ok := sel.Fields.Fields[0].Expr.(*ast.AggregateFuncExpr)
		g.count = ok && strings.EqualFold(f.F, ast.AggFuncCount) && !f.Distinct && len(f.Args) == 1
		if g.count {
			_, g.count = f.Args[0].(ast.ValueExpr) // COUNT(*): every row, not the non-NULL values of an argument
		}
	}
	return g, nil
}

// Effect is what a gate does besides counting, "" for nothing: emcee
// writes a gate as a plain SELECT, so one that writes its answer out
// (INTO OUTFILE, DUMPFILE or variables) or locks the rows it reads (FOR
// UPDATE, LOCK IN SHARE MODE) was put into the plan by hand.
func (g *Gate) Effect() string {
	if g.sel.SelectIntoOpt != nil {
		return "it writes its answer out (SELECT ... INTO)"
	}
	// A subquery's lock clause locks what it reads as the outer one does.
	lock := ast.SelectLockNone
	g.sel.Accept(visit(func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectStmt); ok && sel.LockInfo != nil && sel.LockInfo.LockType != ast.SelectLockNone && lock == ast.SelectLockNone {
			lock = sel.LockInfo.LockType
		}
		return false
	}))
	if lock != ast.SelectLockNone {
		return "it locks the rows it reads (" + lock.String() + ")"
	}
	return ""
}

// Listing is the query that lists (up to 100 of) the rows the gate
// counts: the gate selecting the rows instead of counting them. "" for a
// gate that is not SELECT COUNT(*) FROM <table> WHERE <predicate>: what it
// counts is its own.
func (g *Gate) Listing() string {
	if !g.count {
		return ""
	}
	l := *g.sel
	l.Fields = &ast.FieldList{Fields: []*ast.SelectField{{WildCard: &ast.WildCardField{}}}}
	l.Limit = &ast.Limit{Count: ast.NewValueExpr(uint64(100), "", "")}
	out, _ := Restore(&l) // "" when it cannot be written back
	return out
}

// Exists is the query that tells whether the gate finds a row at all (0 or
// 1): it stops at the first one, where the count reads them all. "" for a
// gate that is not SELECT COUNT(*) FROM <table> WHERE <predicate>.
func (g *Gate) Exists() string {
	if !g.count {
		return ""
	}
	l := *g.sel
	l.Fields = &ast.FieldList{Fields: []*ast.SelectField{{Expr: ast.NewValueExpr(1, "", "")}}}
	out, err := Restore(&ast.ExistsSubqueryExpr{Sel: &ast.SubqueryExpr{Query: &l}})
	if err != nil {
		return ""
	}
	return "SELECT " + out
}

// Counting is the gate counting also the rows that the given DELETE
// statements select, which it leaves out when its revision runs them
// after it (a data_migration's delete: the planner's conjunct
// "AND (<predicate>) IS NOT TRUE", the delete's own WHERE): once a delete
// has run, rows it selects were written after it, and nothing deletes
// them. So too an orphan gate's parents: one the delete of the parent
// table selects counts as none (a conjunct "NOT EXISTS (SELECT 1 FROM
// <parent> WHERE <the same row> AND (<predicate>))" in the parent's
// lookup), and once that delete has run, a parent it selects was written
// after it, and stays: the lookup goes without the conjunct. The gate
// itself when it leaves none of them out.
func (g *Gate) Counting(deletes ...string) *Gate {
	c := *g
	for _, d := range deletes {
		if _, _, where, ok := readDeleted(d); ok {
			c.counted = append(slices.Clip(c.counted), mustRestore(unparen(where)))
		}
	}
	if len(c.counted) == len(g.counted) {
		return g
	}
	c.sel = c.tree()
	return &c
}

// tree is the gate's statement read again, a tree of its own, without the
// conjuncts that leave out the rows of the deletes it counts (Counting),
// in its WHERE and in each subquery's: a duplicate gate leaves them out of
// the groups it counts in as well (IN (SELECT ... GROUP BY ...)), the
// orphan gate's lookup of a parent (NOT EXISTS (SELECT 1 FROM parent AS p
// WHERE <match> AND NOT EXISTS (SELECT 1 FROM parent WHERE <same> AND
// (<predicate>)))).
func (g *Gate) tree() *ast.SelectStmt {
	st, _ := ReadStmt(g.src) // read once already
	sel := st.Node.(*ast.SelectStmt)
	if sel.Where == nil || len(g.counted) == 0 {
		return sel
	}
	sel.Accept(visit(func(n ast.Node) bool {
		q, ok := n.(*ast.SelectStmt)
		if !ok || q.Where == nil {
			return false
		}
		var kept []ast.ExprNode
		for _, c := range conjuncts(q.Where) {
			if !g.leftOut(c) && !g.parentDeleted(c) {
				kept = append(kept, c)
			}
		}
		q.Where = nil // every row: all it had left out were the deletes'
		if len(kept) > 0 {
			q.Where = and(kept[0], kept[1:])
		}
		return false
	}))
	return sel
}

// leftOut: c is "(<predicate>) IS NOT TRUE" with the predicate of a
// delete the gate counts.
func (g *Gate) leftOut(c ast.ExprNode) bool {
	t, ok := c.(*ast.IsTruthExpr)
	return ok && t.Not && t.True == 1 && slices.Contains(g.counted, mustRestore(unparen(t.Expr)))
}

// parentDeleted: c is NOT EXISTS (SELECT ... WHERE ... AND (<predicate>))
// with the predicate of a delete the gate counts.
func (g *Gate) parentDeleted(c ast.ExprNode) bool {
	ex, ok := unparen(c).(*ast.ExistsSubqueryExpr)
	if !ok || !ex.Not {
		return false
	}
	sub, ok := ex.Sel.(*ast.SubqueryExpr)
	if !ok {
		return false
	}
	q, ok := sub.Query.(*ast.SelectStmt)
	if !ok || q.Where == nil {
		return false
	}
	return slices.ContainsFunc(conjuncts(q.Where), func(c ast.ExprNode) bool {
		return slices.Contains(g.counted, mustRestore(unparen(c)))
	})
}

// SQL is the gate as it counts: with the rows of the deletes it counts
// (Counting) no longer left out.
func (g *Gate) SQL() string { return mustRestore(g.sel) }

// Backfill is a backfill statement (-- emcee:backfill): an UPDATE of one
// table whose WHERE selects the rows still pending, or an INSERT ... SELECT
// from one table whose WHERE selects the rows of that table that still
// need a row in another (a data migration moving values into rows of a new
// table). Either runs in ranges of Table's primary key.
type Backfill struct {
	// Table is the table the statement's WHERE selects rows of: the one it
	// updates, or the one an INSERT ... SELECT reads.
	Table string
	// Into is the table an INSERT ... SELECT writes rows into ("" for an
	// UPDATE).
	Into string
	upd  *ast.UpdateStmt
	ins  *ast.InsertStmt
	sel  *ast.SelectStmt // ins's SELECT
	// del is a data migration's DELETE (ReadDelete), dsel the SELECT of
	// the rows it deletes when it joins them back by its key (nil for
	// DELETE FROM <table> WHERE <predicate>).
	del  *ast.DeleteStmt
	dsel *ast.SelectStmt
}

// ReadBackfill reads a backfill statement.
func ReadBackfill(sql string) (*Backfill, error) {
	st, err := readAs(sql, "a backfill statement starts with UPDATE or INSERT")
	if err != nil {
		return nil, err
	}
	if ins, ok := st.Node.(*ast.InsertStmt); ok && st.Trigger == nil && len(st.Settings) == 0 {
		return readInsertBackfill(sql, ins)
	}
	upd, ok := st.Node.(*ast.UpdateStmt)
	switch {
	case !ok || st.Trigger != nil || len(st.Settings) > 0:
		return nil, errorAt(sql, 0, "a backfill statement starts with UPDATE (UPDATE <table> SET ... WHERE <pending rows>) or INSERT (INSERT INTO <table> (...) SELECT ... FROM <table> WHERE <pending rows>), but this one is %q: the directive was put before another statement", snippet(sql))
	case upd.MultipleTable || singleTable(upd.TableRefs) == "":
		return nil, errorAt(sql, 0, "a backfill updates one table: it runs in ranges of that table's primary key")
	case upd.Where == nil:
		return nil, errorAt(sql, len(sql), "a backfill needs a WHERE selecting the rows still pending, so that a rerun skips the rows done")
	case upd.Order != nil || upd.Limit != nil:
		return nil, errorAt(sql, 0, "a backfill has no ORDER BY or LIMIT: the applier runs it in ranges of the primary key")
	}
	return &Backfill{Table: singleTable(upd.TableRefs), upd: upd}, nil
}

// readInsertBackfill reads INSERT INTO <into> (<columns>) SELECT <values>
// FROM <table> WHERE <pending>: nothing the ranges of the read table's key
// could not be added to, and no REPLACE, IGNORE or ON DUPLICATE KEY UPDATE,
// which would hide a pending predicate that lets a rerun insert a row twice.
func readInsertBackfill(sql string, ins *ast.InsertStmt) (*Backfill, error) {
	sel, ok := ins.Select.(*ast.SelectStmt)
	into := singleTable(ins.Table)
	switch {
	case !ok || into == "" || len(ins.Columns) == 0 || ins.Setlist || ins.Lists != nil:
		return nil, errorAt(sql, 0, "a backfill inserting rows is INSERT INTO <table> (<columns>) SELECT ... FROM <table> WHERE <pending rows>")
	case ins.IsReplace || ins.IgnoreErr || ins.OnDuplicate != nil:
		return nil, errorAt(sql, 0, "a backfill inserting rows has no REPLACE, IGNORE or ON DUPLICATE KEY UPDATE: its WHERE alone keeps a rerun from inserting a row twice")
	case sel.Kind != ast.SelectStmtKindSelect || singleTable(sel.From) == "":
		return nil, errorAt(sql, 0, "a backfill inserting rows selects them from one table: it runs in ranges of that table's primary key")
	case sel.Where == nil:
		return nil, errorAt(sql, len(sql), "a backfill needs a WHERE selecting the rows still pending, so that a rerun skips the rows done")
	case sel.OrderBy != nil || sel.Limit != nil || sel.GroupBy != nil || sel.Having != nil || sel.Distinct || sel.With != nil || sel.LockInfo != nil || sel.SelectIntoOpt != nil:
		return nil, errorAt(sql, 0, "a backfill inserting rows selects them with a WHERE alone (no ORDER BY, LIMIT, GROUP BY, DISTINCT, WITH or locking clause): the applier runs it in ranges of the primary key")
	}
	return &Backfill{Table: singleTable(sel.From), Into: into, ins: ins, sel: sel}, nil
}

// InsertBackfill writes the backfill that inserts into table into, for each
// row of table from the pending predicate selects, one row whose columns
// the list sets from that row: INSERT INTO into (<columns>) SELECT
// <values> FROM from WHERE (<pending>), built from the trees of the
// declared list and predicate.
func InsertBackfill(into, from string, list *Assignments, pending *Expr) (string, error) {
	ins := &ast.InsertStmt{Table: tableRefs(into)}
	sel := &ast.SelectStmt{SelectStmtOpts: &ast.SelectStmtOpts{SQLCache: true}, Kind: ast.SelectStmtKindSelect, From: tableRefs(from), Fields: &ast.FieldList{}}
	for _, as := range list.list {
		v, err := ParseExpr(as.value.sql, Statement)
		if err != nil {
			return "", err
		}
		ins.Columns = append(ins.Columns, &ast.ColumnName{Name: ast.NewCIStr(as.column)})
		sel.Fields.Fields = append(sel.Fields.Fields, &ast.SelectField{Expr: v.node})
	}
	p, err := ParseExpr(pending.sql, Statement)
	if err != nil {
		return "", err
	}
	sel.Where = paren(p.node)
	ins.Select = sel
	return Restore(ins)
}

// UpdateBackfill writes the backfill that rewrites the rows of table the
// pending predicate selects: UPDATE table SET <list> WHERE (<pending>),
// built as a tree from the trees of the list and predicate. It is written
// as plans have always written it, `col` = value (TiDB writes `col`=value):
// a released release's revisions are compared byte for byte with what
// emcee plans again (plan --check), so the form of a statement is kept.
// What it writes reads back as the same tree, or it is an error.
func UpdateBackfill(table string, list *Assignments, pending *Expr) (string, error) {
	upd := &ast.UpdateStmt{TableRefs: tableRefs(table)}
	for _, as := range list.list {
		v, err := ParseExpr(as.value.sql, Statement)
		if err != nil {
			return "", err
		}
		upd.List = append(upd.List, &ast.Assignment{Column: &ast.ColumnName{Name: ast.NewCIStr(as.column)}, Expr: v.node})
	}
	p, err := ParseExpr(pending.sql, Statement)
	if err != nil {
		return "", err
	}
	upd.Where = &ast.ParenthesesExpr{Expr: p.node}
	want, err := Restore(upd)
	if err != nil {
		return "", err
	}
	// Its parts write back as they did inside it.
	sets := make([]string, len(upd.List))
	for i, a := range upd.List {
		sets[i] = Ident(a.Column.Name.O) + " = " + mustRestore(a.Expr)
	}
	out := "UPDATE " + Ident(table) + " SET " + strings.Join(sets, ", ") + " WHERE " + mustRestore(upd.Where)
	if back, err := ReadBackfill(out); err != nil || back.SQL() != want {
		return "", fmt.Errorf("emcee cannot write the backfill of %s back faithfully (it writes %s)", Ident(table), out)
	}
	return out, nil
}

// Assign is the list that sets one column to a value computed by an
// expression, the value in parentheses: a synced column's backfill, from
// its forward expression.
func Assign(column string, value *Expr) *Assignments {
	node := &ast.ParenthesesExpr{Expr: value.node}
	sql := mustRestore(node)
	v := &Expr{src: value.src, sql: sql, node: node}
	return &Assignments{src: Ident(column) + " = " + sql, list: []assignment{{column: column, value: v}}}
}

// IsNull is the predicate that a column is NULL: the rows a backfill that
// fills a new column still has to reach.
func IsNull(column string) *Expr {
	node := &ast.IsNullExpr{Expr: &ast.ColumnNameExpr{Name: &ast.ColumnName{Name: ast.NewCIStr(column)}}}
	sql := mustRestore(node)
	return &Expr{src: sql, sql: sql, node: node}
}

func tableRefs(name string) *ast.TableRefsClause {
	return &ast.TableRefsClause{TableRefs: &ast.Join{Left: &ast.TableSource{Source: &ast.TableName{Name: ast.NewCIStr(name)}}}}
}

// pending is the backfill's WHERE: the rows still pending (of a delete,
// the rows it deletes).
func (b *Backfill) pending() ast.ExprNode {
	switch {
	case b.ins != nil:
		return b.sel.Where
	case b.dsel != nil:
		return b.dsel.Where
	case b.del != nil:
		return b.del.Where
	}
	return b.upd.Where
}

// Keeping is the backfill that also assigns each column given to itself
// (`c = c`), unless it assigns that column already: the server sets a
// column declared ON UPDATE CURRENT_TIMESTAMP on every row an UPDATE
// changes, unless the UPDATE names it. A backfill that does not would
// stamp every row of its table with the time of the backfill, the time the
// application last changed it lost.
func (b *Backfill) Keeping(cols []string) *Backfill {
	if b.ins != nil || b.del != nil {
		return b // it updates no row
	}
	u := *b.upd
	u.List = slices.Clone(u.List)
	for _, c := range cols {
		if !slices.ContainsFunc(u.List, func(a *ast.Assignment) bool { return strings.EqualFold(a.Column.Name.O, c) }) {
			u.List = append(u.List, &ast.Assignment{
				Column: &ast.ColumnName{Name: ast.NewCIStr(c)},
				Expr:   &ast.ColumnNameExpr{Name: &ast.ColumnName{Name: ast.NewCIStr(c)}},
			})
		}
	}
	return &Backfill{Table: b.Table, upd: &u}
}

// SQL is the backfill as one statement, over every pending row.
func (b *Backfill) SQL() string {
	switch {
	case b.ins != nil:
		return mustRestore(b.ins)
	case b.del != nil:
		return mustRestore(b.del)
	}
	return mustRestore(b.upd)
}

// Count counts the pending rows, with `AND key > ?` (after) and `AND key
// <= ?` (upTo) added to the backfill's WHERE, their arguments in that
// order. Of an instant key (a TIMESTAMP, whose text in the hour a zone's
// clocks go back names two instants) each bound is two predicates, `key >=
// ? AND UNIX_TIMESTAMP(key) > ?` (`<=` both for upTo): a time in the
// session's zone on the far side of the instant, a range the key's index
// finds, and the instant itself, which each row passes exactly.
func (b *Backfill) Count(key string, instant, after, upTo bool) string {
	return "SELECT COUNT(*) FROM " + Ident(b.Table) + " WHERE " + mustRestore(b.where(key, instant, after, upTo))
}

// Batch is the backfill limited to one range of its key: the statement
// with Count's bounds added to its WHERE (the upper one alone for the
// first batch, after false), its arguments BatchArgs'. Of a delete that
// joins its rows back by its key, the bounds go into the WHERE of the
// SELECT of those rows, and into a WHERE of the DELETE, which bounds the
// rows it reads of the table it deletes from: joined alone, MariaDB 10.11
// reads that table whole for every batch, locking every row (measured:
// EXPLAIN's type ALL; a row an application transaction held stopped the
// first batch).
func (b *Backfill) Batch(key string, instant, after bool) string {
	if b.dsel != nil {
		d, sel := *b.del, *b.dsel
		sel.Where = b.where(key, instant, after, true)
		refs, j := *d.TableRefs, *d.TableRefs.TableRefs
		src := *j.Right.(*ast.TableSource)
		src.Source, j.Right, refs.TableRefs, d.TableRefs = &sel, &src, &j, &refs
		r := keyRange(key, instant, after, true)
		d.Where = and(r[0], r[1:])
		return mustRestore(&d)
	}
	if b.del != nil {
		d := *b.del
		d.Where = b.where(key, instant, after, true)
		return mustRestore(&d)
	}
	if b.ins != nil {
		ins, sel := *b.ins, *b.sel
		sel.Where = b.where(key, instant, after, true)
		ins.Select = &sel
		return mustRestore(&ins)
	}
	u := *b.upd
	u.Where = b.where(key, instant, after, true)
	return mustRestore(&u)
}

// Keys is the query that reads the keys of the rows the backfill selects
// (of a delete, the rows it deletes), in the key's order, with Count's
// bounds: SELECT <read> FROM <table> WHERE <its WHERE and the bounds>
// ORDER BY <key>, read the expression the caller reads the key by (the
// key, quoted, or CAST(key AS DOUBLE)), as the batch's bound query reads
// it.
func (b *Backfill) Keys(key, read string, instant, after, upTo bool) string {
	return "SELECT " + read + " FROM " + Ident(b.Table) + " WHERE " + mustRestore(b.where(key, instant, after, upTo)) + " ORDER BY " + Ident(key)
}

// DeleteKeys is the statement that deletes the rows of the backfill's
// table whose key is one of n values: DELETE FROM <table> WHERE <key> IN
// (?, ...), n placeholders.
func (b *Backfill) DeleteKeys(key string, n int) string {
	in := &ast.PatternInExpr{Expr: &ast.ColumnNameExpr{Name: &ast.ColumnName{Name: ast.NewCIStr(key)}}}
	for range n {
		in.List = append(in.List, ast.NewParamMarkerExpr(0))
	}
	return mustRestore(&ast.DeleteStmt{TableRefs: tableRefs(b.Table), Where: in})
}

// BatchArgs are the arguments of a Batch, given those of its key range
// (Count's): of a delete that joins its rows back, the range's twice.
func (b *Backfill) BatchArgs(args []any) []any {
	if b.dsel != nil {
		return slices.Concat(args, args)
	}
	return args
}

func (b *Backfill) where(key string, instant, after, upTo bool) ast.ExprNode {
	where, r := b.pending(), keyRange(key, instant, after, upTo)
	if len(r) > 0 {
		where = paren(where)
	}
	return and(where, r)
}

// KeyRange is the range of a key that Count's bounds select, alone: for
// the query that reads the keys a batch ends at. upTo or after is true.
func KeyRange(key string, instant, after, upTo bool) string {
	r := keyRange(key, instant, after, upTo)
	return mustRestore(and(r[0], r[1:]))
}

// and is first AND each of rest, left to right.
func and(first ast.ExprNode, rest []ast.ExprNode) ast.ExprNode {
	for _, e := range rest {
		first = &ast.BinaryOperationExpr{Op: opcode.LogicAnd, L: first, R: e}
	}
	return first
}

func keyRange(key string, instant, after, upTo bool) []ast.ExprNode {
	var out []ast.ExprNode
	add := func(op opcode.Op, l ast.ExprNode) {
		out = append(out, &ast.BinaryOperationExpr{Op: op, L: l, R: ast.NewParamMarkerExpr(0)})
	}
	col := func() ast.ExprNode { return &ast.ColumnNameExpr{Name: &ast.ColumnName{Name: ast.NewCIStr(key)}} }
	for _, r := range []struct {
		op, wide opcode.Op
		on       bool
	}{{opcode.GT, opcode.GE, after}, {opcode.LE, opcode.LE, upTo}} {
		switch {
		case !r.on:
		case instant:
			add(r.wide, col())
			add(r.op, &ast.FuncCallExpr{FnName: ast.NewCIStr("UNIX_TIMESTAMP"), Args: []ast.ExprNode{col()}})
		default:
			add(r.op, col())
		}
	}
	return out
}

// mustRestore writes a tree read from text, or built from one.
func mustRestore(n ast.Node) string {
	out, err := Restore(n)
	if err != nil {
		panic("sqlsyntax: " + err.Error())
	}
	return out
}

// readAs reads a statement a directive names; what cannot be read says
// what it should have been.
func readAs(sql, want string) (*Stmt, error) {
	st, err := ReadStmt(sql)
	if e := (*Error)(nil); errors.As(err, &e) {
		return nil, &Error{Offset: e.Offset, Line: e.Line, Col: e.Col, Msg: want + ", but emcee cannot read this one: " + e.Msg}
	}
	return st, err
}

// singleTable is the table of a FROM (or UPDATE) clause that names
// exactly one table, in the current database; "" otherwise.
func singleTable(refs *ast.TableRefsClause) string {
	if t := OneTable(refs); t != nil && t.Schema.O == "" {
		return t.Name.O
	}
	return ""
}

// OneTable is the table of a FROM, UPDATE or DELETE clause that names
// exactly one table; nil for a join or a derived table.
func OneTable(refs *ast.TableRefsClause) *ast.TableName {
	if refs == nil || refs.TableRefs == nil || refs.TableRefs.Right != nil {
		return nil
	}
	if src, ok := refs.TableRefs.Left.(*ast.TableSource); ok {
		t, _ := src.Source.(*ast.TableName)
		return t
	}
	return nil
}

// alias is the lowercased name an UPDATE backfill's columns are
// qualified with: its table's alias, or its table's name.
func (b *Backfill) alias() string {
	refs := b.upd.TableRefs
	if src, ok := refs.TableRefs.Left.(*ast.TableSource); ok && src.AsName.L != "" {
		return src.AsName.L
	}
	return OneTable(refs).Name.L
}

// Fill is what a backfill writes again into a column it sets once the
// column is added again with its default: Value in the rows When selects,
// both reading the column itself as DEFAULT(column), and the other columns
// they read (lowercased, generously: subqueries' own columns too).
type Fill struct {
	Value string
	When  string
	Reads map[string]bool
	// Assigns are the columns (lowercased) Value and When take at their
	// defaults: the fill holds only where the rollback drops each of them,
	// so that a later expand adds them all back at their defaults.
	Assigns []string
}

// Refills is, by lowercased column, what the backfills bs (UPDATEs of one
// table, in the order migrate runs them) would write again into each
// column they set, were the column dropped, added again with its default
// and the backfills run again: each `UPDATE t SET c = v WHERE w` (one
// assignment), or the merged form MergeBackfills writes, `c = CASE WHEN
// (w) THEN v ELSE c END`. A fill of a column that is NULL until written
// (`WHERE c IS NULL`) writes v again in every row; a data migration (Apollo
// 2.0's `SET DeletedAt = -Id WHERE IsDeleted = 1 AND DeletedAt = 0`) in the
// rows its predicate selects with the column at its default. A column
// written more than once (two data migrations filling it for different
// rows, merged into one pass or in passes of their own) gets what the
// writes leave one after another, each reading the column as the ones
// before left it (compared with either write alone, or with none, every
// row the other one wrote was counted as the new release's data). A column read
// inside a subquery may be another table's, so such a backfill is left
// out, as is one computing what is not the same when computed again (the
// date, RAND(), a sequence's next value, a variable, a stored function:
// unrepeatable), a CASE whose WHEN is not one the WHERE selects the rows of
// (the WHERE may keep it to fewer), and any other shape: what it would
// write again cannot be told from it. Such a column it sets is there as
// nil: another backfill's fill of it does not tell either.
func Refills(bs ...*Backfill) map[string]*Fill {
	out := map[string]*Fill{}
	cur := map[string]ast.ExprNode{} // a column: what the writes so far leave in it
	whens := map[string][]ast.ExprNode{}
	assigns := map[string]map[string]bool{}
	// untold is what a write that cannot be told leaves in its column,
	// for a later write reading it to be untold too.
	untold := ast.ExprNode(&ast.DefaultExpr{})
	unknown := func(col *ast.ColumnName) { out[col.Name.L], cur[col.Name.L] = nil, untold }
	// write is col = v where w, reading the columns of at (col among
	// them) as row has them: as the writes so far left them, or at their
	// defaults before the first.
	write := func(col *ast.ColumnName, w, v ast.ExprNode, at []*ast.ColumnName, row map[string]ast.ExprNode, alias string) {
		name := col.Name.L
		if f, ok := out[name]; ok && f == nil {
			return // a write of it could not be told
		}
		if col.Table.L != "" || col.Schema.L != "" {
			unknown(col)
			return
		}
		atDefault := func(c *ast.ColumnName) ast.ExprNode { return &ast.DefaultExpr{Name: &ast.ColumnName{Name: c.Name}} }
		set := map[string]ast.ExprNode{}
		if assigns[name] == nil {
			assigns[name] = map[string]bool{}
		}
		for _, c := range at {
			if row[c.Name.L] == untold {
				unknown(col)
				return
			}
			set[c.Name.L] = cmp.Or(row[c.Name.L], atDefault(c))
			assigns[name][c.Name.L] = true
		}
		// On a copy: the statement's trees are shared (a WHERE by the
		// columns it sets), and what a write puts in them is another
		// write's to read as it is.
		sub := func(e ast.ExprNode) (ast.ExprNode, bool) {
			st, err := parseAfter(selectPrefix, mustRestore(e))
			if err != nil {
				return nil, false
			}
			s := &substitute{set: set, alias: alias}
			n, _ := st.(*ast.SelectStmt).Fields.Fields[0].Expr.Accept(s)
			return n.(ast.ExprNode), !s.unsure && repeatable(n)
		}
		w, ok1 := sub(w)
		v, ok2 := sub(v)
		if !ok1 || !ok2 {
			unknown(col)
			return
		}
		whens[name] = append(whens[name], w)
		cur[name] = &ast.CaseExpr{WhenClauses: []*ast.WhenClause{{Expr: w, Result: v}}, ElseClause: cmp.Or(cur[name], atDefault(col))}
		out[name] = &Fill{Value: mustRestore(v), When: mustRestore(w)}
		if len(whens[name]) > 1 {
			any := paren(whens[name][0])
			for _, w := range whens[name][1:] {
				any = &ast.BinaryOperationExpr{Op: opcode.LogicOr, L: any, R: paren(w)}
			}
			out[name] = &Fill{Value: mustRestore(cur[name]), When: mustRestore(any)}
		}
	}
	for _, b := range bs {
		if b.ins != nil {
			continue // it sets no column of the table it reads
		}
		var cols []*ast.ColumnName
		for _, a := range b.upd.List {
			cols = append(cols, a.Column)
		}
		alias := b.alias()
		if len(b.upd.List) == 1 {
			a := b.upd.List[0]
			write(a.Column, b.upd.Where, value(a), cols, cur, alias)
			continue
		}
		// Several assignments, none of whose values reads a column the
		// statement sets (the server computes them left to right, each
		// seeing the ones before: LimeSurvey 1.92's admin notification
		// texts, four new columns set to constants where the first is
		// NULL): each column's fill, with every column the statement sets
		// as the row was before it, as a later expand adds them all back
		// when the rollback drops them all (Fill.Assigns).
		if !slices.ContainsFunc(b.upd.List, func(a *ast.Assignment) bool {
			read := readColumns(value(a))
			return slices.ContainsFunc(cols, func(c *ast.ColumnName) bool { return read[c.Name.L] })
		}) {
			before := maps.Clone(cur)
			for _, a := range b.upd.List {
				write(a.Column, b.upd.Where, value(a), cols, before, alias)
			}
			continue
		}
		var ors []string // the predicates the WHERE ORs, as MergeBackfills writes it
		for e := b.upd.Where; e != nil; {
			if o, ok := e.(*ast.BinaryOperationExpr); ok && o.Op == opcode.LogicOr {
				ors, e = append(ors, mustRestore(o.R)), o.L
				continue
			}
			ors, e = append(ors, mustRestore(e)), nil
		}
		for _, a := range b.upd.List {
			c, ok := a.Expr.(*ast.CaseExpr)
			if !ok || c.Value != nil || len(c.WhenClauses) != 1 || !slices.Contains(ors, mustRestore(c.WhenClauses[0].Expr)) {
				unknown(a.Column)
				continue
			}
			if e, ok := c.ElseClause.(*ast.ColumnNameExpr); ok && e.Name.Table.L == "" && e.Name.Name.L == a.Column.Name.L {
				write(a.Column, c.WhenClauses[0].Expr, c.WhenClauses[0].Result, []*ast.ColumnName{a.Column}, cur, alias)
			} else {
				unknown(a.Column)
			}
		}
	}
	for name, f := range out {
		if f != nil {
			f.Reads, f.Assigns = readColumns(cur[name]), slices.Sorted(maps.Keys(assigns[name]))
		}
	}
	return out
}

// Reinsert is what a backfill inserting rows (Into set) would insert again,
// were Into dropped, created again and the backfill run again: each column
// it sets (lowercased) with the value it sets, an expression over the row
// of Table. ok is false for an UPDATE, and where a value is not the same
// when computed again (the date, RAND(), a variable, a stored function:
// repeatable).
func (b *Backfill) Reinsert() (columns, values []string, ok bool) {
	if b.ins == nil {
		return nil, nil, false
	}
	for i, c := range b.ins.Columns {
		if i >= len(b.sel.Fields.Fields) {
			return nil, nil, false
		}
		v := b.sel.Fields.Fields[i].Expr
		if v == nil || !repeatable(v) {
			return nil, nil, false
		}
		columns, values = append(columns, c.Name.L), append(values, mustRestore(v))
	}
	return columns, values, len(columns) > 0
}

// Collisions is, for a backfill inserting rows (Into set), the query that
// lists the values it gives the columns of a unique key of Into that two
// or more of the rows its WHERE selects give alike, with how many give
// each (up to 100 values): the rows the server refuses the batch for with
// a duplicate key (Gitea 1.15's primary emails of two users sharing an
// email). "" for an UPDATE, or when the INSERT sets none of the columns
// (the key holds a column the server fills: no two rows collide on it).
// collations are the key's columns' collations ("" for a column of no
// text): each value is compared as the key compares it, in the column's
// charset under its collation (CONVERT(value USING charset) COLLATE
// collation), not as the expression reading from compares it (two emails
// of a _bin column differing in case are one key of a _ci one).
func (b *Backfill) Collisions(columns, collations []string) string {
	if b.ins == nil || len(columns) == 0 {
		return ""
	}
	sel := &ast.SelectStmt{SelectStmtOpts: &ast.SelectStmtOpts{SQLCache: true}, Kind: ast.SelectStmtKindSelect, From: b.sel.From, Where: b.sel.Where, Fields: &ast.FieldList{}, GroupBy: &ast.GroupByClause{}}
	for _, want := range columns {
		i := slices.IndexFunc(b.ins.Columns, func(c *ast.ColumnName) bool { return strings.EqualFold(c.Name.O, want) })
		if i < 0 || i >= len(b.sel.Fields.Fields) {
			return ""
		}
		expr := b.sel.Fields.Fields[i].Expr
		if k := len(sel.Fields.Fields); k < len(collations) && collations[k] != "" {
			coll := CanonicalCharset(collations[k])
			if _, ok := CollationCharset(coll); !ok {
				return ""
			}
			expr = &ast.SetCollationExpr{Expr: &ast.FuncCallExpr{FnName: ast.NewCIStr(ast.Convert), Args: []ast.ExprNode{expr, ast.NewValueExpr(CharsetOf(coll), "", "")}}, Collate: coll}
		}
		sel.Fields.Fields = append(sel.Fields.Fields, &ast.SelectField{Expr: expr, AsName: ast.NewCIStr(b.ins.Columns[i].Name.O)})
		sel.GroupBy.Items = append(sel.GroupBy.Items, &ast.ByItem{Expr: &ast.PositionExpr{N: len(sel.Fields.Fields)}})
	}
	count := &ast.AggregateFuncExpr{F: ast.AggFuncCount, Args: []ast.ExprNode{ast.NewValueExpr(1, "", "")}}
	sel.Fields.Fields = append(sel.Fields.Fields, &ast.SelectField{Expr: count, AsName: ast.NewCIStr("rows")})
	sel.Having = &ast.HavingClause{Expr: &ast.BinaryOperationExpr{Op: opcode.GT, L: count, R: ast.NewValueExpr(1, "", "")}}
	sel.Limit = &ast.Limit{Count: ast.NewValueExpr(uint64(100), "", "")}
	out, _ := Restore(sel) // "" when it cannot be written back
	return out
}
