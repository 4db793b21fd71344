package dbconn

import "testing"

// TestTableSizeString: a size as messages print it, one row in the
// singular ("1 rows" said the rollback's copy refusal of a table of one
// row).
func TestTableSizeString(t *testing.T) {
	for _, c := range []struct {
		s    TableSize
		want string
	}{
		{TableSize{Rows: 1, Bytes: 16 << 10}, "1 row, 16 kB"},
		{TableSize{Rows: 0, Bytes: 16 << 10}, "0 rows, 16 kB"},
		{TableSize{Rows: 1_000_000, Bytes: 509 << 20}, "1.0M rows, 509 MB"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.s, got, c.want)
		}
	}
}
