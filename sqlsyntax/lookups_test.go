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
		// Uncorrelated, and IN, which the server materialises.
		{"id IN (SELECT MIN(id) FROM user GROUP BY email)", ""},
		{"EXISTS (SELECT 1 FROM t WHERE t.k = 1)", ""},
		// Nested: each subquery by itself.
		{"EXISTS (SELECT 1 FROM a WHERE a.x = user.x AND EXISTS (SELECT 1 FROM b WHERE b.y = user.y))", "[a [x] [] 1:31][b [y] [] 1:78]"},
	} {
		e, err := ParseExpr(tc.src, Statement)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		got := ""
		for _, l := range e.Lookups("user") {
			got += fmt.Sprintf("[%s %v %v %d:%d]", l.Table, l.Equal, l.Other, l.At.Line, l.At.Col)
		}
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
}
