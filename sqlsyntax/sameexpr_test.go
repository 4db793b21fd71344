package sqlsyntax

import "testing"

// Two spellings of one expression are the same: quotes, spacing, keyword
// case, outer parentheses, and the letter case of a column's name, which
// the server never tells apart; a table's name, which it may, is not.
func TestSameExpr(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"showXquestions >= 0", "(`showxquestions` >= 0)", true},
		{"t.Col = 1", "t.col = 1", true},
		{"T.col = 1", "t.col = 1", false},
		{"a >= 0", "b >= 0", false},
		{"'ABC' = a", "'abc' = a", false},
		// Read as a wildcard, no expression: compared as written (the
		// walk of its columns panicked on the missing expression).
		{"*", "*", true},
		{"*", "a", false},
	} {
		if got := SameExpr(tc.a, tc.b); got != tc.same {
			t.Errorf("SameExpr(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}
