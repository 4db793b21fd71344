package review

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
)

// TableSize is a table as information_schema reported it: InnoDB's row
// estimate and the bytes of its data and indexes.
type TableSize struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
	Bytes int64  `json:"bytes"`
}

func (s TableSize) String() string {
	return fmt.Sprintf("%s rows, %s", count(s.Rows), bytesize(s.Bytes))
}

// Rebuild is one statement that rewrites every row of a table.
type Rebuild struct {
	Table string     `json:"table"`
	Phase string     `json:"phase"`
	At    string     `json:"at"`
	Class string     `json:"class"` // rebuild or copy
	Size  *TableSize `json:"size,omitempty"`
	OSC   string     `json:"osc,omitempty"` // the tool the copy is handed to
}

// AddSizes reads the size of every table a statement of the report
// rebuilds or copies from the database the connection has selected, and
// records where they came from.
func AddSizes(ctx context.Context, db *sql.DB, from string, rep *Report) error {
	tables := map[string]bool{}
	for _, r := range rep.Releases {
		for _, rb := range r.Rebuilds {
			tables[rb.Table] = true
		}
	}
	sizes := map[string]*TableSize{}
	for _, t := range slices.Sorted(maps.Keys(tables)) {
		s := TableSize{Table: t}
		err := db.QueryRowContext(ctx, "SELECT COALESCE(TABLE_ROWS, 0), COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", t).Scan(&s.Rows, &s.Bytes)
		if err == sql.ErrNoRows {
			continue // not there yet: the table is created by an earlier release's plan
		}
		if err != nil {
			return fmt.Errorf("reading the size of table %s: %w", t, err)
		}
		sizes[t] = &s
	}
	rep.SizesFrom = from
	for _, r := range rep.Releases {
		for i := range r.Rebuilds {
			r.Rebuilds[i].Size = sizes[r.Rebuilds[i].Table]
		}
		for _, rev := range r.Revisions {
			for _, st := range rev.Statements {
				if st.Lock.Rebuilds != "" {
					st.Lock.Size = sizes[st.Lock.Rebuilds]
				}
			}
		}
	}
	return nil
}

// count writes a row count the way a release manager reads it: 1.0M, 12k.
func count(n int64) string {
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

func bytesize(n int64) string {
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
