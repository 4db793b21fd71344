package sqlsyntax

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// ValueKind is the kind of a literal value a release file declares for a
// column of a seed row (data_migration rows).
type ValueKind int

const (
	ValueNull ValueKind = iota
	ValueText
	ValueNumber
	ValueBool
)

// Value is one literal of a seed row: a string (Text holds it as is), a
// number (Text holds its decimal digits), TRUE or FALSE, or NULL. Values
// are literals, not SQL: a seed row is data, written as the release file
// says it, and compared with the row a database holds on every rerun, which
// an expression (NOW(), UUID()) would make differ each time.
type Value struct {
	Kind ValueKind
	Text string
}

// decimal is the number text a Value may hold: what HCL's numbers print
// as (no exponent, no leading +).
var decimal = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// SQL writes the value as a literal: a string by String, so that quotes,
// backslashes, NUL and the rest stay inside it.
func (v Value) SQL() string {
	switch v.Kind {
	case ValueText:
		return String(v.Text)
	case ValueNumber:
		if !decimal.MatchString(v.Text) {
			// Only diff makes numbers, from HCL's; never written as text.
			panic(fmt.Sprintf("sqlsyntax: %q is not a decimal number", v.Text))
		}
		return v.Text
	case ValueBool:
		if v.Text == "true" {
			return "TRUE"
		}
		return "FALSE"
	}
	return "NULL"
}

// Number is the value as a column of numbers stores it: TRUE 1, FALSE 0,
// any other value its text.
func (v Value) Number() string {
	if v.Kind != ValueBool {
		return v.Text
	}
	if v.Text == "true" {
		return "1"
	}
	return "0"
}

// String is the value as a message shows it: SQL's literal.
func (v Value) String() string { return v.SQL() }

// Cell is a column of a seed row and its value.
type Cell struct {
	Column string
	Value  Value
	// JSON marks a column of MySQL's JSON type, which compares with a
	// string as with a JSON string, never equal to a document (WL#8249):
	// the row's check compares with the value cast to JSON.
	JSON bool
}

// SeedInsert writes the statement that inserts one declared row into
// table unless a row with exactly its values is there already:
//
//	INSERT INTO t (c1, c2) SELECT v1, v2 FROM DUAL
//	WHERE NOT EXISTS (SELECT 1 FROM t WHERE c1 <=> v1 AND c2 <=> v2)
//
// A rerun (a resume that sends it again) inserts nothing; a row holding
// the row's key with other values is neither overwritten nor skipped: the
// INSERT runs and the server refuses it with its duplicate-key error,
// which the applier explains. The text is written with Ident and String
// and read back by the parser, which must find this one statement.
func SeedInsert(table string, row []Cell) (string, error) {
	cols, vals, same := make([]string, len(row)), make([]string, len(row)), make([]string, len(row))
	for i, c := range row {
		cols[i], vals[i] = Ident(c.Column), c.Value.SQL()
		same[i] = Ident(c.Column) + " <=> " + vals[i]
		if c.JSON && c.Value.Kind != ValueNull {
			same[i] = Ident(c.Column) + " <=> CAST(" + vals[i] + " AS JSON)"
		}
	}
	sql := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM %s WHERE %s)",
		Ident(table), strings.Join(cols, ", "), strings.Join(vals, ", "), Ident(table), strings.Join(same, " AND "))
	return sql, readBack(sql, len(row))
}

// ReadSeedInsert reads a statement SeedInsert wrote as a backfill
// inserting its one row into Into from no table (Table ""), whose Reinsert
// is the row: what a later migrate inserts again. ok is false for any other
// statement.
func ReadSeedInsert(sql string) (b *Backfill, ok bool) {
	st, err := ReadStmt(sql)
	if err != nil || st.Trigger != nil || len(st.Settings) > 0 {
		return nil, false
	}
	ins, isInsert := st.Node.(*ast.InsertStmt)
	if !isInsert || ins.IsReplace || ins.IgnoreErr || ins.OnDuplicate != nil || len(ins.Columns) == 0 || singleTable(ins.Table) == "" {
		return nil, false
	}
	sel, isSelect := ins.Select.(*ast.SelectStmt)
	if !isSelect || sel.From != nil || sel.Fields == nil || len(sel.Fields.Fields) != len(ins.Columns) {
		return nil, false
	}
	return &Backfill{Into: singleTable(ins.Table), ins: ins, sel: sel}, true
}

// SeedMissing writes the gate that counts the declared rows table lacks:
// how many rows are declared, less the rows holding one of their keys
// (each key matches at most one row: it is the primary key or a unique
// one, given whole and without NULL). keys are the rows' key columns and
// values.
func SeedMissing(table string, keys [][]Cell) (string, error) {
	sql := fmt.Sprintf("SELECT %d - COUNT(*) FROM %s WHERE %s", len(keys), Ident(table), SeedKeys(keys))
	st, err := ReadStmt(sql)
	if err != nil {
		return "", fmt.Errorf("emcee cannot read back the gate it wrote for the rows of %s: %v", Ident(table), err)
	}
	if _, ok := st.Node.(*ast.SelectStmt); !ok {
		return "", fmt.Errorf("emcee wrote the gate for the rows of %s as another statement", Ident(table))
	}
	return sql, nil
}

// SeedKeys is the predicate selecting the rows that hold one of the keys
// of declared rows: (k1 = v1 AND k2 = v2) OR (...).
func SeedKeys(keys [][]Cell) string {
	ors := make([]string, len(keys))
	for i, k := range keys {
		eq := make([]string, len(k))
		for j, c := range k {
			eq[j] = Ident(c.Column) + " = " + c.Value.SQL()
		}
		ors[i] = "(" + strings.Join(eq, " AND ") + ")"
	}
	return strings.Join(ors, " OR ")
}

// readBack checks that the parser reads sql as one INSERT ... SELECT of n
// values, so that no value has ended its literal early.
func readBack(sql string, n int) error {
	st, err := ReadStmt(sql)
	if err != nil {
		return fmt.Errorf("emcee cannot read back the INSERT it wrote: %v", err)
	}
	ins, ok := st.Node.(*ast.InsertStmt)
	if !ok || len(ins.Columns) != n {
		return fmt.Errorf("emcee wrote an INSERT of %d columns that reads back as another statement", n)
	}
	sel, ok := ins.Select.(*ast.SelectStmt)
	if !ok || sel.Fields == nil || len(sel.Fields.Fields) != n {
		return fmt.Errorf("emcee wrote an INSERT of %d values that reads back as another one", n)
	}
	return nil
}

// DeleteRows writes the statement that deletes the rows of table the
// predicate selects. With the table's key (its primary key's columns):
//
//	DELETE t FROM t JOIN (SELECT k FROM t WHERE (<pred>)) AS emcee_rows USING (k)
//
// the rows selected first, as a SELECT, into a derived table the server
// materialises once, then deleted by their key: MariaDB 10.11 evaluates a
// subquery of a single-table DELETE that reads the table again for every
// row (measured: `id NOT IN (SELECT MIN(id) FROM t GROUP BY ...)` over
// 20,000 rows, 1,000 deleted, took 408 s as DELETE ... WHERE and 0.11 s
// joined; 1,000,000 rows, 50,000 deleted, 27 s joined), holding the lock
// of every row it read all that while. Without a key, DELETE FROM table
// WHERE (<pred>). Each is text written with Ident around the predicate's
// restored tree, read back by the parser.
func DeleteRows(table string, key []string, pred *Expr) (string, error) {
	p, err := ParseExpr(pred.sql, Statement)
	if err != nil {
		return "", err
	}
	if len(key) == 0 {
		return Restore(&ast.DeleteStmt{TableRefs: tableRefs(table), Where: paren(p.node)})
	}
	where, err := Restore(paren(p.node))
	if err != nil {
		return "", err
	}
	cols := make([]string, len(key))
	for i, k := range key {
		cols[i] = Ident(k)
	}
	t := Ident(table)
	// The derived table's alias is another name than the table's: a table
	// named emcee_rows met its own alias, and the server refused the
	// DELETE (1066, not unique table/alias) at every run of contract.
	alias := "emcee_rows"
	for strings.EqualFold(alias, table) {
		alias += "_"
	}
	sql := fmt.Sprintf("DELETE %s FROM %s JOIN (SELECT %s FROM %s WHERE %s) AS %s USING (%s)", t, t, strings.Join(cols, ", "), t, where, Ident(alias), strings.Join(cols, ", "))
	st, err := ReadStmt(sql)
	if err != nil {
		return "", fmt.Errorf("emcee cannot read back the DELETE it wrote for %s: %v", t, err)
	}
	if d, ok := st.Node.(*ast.DeleteStmt); !ok || !d.IsMultiTable {
		return "", fmt.Errorf("emcee wrote the DELETE of %s as another statement", t)
	}
	return sql, nil
}

// DeletedRows reads a DELETE as DeleteRows writes it, in either form:
// the table it deletes from and the predicate's tree, ok false for any
// other statement (one deleting from several tables or from another
// database, with LIMIT, ORDER BY or WITH, without a predicate, or joined
// to anything but the rows of its own table the predicate selects).
func DeletedRows(del *ast.DeleteStmt) (table *ast.TableName, where ast.ExprNode, ok bool) {
	if del.Order != nil || del.Limit != nil || del.With != nil {
		return nil, nil, false
	}
	if !del.IsMultiTable {
		t := OneTable(del.TableRefs)
		return t, del.Where, t != nil && t.Schema.O == "" && del.Where != nil
	}
	// DELETE t FROM t JOIN (SELECT k FROM t WHERE (<pred>)) AS emcee_rows USING (k)
	if del.Where != nil || del.Tables == nil || len(del.Tables.Tables) != 1 || del.TableRefs == nil || del.TableRefs.TableRefs == nil {
		return nil, nil, false
	}
	j := del.TableRefs.TableRefs
	left, lok := j.Left.(*ast.TableSource)
	right, rok := j.Right.(*ast.TableSource)
	if !lok || !rok || j.On != nil || len(j.Using) == 0 {
		return nil, nil, false
	}
	t, tok := left.Source.(*ast.TableName)
	sel, sok := right.Source.(*ast.SelectStmt)
	target := del.Tables.Tables[0]
	if !tok || !sok || t.Schema.O != "" || target.Schema.O != "" || !strings.EqualFold(t.Name.O, target.Name.O) || sel.Where == nil {
		return nil, nil, false
	}
	if inner := OneTable(sel.From); inner == nil || inner.Schema.O != "" || !strings.EqualFold(inner.Name.O, t.Name.O) || sel.GroupBy != nil || sel.Having != nil || sel.Limit != nil {
		return nil, nil, false
	}
	return t, sel.Where, true
}

// ReadDelete reads a data migration's DELETE (as DeleteRows writes it,
// DeletedRows reads it) as the backfill the applier runs it as: Table the
// table it deletes from, its WHERE the predicate, and key the column it
// joins the selected rows back by, which the applier batches on: the keys
// read once (Keys), then deleted by key (DeleteKeys), or, of a TIMESTAMP
// key, in ranges as migrate runs a backfill (Batch); "" for the other
// forms (a key of several columns, DELETE FROM <table> WHERE
// <predicate>), which run as one statement. ok is false for any other
// statement.
func ReadDelete(sql string) (b *Backfill, key string, ok bool) {
	del, t, _, ok := readDeleted(sql)
	if !ok {
		return nil, "", false
	}
	b = &Backfill{Table: t.Name.O, del: del}
	if !del.IsMultiTable {
		return b, "", true
	}
	j := del.TableRefs.TableRefs
	b.dsel = j.Right.(*ast.TableSource).Source.(*ast.SelectStmt)
	// The rows are joined back by the columns the SELECT reads: a range of
	// the one key column bounds both.
	if len(j.Using) == 1 && b.dsel.Fields != nil && len(b.dsel.Fields.Fields) == 1 {
		if c, isCol := b.dsel.Fields.Fields[0].Expr.(*ast.ColumnNameExpr); isCol && c.Name.Table.O == "" && strings.EqualFold(c.Name.Name.O, j.Using[0].Name.O) {
			key = j.Using[0].Name.O
		}
	}
	return b, key, true
}

// DeletedWhere reads a data migration's DELETE (DeletedRows, either
// form): the table it deletes from and its predicate, written back from
// the tree, for a comparison with a declared one (SameExpr); ok false for
// any other statement.
func DeletedWhere(sql string) (table, where string, ok bool) {
	_, t, w, ok := readDeleted(sql)
	if !ok {
		return "", "", false
	}
	where, err := Restore(w)
	if err != nil {
		return "", "", false
	}
	return t.Name.O, where, true
}

// DeletedCount is the query that counts the rows a data migration's
// DELETE (as DeleteRows writes it) deletes if it runs now: SELECT
// COUNT(*) FROM <table> WHERE <its predicate>, built from the statement's
// tree, so that a dry run of contract says how many rows it destroys
// (Redmine 5.0 deletes settings and orphaned custom values). "" for any
// other statement.
func DeletedCount(sql string) string {
	_, t, where, ok := readDeleted(sql)
	if !ok {
		return ""
	}
	count, _ := Restore(&ast.SelectStmt{
		SelectStmtOpts: &ast.SelectStmtOpts{SQLCache: true},
		Kind:           ast.SelectStmtKindSelect,
		Fields:         &ast.FieldList{Fields: []*ast.SelectField{{Expr: &ast.AggregateFuncExpr{F: ast.AggFuncCount, Args: []ast.ExprNode{ast.NewValueExpr(1, "", "")}}}}},
		From:           &ast.TableRefsClause{TableRefs: &ast.Join{Left: &ast.TableSource{Source: t}}},
		Where:          where,
	})
	return count // "" when it cannot be written back
}

// readDeleted reads sql as a data migration's DELETE (DeletedRows, either
// form), outside SET STATEMENT ... FOR; ok false for any other statement.
func readDeleted(sql string) (del *ast.DeleteStmt, table *ast.TableName, where ast.ExprNode, ok bool) {
	st, err := ReadStmt(sql)
	if err != nil || st.Trigger != nil || len(st.Settings) > 0 {
		return nil, nil, nil, false
	}
	if del, ok = st.Node.(*ast.DeleteStmt); !ok {
		return nil, nil, nil, false
	}
	table, where, ok = DeletedRows(del)
	return del, table, where, ok
}
