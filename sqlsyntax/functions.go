package sqlsyntax

import (
	_ "embed"
	"strconv"
	"strings"
)

// The built-in functions of the two servers a release may target, each
// list a text file embedded in the binary.
//
// MariaDB 10.11's, functions_mariadb1011.txt, are generated from the
// server by TestGenerateFunctionArity: a line per built-in function and
// keyword, its name and a bit per argument count (0 to 6; bit 6 stands for
// 6 or more) that a plain call NAME(...) accepts, 0 for a keyword no plain
// call accepts.
//
//go:embed functions_mariadb1011.txt
var mariadbFunctionList string

var arity = func() map[string]uint8 {
	m := map[string]uint8{}
	for name, mask := range readList("functions_mariadb1011.txt", mariadbFunctionList) {
		n, err := strconv.ParseUint(mask, 0, 8)
		if err != nil {
			panic("sqlsyntax: functions_mariadb1011.txt: " + name + " " + mask)
		}
		m[name] = uint8(n)
	}
	return m
}()

// MySQL 8.0's, for the mysql 8.0 target: no MySQL 8 server is available to
// generate them from. They are the functions of the manual's "Built-In
// Functions and Operators" table (MySQL 8.0 Reference Manual, section
// 14.1), read as the server defines them: its native functions
// (sql/item_create.cc, func_array, without those only the data
// dictionary's system views may call) and the functions its grammar reads
// by name (sql/sql_yacc.yy: keyword, non-keyword and conflicting function
// calls, aggregates, window functions). Functions added in later 8.0
// releases are included: "8.0" is the series.
//
// The list, one name a line, is functions_mysql80.txt.
//
//go:embed functions_mysql80.txt
var mysql80List string

var mysql80 = func() map[string]bool {
	m := map[string]bool{}
	for name := range readList("functions_mysql80.txt", mysql80List) {
		m[name] = true
	}
	return m
}()

// readList reads one of the lists of names embedded in the binary
// (functions_*.txt, collations_*.txt), the one reader of them all: a line
// per name, what the list says of it after the first blank ("" for a list
// of names alone); blank lines and lines starting with # (what the list
// is, where it came from) are left out. A line that is not one name, or a
// name given twice, is a broken list: the binary refuses to start.
func readList(file, text string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, _ := strings.Cut(line, " ")
		if _, twice := m[name]; twice {
			panic("sqlsyntax: " + file + ": " + name + " is listed twice")
		}
		m[name] = strings.TrimSpace(value)
	}
	return m
}
