package dbconn

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// TableSize is a table as information_schema reported it: InnoDB's row
// estimate and the bytes of its data and indexes.
type TableSize struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
	Bytes int64  `json:"bytes"`
}

func (s TableSize) String() string {
	// "1 rows" said the rollback's copy refusal.
	return fmt.Sprintf("%s %s, %s", FormatCount(s.Rows), sqlsyntax.OneOrMany(int(s.Rows), "row", "rows"), FormatBytes(s.Bytes))
}

// ReadTableSize reads the size of a table of the database the connection
// has selected; nil when there is no such table (yet: an earlier
// release's plan creates it).
func ReadTableSize(ctx context.Context, db Querier, table string) (*TableSize, error) {
	s := TableSize{Table: table}
	err := db.QueryRowContext(ctx, "SELECT COALESCE(TABLE_ROWS, 0), COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", table).Scan(&s.Rows, &s.Bytes)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the size of table %s: %w", table, err)
	}
	return &s, nil
}

// FormatCount writes a row count the way a release manager reads it: 1.0M, 12k.
func FormatCount(n int64) string {
	switch {
	case n >= 1_000_000_000:
		return fmt.Sprintf("%.1fG", float64(n)/1e9)
	case n >= 1_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 10_000:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// FormatBytes writes a size the way a release manager reads it: 12 MB.
func FormatBytes(n int64) string {
	const mb = 1 << 20
	switch {
	case n >= 10<<30:
		return fmt.Sprintf("%d GB", n>>30)
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= mb:
		return fmt.Sprintf("%d MB", n/mb)
	}
	return fmt.Sprintf("%d kB", (n+1023)/1024)
}
