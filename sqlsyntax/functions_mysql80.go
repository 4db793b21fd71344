package sqlsyntax

import (
	_ "embed"
	"strings"
)

// The built-in functions of MySQL 8.0, for the mysql 8.0 target: no MySQL 8
// server is available to generate them from, as functions.go is from
// MariaDB. They are the functions of the manual's "Built-In Functions and
// Operators" table (MySQL 8.0 Reference Manual, section 14.1), read as the
// server defines them: its native functions (sql/item_create.cc, func_array,
// without those only the data dictionary's system views may call) and the
// functions its grammar reads by name (sql/sql_yacc.yy: keyword, non-keyword
// and conflicting function calls, aggregates, window functions). Functions
// added in later 8.0 releases are included: "8.0" is the series.
//
// The list, one name a line, is functions_mysql80.txt.
//
//go:embed functions_mysql80.txt
var mysql80List string

var mysql80 = func() map[string]bool {
	m := map[string]bool{}
	for _, name := range strings.Fields(mysql80List) {
		m[name] = true
	}
	return m
}()
