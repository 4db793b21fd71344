package sqlsyntax

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// zoneFunctions give a value that depends on the session's time_zone: the
// current time as local time, or a conversion between local time and an
// instant. (UTC_TIMESTAMP and its kin, and UNIX_TIMESTAMP() of nothing, do
// not.)
var zoneFunctions = map[string]string{
	"now": "the current local time", "current_timestamp": "the current local time", "localtime": "the current local time",
	"localtimestamp": "the current local time", "sysdate": "the current local time",
	"curdate": "the current local date", "current_date": "the current local date",
	"curtime": "the current local time of day", "current_time": "the current local time of day",
	"from_unixtime":  "an instant written as local time",
	"unix_timestamp": "local time read as an instant",
}

// ZoneDependent is the first part of the expression whose value depends on
// the session's time zone, as an *Error at it (the message says why); nil
// when there is none. timestamps are the TIMESTAMP columns of the table:
// each is stored as an instant and read as local time. A bare TIMESTAMP
// column copies an instant and does not count, nor does UNIX_TIMESTAMP of
// one. Written to a TIMESTAMP column (into), any other value but NULL is
// read as local time.
func (e *Expr) ZoneDependent(timestamps []string, into string) *Error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if isTimestampColumn(timestamps, e.node) {
		return nil
	}
	if v, ok := e.node.(ast.ValueExpr); into != "" && isTimestamp(timestamps, into) && !(ok && v.GetValue() == nil) {
		return errorAt(e.src, e.node.OriginTextPosition()-e.base, "the value is written to %s, a TIMESTAMP column, which the server reads as local time in the session's time zone", into)
	}
	var err *Error
	e.node.Accept(visit(func(n ast.Node) bool {
		if err != nil {
			return true
		}
		switch n := n.(type) {
		case *ast.FuncCallExpr:
			name := n.FnName.L
			switch {
			case name == "unix_timestamp" && len(n.Args) == 0:
			case name == "unix_timestamp" && len(n.Args) == 1 && isTimestampColumn(timestamps, n.Args[0]):
				return true
			case name == "convert_tz":
				for _, a := range n.Args {
					if v, ok := a.(ast.ValueExpr); ok && strings.EqualFold(v.GetString(), "SYSTEM") {
						err = errorAt(e.src, n.OriginTextPosition()-e.base, "CONVERT_TZ(... 'SYSTEM' ...) converts from or to the session's time zone")
					}
				}
			case zoneFunctions[name] != "":
				err = errorAt(e.src, n.OriginTextPosition()-e.base, "%s(...) is %s, which depends on the session's time zone", strings.ToUpper(n.FnName.O), zoneFunctions[name])
			}
		case *ast.ColumnNameExpr:
			if isTimestamp(timestamps, n.Name.Name.O) {
				err = errorAt(e.src, n.OriginTextPosition()-e.base, "%s is a TIMESTAMP column: an instant, which the expression reads as local time in the session's time zone", n.Name.Name.O)
			}
		}
		return false
	}))
	return err
}

// ZoneDependent is Expr.ZoneDependent of each value of the list, written
// to its column.
func (a *Assignments) ZoneDependent(timestamps []string) *Error {
	for _, as := range a.list {
		if err := as.value.ZoneDependent(timestamps, as.column); err != nil {
			return err
		}
	}
	return nil
}

func isTimestamp(timestamps []string, column string) bool {
	_, ok := lookup(timestamps, column)
	return ok
}

func isTimestampColumn(timestamps []string, e ast.ExprNode) bool {
	c, ok := e.(*ast.ColumnNameExpr)
	return ok && isTimestamp(timestamps, c.Name.Name.O)
}
