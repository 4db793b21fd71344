package sqlsyntax

import (
	"fmt"
	"testing"
)

// TestLookups reads the correlated subqueries of a data migration's
// predicate: the table each reads, the columns it compares with the row
// by equality and otherwise, and where.
func TestLookups(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want string // fmt of the lookups: table equal other line:col
	}{
		{"NOT EXISTS (SELECT 1 FROM user other WHERE other.email = user.email AND other.id < user.id)", "[user [email] [id] 1:44]"},
		{"EXISTS (SELECT 1 FROM `user` AS d WHERE user.id > d.id AND d.lower_name = user.lower_name)", "[user [lower_name] [id] 1:51]"},
		// Bare names in a subquery of one table are its own.
		{"EXISTS (SELECT 1 FROM email_address WHERE uid = user.id AND (is_primary = 1))", "[email_address [uid] [] 1:43]"},
		// Only ranges: a lookup with no equality.
		{"EXISTS (SELECT 1 FROM user d WHERE d.created BETWEEN user.created AND user.updated)", "[user [] [created] 1:36]"},
		// The row's name taken by the subquery's own table: not the row.
		{"EXISTS (SELECT 1 FROM user WHERE user.email = 'x')", ""},
		// Uncorrelated: no lookup, but for an IN whose subquery selects a
		// column, which an UPDATE of another table runs once per row.
		{"id IN (SELECT MIN(id) FROM user GROUP BY email)", ""},
		{"EXISTS (SELECT 1 FROM t WHERE t.k = 1)", ""},
		{"email NOT IN (SELECT o.email FROM other o WHERE o.ok)", "[other [email] [] uncorrelated 1:22]"},
		// A correlated IN compares its own value too, first.
		{"user.x IN (SELECT o.x FROM other o WHERE o.y = user.y AND o.id < user.id)", "[other [x y] [id] 1:19]"},
		// An expression of the table's columns: no index finds it.
		{"EXISTS (SELECT 1 FROM user o WHERE LOWER(o.email) = LOWER(user.email) AND o.id < user.id)", "[user [] computed [LOWER(`email`)] [id] 1:42]"},
		// Under OR: each branch's equality, and the OR.
		{"EXISTS (SELECT 1 FROM user o WHERE (o.a = user.a OR o.b = user.b AND o.c > 0) AND o.id < user.id)", "[user [] either [a b] [id] 1:37]"},
		{"EXISTS (SELECT 1 FROM user o WHERE o.k = user.k AND (o.a = user.a OR o.b < user.b))", "[user [k] either [a] [] 1:36]"},
		{"EXISTS (SELECT 1 FROM user o WHERE o.a IN (user.a, user.b) AND o.b NOT IN (user.c, 1))", "[user [] either [a] [b] 1:36]"},
		// But for the one OR an index serves: the column or NULL.
		{"EXISTS (SELECT 1 FROM user o WHERE (o.a IS NULL OR o.a = user.a) AND (o.b = user.b OR o.c IS NULL))", "[user [a] either [b] [] 1:52]"},
		// Two rows compared by = are their values compared pair by pair,
		// and an IN of one value is its =: MariaDB 10.11 looks both up by
		// the index (EXPLAIN: ref), not as an expression or an OR. Rows
		// by <=> it reads whole.
		{"EXISTS (SELECT 1 FROM user o WHERE (o.a, o.b) = (user.a, user.b) AND o.id < user.id)", "[user [a b] [id] 1:37]"},
		{"EXISTS (SELECT 1 FROM user o WHERE o.a IN (user.a) AND o.id < user.id)", "[user [a] [id] 1:36]"},
		{"EXISTS (SELECT 1 FROM user o WHERE (o.a, o.b) <=> (user.a, user.b))", "[user [] computed [ROW(`a`,`b`)] [] 1:37]"},
		// Nested: each subquery by itself.
		{"EXISTS (SELECT 1 FROM a WHERE a.x = user.x AND EXISTS (SELECT 1 FROM b WHERE b.y = user.y))", "[a [x] [] 1:31][b [y] [] 1:78]"},
	} {
		e, err := ParseExpr(tc.src, Statement)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		got := ""
		for _, l := range e.Lookups("user") {
			got += fmt.Sprintf("[%s %v ", l.Table, l.Equal)
			if len(l.Computed) > 0 {
				got += fmt.Sprintf("computed %v ", l.Computed)
			}
			if len(l.Either) > 0 {
				got += fmt.Sprintf("either %v ", l.EitherEqual)
			}
			if l.Uncorrelated {
				got += fmt.Sprintf("%v uncorrelated %d:%d]", l.Other, l.At.Line, l.At.Col)
				continue
			}
			got += fmt.Sprintf("%v %d:%d]", l.Other, l.At.Line, l.At.Col)
		}
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
}
