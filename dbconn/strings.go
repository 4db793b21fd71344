package dbconn

import (
	"context"
	"database/sql"
	"strings"
)

// Querier is a connection, a pool or a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// EachRow runs a query and calls row for each of its rows, in order: the
// one loop over a result set, which always closes it and reports the
// error that ended it.
func EachRow(ctx context.Context, q Querier, query string, args []any, row func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Strings runs a query whose rows are one string column each and returns
// them in order: the one way emcee reads a list of names from the server.
func Strings(ctx context.Context, q Querier, query string, args ...any) ([]string, error) {
	var out []string
	err := EachRow(ctx, q, query, args, func(rows *sql.Rows) error {
		var v string
		err := rows.Scan(&v)
		out = append(out, v)
		return err
	})
	return out, err
}

// RowByName reads a row of a SHOW statement whose columns differ by
// server and version, by lowercased column name, NULL as "": a row that
// cannot be read reads as all NULL.
func RowByName(rows *sql.Rows) map[string]string {
	cols, _ := rows.Columns()
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	out := map[string]string{}
	if rows.Scan(ptrs...) == nil {
		for i, c := range cols {
			out[strings.ToLower(c)] = vals[i].String
		}
	}
	return out
}

// StoredColumns are the columns of a table in the session's database that
// a statement may set, in order: all but generated ones (VIRTUAL or
// STORED GENERATED in EXTRA, on both servers). MySQL 8 also says
// DEFAULT_GENERATED there, for a column whose default is an expression,
// which a statement sets like any other: a filter on GENERATED alone left
// such columns out.
func StoredColumns(ctx context.Context, q Querier, table string) ([]string, error) {
	var out []string
	err := EachRow(ctx, q, "SELECT COLUMN_NAME, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", []any{table}, func(rows *sql.Rows) error {
		var name, extra string
		err := rows.Scan(&name, &extra)
		if !generated(extra) {
			out = append(out, name)
		}
		return err
	})
	return out, err
}

func generated(extra string) bool {
	extra = strings.ToUpper(extra)
	return strings.Contains(extra, "VIRTUAL GENERATED") || strings.Contains(extra, "STORED GENERATED")
}
