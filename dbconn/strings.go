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
