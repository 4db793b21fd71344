package sqlsyntax_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A call of a function the target server does not have is refused where it
// is declared (issue 10 attack hole 10: REGEXP_LIKE, MySQL 8's, in a fill
// made every INSERT of the running release fail with 1305 after expand).
func TestUnknownCallsAreRefused(t *testing.T) {
	maria := sqlsyntax.Functions{Server: sqlsyntax.MariaDB}
	mysql := sqlsyntax.Functions{Server: sqlsyntax.MySQL}
	for _, tc := range []struct {
		src  string
		f    sqlsyntax.Functions
		col  int
		want string
	}{
		{"REGEXP_LIKE(name, '^x')", maria, 1, "REGEXP_LIKE(...): MariaDB 10.11 has no such function (it is MySQL 8.0's). The server would take it for a stored function and refuse the statement when it runs (error 1305)"},
		{"LOWER(slugify(name))", maria, 7, `SLUGIFY(...): MariaDB 10.11 has no such function. The server would take it for a stored function and refuse the statement when it runs (error 1305): in a trigger, on every write that fires it. Use a function of MariaDB 10.11, or, for a stored function of the database, declare it in the release: stored_function "slugify" {}`},
		{"JSON_QUERY(name, '$.a')", mysql, 1, "JSON_QUERY(...): MySQL 8.0 has no such function (it is MariaDB 10.11's)"},
		{"util.slugify(name)", sqlsyntax.Functions{Server: sqlsyntax.MariaDB, Stored: []string{"slugify"}}, 1, "util.slugify(...): a function qualified by a database"},
		{"COALESCE(name, '') = '' OR NOT EXISTS (SELECT 1 FROM t WHERE frob(t.a) = 1)", maria, 62, "FROB(...): MariaDB 10.11 has no such function"},
	} {
		e, err := sqlsyntax.ParseExpr(tc.src, sqlsyntax.Statement)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		got := e.UnknownCall(tc.f)
		if got == nil || got.Col != tc.col || !strings.Contains(got.Msg, tc.want) {
			t.Errorf("%s: %v (col %d), want col %d %q", tc.src, got, colOf(got), tc.col, tc.want)
		}
	}
	for _, ok := range []struct {
		src string
		f   sqlsyntax.Functions
	}{
		{"slugify(name) = Slugify('x')", sqlsyntax.Functions{Server: sqlsyntax.MariaDB, Stored: []string{"SLUGIFY"}}},
		{"REGEXP_LIKE(name, '^x')", mysql},
	} {
		e, err := sqlsyntax.ParseExpr(ok.src, sqlsyntax.Statement)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.UnknownCall(ok.f); got != nil {
			t.Errorf("%s: %v", ok.src, got)
		}
	}
	set, err := sqlsyntax.ParseAssignments("a = 1, b = regexp_like(a, 'x')")
	if err != nil {
		t.Fatal(err)
	}
	if got := set.UnknownCall(maria); got == nil || got.Col != 12 {
		t.Errorf("assignment list: %v", got)
	}
}

func colOf(e *sqlsyntax.Error) int {
	if e == nil {
		return 0
	}
	return e.Col
}

// Every expression here runs on MariaDB 10.11 (checked on the server), so
// none may be refused as calling a function the server lacks: the parser
// reads some special forms as calls of names of its own, and every
// built-in of the generated table called plainly must pass too.
func TestMariaDBCallsThatRunAreAccepted(t *testing.T) {
	db := testdb.New(t)
	exprs := []string{
		"TRIM(LEADING 'x' FROM name)", "EXTRACT(DAY FROM NOW())", "POSITION('a' IN name)", "SUBSTRING(name FROM 2 FOR 3)",
		"SUBSTR(name, 2)", "DATE_ADD(NOW(), INTERVAL 1 DAY)", "NOW() + INTERVAL 1 DAY", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP(3)",
		"CURRENT_USER", "CURRENT_DATE", "LOCALTIMESTAMP", "UTC_TIMESTAMP()", "CONVERT(name USING utf8mb4)", "CONVERT(name, CHAR)",
		"CAST(name AS CHAR)", "DATE '2020-01-01'", "TIMESTAMP '2020-01-01 00:00:00'", "TIMESTAMPADD(DAY, 1, NOW())",
		"TIMESTAMPDIFF(DAY, NOW(), NOW())", "GET_FORMAT(DATE, 'ISO')", "CHAR_LENGTH(name)", "JSON_VALUE('{\"a\":1}', '$.a')",
		"REGEXP_REPLACE(name, 'a', 'b')", "name REGEXP 'x'", "COALESCE(name, '')", "IF(name IS NULL, 1, 2)", "MOD(5, 2)",
		"DATABASE()", "SCHEMA()", "ROW_COUNT()", "WEIGHT_STRING(name)", "LEFT(name, 2)", "RIGHT(name, 2)", "INSERT(name, 1, 2, 'x')",
		"ISNULL(name)", "CURDATE()", "SYSDATE()", "USER()", "SESSION_USER()", "LAST_INSERT_ID()", "IFNULL(name, 'x')", "NULLIF(name, 'x')",
		"LOCATE('a', name)", "INSTR(name, 'a')", "LCASE(name)", "UCASE(name)", "MID(name, 1, 2)", "CHARACTER_LENGTH(name)",
		"DAYOFWEEK(NOW())", "WEEK(NOW())", "YEAR(NOW())", "DATE(NOW())", "TIME(NOW())", "HOUR(NOW())", "UUID()", "SHA2(name, 256)",
		"MD5(name)", "HEX(name)", "GREATEST(1, 2)", "LEAST(1, 2)", "CONCAT_WS('-', name, name)", "FORMAT(1234.5, 1)",
		"JSON_EXTRACT('{\"a\":1}', '$.a')", "JSON_UNQUOTE('\"a\"')", "JSON_OBJECT('a', name)", "REPEAT(name, 2)", "REVERSE(name)",
		"TRUNCATE(1.5, 0)", "ROUND(1.5)", "QUARTER(NOW())", "MICROSECOND(NOW())", "ASCII(name)", "CHARSET(name)", "COLLATION(name)",
		"NVL(name, 'x')", "DECODE_ORACLE(1, 1, 'a', 'b')", "ADDDATE(NOW(), 1)", "SUBDATE(NOW(), 1)", "CURTIME()", "UTC_DATE()",
	}
	for name, mask := range sqlsyntax.ArityForTest() {
		if mask == 0 || strings.ContainsAny(name, "!&<=>|") {
			continue
		}
		n := 0
		for mask&(1<<n) == 0 {
			n++
		}
		exprs = append(exprs, fmt.Sprintf("%s(%s)", name, strings.TrimSuffix(strings.Repeat("1, ", n), ", ")))
	}
	f := sqlsyntax.Functions{Server: sqlsyntax.MariaDB}
	for _, src := range exprs {
		e, err := sqlsyntax.ParseExpr(src, sqlsyntax.Statement)
		if err != nil {
			continue // refused for another reason (aggregates, locks, the parser's MySQL grammar)
		}
		if bad := e.UnknownCall(f); bad != nil {
			// Only a false refusal if the server runs it.
			if _, err := db.Exec("SELECT " + e.SQL() + " FROM (SELECT 'abc' AS name) AS t"); err == nil || !strings.Contains(err.Error(), "1305") {
				t.Errorf("%s (written %s): refused (%s), but the server has it (%v)", src, e.SQL(), bad.Msg, err)
			}
		}
	}
}
