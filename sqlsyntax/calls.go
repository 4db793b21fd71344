package sqlsyntax

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"

	"github.com/emcee-db/emcee/internal/hclquote"
)

// Server is the kind of server a release targets, for the functions an
// expression may call.
type Server int

const (
	MariaDB Server = iota // MariaDB 10.11 (functions_mariadb1011.txt, generated from the server)
	MySQL                 // MySQL 8.0 (functions_mysql80.txt, from its manual and source)
)

func (s Server) String() string {
	if s == MySQL {
		return "MySQL 8.0"
	}
	return "MariaDB 10.11"
}

// Builtin reports whether the server has a built-in function of that name.
func Builtin(s Server, name string) bool {
	n := strings.ToLower(name)
	if s == MySQL {
		return mysql80[n]
	}
	mask, ok := arity[n]
	return ok && mask != 0
}

// Functions is what a call may name: the built-ins of the server, and the
// stored functions of the database a release declares (stored_function
// blocks), which the server looks up by name in the database it runs in.
type Functions struct {
	Server Server
	Stored []string
}

func (f Functions) has(name string) bool {
	_, stored := lookup(f.Stored, name)
	return stored || Builtin(f.Server, name)
}

// UnknownCall is the first call of a function the server does not have and
// the release does not declare, as an *Error at the call; nil when there
// is none. The server takes such a name for a stored function and refuses
// the statement with error 1305 when it runs: a trigger then fails every
// write that fires it.
func (e *Expr) UnknownCall(f Functions) *Error {
	var err *Error
	e.walk(visit(func(n ast.Node) bool {
		call, ok := n.(*ast.FuncCallExpr)
		if !ok || err != nil {
			return err != nil
		}
		at := call.OriginTextPosition() - e.base
		switch {
		case call.Schema.O != "":
			err = errorAt(e.src, at, "%s.%s(...): a function qualified by a database: plans apply to whichever database the operator names; declare the stored function (stored_function %s {}) and call it unqualified", call.Schema.O, call.FnName.O, hclquote.Quote(call.FnName.O))
		case !plainCall(call):
			// Special syntax (TRIM(x FROM y), EXTRACT(DAY FROM d) ...): the
			// grammar read it, so the server has it.
		case !f.has(call.FnName.O):
			other := MariaDB
			if f.Server == MariaDB {
				other = MySQL
			}
			also, fix := "", fmt.Sprintf("Use a function of %s, or, for a stored function of the database, declare it in the release: stored_function %s {}", f.Server, hclquote.Quote(call.FnName.O))
			if Builtin(other, call.FnName.O) {
				also = " (it is " + other.String() + "'s)"
				fix = fmt.Sprintf("Use a function of %s, or, if the database runs on %s, say so in the emcee block of atlas.hcl (target)", f.Server, other)
			}
			err = errorAt(e.src, at, "%s(...): %s has no such function%s. The server would take it for a stored function and refuse the statement when it runs (error 1305): in a trigger, on every write that fires it. %s",
				strings.ToUpper(call.FnName.O), f.Server, also, fix)
		}
		return err != nil
	}))
	return err
}

// UnknownCall checks every value of the list as Expr.UnknownCall does.
func (a *Assignments) UnknownCall(f Functions) *Error {
	for _, as := range a.list {
		if err := as.value.UnknownCall(f); err != nil {
			return err
		}
	}
	return nil
}

// SessionCall is the first call, as an *Error at it, of a built-in whose
// answer is a state of the session computing it, not anything of the row
// (LAST_INSERT_ID(x) is x, and passes); nil when there is none. A
// declared expression is computed by emcee's batched statements on its own
// connection and by triggers in the writer's session. A schema's default
// is not checked: the server computes it in the session writing the row.
func (e *Expr) SessionCall() *Error {
	var err *Error
	e.walk(visit(func(n ast.Node) bool {
		if f, ok := n.(*ast.FuncCallExpr); ok && f.Schema.L == "" && slices.Contains([]string{"connection_id", "found_rows", "row_count", "last_insert_id"}, f.FnName.L) && len(f.Args) == 0 {
			err = errorAt(e.src, f.OriginTextPosition()-e.base, "%s(): its answer is the state of the session computing it, not anything of the row: emcee's backfills and gates compute it in batches on emcee's own connection, and a trigger in the session of whoever writes the row, so each row would get a value that means nothing. Compute the value from the row's columns (a data_migration's set and pending may read other tables' rows with a subquery)", strings.ToUpper(f.FnName.O))
		}
		return err != nil
	}))
	return err
}

// SessionCall checks every value of the list as Expr.SessionCall does.
func (a *Assignments) SessionCall() *Error {
	for _, as := range a.list {
		if err := as.value.SessionCall(); err != nil {
			return err
		}
	}
	return nil
}

// plainCall reports a call written NAME(a, b, ...), as the server's grammar
// reads a call it looks up by name (a native or stored function), not one
// of the special forms its grammar reads itself.
func plainCall(n *ast.FuncCallExpr) bool {
	args := make([]string, len(n.Args))
	for i, a := range n.Args {
		if _, ok := a.(*ast.TableNameExpr); ok {
			return false // NEXTVAL(seq)
		}
		s, err := Restore(a)
		if err != nil {
			return false
		}
		args[i] = s
	}
	call, err := Restore(n)
	return err == nil && strings.EqualFold(call, n.FnName.O+"("+strings.Join(args, ", ")+")")
}
