package sqlsyntax

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Rewrite is a backfill as the applier reads it to tell what a run of it
// would achieve without running it: UPDATE <table> SET <assignments> WHERE
// <pending>, and the pending predicate as it would read each row after the
// assignments (each column the statement sets replaced by the value it
// sets, left to right, as the server assigns a single-table UPDATE).
type Rewrite struct {
	Table string
	// Pending selects the rows the statement updates.
	Pending string
	// After is Pending read after the update. A row for which it is TRUE
	// stays pending however often the statement runs: what it writes
	// leaves the row in its own WHERE (a fill expression that yields NULL
	// for it). Empty when that cannot be told from the statement: Pending
	// reads a column it sets inside a subquery, where the name may stand
	// for another table's column.
	After string
}

// Stuck is the predicate true for the pending rows no run of the
// statement takes out of its WHERE ("" when After is unknown).
func (r *Rewrite) Stuck() string {
	if r.After == "" {
		return ""
	}
	return "(" + r.Pending + ") AND (" + r.After + ") IS TRUE"
}

// Rewritable is the predicate true for the pending rows a run of the
// statement rewrites for good: Pending without the stuck rows; Pending
// itself when After is unknown.
func (r *Rewrite) Rewritable() string {
	if r.After == "" {
		return r.Pending
	}
	return "(" + r.Pending + ") AND (" + r.After + ") IS NOT TRUE"
}

// ReadRewrite reads a backfill statement (ReadBackfill) for what a run of
// it achieves.
func ReadRewrite(update string) (*Rewrite, error) {
	b, err := ReadBackfill(update)
	if err != nil {
		return nil, err
	}
	r := &Rewrite{Table: b.Table}
	if r.Pending, err = Restore(b.pending()); err != nil {
		return nil, err
	}
	if b.ins != nil {
		// It changes no row of the table it reads: whether a row stays
		// pending after it depends on the rows it inserts elsewhere.
		return r, nil
	}
	upd := b.upd
	alias := b.alias()
	set := map[string]ast.ExprNode{}
	for _, a := range upd.List {
		if a.Column.Table.L != "" && a.Column.Table.L != alias {
			return r, nil
		}
		v := value(a)
		s := &substitute{set: set, alias: alias}
		n, _ := v.Accept(s)
		if s.unsure {
			return r, nil
		}
		set[a.Column.Name.L] = &ast.ParenthesesExpr{Expr: n.(ast.ExprNode)}
	}
	s := &substitute{set: set, alias: alias}
	after, _ := upd.Where.Accept(s)
	if s.unsure {
		return r, nil
	}
	if r.After, err = Restore(after); err != nil {
		return nil, err
	}
	return r, nil
}

// substitute replaces the columns of the updated row that the statement
// sets by the values it sets. Nodes it puts in are not walked again (the
// walk replaces a node after its children), so a value that reads its own
// column (SET n = n + 1) is substituted once.
type substitute struct {
	set    map[string]ast.ExprNode
	alias  string
	depth  int  // subqueries entered
	unsure bool // a set column is named inside a subquery
}

func (s *substitute) Enter(n ast.Node) (ast.Node, bool) {
	if _, ok := n.(*ast.SubqueryExpr); ok {
		s.depth++
	}
	return n, false
}

func (s *substitute) Leave(n ast.Node) (ast.Node, bool) {
	switch x := n.(type) {
	case *ast.SubqueryExpr:
		s.depth--
	case *ast.ColumnNameExpr:
		v, ok := s.set[x.Name.Name.L]
		switch {
		case !ok || x.Name.Schema.L != "" || x.Name.Table.L != "" && x.Name.Table.L != s.alias:
		case s.depth > 0:
			s.unsure = true
		default:
			return v, true
		}
	}
	return n, true
}

// unrepeatable are the built-in functions but the clock's whose value for
// a row is not the same when computed again later: a random value, a
// sequence's, the session's or the server's, a lock's.
var unrepeatable = map[string]bool{
	"rand": true, "random_bytes": true, "uuid": true, "uuid_short": true, "sys_guid": true,
	"nextval": true, "lastval": true, "setval": true, "last_value": true,
	"connection_id": true, "last_insert_id": true, "row_count": true, "found_rows": true,
	"user": true, "current_user": true, "session_user": true, "system_user": true, "current_role": true,
	"database": true, "schema": true, "version": true, "binlog_gtid_pos": true, "load_file": true,
	"sleep": true, "benchmark": true, "get_lock": true, "release_lock": true, "release_all_locks": true,
	"is_free_lock": true, "is_used_lock": true, "master_pos_wait": true, "master_gtid_wait": true,
}

// clock are the functions that read the time, unrepeatable too
// (UNIX_TIMESTAMP only of nothing: of a value, it converts it): an expression
// selecting rows by age (expires < NOW()) selects, computed again later,
// the same rows and those aged since.
var clock = map[string]bool{
	"now": true, "current_timestamp": true, "localtime": true, "localtimestamp": true, "sysdate": true,
	"curdate": true, "current_date": true, "curtime": true, "current_time": true,
	"utc_date": true, "utc_time": true, "utc_timestamp": true, "unix_timestamp": true,
}

// Unrepeatable names the first built-in call of the expression, other
// than the clock's, whose answer for a row is not the same when computed
// again (RAND(), UUID(), LAST_INSERT_ID(), a sequence's, a lock's), as
// NAME(); "" when it has none. Stored functions are left to their
// declaration (stored_function).
func (e *Expr) Unrepeatable() string {
	name := ""
	e.walk(visit(func(n ast.Node) bool {
		if f, ok := n.(*ast.FuncCallExpr); ok && f.Schema.L == "" && unrepeatable[f.FnName.L] {
			name = strings.ToUpper(f.FnName.O) + "()"
		}
		return name != ""
	}))
	return name
}

// repeatable reports that a tree computes the same value when computed
// again: no unrepeatable function, no variable, and no stored function (a
// plain call of no built-in's name, or one in a schema: as UnknownCall
// tells them), which may be either and may write.
func repeatable(n ast.Node) bool {
	yes := true
	n.Accept(visit(func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncCallExpr:
			stored := n.Schema.L != "" || plainCall(n) && !Builtin(MariaDB, n.FnName.O) && !Builtin(MySQL, n.FnName.O)
			if stored || unrepeatable[n.FnName.L] || clock[n.FnName.L] && (n.FnName.L != "unix_timestamp" || len(n.Args) == 0) {
				yes = false
			}
		case *ast.VariableExpr:
			yes = false
		}
		return !yes
	}))
	return yes
}
